"""Exporters for the safety records of sessions: Consent (ConsentRecord) and AdverseEvent.

Both follow the sessions in scope (a draft's consent stays home with the draft in `$everything`).
R4 AdverseEvent has no note element: what was done and the follow-up travel in our extension
`adverse-event` (sub-extensions action, followUp). Consent keeps the form version as the coded
policyRule (our consent-form code system), the form's language on sourceAttachment, the session
as provision.data, and how it was given, the screen flags shown and who recorded it in our
extension `consent` (method, flag*, recordedBy).
"""
from __future__ import annotations

from interop import fhir_codes as codes
from interop.fhir_export import (CHUNK, Scope, coding, concept, exporter, extension, instant, person_name, ref,
                                 sub)
from safety.models import AdverseEvent, ConsentRecord


def actor(user, patient) -> dict | None:
    """Who recorded something: the Patient when it was their own portal login, else a Practitioner."""
    if user is None:
        return None
    if patient.user_id and user.pk == patient.user_id:
        return ref("Patient", patient.pk)
    return ref("Practitioner", user.pk, person_name(user))


@exporter("Consent")
def consents(scope: Scope):
    records = (ConsentRecord.objects.filter(session__in=scope.sessions())
               .select_related("session__course__patient", "recorded_by"))
    for record in records.order_by("pk").iterator(chunk_size=CHUNK):
        patient = record.session.course.patient
        yield {
            "resourceType": "Consent",
            "id": str(record.pk),
            "extension": [extension(codes.EXT_CONSENT, [
                sub("method", "Code", record.method),
                *[sub("flag", "Code", str(flag)) for flag in record.flags or []],
                sub("recordedBy", "Reference", actor(record.recorded_by, patient)),
            ])],
            "status": "active",
            "scope": concept(codes.CONSENT_SCOPE, "treatment", "Treatment"),
            "category": [concept(codes.LOINC, *codes.CONSENT_DOCUMENT)],
            "patient": ref("Patient", patient.pk),
            "dateTime": instant(record.recorded_at),
            "performer": [ref("Patient", patient.pk)],
            "sourceAttachment": {
                "language": record.language,
                "title": f"Trigger point injection consent form, version {record.form_version} ({record.language})",
            },
            "policyRule": concept(codes.CONSENT_FORM, record.form_version, None,
                                  f"tpclinic consent form {record.form_version}"),
            "provision": {
                "type": "permit",
                "data": [{"meaning": "related", "reference": ref("Procedure", record.session_id)}],
            },
        }


def _seriousness(event: AdverseEvent) -> dict | None:
    """Only what we can say for sure; R4's value set names no grade for the other events."""
    if event.severity == AdverseEvent.Severity.LIFE_THREATENING:
        return concept(codes.AE_SERIOUSNESS, "SeriousIsLifeThreatening", "Is Life-threatening")
    if event.outcome == AdverseEvent.Outcome.HOSPITALISED:
        return concept(codes.AE_SERIOUSNESS, "SeriousResultsInHospitalization",
                       "Requires or Prolongs Inpatient Hospitalization")
    return None


@exporter("AdverseEvent")
def adverse_events(scope: Scope):
    events = (AdverseEvent.objects.filter(session__in=scope.sessions())
              .select_related("session__course__patient", "recorded_by"))
    for event in events.order_by("pk").iterator(chunk_size=CHUNK):
        patient = event.session.course.patient
        r4_outcome = codes.AE_OUTCOME_TO_R4[event.outcome]
        suspects = [{"instance": ref("MedicationAdministration", event.injection_id)}] if event.injection_id else []
        suspects.append({"instance": ref("Procedure", event.session_id)})
        yield {
            "resourceType": "AdverseEvent",
            "id": str(event.pk),
            "extension": [extension(codes.EXT_ADVERSE_EVENT, [
                sub("action", "String", event.action),
                sub("followUp", "String", event.follow_up),
            ])],
            "actuality": "actual",
            "event": concept(codes.ADVERSE_EVENT_KIND, event.kind, str(event.get_kind_display()),
                             str(event.get_kind_display())),
            "subject": ref("Patient", patient.pk),
            "date": instant(event.onset_at),
            "recordedDate": instant(event.recorded_at),
            "recorder": actor(event.recorded_by, patient),
            "seriousness": _seriousness(event),
            "severity": {"coding": [
                coding(codes.AE_SEVERITY, codes.AE_SEVERITY_TO_R4[event.severity],
                       codes.AE_SEVERITY_TO_R4[event.severity].capitalize()),
                coding(codes.ADVERSE_EVENT_SEVERITY_OURS, event.severity, str(event.get_severity_display())),
            ]},
            "outcome": {"coding": [
                coding(codes.AE_OUTCOME, *r4_outcome),
                coding(codes.ADVERSE_EVENT_OUTCOME_OURS, event.outcome, str(event.get_outcome_display())),
            ]},
            "suspectEntity": suspects,
        }
