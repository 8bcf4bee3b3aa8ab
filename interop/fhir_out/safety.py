"""Exporters for the safety records of sessions: Consent (ConsentRecord) and AdverseEvent.

Both follow the sessions in scope (a draft's consent stays home with the draft in `$everything`).
R4 AdverseEvent has no note element: what was done and the follow-up travel in our extension
`adverse-event` (sub-extensions action, followUp). Consent keeps the form version as the coded
policyRule (our consent-form code system), the form's language on sourceAttachment, the session
as provision.data, and how it was given, the screen flags shown and who recorded it in our
extension `consent` (method, flag*, recordedBy).
"""
from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from interop import fhir_codes as codes
from interop.fhir_export import (Scope, coding, concept, exporter, extension, instant, labels, person_fields,
                                 person_ref, ref, rows, sub)
from safety.models import AdverseEvent, ConsentRecord


def actor(row: dict, relation: str) -> dict | None:
    """Who recorded something (the user behind `relation` in a `values()` row that also carries the
    patient's `patient_id` and `patient_user_id`): the Patient when it was their own portal login, else a
    Practitioner."""
    user_id = row[f"{relation}_id"]
    if user_id is None:
        return None
    if row["patient_user_id"] and user_id == row["patient_user_id"]:
        return ref("Patient", row["patient_id"])
    return person_ref(row, relation)


def _records(model, scope: Scope, *fields: str):
    """The model's rows for the sessions in scope, with the patient and the recorder's name joined in."""
    chosen = model.objects.filter(session__in=scope.session_ids()).order_by("pk")
    return rows(chosen.annotate(patient_id=F("session__course__patient_id"),
                                patient_user_id=F("session__course__patient__user_id")),
                "pk", "patient_id", "patient_user_id", "session_id", "recorded_by_id", *person_fields("recorded_by"),
                "recorded_at", *fields)


@exporter("Consent")
def consents(scope: Scope):
    zone = timezone.get_current_timezone()
    for record in _records(ConsentRecord, scope, "method", "flags", "language", "form_version"):
        patient = ref("Patient", record["patient_id"])
        yield {
            "resourceType": "Consent",
            "id": str(record["pk"]),
            "extension": [extension(codes.EXT_CONSENT, [
                sub("method", "Code", record["method"]),
                *[sub("flag", "Code", str(flag)) for flag in record["flags"] or []],
                sub("recordedBy", "Reference", actor(record, "recorded_by")),
            ])],
            "status": "active",
            "scope": concept(codes.CONSENT_SCOPE, "treatment", "Treatment"),
            "category": [concept(codes.LOINC, *codes.CONSENT_DOCUMENT)],
            "patient": patient,
            "dateTime": instant(record["recorded_at"], zone),
            "performer": [ref("Patient", record["patient_id"])],
            "sourceAttachment": {
                "language": record["language"],
                "title": f"Trigger point injection consent form, version {record['form_version']} "
                         f"({record['language']})",
            },
            "policyRule": concept(codes.CONSENT_FORM, record["form_version"], None,
                                  f"tpclinic consent form {record['form_version']}"),
            "provision": {
                "type": "permit",
                "data": [{"meaning": "related", "reference": ref("Procedure", record["session_id"])}],
            },
        }


def _seriousness(event: dict) -> dict | None:
    """Only what we can say for sure; R4's value set names no grade for the other events."""
    if event["severity"] == AdverseEvent.Severity.LIFE_THREATENING:
        return concept(codes.AE_SERIOUSNESS, "SeriousIsLifeThreatening", "Is Life-threatening")
    if event["outcome"] == AdverseEvent.Outcome.HOSPITALISED:
        return concept(codes.AE_SERIOUSNESS, "SeriousResultsInHospitalization",
                       "Requires or Prolongs Inpatient Hospitalization")
    return None


@exporter("AdverseEvent")
def adverse_events(scope: Scope):
    zone = timezone.get_current_timezone()
    kinds, severities, outcomes = (labels(AdverseEvent, name) for name in ("kind", "severity", "outcome"))
    found = _records(AdverseEvent, scope, "injection_id", "kind", "onset_at", "severity", "outcome", "action",
                     "follow_up")
    for event in found:
        r4_outcome = codes.AE_OUTCOME_TO_R4[event["outcome"]]
        suspects = ([{"instance": ref("MedicationAdministration", event["injection_id"])}]
                    if event["injection_id"] else [])
        suspects.append({"instance": ref("Procedure", event["session_id"])})
        kind = kinds.get(event["kind"], event["kind"])
        severity = codes.AE_SEVERITY_TO_R4[event["severity"]]
        yield {
            "resourceType": "AdverseEvent",
            "id": str(event["pk"]),
            "extension": [extension(codes.EXT_ADVERSE_EVENT, [
                sub("action", "String", event["action"]),
                sub("followUp", "String", event["follow_up"]),
            ])],
            "actuality": "actual",
            "event": concept(codes.ADVERSE_EVENT_KIND, event["kind"], kind, kind),
            "subject": ref("Patient", event["patient_id"]),
            "date": instant(event["onset_at"], zone),
            "recordedDate": instant(event["recorded_at"], zone),
            "recorder": actor(event, "recorded_by"),
            "seriousness": _seriousness(event),
            "severity": {"coding": [
                coding(codes.AE_SEVERITY, severity, severity.capitalize()),
                coding(codes.ADVERSE_EVENT_SEVERITY_OURS, event["severity"],
                       severities.get(event["severity"], event["severity"])),
            ]},
            "outcome": {"coding": [
                coding(codes.AE_OUTCOME, *r4_outcome),
                coding(codes.ADVERSE_EVENT_OUTCOME_OURS, event["outcome"],
                       outcomes.get(event["outcome"], event["outcome"])),
            ]},
            "suspectEntity": suspects,
        }
