"""Exporters for courses and sessions: Condition (diagnosis), CarePlan, Appointment (next due),
Procedure, MedicationAdministration and the pain-score Observations."""
from __future__ import annotations

import base64
import json

from django.db.models import Prefetch, QuerySet

from interop import fhir_codes as codes
from interop.fhir_export import (CHUNK, Scope, coding, concept, exporter, extension, icd_display, instant, muscle_site,
                                 person_name, ref, sub)
from interop.fhir_out.note import procedure_note_annotations
from safety.coding import cpt_for_session
from treatment.models import Course, Injection, Session
from treatment.workflow import planned
from treatment.superbill import drug_codes


# ------------------------------------------------------------------ courses


def _courses(scope: Scope) -> QuerySet:
    return (Course.objects.filter(patient__in=scope.patients).select_related("clinician")
            .prefetch_related("sessions").order_by("pk"))


@exporter("Condition")
def course_diagnoses(scope: Scope):
    for course in _courses(scope).iterator(chunk_size=CHUNK):
        yield {
            "resourceType": "Condition",
            "id": f"course-{course.pk}",
            "clinicalStatus": concept(codes.CONDITION_CLINICAL, "active" if course.is_open else "inactive"),
            "category": [concept(codes.CONDITION_CATEGORY, "encounter-diagnosis", "Encounter Diagnosis")],
            "code": concept(codes.ICD10CM, course.diagnosis_code, icd_display(course.diagnosis_code)),
            "subject": ref("Patient", course.patient_id),
            "recordedDate": course.started_on.isoformat(),
            "recorder": ref("Practitioner", course.clinician_id, person_name(course.clinician)),
        }


def _activity_status(course: Course) -> str:
    if course.status == Course.Status.COMPLETED:
        return "completed"
    if course.status == Course.Status.STOPPED:
        return "stopped"
    return "in-progress" if course.signed_sessions() else "not-started"


@exporter("CarePlan")
def care_plans(scope: Scope):
    for course in _courses(scope).iterator(chunk_size=CHUNK):
        clinician = ref("Practitioner", course.clinician_id, person_name(course.clinician))
        yield {
            "resourceType": "CarePlan",
            "id": str(course.pk),
            "status": codes.COURSE_STATUS[course.status],
            "intent": "plan",
            "category": [concept(codes.CARE_PLAN_KIND, "tpi-course", "Trigger point injection course")],
            "title": "Trigger point injection course",
            "description": course.goals,
            "subject": ref("Patient", course.patient_id),
            "period": {"start": course.started_on.isoformat()},
            "author": clinician,
            "addresses": [ref("Condition", f"course-{course.pk}")],
            "activity": [{"detail": {
                "code": {"text": "Trigger point injection session"},
                "status": _activity_status(course),
                "scheduledTiming": {"repeat": {
                    "count": course.planned_sessions, "frequency": 1, "period": course.interval_days, "periodUnit": "d",
                }},
                "performer": [clinician],
            }}],
        }


@exporter("Appointment")
def next_sessions(scope: Scope):
    """The next session due of each open course that still has sessions to go, as a proposal."""
    open_courses = _courses(scope).open()
    for course in open_courses.select_related("patient").iterator(chunk_size=CHUNK):
        due = course.next_due_on
        if due is None or course.sessions_done >= course.planned_sessions:
            continue
        yield {
            "resourceType": "Appointment",
            "id": f"next-{course.pk}",
            "status": "proposed",
            "description": "Next trigger point injection session due",
            "reasonReference": [ref("Condition", f"course-{course.pk}")],
            "supportingInformation": [ref("CarePlan", course.pk)],
            "requestedPeriod": [{"start": due.isoformat(), "end": due.isoformat()}],
            "participant": [
                {"actor": ref("Patient", course.patient_id, course.patient.full_name), "status": "needs-action"},
                {"actor": ref("Practitioner", course.clinician_id, person_name(course.clinician)),
                 "status": "needs-action"},
            ],
        }


# ------------------------------------------------------------------ sessions


def _sessions(scope: Scope) -> QuerySet:
    return scope.sessions().select_related("course", "clinician", "signed_by", "procedure_note").prefetch_related(
        Prefetch("injections", queryset=Injection.objects.select_related("trigger_point").prefetch_related(
            "mixed_agents")),
    ).order_by("pk")


def cpt_codes(session: Session) -> list[str]:
    """The CPT code kept at signing; for an older signed session, computed now by safety.coding."""
    stored = [c for c in (getattr(session, "cpt_codes", "") or "").split(",") if c]
    if stored or not session.is_signed:
        return stored
    return list(cpt_for_session([planned(i) for i in session.injections.all()]).codes)


