"""Exporters for courses and sessions: Condition (diagnosis), CarePlan, Appointment (next due),
Procedure, MedicationAdministration and the pain-score Observations."""
from __future__ import annotations

import base64
import json
from functools import cache

from typing import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef
from django.utils import timezone

from audit.models import Amendment
from charting.models import TriggerPoint
from interop import fhir_codes as codes
from interop.fhir_export import (Scope, coding, concept, exporter, extension, icd_display, in_chunks, instant,
                                 labels, muscle_site, person_fields, person_ref, ref, rows, sub)
from interop.fhir_out.note import procedure_note_annotations
from safety.coding import cpt_for_session
from patients.models import Patient
from treatment.models import Course, Injection, InjectionAgent, ProcedureNote, Session
from treatment.workflow import planned
from treatment.superbill import drug_codes


# ------------------------------------------------------------------ courses


COURSE_FIELDS = ("pk", "patient_id", "status", "is_open", "diagnosis_code", "started_on", "goals", "planned_sessions",
                 "interval_days", "next_due_on", "sessions_done", "any_signed", "patient__given_name",
                 "patient__family_name", "clinician_id", *person_fields("clinician"))


def _courses(scope: Scope) -> Iterable[dict]:
    """The courses in scope as `values()` rows (whether any session is signed included), in pk order."""
    def fetch():
        signed = Exists(Session.objects.filter(course=OuterRef("pk"), status=Session.Status.SIGNED))
        chosen = Course.objects.filter(patient__in=scope.patient_ids()).annotate(any_signed=signed).order_by("pk")
        return rows(chosen, *COURSE_FIELDS)

    return scope.held("courses", fetch)


@exporter("Condition")
def course_diagnoses(scope: Scope):
    for course in _courses(scope):
        yield {
            "resourceType": "Condition",
            "id": f"course-{course['pk']}",
            "clinicalStatus": concept(codes.CONDITION_CLINICAL, "active" if course["is_open"] else "inactive"),
            "category": [concept(codes.CONDITION_CATEGORY, "encounter-diagnosis", "Encounter Diagnosis")],
            "code": concept(codes.ICD10CM, course["diagnosis_code"], icd_display(course["diagnosis_code"])),
            "subject": ref("Patient", course["patient_id"]),
            "recordedDate": course["started_on"].isoformat(),
            "recorder": person_ref(course, "clinician"),
        }


def _activity_status(course: dict) -> str:
    if course["status"] == Course.Status.COMPLETED:
        return "completed"
    if course["status"] == Course.Status.STOPPED:
        return "stopped"
    return "in-progress" if course["any_signed"] else "not-started"


@exporter("CarePlan")
def care_plans(scope: Scope):
    for course in _courses(scope):
        clinician = person_ref(course, "clinician")
        yield {
            "resourceType": "CarePlan",
            "id": str(course["pk"]),
            "status": codes.COURSE_STATUS[course["status"]],
            "intent": "plan",
            "category": [concept(codes.CARE_PLAN_KIND, "tpi-course", "Trigger point injection course")],
            "title": "Trigger point injection course",
            "description": course["goals"],
            "subject": ref("Patient", course["patient_id"]),
            "period": {"start": course["started_on"].isoformat()},
            "author": clinician,
            "addresses": [ref("Condition", f"course-{course['pk']}")],
            "activity": [{"detail": {
                "code": {"text": "Trigger point injection session"},
                "status": _activity_status(course),
                "scheduledTiming": {"repeat": {
                    "count": course["planned_sessions"], "frequency": 1, "period": course["interval_days"],
                    "periodUnit": "d",
                }},
                "performer": [clinician],
            }}],
        }


