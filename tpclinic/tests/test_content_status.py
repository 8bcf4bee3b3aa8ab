"""`tpclinic content_status` counts what is still unverified, from the files and the reviews."""
import json
from dataclasses import replace
from io import StringIO

import pytest
from django.core.management import call_command

from library import review
from referral.knowledge import knowledge_base
from safety.data_files import _read, corticosteroids, lcds, payer_policies
from tpclinic.management.commands import content_status
from treatment.superbill import modifier_rules

pytestmark = pytest.mark.django_db


def figures() -> dict:
    out = StringIO()
    call_command("content_status", "--json", stdout=out)
    return {row["file"]: row for row in json.loads(out.getvalue())}


def test_every_content_file_has_a_line_with_counts_from_the_data():
    rows = figures()
    patterns = rows["referral/data/referral_patterns.toml"]
    assert patterns["entries"] == len(knowledge_base())
    assert patterns["unverified"] == sum(1 for p in knowledge_base() if p.needs_verification)
    assert rows["safety/data/dose_limits.toml"]["unverified"] == 0  # every agent cites its FDA label
    assert rows["safety/data/payer_policies.toml"]["unverified"] >= 1  # the covered list, read only in reports
    steroids = rows["safety/data/corticosteroids.toml"]
    assert steroids["entries"] == len(corticosteroids().agents) + 4  # session cap, window, same site, diabetes
    assert 1 <= steroids["unverified"] < steroids["entries"]  # the Kenalog caps, read through summaries
    assert rows["treatment/data/modifiers.toml"]["unverified"] == 0
    assert rows["safety/data/muscle_risks.toml"]["partly_verified"] >= 8
    assert rows["safety/data/consent_forms.toml"] == {**rows["safety/data/consent_forms.toml"], "entries": 3,
                                                      "unverified": 3}


def test_approving_a_text_lowers_its_draft_count(clinician):
    clinician.groups.add(review.reviewers_group())
    before = figures()["portal/data/handout.toml"]["unverified"]
    review.approve(review.find("handout", "handout", "ar"), clinician)
    assert figures()["portal/data/handout.toml"]["unverified"] == before - 1


def test_plain_output_names_each_file():
    out = StringIO()
    call_command("content_status", stdout=out)
    text = out.getvalue()
    for name in ("referral_patterns.toml", "muscle_risks.toml", "dose_limits.toml", "payer_policies.toml",
                 "corticosteroids.toml", "modifiers.toml", "consent_forms.toml", "handout.toml", "library/content"):
        assert name in text


def test_a_steroid_source_marked_to_verify_counts_every_entry_that_cites_it(monkeypatch):
    before = figures()["safety/data/corticosteroids.toml"]
    raw = _read("corticosteroids.toml")
    raw["sources"]["dexamethasone-label"] += " (verify)"
    monkeypatch.setattr(content_status, "_read", lambda name: raw if name == "corticosteroids.toml" else _read(name))
    after = figures()["safety/data/corticosteroids.toml"]
    # Before: the two entries on the Kenalog-40 caps (the session cap and triamcinolone's own), read through
    # summaries of the label, and the diabetes warning (the label's Precautions, not opened). After: every entry
    # cites the dexamethasone label's equivalence table or a source to verify, except the same-site interval (its
    # concern now read in the label itself).
    assert (before["unverified"], after["unverified"]) == (3, after["entries"] - 1)


def test_an_e_m_list_without_sources_counts_as_unverified(monkeypatch):
    rules = {**modifier_rules(), "em": {"codes": ["99213"]}}
    monkeypatch.setattr(content_status, "modifier_rules", lambda: rules)
    assert figures()["treatment/data/modifiers.toml"]["unverified"] == 1


def test_an_lcd_named_only_by_a_summary_and_a_covered_list_read_in_reports_count_as_unverified(monkeypatch):
    payer = "safety/data/payer_policies.toml"
    before = figures()[payer]
    assert (before["entries"], before["unverified"]) == (len(lcds()) + 1, 1)  # + the uniform covered list
    summary_only = tuple(replace(lcd, checked="summary") if lcd.number == "L39713" else lcd for lcd in lcds())
    monkeypatch.setattr(content_status, "lcds", lambda: summary_only)
    assert figures()[payer]["unverified"] == 2
    read_in_article = {code: replace(p, covered_diagnoses_checked=True) for code, p in payer_policies().items()}
    monkeypatch.setattr(content_status, "payer_policies", lambda: read_in_article)
    assert figures()[payer]["unverified"] == 1
