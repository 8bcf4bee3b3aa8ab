"""Import of courses and sessions: CarePlan, Procedure, MedicationAdministration, Observation
(pain scores and relief of a session; body height and weight of a patient) and Appointment.

A session signed before this import is never changed by it; sessions it creates may be filled in.
"""
from __future__ import annotations

import base64
import json
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils.dateparse import parse_date

from charting.models import TriggerPoint
from interop import fhir_codes as codes
from interop.fhir_import import (Entry, Importer, Skip, codes_in, decimal, extensions, first_code, handler, one,
                                 parse_day, parse_instant, text)
from treatment.models import Course, Injection, InjectionAgent, Session
from treatment.superbill import drug_codes

LENGTH_TO_CM = {"cm": Decimal(1), "m": Decimal(100), "mm": Decimal("0.1"), "[in_i]": Decimal("2.54"),
                "in": Decimal("2.54")}
MASS_TO_KG = {"kg": Decimal(1), "g": Decimal("0.001"), "[lb_av]": Decimal("0.45359237"),
              "lb": Decimal("0.45359237")}
PERIOD_DAYS = {"d": 1, "wk": 7}


# ------------------------------------------------------------------ courses and sessions


@handler("CarePlan")
def import_course(ctx: Importer, entry: Entry):
    resource = entry.resource
    if "tpi-course" not in [c for cat in resource.get("category", []) for c in codes_in(cat, codes.CARE_PLAN_KIND)]:
        raise Skip(f"it is not a trigger point injection course (category tpi-course in {codes.CARE_PLAN_KIND}).",
                   "not-supported")
    patient = ctx.patient_of(entry, resource.get("subject"))
    detail = ((resource.get("activity") or [{}])[0].get("detail") or {})
    clinician = ctx.resolve(resource.get("author"), get_user_model(), entry) or next(
        (u for u in (ctx.resolve(p, get_user_model(), entry) for p in detail.get("performer", [])) if u), None)
    if clinician is None:
        raise Skip("its author is not a staff account in this Bundle or known here.", "not-found")
    diagnosis = next((first_code(t.resource.get("code"), codes.ICD10CM)
                      for t in (ctx.target(a) for a in resource.get("addresses", [])) if t), None)
    if not diagnosis:
        raise Skip(f"it addresses no Condition in this Bundle coded in ICD-10-CM ({codes.ICD10CM}).", "required")
    status = codes.COURSE_STATUS_BACK.get(resource.get("status"))
    if status is None:
        raise Skip(f"its status {resource.get('status')!r} has no tpclinic course status "
                   f"({', '.join(codes.COURSE_STATUS.values())}).", "code-invalid")
    repeat = (detail.get("scheduledTiming") or {}).get("repeat") or {}
    course = ctx.existing(entry, Course)
    if course is not None and course.patient_id != patient.pk:
        raise Skip("it was imported before for a different patient.", "conflict")
    created = course is None
    course = course or Course(patient=patient)
    course.clinician, course.diagnosis_code, course.status = clinician, diagnosis, status
    profile = getattr(clinician, "staff_profile", None)
    interval = repeat.get("period")
    days = PERIOD_DAYS.get(repeat.get("periodUnit"))
    course.interval_days = int(interval * days) if interval and days else (
        course.interval_days or (profile.preferred_interval_days if profile else 14))
    course.planned_sessions = repeat.get("count") or course.planned_sessions or 3
    course.goals = text(resource.get("description"))
    started = parse_day((resource.get("period") or {}).get("start"))
    if started:
        course.started_on = started
    ctx.write(course)  # the stored schedule is refreshed once per course when the import ends
    return ("created" if created else "updated"), course, f"course {course.pk} ({diagnosis}) of patient {patient.pk}."


def _session_fields() -> set[str]:
    return {f.name for f in Session._meta.get_fields()}


