"""Which patient a URL or a record belongs to: a small mapping per URL name and per model.

Only *which patient* a page shows is looked up here, never what a request did: actions are
recorded by the code that does them (audit/events.py). The middleware asks `for_request()` for
reads and refusals; audit.events asks `patient_of_instance()`.
When an app adds a URL that shows or changes a patient's data, add it to URL_OBJECTS (or name
its keyword `patient_pk`/`patient_id`, `session_id`, `course_id`, which are recognised anyway).
"""
from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps

from tpclinic.limits import parse_id

# model label -> lookup from that model to the patient's id
PATIENT_PATH = {
    "patients.patient": "pk",
    "patients.allergy": "patient_id",
    "patients.medication": "patient_id",
    "charting.triggerpoint": "patient_id",
    "treatment.course": "patient_id",
    "treatment.session": "course__patient_id",
    "treatment.injection": "session__course__patient_id",
    "treatment.injectionagent": "injection__session__course__patient_id",
    "safety.consentrecord": "session__course__patient_id",
    "safety.adverseevent": "session__course__patient_id",
    "referral.paindrawing": "patient_id",
    "portal.diaryentry": "patient_id",
    "audit.amendment": "patient_id",
    "audit.rejectededit": "patient_id",
    "scheduling.appointment": "patient_id",
    "scheduling.appointmentrequest": "patient_id",
    "scheduling.reminderchoice": "patient_id",
}

# URL name -> (model label, URL keyword holding its primary key)
URL_OBJECTS = {
    "patients:chart": ("patients.patient", "pk"),
    "patients:edit": ("patients.patient", "pk"),
    "charting:new": ("patients.patient", "patient_pk"),
    "charting:resolve": ("charting.triggerpoint", "pk"),
    "treatment:course_new": ("patients.patient", "patient_pk"),
    "treatment:course": ("treatment.course", "pk"),
    "treatment:course_edit": ("treatment.course", "pk"),
    "treatment:session_new": ("treatment.course", "pk"),
    "treatment:session": ("treatment.session", "pk"),
    "treatment:session_sign": ("treatment.session", "pk"),
    "treatment:note_text": ("treatment.session", "pk"),
    "treatment:note_pdf": ("treatment.session", "pk"),
    "treatment:ultrasound_still": ("treatment.injection", "pk"),
    "treatment:superbill_csv": ("treatment.session", "pk"),
    "treatment:superbill_pdf": ("treatment.session", "pk"),
    "referral:rank": ("patients.patient", "patient_pk"),
    "referral:save_drawing": ("patients.patient", "patient_pk"),
    "referral:examine": ("patients.patient", "patient_pk"),
    "referral:chart_examined": ("patients.patient", "patient_pk"),
    "safety:check": ("treatment.session", "pk"),
    "safety:consent": ("treatment.session", "pk"),
    "safety:consent_pdf": ("safety.consentrecord", "pk"),
    "safety:adverse_event_new": ("treatment.session", "pk"),
    "safety:adverse_event_edit": ("safety.adverseevent", "pk"),
    "audit:amend_session": ("treatment.session", "pk"),
    "audit:rejected": ("audit.rejectededit", "pk"),
    "audit:patient": ("patients.patient", "patient_pk"),
    "audit:disclosures": ("patients.patient", "patient_pk"),
    "interop:fhir-everything": ("patients.patient", "pk"),
    "portal:consent": ("treatment.session", "pk"),
}

# Keywords recognised in any URL (the API's and other apps' alike).
KEYWORD_OBJECTS = {
    "patient_pk": "patients.patient",
    "patient_id": "patients.patient",
    "course_pk": "treatment.course",
    "course_id": "treatment.course",
    "session_pk": "treatment.session",
    "session_id": "treatment.session",
    "trigger_point_id": "charting.triggerpoint",
    "consent_id": "safety.consentrecord",
    "drawing_id": "referral.paindrawing",
    "entry_id": "portal.diaryentry",
    "appointment_pk": "scheduling.appointment",
}