@exporter("Appointment")
def next_sessions(scope: Scope):
    """The next session due of each open course that still has sessions to go, as a proposal."""
    for course in _courses(scope):  # the open ones (planned or active)
        due = course["next_due_on"]
        if not course["is_open"] or due is None or course["sessions_done"] >= course["planned_sessions"]:
            continue
        patient = Patient(given_name=course["patient__given_name"], family_name=course["patient__family_name"])
        yield {
            "resourceType": "Appointment",
            "id": f"next-{course['pk']}",
            "status": "proposed",
            "description": "Next trigger point injection session due",
            "reasonReference": [ref("Condition", f"course-{course['pk']}")],
            "supportingInformation": [ref("CarePlan", course["pk"])],
            "requestedPeriod": [{"start": due.isoformat(), "end": due.isoformat()}],
            "participant": [
                {"actor": ref("Patient", course["patient_id"], patient.full_name), "status": "needs-action"},
                {"actor": person_ref(course, "clinician"), "status": "needs-action"},
            ],
        }


# ------------------------------------------------------------------ sessions

# What a Procedure, its MedicationAdministrations and pain scores read of a session, as `values()` fields.
SESSION_FIELDS = ("pk", "course_id", "course__patient_id", "status", "performed_at", "clinician_id",
                  *person_fields("clinician"), "signed_by_id", *person_fields("signed_by"), "signed_at",
                  "consent_recorded", "systemic_infection", "site_infection", "dose_override_reason",
                  "screen_snapshot", "cpt_codes", "notes", "pain_before", "pain_after", "immediate_relief_pct")
INJECTION_FIELDS = ("pk", "session_id", "trigger_point_id", "trigger_point__muscle", "trigger_point__side", "agent",
                    "concentration_pct", "with_epinephrine", "volume_ml", "needle_gauge", "needle_length_mm",
                    "technique", "twitch_elicited", "guidance", "lot_number", "lot_expiry")
SIGNED = Session.Status.SIGNED


def _session_chunks(scope: Scope) -> Iterable[list[dict]]:
    """The sessions in scope as `values()` rows, in pk order, CHUNK at a time."""
    return scope.held("sessions", lambda: in_chunks(rows(scope.sessions().order_by("pk"), *SESSION_FIELDS)))


def _injections_of(scope: Scope, session_ids: list[int]) -> dict[int, list[dict]]:
    """Each session's injection rows (with the trigger point's muscle and side), in row order: one query."""
    def fetch():
        found: dict[int, list[dict]] = {}
        for row in Injection.objects.filter(session_id__in=session_ids).order_by("pk").values(*INJECTION_FIELDS):
            found.setdefault(row["session_id"], []).append(row)
        return found.items()

    return dict(scope.held(("injections", tuple(session_ids)), fetch))


def _mixed_agents_of(injection_ids: list[int]) -> dict[int, list[dict]]:
    """Each injection's mixed agents (InjectionAgent rows), in order: one query."""
    found: dict[int, list[dict]] = {}
    chosen = InjectionAgent.objects.filter(injection_id__in=injection_ids).order_by("pk")
    for row in chosen.values("injection_id", *InjectionAgent.FIELDS):
        found.setdefault(row["injection_id"], []).append(row)
    return found


def _notes_of(session_ids: list[int]) -> dict[int, ProcedureNote]:
    """The procedure notes of these sessions (instances: what note.with_amendments reads)."""
    found = ProcedureNote.objects.filter(session_id__in=session_ids)
    return {written.session_id: written for written in found}


def _amendments_of(session_ids: list[int]) -> dict[int, list[Amendment]]:
    """Each session's amendments, oldest first (Amendment.of for many sessions): one query, not one per note."""
    found: dict[int, list[Amendment]] = {}
    chosen = Amendment.objects.filter(content_type=ContentType.objects.get_for_model(Session),
                                      object_id__in=session_ids).select_related("author")
    for amendment in chosen:
        found.setdefault(amendment.object_id, []).append(amendment)
    return found


def cpt_codes(session: dict, injections: list[dict]) -> list[str]:
    """The CPT code kept at signing; for an older signed session, computed now by safety.coding."""
    stored = [c for c in (session["cpt_codes"] or "").split(",") if c]
    if stored or session["status"] != SIGNED:
        return stored
    return list(cpt_for_session([planned(_as_injection(i)) for i in injections]).codes)