@handler("Procedure")
def import_session(ctx: Importer, entry: Entry):
    resource = entry.resource
    course = next((c for c in (ctx.resolve(b, Course, entry) for b in resource.get("basedOn", [])) if c), None)
    if course is None:
        raise Skip("it is not part of a tpclinic course: basedOn must reference its CarePlan (in this Bundle or "
                   "imported before).", "not-supported")
    patient = ctx.patient_of(entry, resource.get("subject"))
    if patient.pk != course.patient_id:
        raise Skip("its subject is not the patient of its course.", "conflict")
    status = {"completed": Session.Status.SIGNED, "preparation": Session.Status.DRAFT,
              "in-progress": Session.Status.DRAFT}.get(resource.get("status"))
    if status is None:
        raise Skip(f"status {resource.get('status')!r}: tpclinic keeps completed (signed) and preparation "
                   "(draft) sessions only.", "not-supported")
    performed = parse_instant(resource.get("performedDateTime") or (resource.get("performedPeriod") or {}).get("start"))
    if performed is None:
        raise Skip("it has no performedDateTime.", "required")
    session = ctx.existing(entry, Session)
    if session is not None and session.course_id != course.pk:
        raise Skip("it was imported before into a different course.", "conflict")
    if session is not None and not ctx.writable(session):
        return ctx.signed(entry, session, session, "Procedure")
    clinician = next((u for u in (ctx.resolve(p.get("actor"), get_user_model(), entry)
                                  for p in resource.get("performer", [])) if u), None) or course.clinician
    parts = extensions(resource, codes.EXT_SESSION)
    created = session is None
    session = session or Session(course=course, version=0)
    session.performed_at, session.clinician, session.status = performed, clinician, status
    session.notes = "\n\n".join(text(n.get("text")) for n in resource.get("note", []) if text(n.get("text")))
    session.consent_recorded = bool(one(parts, "consentRecorded", False))
    fields = _session_fields()
    optional = {"systemic_infection": bool(one(parts, "systemicInfection", False)),
                "site_infection": bool(one(parts, "siteInfection", False)),
                "dose_override_reason": text(one(parts, "doseOverrideReason", "")),
                "screen_snapshot": _snapshot(one(parts, "screenSnapshot")),
                "cpt_codes": ",".join(codes_in(resource.get("code"), codes.CPT)) if status == Session.Status.SIGNED
                else ""}
    for name, value in optional.items():
        if name in fields:
            setattr(session, name, value)
    if status == Session.Status.SIGNED:
        session.signed_by = ctx.resolve(one(parts, "signedBy"), get_user_model(), entry) or clinician
        session.signed_at = parse_instant(one(parts, "signedAt")) or performed
    else:
        session.signed_by = session.signed_at = None
    session.version += 1
    ctx.write(session)
    return ("created" if created else "updated"), session, f"{status} session {session.pk} of course {course.pk}."


def _snapshot(attachment) -> dict:
    if not isinstance(attachment, dict) or not attachment.get("data"):
        return {}
    try:
        return json.loads(base64.b64decode(attachment["data"]))
    except ValueError:
        raise Skip("its screen snapshot attachment is not base64-encoded JSON.", "invalid") from None