def _session_extension(session: Session) -> dict:
    snapshot = getattr(session, "screen_snapshot", None)
    attachment = None
    if snapshot:
        data = json.dumps(snapshot, sort_keys=True, ensure_ascii=False).encode()
        attachment = {"contentType": "application/json", "data": base64.b64encode(data).decode("ascii"),
                      "title": "Risk screen as shown at signing"}
    signer = session.signed_by
    return extension(codes.EXT_SESSION, [
        sub("consentRecorded", "Boolean", session.consent_recorded),
        sub("systemicInfection", "Boolean", getattr(session, "systemic_infection", None)),
        sub("siteInfection", "Boolean", getattr(session, "site_infection", None)),
        sub("doseOverrideReason", "String", getattr(session, "dose_override_reason", None)),
        sub("signedAt", "DateTime", instant(session.signed_at) if session.signed_at else None),
        sub("signedBy", "Reference", ref("Practitioner", signer.pk, person_name(signer)) if signer else None),
        sub("screenSnapshot", "Attachment", attachment),
    ])


@exporter("Procedure")
def procedures(scope: Scope):
    for session in _sessions(scope).iterator(chunk_size=CHUNK):
        sites = dict.fromkeys((i.trigger_point.muscle, i.trigger_point.side) for i in session.injections.all())
        yield {
            "resourceType": "Procedure",
            "id": str(session.pk),
            "extension": [_session_extension(session)],
            "basedOn": [ref("CarePlan", session.course_id)],
            "status": "completed" if session.is_signed else "preparation",
            "code": {"coding": [coding(codes.CPT, c, codes.CPT_DISPLAY.get(c)) for c in cpt_codes(session)],
                     "text": "Trigger point injection"},
            "subject": ref("Patient", session.course.patient_id),
            "performedDateTime": instant(session.performed_at),
            "performer": [{"actor": ref("Practitioner", session.clinician_id, person_name(session.clinician))}],
            "reasonReference": [ref("Condition", f"course-{session.course_id}")],
            "bodySite": [muscle_site(muscle, side) for muscle, side in sites],
            "note": ([{"text": session.notes}] if session.notes.strip() else []) + procedure_note_annotations(session),
        }


def injectate(injection, described: str) -> dict:
    """tpclinic's own injectate code, then RxNorm's ingredient code where drug_codes.toml gives one
    (for a row's own agent or one agent of a mixture: both have `agent`)."""
    medication = concept(codes.AGENT, injection.agent, injection.get_agent_display(), described)
    rxnorm = drug_codes().get("rxnorm", {}).get(injection.agent)
    if rxnorm:
        medication["coding"].append(coding(codes.RXNORM, rxnorm["code"], rxnorm["display"]))
    return medication


@exporter("MedicationAdministration")
def medication_administrations(scope: Scope):
    for session in _sessions(scope).iterator(chunk_size=CHUNK):
        for injection in session.injections.all():
            tp = injection.trigger_point
            described = injection.describe_mixture()
            mixed = list(injection.mixed_agents.all())
            medication = _medication(injection, mixed, described)
            yield {
                "resourceType": "MedicationAdministration",
                "id": str(injection.pk),
                "extension": [extension(codes.EXT_INJECTION, [
                    sub("triggerPoint", "Reference", ref("BodyStructure", tp.pk)),
                    sub("concentrationPct", "Decimal", float(injection.concentration_pct)),
                    sub("withEpinephrine", "Boolean", injection.with_epinephrine),
                    sub("needleGauge", "Integer", injection.needle_gauge),
                    sub("needleLengthMm", "Integer", injection.needle_length_mm),
                    sub("twitchElicited", "Boolean", injection.twitch_elicited),
                    sub("guidance", "Code", injection.guidance),
                    sub("lotNumber", "String", injection.lot_number or None),
                    sub("lotExpiry", "Date", injection.lot_expiry.isoformat() if injection.lot_expiry else None),
                ]), *(_mixed_agent_extension(agent) for agent in mixed)],
                "partOf": [ref("Procedure", session.pk)],
                "status": "completed" if session.is_signed else "in-progress",
                **medication,
                "subject": ref("Patient", session.course.patient_id),
                "effectiveDateTime": instant(session.performed_at),
                "performer": [{"actor": ref("Practitioner", session.clinician_id, person_name(session.clinician))}],
                "reasonReference": [ref("Condition", f"course-{session.course_id}")],
                "dosage": {
                    "text": described,
                    "site": muscle_site(tp.muscle, tp.side),
                    "route": concept(codes.SNOMED, *codes.INTRAMUSCULAR),
                    "method": concept(codes.TECHNIQUE, injection.technique, injection.get_technique_display()),
                    "dose": {"value": float(injection.volume_ml), "unit": "mL", "system": codes.UCUM, "code": "mL"},
                },
            }