def _as_injection(row: dict) -> Injection:
    """An unsaved Injection (with its trigger point) from a row, for the rules that read one."""
    injection = Injection(**{f: row[f] for f in DESCRIBED})
    injection.trigger_point = TriggerPoint(muscle=row["trigger_point__muscle"], side=row["trigger_point__side"])
    return injection


def _session_extension(session: dict, zone) -> dict:
    snapshot = session["screen_snapshot"]
    attachment = None
    if snapshot:
        data = json.dumps(snapshot, sort_keys=True, ensure_ascii=False).encode()
        attachment = {"contentType": "application/json", "data": base64.b64encode(data).decode("ascii"),
                      "title": "Risk screen as shown at signing"}
    return extension(codes.EXT_SESSION, [
        sub("consentRecorded", "Boolean", session["consent_recorded"]),
        sub("systemicInfection", "Boolean", session["systemic_infection"]),
        sub("siteInfection", "Boolean", session["site_infection"]),
        sub("doseOverrideReason", "String", session["dose_override_reason"]),
        sub("signedAt", "DateTime", instant(session["signed_at"], zone) if session["signed_at"] else None),
        sub("signedBy", "Reference", person_ref(session, "signed_by") if session["signed_by_id"] else None),
        sub("screenSnapshot", "Attachment", attachment),
    ])


@exporter("Procedure")
def procedures(scope: Scope):
    zone, site = timezone.get_current_timezone(), cache(muscle_site)  # once per export
    for chunk in _session_chunks(scope):
        ids = [session["pk"] for session in chunk]
        injections, notes = _injections_of(scope, ids), _notes_of(ids)
        amended = _amendments_of(list(notes))
        for session in chunk:
            given = injections.get(session["pk"], [])
            sites = dict.fromkeys((i["trigger_point__muscle"], i["trigger_point__side"]) for i in given)
            written = notes.get(session["pk"])
            yield {
                "resourceType": "Procedure",
                "id": str(session["pk"]),
                "extension": [_session_extension(session, zone)],
                "basedOn": [ref("CarePlan", session["course_id"])],
                "status": "completed" if session["status"] == SIGNED else "preparation",
                "code": {"coding": [coding(codes.CPT, c, codes.CPT_DISPLAY.get(c)) for c in cpt_codes(session, given)],
                         "text": "Trigger point injection"},
                "subject": ref("Patient", session["course__patient_id"]),
                "performedDateTime": instant(session["performed_at"], zone),
                "performer": [{"actor": person_ref(session, "clinician")}],
                "reasonReference": [ref("Condition", f"course-{session['course_id']}")],
                "bodySite": [site(muscle, side) for muscle, side in sites],
                "note": ([{"text": session["notes"]}] if session["notes"].strip() else [])
                + (procedure_note_annotations(written, session["signed_by_id"] or session["clinician_id"],
                                              amended.get(session["pk"], []))
                   if written else []),
            }


class Injectates:
    """Per export: the injectate concepts, agent labels and syringe descriptions, each worked out once.

    A syringe's description is the model's own (Injection.describe_mixture, gettext and all), asked of
    an unsaved Injection the first time each combination of agents and amounts is seen."""

    def __init__(self):
        self.rxnorm = drug_codes().get("rxnorm", {})  # read when the export starts: the file is the truth
        self.own = labels(Injection, "agent")
        self.mixed = labels(InjectionAgent, "agent")
        self.techniques = labels(Injection, "technique")
        self._described: dict[tuple, str] = {}

    def concept(self, agent: str, display: str, described: str) -> dict:
        """tpclinic's own injectate code, then RxNorm's ingredient code where drug_codes.toml gives one
        (for a row's own agent or one agent of a mixture)."""
        medication = concept(codes.AGENT, agent, display, described)
        rxnorm = self.rxnorm.get(agent)
        if rxnorm:
            medication["coding"].append(coding(codes.RXNORM, rxnorm["code"], rxnorm["display"]))
        return medication

    def describe(self, injection: dict, mixed: list[dict]) -> str:
        key = (*(injection[f] for f in DESCRIBED), *(tuple(a[f] for f in InjectionAgent.FIELDS) for a in mixed))
        described = self._described.get(key)
        if described is None:
            syringe = Injection(**{f: injection[f] for f in DESCRIBED})
            syringe.typed_mixture = [InjectionAgent(**{f: a[f] for f in InjectionAgent.FIELDS}) for a in mixed]
            described = self._described[key] = syringe.describe_mixture()
        return described