@handler("MedicationAdministration")
def import_injection(ctx: Importer, entry: Entry):
    resource = entry.resource
    session = next((s for s in (ctx.resolve(p, Session, entry) for p in resource.get("partOf", [])) if s), None)
    if session is None:
        raise Skip("it is not part of a tpclinic session: partOf must reference its Procedure.", "not-supported")
    injection = ctx.existing(entry, Injection)
    if injection is not None and injection.session_id != session.pk:
        raise Skip("it was imported before into a different session.", "conflict")
    if not ctx.writable(session):
        return ctx.signed(entry, session, injection, "injections")
    parts = extensions(resource, codes.EXT_INJECTION)
    point = ctx.resolve(one(parts, "triggerPoint"), TriggerPoint, entry)
    if point is None or point.patient_id != session.course.patient_id:
        raise Skip("its trigger point (extension triggerPoint) is not a trigger point of this patient.", "not-found")
    medications = _medications(resource)
    agent = agent_code(medications[0] if medications else None)
    if agent not in dict(Injection.Agent.choices):
        raise Skip(f"its medication is not an injectate coded in {codes.AGENT} or an RxNorm ingredient "
                   f"tpclinic knows ({codes.RXNORM}).", "code-invalid")
    dosage = resource.get("dosage") or {}
    dose = dosage.get("dose") or {}
    if dose.get("code", dose.get("unit", "mL")) not in {"mL", "ml"}:
        raise Skip("its dose is not in mL.", "invalid")
    created = injection is None
    injection = injection or Injection(session=session)
    injection.trigger_point, injection.agent = point, agent
    injection.volume_ml = decimal(dose.get("value")) if dose.get("value") is not None else Decimal(0)
    injection.concentration_pct = decimal(one(parts, "concentrationPct")) or Decimal(0)
    injection.with_epinephrine = bool(one(parts, "withEpinephrine", False))
    injection.needle_gauge = one(parts, "needleGauge", 25)
    injection.needle_length_mm = one(parts, "needleLengthMm", 38)
    injection.twitch_elicited = bool(one(parts, "twitchElicited", False))
    injection.guidance = one(parts, "guidance", Injection.Guidance.NONE)
    injection.technique = first_code(dosage.get("method"), codes.TECHNIQUE) or Injection.Technique.FANNING
    injection.lot_number = one(parts, "lotNumber", "") or ""
    injection.lot_expiry = parse_date(one(parts, "lotExpiry")) if one(parts, "lotExpiry") else None
    found = _each_extension(resource, codes.EXT_MIXED_AGENT)
    if len(medications) > len(found) + 1:
        raise Skip(f"its mixture has {len(medications)} agents but amounts ({codes.EXT_MIXED_AGENT}) for only "
                   f"{len(found) + 1}: importing it would lose an agent.", "incomplete")
    mixed = [_mixed_agent(parts, medications[n + 1] if n + 1 < len(medications) else None)
             for n, parts in enumerate(found)]
    ctx.write(injection)
    injection.replace_mixture(mixed, store=ctx.add_new)  # the import sends the whole mixture
    return ("created" if created else "updated"), injection, f"{agent} injection in session {session.pk}."


def agent_code(concept) -> str | None:
    """tpclinic's agent for a medication concept: its own injectate code, else the agent whose RxNorm
    ingredient code it carries (drug_codes.toml [rxnorm.*], the same table the export writes from)."""
    local = first_code(concept, codes.AGENT)
    if local:
        return local
    by_rxcui = {entry["code"]: agent for agent, entry in drug_codes().get("rxnorm", {}).items()}
    return next((by_rxcui[code] for code in codes_in(concept, codes.RXNORM) if code in by_rxcui), None)


def _medications(resource: dict) -> list[dict]:
    """The concept of each agent in the syringe, the row's own first: medicationCodeableConcept, or the
    contained syringe's ingredients in order (see fhir_out: one contained Medication per agent)."""
    if resource.get("medicationCodeableConcept"):
        return [resource["medicationCodeableConcept"]]
    contained = {c.get("id"): c for c in resource.get("contained", []) if isinstance(c, dict)}
    reference = ((resource.get("medicationReference") or {}).get("reference") or "").lstrip("#")
    syringe = contained.get(reference) or {}
    ingredients = syringe.get("ingredient") or []
    if not ingredients:
        return [syringe["code"]] if syringe.get("code") else []
    return [(contained.get(((i.get("itemReference") or {}).get("reference") or "").lstrip("#")) or {}).get("code")
            or i.get("itemCodeableConcept") or {} for i in ingredients]


def _each_extension(resource: dict, url: str) -> list[dict[str, list]]:
    """Each occurrence of the complex extension `url`, as name -> values."""
    return [extensions({"extension": [ext]}, url) for ext in resource.get("extension", []) if ext.get("url") == url]


