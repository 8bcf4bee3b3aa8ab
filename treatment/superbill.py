"""The superbill of a signed session: what the clinic's billing office needs to make a claim.

One procedure line per CPT code (units and modifiers), the imaging-guidance add-on when the clinician
billed it (with the payer's note as signed), the course's ICD-10-CM code, and one drug
supply line per agent given, coded from treatment/data/drug_codes.toml (the only place the HCPCS
drug codes live). Doses come from the screen kept at signing (`screen_snapshot["dose"]`), so the
bill shows the milligrams the clinician signed, not a recomputation.
"""
from __future__ import annotations

import csv
import io
import math
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.utils import timezone

from safety import present
from safety.coding import IMAGING_ADDON
from safety.data_files import imaging_guidance
from treatment.models import Session

DRUG_CODES = Path(__file__).resolve().parent / "data" / "drug_codes.toml"
MODIFIERS = Path(__file__).resolve().parent / "data" / "modifiers.toml"


@cache
@cache
def modifier_rules() -> dict:
    """data/modifiers.toml, read once (the session form checks the E/M code against it on every save)."""
    with MODIFIERS.open("rb") as handle:
        return tomllib.load(handle)


def modifiers_for(line_kind: str, procedure_codes: list[str], rules: dict | None = None) -> tuple[str, ...]:
    """The modifiers a line of `line_kind` ("em", "procedure" or "drug") takes beside the session's
    procedure codes, by the rules in data/modifiers.toml."""
    rules = modifier_rules() if rules is None else rules
    found = []
    for rule in rules.get("rule", []):
        if rule["line"] != line_kind:
            continue
        limit = rule.get("procedure_global_days_at_most")
        if limit is not None:
            days = [rules["global_days"].get(code) for code in procedure_codes]
            if not days or any(d is None or d > limit for d in days):
                continue
        found.append(rule["modifier"])
    return tuple(found)


@cache
def drug_codes() -> dict:
    with DRUG_CODES.open("rb") as handle:
        return tomllib.load(handle, parse_float=Decimal)


@dataclass(frozen=True)
class Line:
    kind: str  # "procedure" or "drug"
    code: str  # CPT or HCPCS; blank for a drug with no separate code
    description: str
    units: int | None
    modifiers: str = ""
    quantity: str = ""  # the dose given, e.g. "25 mg"
    billable: bool = True
    note: str = ""
    source: str = ""


@dataclass(frozen=True)
class Superbill:
    session: Session
    patient: str
    mrn: str
    birth_date: str
    payer: str
    date_of_service: str
    clinician: str
    diagnosis: str
    lines: tuple[Line, ...]


def _units(amount: Decimal, per: Decimal) -> int:
    return max(1, math.ceil(amount / per))


def drug_line(agent: str, mg: Decimal | None = None, ml: Decimal | None = None) -> Line:
    """The supply line of `mg` (or `ml`) of `agent`, coded from the data file."""
    entry = drug_codes()["agents"].get(agent)
    quantity = f"{mg.normalize():f} mg" if mg is not None else (f"{ml.normalize():f} mL" if ml is not None else "")
    if entry is None:
        return Line("drug", "", agent, None, quantity=quantity, billable=False, note="No drug code on file.")
    units = None
    if entry["code"]:
        if "unit_mg" in entry and mg is not None:
            units = _units(mg, Decimal(entry["unit_mg"]))
        elif "unit_ml" in entry and ml is not None:
            units = _units(ml, Decimal(entry["unit_ml"]))
    return Line("drug", entry["code"], f"{agent}: {entry['descriptor']}", units, quantity=quantity,
                billable=bool(entry["separately_billable"]), note=entry["note"], source=entry["source"])


IMAGING_DESCRIPTION = {"ultrasound": "Ultrasound guidance for needle placement, imaging supervision and "
                                     "interpretation (add-on to the injection code)"}


def imaging_addons(session: Session) -> list[dict]:
    """The imaging-guidance add-on notes of the screen kept at signing (code, sites, the payer's word and its
    English message) when the clinician chose to bill the add-on; none otherwise, whatever the guidance.
    Signing refused the choice for a payer that does not cover imaging guidance, or with no guided site."""
    if not session.bill_imaging_guidance:
        return []
    return [n for n in (session.screen_snapshot or {}).get("cpt_notes") or [] if n["rule"] == IMAGING_ADDON]


def addon_line(addon: dict) -> Line:
    """The add-on's procedure line: one unit beside the injection code, with the payer's note as signed."""
    params = addon["params"]
    return Line("procedure", params["code"], IMAGING_DESCRIPTION.get(params["guidance"], params["guidance"]), 1,
                note=addon["message"], source="; ".join(imaging_guidance().sources))


def for_session(session: Session) -> Superbill:
    course, patient = session.course, session.course.patient
    procedures = [code for code in session.cpt_codes.split(",") if code]
    lines = [Line("procedure", code, present.english(present.cpt_description, code), 1, modifiers=" ".join(modifiers_for("procedure", procedures)))
             for code in procedures]
    lines += [addon_line(addon) for addon in imaging_addons(session)]
    if session.em_code:  # the separate E/M the clinician billed today, before the procedure
        lines.insert(0, Line("procedure", session.em_code, "Evaluation and management, office or outpatient", 1,
                             modifiers=" ".join(modifiers_for("em", procedures))))
    rows = ((session.screen_snapshot or {}).get("dose") or {}).get("rows_params") or []
    mg_by_agent: dict[str, Decimal] = {}
    for row in rows:
        mg_by_agent[row["agent"]] = mg_by_agent.get(row["agent"], Decimal(0)) + Decimal(str(row["mg"]))
    ml_by_agent: dict[str, Decimal] = {}
    for injection in session.injections.prefetch_related("mixed_agents"):
        for agent in injection.components():  # each agent of a mixture is its own supply line
            if getattr(agent, "dose_mg", None):  # a corticosteroid, given in mg
                mg_by_agent[agent.agent] = mg_by_agent.get(agent.agent, Decimal(0)) + agent.dose_mg
            elif agent.agent not in mg_by_agent and agent.volume_ml:
                ml_by_agent[agent.agent] = ml_by_agent.get(agent.agent, Decimal(0)) + agent.volume_ml
    lines += [drug_line(agent, mg=mg) for agent, mg in mg_by_agent.items()]
    lines += [drug_line(agent, ml=ml) for agent, ml in ml_by_agent.items()]
    return Superbill(
        session=session, patient=patient.full_name, mrn=patient.mrn, birth_date=patient.birth_date.isoformat(),
        payer=patient.payer_name or patient.get_payer_display(),
        date_of_service=timezone.localdate(session.performed_at).isoformat(),
        clinician=session.clinician.get_full_name() or session.clinician.get_username(),
        diagnosis=course.diagnosis_code, lines=tuple(lines),
    )


HEADER = ["patient", "mrn", "birth_date", "payer", "date_of_service", "clinician", "icd10cm",
          "line", "code", "description", "units", "modifiers", "quantity", "separately_billable", "note", "source"]


def as_csv(bill: Superbill) -> str:
    """One row per line, each repeating the claim's header fields so a spreadsheet can filter it."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for line in bill.lines:
        writer.writerow([bill.patient, bill.mrn, bill.birth_date, bill.payer, bill.date_of_service, bill.clinician,
                         bill.diagnosis, line.kind, line.code, line.description,
                         "" if line.units is None else line.units, line.modifiers, line.quantity,
                         "yes" if line.billable else "no", line.note, line.source])
    return out.getvalue()