def _agent_medication(local_id: str, agent) -> dict:
    """One agent of the syringe as a contained Medication, with its lot (Medication.batch)."""
    medication = {"resourceType": "Medication", "id": local_id,
                  "code": injectate(agent, str(agent.get_agent_display()))}
    batch = {key: value for key, value in (("lotNumber", agent.lot_number or None),
             ("expirationDate", agent.lot_expiry.isoformat() if agent.lot_expiry else None)) if value}
    if batch:
        medication["batch"] = batch
    return medication


def _medication(injection: Injection, mixed: list, described: str) -> dict:
    """The row's medication. One agent without a lot: a coded concept, as before. A mixture (or a lot):
    the syringe is one administration of one compounded Medication, contained, whose ingredients
    reference a contained Medication per agent (each with its own batch): R4 gives a
    MedicationAdministration exactly one medication[x], and Medication.ingredient is where a mixture's
    components belong, so one MedicationAdministration per row, not per agent."""
    if not mixed and not injection.lot_number and not injection.lot_expiry:
        return {"medicationCodeableConcept": injectate(injection, described)}
    agents = [injection, *mixed]
    contained = [_agent_medication(f"agent-{n}", agent) for n, agent in enumerate(agents)]
    contained.append({"resourceType": "Medication", "id": "syringe", "code": {"text": described},
                      "ingredient": [{"itemReference": {"reference": f"#agent-{n}"}, "isActive": True}
                                     for n in range(len(agents))]})
    return {"contained": contained, "medicationReference": {"reference": "#syringe", "display": described}}


def _mixed_agent_extension(agent) -> dict:
    """What tpclinic keeps of a mixed agent, for a lossless round trip (amounts and lot)."""
    return extension(codes.EXT_MIXED_AGENT, [
        sub("agent", "Code", agent.agent),
        sub("concentrationPct", "Decimal", float(agent.concentration_pct) if agent.concentration_pct is not None else None),
        sub("withEpinephrine", "Boolean", agent.with_epinephrine),
        sub("volumeMl", "Decimal", float(agent.volume_ml) if agent.volume_ml is not None else None),
        sub("doseMg", "Decimal", float(agent.dose_mg) if agent.dose_mg is not None else None),
        sub("lotNumber", "String", agent.lot_number or None),
        sub("lotExpiry", "Date", agent.lot_expiry.isoformat() if agent.lot_expiry else None),
    ])


PAIN_TIMING = {"pain_before": ("before-injection", "Before the injections"),
               "pain_after": ("after-injection", "After the injections")}


@exporter("Observation")
def pain_scores(scope: Scope):
    chosen = scope.sessions().select_related("course", "clinician").order_by("pk")  # no injections needed here
    for session in chosen.iterator(chunk_size=CHUNK):
        common = {
            "resourceType": "Observation",
            "status": "final" if session.is_signed else "preliminary",
            "subject": ref("Patient", session.course.patient_id),
            "effectiveDateTime": instant(session.performed_at),
            "partOf": [ref("Procedure", session.pk)],
            "performer": [ref("Practitioner", session.clinician_id, person_name(session.clinician))],
        }
        for field_name, (timing, label) in PAIN_TIMING.items():
            score = getattr(session, field_name)
            if score is None:
                continue
            yield {
                **common,
                "id": f"pain-{timing.removesuffix('-injection')}-{session.pk}",
                "category": [concept(codes.OBSERVATION_CATEGORY, "survey", "Survey")],
                "code": concept(codes.LOINC, *codes.PAIN_SCORE),
                "valueInteger": score,
                "component": [{
                    "code": concept(codes.OBSERVATION, "timing", "Timing relative to the injections"),
                    "valueCodeableConcept": concept(codes.OBSERVATION, timing, label),
                }],
                "note": [{"text": label}],
            }
        if session.immediate_relief_pct is not None:
            yield {
                **common,
                "id": f"relief-{session.pk}",
                "code": concept(codes.OBSERVATION, "immediate-relief", "Immediate pain relief after the injections",
                                "Immediate pain relief (%)"),
                "valueQuantity": {"value": session.immediate_relief_pct, "unit": "%", "system": codes.UCUM,
                                  "code": "%"},
            }