def _mixed_agent(parts: dict[str, list], medication: dict | None) -> InjectionAgent:
    """One further agent: its amounts from the extension, its agent from the extension or, when that
    omits it, from the syringe's matching contained Medication (local or RxNorm code)."""
    agent = InjectionAgent(
        agent=one(parts, "agent", "") or agent_code(medication) or "", with_epinephrine=bool(one(parts, "withEpinephrine", False)),
        concentration_pct=decimal(one(parts, "concentrationPct")) if one(parts, "concentrationPct") is not None else None,
        volume_ml=decimal(one(parts, "volumeMl")) if one(parts, "volumeMl") is not None else None,
        dose_mg=decimal(one(parts, "doseMg")) if one(parts, "doseMg") is not None else None,
        lot_number=one(parts, "lotNumber", "") or "",
        lot_expiry=parse_date(one(parts, "lotExpiry")) if one(parts, "lotExpiry") else None,
    )
    agent.full_clean(exclude=["injection"])
    return agent


# ------------------------------------------------------------------ observations


def _quantity(resource: dict, table: dict, what: str) -> Decimal:
    quantity = resource.get("valueQuantity") or {}
    unit = quantity.get("code") or quantity.get("unit")
    value = decimal(quantity.get("value"))
    if value is None or unit not in table:
        raise Skip(f"its {what} needs valueQuantity in one of {', '.join(table)}.", "invalid")
    return (value * table[unit]).quantize(Decimal("0.1"))


def _effective_day(resource: dict):
    """The day of `effectiveDateTime` (or a Period's start), or None when absent or unreadable."""
    value = resource.get("effectiveDateTime") or (resource.get("effectivePeriod") or {}).get("start") or ""
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


@handler("Observation")
def import_observation(ctx: Importer, entry: Entry):
    resource = entry.resource
    loinc = codes_in(resource.get("code"), codes.LOINC)
    ours = codes_in(resource.get("code"), codes.OBSERVATION)
    if codes.BODY_HEIGHT[0] in loinc or codes.BODY_WEIGHT[0] in loinc:
        patient = ctx.patient_of(entry, resource.get("subject"))
        if codes.BODY_HEIGHT[0] in loinc:
            patient.height_cm = _quantity(resource, LENGTH_TO_CM, "body height")
        else:
            patient.weight_kg = _quantity(resource, MASS_TO_KG, "body weight")
        patient.measured_on = _effective_day(resource) or patient.measured_on
        patient.full_clean(exclude=["user"])
        patient.save(update_fields=["height_cm", "weight_kg", "measured_on", "updated_at"])
        return "updated", None, f"height/weight of patient {patient.pk} set."
    if codes.PAIN_SCORE[0] not in loinc and "immediate-relief" not in ours:
        raise Skip("tpclinic keeps body height and weight, the pain scores and relief of its sessions, pain "
                   "drawings and pain diary entries only.", "not-supported")
    session = next((s for s in (ctx.resolve(p, Session, entry) for p in resource.get("partOf", [])) if s), None)
    if session is None:
        raise Skip("it is not part of a tpclinic session (partOf must reference its Procedure), nor a pain diary "
                   f"entry (category pain-diary in {codes.OBSERVATION}).", "not-supported")
    if not ctx.writable(session):
        return ctx.signed(entry, session, None, "scores")
    if "immediate-relief" in ours:
        session.immediate_relief_pct = int((resource.get("valueQuantity") or {}).get("value"))
        field_name = "immediate_relief_pct"
    else:
        timing = [c for comp in resource.get("component", []) if "timing" in codes_in(comp.get("code"), codes.OBSERVATION)
                  for c in codes_in(comp.get("valueCodeableConcept"), codes.OBSERVATION)]
        field_name = {"before-injection": "pain_before", "after-injection": "pain_after"}.get(timing[0] if timing else "")
        if field_name is None:
            raise Skip("it does not say whether the score was before or after the injections (component timing).",
                       "required")
        value = resource.get("valueInteger", (resource.get("valueQuantity") or {}).get("value"))
        if value is None:
            raise Skip("it has no score (valueInteger).", "required")
        setattr(session, field_name, int(value))
    ctx.update(session, [field_name])
    return "updated", None, f"{field_name} of session {session.pk} set."


@handler("Appointment")
def import_appointment(ctx: Importer, entry: Entry):
    return "derived", None, ("not stored: tpclinic derives the next session due from the course's interval "
                             "and its signed sessions.")