DESCRIBED = ("agent", "concentration_pct", "with_epinephrine", "volume_ml")  # what describe_mixture reads of a row


@exporter("MedicationAdministration")
def medication_administrations(scope: Scope):
    drugs, zone, site = Injectates(), timezone.get_current_timezone(), cache(muscle_site)  # once per export
    for chunk in _session_chunks(scope):
        injections = _injections_of(scope, [session["pk"] for session in chunk])
        agents = _mixed_agents_of([i["pk"] for given in injections.values() for i in given])
        for session in chunk:
            performer = [{"actor": person_ref(session, "clinician")}]
            for injection in injections.get(session["pk"], []):
                mixed = agents.get(injection["pk"], [])
                described = drugs.describe(injection, mixed)
                yield {
                    "resourceType": "MedicationAdministration",
                    "id": str(injection["pk"]),
                    "extension": [extension(codes.EXT_INJECTION, [
                        sub("triggerPoint", "Reference", ref("BodyStructure", injection["trigger_point_id"])),
                        sub("concentrationPct", "Decimal", float(injection["concentration_pct"])),
                        sub("withEpinephrine", "Boolean", injection["with_epinephrine"]),
                        sub("needleGauge", "Integer", injection["needle_gauge"]),
                        sub("needleLengthMm", "Integer", injection["needle_length_mm"]),
                        sub("twitchElicited", "Boolean", injection["twitch_elicited"]),
                        sub("guidance", "Code", injection["guidance"]),
                        sub("lotNumber", "String", injection["lot_number"] or None),
                        sub("lotExpiry", "Date",
                            injection["lot_expiry"].isoformat() if injection["lot_expiry"] else None),
                    ]), *(_mixed_agent_extension(agent) for agent in mixed)],
                    "partOf": [ref("Procedure", session["pk"])],
                    "status": "completed" if session["status"] == SIGNED else "in-progress",
                    **_medication(drugs, injection, mixed, described),
                    "subject": ref("Patient", session["course__patient_id"]),
                    "effectiveDateTime": instant(session["performed_at"], zone),
                    "performer": performer,
                    "reasonReference": [ref("Condition", f"course-{session['course_id']}")],
                    "dosage": {
                        "text": described,
                        "site": site(injection["trigger_point__muscle"], injection["trigger_point__side"]),
                        "route": concept(codes.SNOMED, *codes.INTRAMUSCULAR),
                        "method": concept(codes.TECHNIQUE, injection["technique"],
                                          drugs.techniques.get(injection["technique"], injection["technique"])),
                        "dose": {"value": float(injection["volume_ml"]), "unit": "mL", "system": codes.UCUM,
                                 "code": "mL"},
                    },
                }


def _agent_medication(local_id: str, agent: dict, display: str, drugs: Injectates) -> dict:
    """One agent of the syringe as a contained Medication, with its lot (Medication.batch)."""
    medication = {"resourceType": "Medication", "id": local_id,
                  "code": drugs.concept(agent["agent"], display, display)}
    batch = {key: value for key, value in (("lotNumber", agent["lot_number"] or None),
             ("expirationDate", agent["lot_expiry"].isoformat() if agent["lot_expiry"] else None)) if value}
    if batch:
        medication["batch"] = batch
    return medication


