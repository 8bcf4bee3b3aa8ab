"""Import of Consent (ConsentRecord) and AdverseEvent, the mirror of fhir_out/safety.py.

A consent belongs to a session (provision.data references its Procedure) and, like the web UI,
import adds none to a session signed before the import; one already stored is left as it is.
Who recorded it comes from our extension `consent`; a consent the patient gave in the portal was
recorded by their portal login, which FHIR does not carry: it is then the patient's login if the
patient has one here, else the importing user, else the session's clinician (the message says so).
"""
from __future__ import annotations

from django.contrib.auth import get_user_model

from interop import fhir_codes as codes
from interop.fhir_import import (Entry, Importer, Skip, extensions, first_code, handler, one,
                                 parse_instant, text)
from patients.models import Patient
from safety.models import AdverseEvent, ConsentRecord
from treatment.models import Injection, Session


def _recorder(ctx: Importer, entry: Entry, reference, patient: Patient, session: Session) -> tuple[object, str]:
    """(user, note): the staff member named, or the patient's login, or a documented stand-in."""
    user = ctx.resolve(reference, get_user_model(), entry) if reference else None
    if user is not None:
        return user, ""
    by_patient = reference is not None and ctx.resolve(reference, Patient, entry) == patient
    if by_patient and patient.user_id:
        return patient.user, ""
    stand_in = ctx.user if getattr(ctx.user, "pk", None) else session.clinician
    why = "the patient's portal login is not carried by FHIR" if by_patient else "the recorder is not known here"
    return stand_in, f" Recorded by {stand_in.get_username()!r}: {why}."


# ------------------------------------------------------------------ consent


@handler("Consent")
def import_consent(ctx: Importer, entry: Entry):
    resource = entry.resource
    provision = resource.get("provision") or {}
    session = next((s for s in (ctx.resolve(d.get("reference"), Session, entry) for d in provision.get("data", []))
                    if s), None)
    if session is None:
        raise Skip("tpclinic keeps consent to a trigger point injection session only: provision.data must "
                   "reference the session's Procedure (in this Bundle or imported before).", "not-supported")
    patient = session.course.patient
    if ctx.patient_of(entry, resource.get("patient"), "patient") != patient:
        raise Skip("its patient is not the patient of the session it consents to.", "conflict")
    form_version = first_code(resource.get("policyRule"), codes.CONSENT_FORM)
    if not form_version:
        raise Skip(f"it names no consent form version (policyRule coded in {codes.CONSENT_FORM}).", "required")
    attachment = resource.get("sourceAttachment") or {}
    language = text(attachment.get("language")) or text(resource.get("language"))
    if not language:
        raise Skip("it does not say the form's language (sourceAttachment.language).", "required")
    record = ctx.existing(entry, ConsentRecord)
    if record is not None and record.session_id != session.pk:
        raise Skip("it was imported before for a different session.", "conflict")
    if not ctx.writable(session):
        if record is not None:
            return "unchanged", record, f"consent {record.pk}: its session {session.pk} is signed, so it stays as it is."
        raise Skip(f"session {session.pk} was signed before this import; consent is not added to a signed session.",
                   "business-rule")
    parts = extensions(resource, codes.EXT_CONSENT)
    user, note = _recorder(ctx, entry, one(parts, "recordedBy"), patient, session)
    created = record is None
    record = record or ConsentRecord(session=session)
    record.form_version, record.language = form_version[:40], language[:35]
    record.flags = [str(flag) for flag in parts.get("flag", [])]
    record.method = one(parts, "method", ConsentRecord.Method.IN_CLINIC)
    record.recorded_by = user
    ctx.write(record, exclude=None if record.flags else ["flags"])  # no flags is [], as the portal stores it
    ctx.keep_time(record, "recorded_at", parse_instant(resource.get("dateTime")))
    return ("created" if created else "updated"), record, (
        f"consent {record.pk} ({form_version}, {language}) for session {session.pk}.{note}")


# ------------------------------------------------------------------ adverse events


def _suspects(ctx: Importer, entry: Entry) -> tuple[Session | None, Injection | None]:
    session = injection = None
    for suspect in entry.resource.get("suspectEntity", []):
        instance = suspect.get("instance")
        injection = injection or ctx.resolve(instance, Injection, entry)
        session = session or ctx.resolve(instance, Session, entry)
    if injection is not None:
        if session is not None and injection.session_id != session.pk:
            raise Skip("its injection (MedicationAdministration) is not part of its session (Procedure).", "conflict")
        session = session or injection.session
    return session, injection


@handler("AdverseEvent")
def import_adverse_event(ctx: Importer, entry: Entry):
    resource = entry.resource
    if resource.get("actuality") != "actual":
        raise Skip("it is a potential event (actuality potential); tpclinic records events that happened.",
                   "not-supported")
    kind = first_code(resource.get("event"), codes.ADVERSE_EVENT_KIND)
    if kind not in dict(AdverseEvent.Kind.choices):
        raise Skip(f"its event is not one of tpclinic's kinds ({codes.ADVERSE_EVENT_KIND}: "
                   f"{', '.join(AdverseEvent.Kind.values)}).", "not-supported")
    session, injection = _suspects(ctx, entry)
    if session is None:
        raise Skip("it does not follow a tpclinic session: suspectEntity must reference its Procedure or "
                   "MedicationAdministration.", "not-supported")
    patient = session.course.patient
    if ctx.patient_of(entry, resource.get("subject")) != patient:
        raise Skip("its subject is not the patient of the session it followed.", "conflict")
    onset = parse_instant(resource.get("date") or resource.get("detected"))
    if onset is None:
        raise Skip("it has no onset (date).", "required")
    severity = first_code(resource.get("severity"), codes.ADVERSE_EVENT_SEVERITY_OURS) or \
        codes.AE_SEVERITY_FROM_R4.get(first_code(resource.get("severity"), codes.AE_SEVERITY))
    if severity is None:
        raise Skip(f"it has no severity (mild, moderate or severe in {codes.AE_SEVERITY}).", "required")
    outcome = first_code(resource.get("outcome"), codes.ADVERSE_EVENT_OUTCOME_OURS) or \
        codes.AE_OUTCOME_FROM_R4.get(first_code(resource.get("outcome"), codes.AE_OUTCOME)) or \
        AdverseEvent.Outcome.ONGOING
    parts = extensions(resource, codes.EXT_ADVERSE_EVENT)
    action = text(one(parts, "action", ""))
    if not action:
        raise Skip(f"it does not say what was done (sub-extension action of {codes.EXT_ADVERSE_EVENT}).", "required")
    event = ctx.existing(entry, AdverseEvent)
    if event is not None and event.session_id != session.pk:
        raise Skip("it was imported before for a different session.", "conflict")
    user, note = _recorder(ctx, entry, resource.get("recorder"), patient, session)
    created = event is None
    event = event or AdverseEvent(session=session)
    event.injection, event.kind, event.onset_at = injection, kind, onset
    event.severity, event.outcome, event.action = severity, outcome, action
    event.follow_up = text(one(parts, "followUp", ""))
    event.recorded_by = user
    ctx.write(event)
    ctx.keep_time(event, "recorded_at", parse_instant(resource.get("recordedDate")))
    return ("created" if created else "updated"), event, f"{kind} after session {session.pk}.{note}"
