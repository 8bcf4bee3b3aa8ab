"""`tpclinic content_status [--json]`: how much of the clinical content is still unverified.

One line per data file: entries in total, and how many still rest on recalled (unverified)
knowledge; plus the patient texts still in draft (not approved by a reviewer for today's wording).
The README states these figures; re-run this command after changing the content and update it.
"""
from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from library import review
from referral.knowledge import knowledge_base
from safety.data_files import RECALLED, _read, dose_limits, lcds, muscle_risks, payer_policies
from treatment.superbill import modifier_rules


def collect() -> list[dict]:
    """[{file, entries, unverified, what}], one row per content file, read from the files themselves."""
    rows = []
    patterns = list(knowledge_base())
    rows.append({"file": "referral/data/referral_patterns.toml", "entries": len(patterns),
                 "unverified": sum(1 for p in patterns if p.needs_verification),
                 "what": "referral patterns with a recalled zone (flagged in the UI)"})
    risks = list(muscle_risks().values())
    verified_fields = {code: set(entry.get("verified", ())) for code, entry in _read("muscle_risks.toml")["muscles"].items()}
    rows.append({"file": "safety/data/muscle_risks.toml", "entries": len(risks),
                 "unverified": sum(1 for r in risks if r.confidence == RECALLED),
                 "what": "muscle risk entries with recalled items",
                 "partly_verified": sum(1 for fields in verified_fields.values() if fields)})
    limits = dose_limits()
    raw_sources = _read("dose_limits.toml")["sources"]
    recalled_sources = {key for key, text in raw_sources.items() if "recalled" in text.lower() or "verify" in text.lower()}
    rows.append({"file": "safety/data/dose_limits.toml", "entries": len(limits.agents),
                 "unverified": sum(1 for a in limits.agents.values()
                                   if set(a.sources) & recalled_sources or "verify" in a.note.lower()),
                 "what": "anaesthetic agents whose limits cite a recalled source"})
    steroids = _read("corticosteroids.toml")
    to_verify = {key for key, text in steroids["sources"].items() if "verify" in text.lower()}
    own_choice = {key for key, text in steroids["sources"].items() if "tpclinic's own choice" in text.lower()}
    entries = [*steroids["agents"].values(), steroids["session"], steroids["window"], steroids["repeat_site"],
               steroids["diabetes"]]
    rows.append({"file": "safety/data/corticosteroids.toml", "entries": len(entries),
                 "unverified": sum(1 for entry in entries if set(entry["sources"]) & to_verify),
                 "what": "steroid entries (agents, session cap, 12-month window, same-site interval, diabetes warning) citing a source still to verify",
                 "own_choice": sum(1 for entry in entries if set(entry["sources"]) & own_choice)})
    billing = modifier_rules()
    billing_entries = [*billing.get("rule", []), billing["em"]]
    rows.append({"file": "treatment/data/modifiers.toml", "entries": len(billing_entries),
                 "unverified": sum(1 for entry in billing_entries
                                   if not entry.get("sources") or any("verify" in billing["sources"][key].lower()
                                                                      for key in entry["sources"])),
                 "what": "modifier rules and the E/M code list without an opened source"})
    records, covered_lists = lcds(), [p for p in payer_policies().values() if p.covered_diagnoses]
    rows.append({"file": "safety/data/payer_policies.toml", "entries": len(records) + len(covered_lists),
                 "unverified": sum(1 for lcd in records if not lcd.confirmed)
                 + sum(1 for p in covered_lists if not p.covered_diagnoses_checked),
                 "what": "LCD numbers named only by a summary, and covered-diagnosis lists not read in the "
                         "billing article itself",
                 "from_cms_data": sum(1 for lcd in records if lcd.checked == "cms-data")})
    statuses = review.statuses()
    for kind, label in (("article", "library/content/*/*.md"), ("consent", "safety/data/consent_forms.toml"),
                        ("handout", "portal/data/handout.toml")):
        mine = [s for s in statuses if s.text.kind == kind]
        rows.append({"file": label, "entries": len(mine), "unverified": sum(1 for s in mine if s.state == review.DRAFT),
                     "what": "language versions not yet approved by a clinical reviewer"})
    return rows


class Command(BaseCommand):
    help = "Count the unverified entries in each clinical content file and the patient texts still in draft."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the figures as JSON")

    def handle(self, *args, **options):
        rows = collect()
        if options["json"]:
            self.stdout.write(json.dumps(rows, indent=2))
            return
        width = max(len(row["file"]) for row in rows)
        for row in rows:
            extra = ""
            if "partly_verified" in row:
                extra = f"; {row['partly_verified']} with some fields verified"
            if row.get("own_choice"):
                extra = f"; {row['own_choice']} resting on a tpclinic choice where no source gives a figure"
            if row.get("from_cms_data"):
                extra = f"; {row['from_cms_data']} LCD(s) read in CMS's coverage data, not on their MCD page"
            self.stdout.write(f"{row['file']:<{width}}  {row['unverified']:>3} of {row['entries']:>3} unverified"
                              f"  ({row['what']}{extra})")