# Pages that list several patients (searches, worklists): audited as reads without one patient.
LIST_URLS = {"patients:list", "treatment:worklist", "scheduling:day", "scheduling:requests"}

# Safe to repeat and changes nothing, although sent as POST (htmx live panels).
READ_POSTS = {"safety:check", "referral:rank"}

# Path prefixes whose every request is audited (the JSON API and FHIR).
AUDITED_PREFIXES = ("/api/", "/fhir/")

FHIR_TYPES = {
    "Patient": "patients.patient", "Condition": "treatment.course", "Procedure": "treatment.session",
    "Encounter": "treatment.session", "Consent": "safety.consentrecord", "AdverseEvent": "safety.adverseevent",
}


@dataclass
class Target:
    object_type: str = ""
    object_id: str = ""
    patient_id: int | None = None


def model_for(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def patient_of(label: str, pk) -> int | None:
    """The patient id behind one record, or None when the record or the model does not exist."""
    path = PATIENT_PATH.get(label)
    model = model_for(label)
    if path is None or model is None or pk in (None, ""):
        return None
    try:
        if path == "pk":
            return int(pk) if model.objects.filter(pk=pk).exists() else None
        return model.objects.filter(pk=pk).values_list(path, flat=True).first()
    except (ValueError, TypeError):
        return None


def patient_of_instance(instance) -> int | None:
    label = instance._meta.label_lower
    path = PATIENT_PATH.get(label)
    if path is None:
        return None
    if path == "pk":
        return instance.pk
    if "__" not in path:
        return getattr(instance, path, None)
    return patient_of(label, instance.pk)


def for_request(request) -> Target | None:
    """What a request touched, or None when it is not about patient data."""
    match = getattr(request, "resolver_match", None)
    name = match.view_name if match else ""
    kwargs = match.kwargs if match else {}
    if name in URL_OBJECTS:
        label, keyword = URL_OBJECTS[name]
        value = kwargs.get(keyword)
        return Target(label, str(value or ""), patient_of(label, value))
    if name in LIST_URLS:
        return Target("patients.patient", "", None)
    for keyword, label in KEYWORD_OBJECTS.items():
        if keyword in kwargs:
            return Target(label, str(kwargs[keyword]), patient_of(label, kwargs[keyword]))
    if name.startswith("portal:"):
        return _portal(request, kwargs)
    if name.startswith("admin:"):
        return _admin(name, kwargs)
    if request.path.startswith(AUDITED_PREFIXES):
        return _api(request, kwargs)
    return None


def _portal(request, kwargs) -> Target:
    """Portal pages without an id in the URL show the logged-in patient's own record."""
    own = getattr(getattr(request, "user", None), "patient_record", None) if _authenticated(request) else None
    return Target("patients.patient", str(getattr(own, "pk", "") or ""), getattr(own, "pk", None))


def _admin(name: str, kwargs) -> Target | None:
    app_model, _, view = name[len("admin:"):].rpartition("_")
    label = app_model.replace("_", ".", 1)
    if label not in PATIENT_PATH:
        return None
    object_id = kwargs.get("object_id", "")
    return Target(label, str(object_id), patient_of(label, object_id) if object_id else None)


def _api(request, kwargs) -> Target:
    parts = [p for p in request.path.split("/") if p]
    # /fhir/Patient/12, /fhir/Patient/12/$everything, /api/v1/patients/12/...
    for index, part in enumerate(parts[:-1]):
        label = FHIR_TYPES.get(part) or {"patients": "patients.patient", "courses": "treatment.course",
                                         "sessions": "treatment.session"}.get(part)
        if label and parse_id(parts[index + 1]) is not None:
            return Target(label, parts[index + 1], patient_of(label, parse_id(parts[index + 1])))
    for key in ("patient", "subject", "patient_id"):
        value = request.GET.get(key, "").rsplit("/", 1)[-1]
        if parse_id(value) is not None:
            return Target("patients.patient", value, patient_of("patients.patient", parse_id(value)))
    return Target("", "", None)


def _authenticated(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)