def _medication(drugs: Injectates, injection: dict, mixed: list[dict], described: str) -> dict:
    """The row's medication. One agent without a lot: a coded concept, as before. A mixture (or a lot):
    the syringe is one administration of one compounded Medication, contained, whose ingredients
    reference a contained Medication per agent (each with its own batch): R4 gives a
    MedicationAdministration exactly one medication[x], and Medication.ingredient is where a mixture's
    components belong, so one MedicationAdministration per row, not per agent."""
    own = drugs.own.get(injection["agent"], injection["agent"])
    if not mixed and not injection["lot_number"] and not injection["lot_expiry"]:
        return {"medicationCodeableConcept": drugs.concept(injection["agent"], own, described)}
    contained = [_agent_medication("agent-0", injection, own, drugs)]
    contained += [_agent_medication(f"agent-{n}", agent, drugs.mixed.get(agent["agent"], agent["agent"]), drugs)
                  for n, agent in enumerate(mixed, start=1)]
    contained.append({"resourceType": "Medication", "id": "syringe", "code": {"text": described},
                      "ingredient": [{"itemReference": {"reference": f"#agent-{n}"}, "isActive": True}
                                     for n in range(len(contained))]})
    return {"contained": contained, "medicationReference": {"reference": "#syringe", "display": described}}


def _mixed_agent_extension(agent: dict) -> dict:
    """What tpclinic keeps of a mixed agent, for a lossless round trip (amounts and lot)."""
    def decimal(name):
        return float(agent[name]) if agent[name] is not None else None

    return extension(codes.EXT_MIXED_AGENT, [
        sub("agent", "Code", agent["agent"]),
        sub("concentrationPct", "Decimal", decimal("concentration_pct")),
        sub("withEpinephrine", "Boolean", agent["with_epinephrine"]),
        sub("volumeMl", "Decimal", decimal("volume_ml")),
        sub("doseMg", "Decimal", decimal("dose_mg")),
        sub("lotNumber", "String", agent["lot_number"] or None),
        sub("lotExpiry", "Date", agent["lot_expiry"].isoformat() if agent["lot_expiry"] else None),
    ])


PAIN_TIMING = {"pain_before": ("before-injection", "Before the injections"),
               "pain_after": ("after-injection", "After the injections")}


@exporter("Observation")
def pain_scores(scope: Scope):
    zone = timezone.get_current_timezone()
    for session in (session for chunk in _session_chunks(scope) for session in chunk):  # no injections needed
        common = {
            "resourceType": "Observation",
            "status": "final" if session["status"] == SIGNED else "preliminary",
            "subject": ref("Patient", session["course__patient_id"]),
            "effectiveDateTime": instant(session["performed_at"], zone),
            "partOf": [ref("Procedure", session["pk"])],
            "performer": [person_ref(session, "clinician")],
        }
        for field_name, (timing, label) in PAIN_TIMING.items():
            score = session[field_name]
            if score is None:
                continue
            yield {
                **common,
                "id": f"pain-{timing.removesuffix('-injection')}-{session['pk']}",
                "category": [concept(codes.OBSERVATION_CATEGORY, "survey", "Survey")],
                "code": concept(codes.LOINC, *codes.PAIN_SCORE),
                "valueInteger": score,
                "component": [{
                    "code": concept(codes.OBSERVATION, "timing", "Timing relative to the injections"),
                    "valueCodeableConcept": concept(codes.OBSERVATION, timing, label),
                }],
                "note": [{"text": label}],
            }
        if session["immediate_relief_pct"] is not None:
            yield {
                **common,
                "id": f"relief-{session['pk']}",
                "code": concept(codes.OBSERVATION, "immediate-relief", "Immediate pain relief after the injections",
                                "Immediate pain relief (%)"),
                "valueQuantity": {"value": session["immediate_relief_pct"], "unit": "%", "system": codes.UCUM,
                                  "code": "%"},
            }
