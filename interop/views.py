"""FHIR endpoints (`/fhir/Patient/{id}/$everything`, `POST /fhir/`) and the catch-all 404s.

Plain Django views rather than ninja: FHIR has its own media type and error resource
(OperationOutcome). They accept an API token or the web session; with the session, a POST must
pass Django's CSRF check like any form, while a token request is exempt (no cookie involved).
They answer in English whatever the request's language (interop.text.LANGUAGE), like the API.
"""
from __future__ import annotations

import json
from functools import wraps

from django.middleware.csrf import CsrfViewMiddleware
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt

from accounts import roles
from audit import events
from interop import fhir_export, fhir_import
from interop.auth import fhir_user
from interop.fhir_import import BundleError, fhir_response, operation_outcome
from interop.problems import Problem
from tpclinic.limits import parse_id
from interop.text import LANGUAGE
from patients.models import Patient

FHIR_TYPES = {"application/fhir+json", "application/json", "application/json+fhir"}


def in_english(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        with translation.override(LANGUAGE):
            response = view(request, *args, **kwargs)
        response["Content-Language"] = LANGUAGE
        return response

    return wrapped


def _outcome(status: int, code: str, text: str, headers: dict | None = None):
    response = fhir_response(operation_outcome([("error", code, text, None)]), status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _unauthorized():
    return _outcome(401, "login", "Log in, or send an API token as 'Authorization: Bearer <token>'.",
                    {"WWW-Authenticate": 'Bearer realm="tpclinic"'})


def _method_not_allowed(allowed: str):
    return _outcome(405, "not-supported", f"Use {allowed} here.", {"Allow": allowed})


@csrf_exempt
@in_english
def patient_everything(request, pk: str):
    if request.method not in {"GET", "HEAD"}:
        return _method_not_allowed("GET")
    user, _ = fhir_user(request)
    if user is None:
        return _unauthorized()
    if not roles.can_export(user):
        return _outcome(403, "forbidden", "Only clinicians and administrators can export a patient's record "
                        "(minimum necessary); each export is audited.")
    patient_id = parse_id(pk)
    patient = Patient.objects.filter(pk=patient_id).first() if patient_id else None
    if patient is None:
        return _outcome(404, "not-found", f"There is no Patient/{pk} here.")
    base = request.build_absolute_uri("/fhir/")
    response = fhir_response(fhir_export.patient_everything(patient, base_url=base))
    events.record(events.Action.EXPORT, obj=patient, user=user, request=request, status=response.status_code,
                  detail="FHIR Patient/$everything")
    return response


@csrf_exempt
@in_english
def fhir_post(request):
    """POST a Bundle: records are created or updated; the answer is an OperationOutcome of what happened."""
    if request.method != "POST":
        return _method_not_allowed("POST")
    user, via_token = fhir_user(request)
    if user is None:
        return _unauthorized()
    if not via_token:
        refused = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
        if refused is not None:
            return _outcome(403, "security", "The CSRF check failed: post from the web page, or use an API token.")
    if roles.role_of(user) != "admin":
        return _outcome(403, "forbidden", "Only an administrator can import FHIR data: an import writes signed "
                        "notes in other clinicians' names.")
    if request.content_type not in FHIR_TYPES:
        return _outcome(415, "not-supported", "Send the Bundle as JSON with 'Content-Type: application/fhir+json'.")
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as error:
        return _outcome(400, "structure", f"The body is not valid JSON ({error}); nothing was imported.")
    try:
        result = fhir_import.import_bundle(data, user=user)
    except BundleError as error:
        events.record(events.Action.IMPORT, user=user, request=request, object_type="fhir.bundle", status=400,
                      detail="FHIR Bundle refused: nothing imported")
        return fhir_response(error.outcome(), 400)
    events.record(events.Action.IMPORT, user=user, request=request, object_type="fhir.bundle", status=200,
                  detail=("FHIR Bundle: " + (", ".join(f"{n} {a}" for a, n in sorted(result.counts.items()))
                                             or "nothing"))[:255])
    return fhir_response(result.outcome(), 200)


@csrf_exempt  # no cookie-authenticated action here: an unsafe request to an unknown path is a 404 problem
def api_not_found(request):
    return Problem(404, f"There is no API endpoint {request.path}. The endpoints are listed in /api/v1/openapi.json.",
                   kind="not-found").response()


@csrf_exempt
def fhir_not_found(request):
    return _outcome(404, "not-found", f"tpclinic serves Patient/{{id}}/$everything and POST /fhir/ only; "
                    f"{request.path} is not one of them.")
