"""FHIR endpoints (the R4 server in fhir_server.py, `$everything`, `POST /fhir/`) and the catch-all 404s.

Plain Django views rather than ninja: FHIR has its own media type and error resource
(OperationOutcome). They accept an API token or the web session; with the session, a POST must
pass Django's CSRF check like any form, while a token request is exempt (no cookie involved).
They answer in English whatever the request's language (interop.text.LANGUAGE), like the API.
"""
from __future__ import annotations

import json
from datetime import datetime
from functools import wraps

from django.middleware.csrf import CsrfViewMiddleware
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt

from accounts import roles
from audit import events
from interop import fhir_export, fhir_import, fhir_server, fhir_update
from interop import fhir_search as search
from interop import fhir_versions as versions
from interop.fhir_server import Reader, Refusal
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
def fhir_post(request):
    """POST a Bundle: records are created or updated. A transaction or batch is answered by a
    transaction-response / batch-response Bundle (a status per entry), any other Bundle by an OperationOutcome."""
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
    summary = ", ".join(f"{n} {a}" for a, n in sorted(result.counts.items())) or "nothing"
    if result.rolled_back:
        summary = f"transaction rolled back, entries {', '.join(map(str, result.failed))} failed ({summary})"
    events.record(events.Action.IMPORT, user=user, request=request, object_type="fhir.bundle",
                  patients=result.patients, status=result.http_status, detail=f"FHIR {result.kind} Bundle: {summary}"[:255])
    if result.kind in {"transaction", "batch"}:  # FHIR's answer: a response Bundle, a status per entry
        return fhir_response(result.response_bundle(), result.http_status)
    return fhir_response(result.outcome(), 200)


@csrf_exempt  # no cookie-authenticated action here: an unsafe request to an unknown path is a 404 problem
def api_not_found(request):
    return Problem(404, f"There is no API endpoint {request.path}. The endpoints are listed in /api/v1/openapi.json.",
                   kind="not-found").response()


@csrf_exempt
def fhir_not_found(request):
    return _outcome(404, "not-found", f"{request.path} is not part of this FHIR server: its interactions are listed "
                    "in GET /fhir/metadata.")


# ------------------------------------------------------------------ the FHIR R4 server


def fhir_read_view(*methods: str):
    """A FHIR server view: English, JSON only (406), caller known (401/403), refusals as OperationOutcome.

    The view is called as view(request, reader, **kwargs). With a web session, an unsafe method must
    pass the CSRF check like any form; a token request is exempt (no cookie involved).
    """
    def decorate(view):
        @csrf_exempt
        @in_english
        @wraps(view)
        def wrapped(request, **kwargs):
            if request.method not in methods:
                return _method_not_allowed(", ".join(methods))
            try:
                refused = fhir_server.negotiate(request)
                if refused:
                    raise refused
                resource_type = kwargs.get("resource_type")
                if resource_type is not None and resource_type not in fhir_server.served_types():
                    raise Refusal(404, "not-supported", f"tpclinic does not serve {resource_type}; the types it "
                                  "serves are listed in GET /fhir/metadata.")
                user, via_token = fhir_user(request)
                if user is None:
                    return _unauthorized()
                if request.method not in {"GET", "HEAD"} and not via_token:
                    if CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {}) is not None:
                        raise Refusal(403, "security", "The CSRF check failed: use an API token.")
                return view(request, Reader.of(user, getattr(request, "smart_grant", None)), **kwargs)
            except (Refusal, search.SearchError) as error:
                if isinstance(error, search.SearchError):
                    error = Refusal(400, "invalid", str(error))
                return error.response()

        return wrapped

    return decorate


@csrf_exempt
@in_english
def metadata(request):
    """The CapabilityStatement: public, as FHIR clients read it before they authenticate."""
    if request.method not in {"GET", "HEAD"}:
        return _method_not_allowed("GET")
    refused = fhir_server.negotiate(request)
    if refused:
        return refused.response()
    return fhir_response(fhir_server.capability_statement(request))


def _strict(request) -> bool:
    return any(part.strip() == "handling=strict" for part in request.headers.get("Prefer", "").split(";"))


def _search(request, reader, resource_type: str, pairs: list[tuple[str, str]]):
    query = search.parse(resource_type, pairs)
    found = fhir_server.run_search(request, reader, query, _strict(request))
    fhir_server.audit_shown(request, reader, resource_type, found.shown, "search")
    return fhir_response(found.bundle)


@fhir_read_view("GET")
def fhir_search(request, reader, resource_type: str):
    return _search(request, reader, resource_type, [(k, v) for k in request.GET for v in request.GET.getlist(k)])


@fhir_read_view("POST")
def fhir_search_post(request, reader, resource_type: str):
    if request.content_type != "application/x-www-form-urlencoded":
        raise Refusal(415, "not-supported", "POST _search takes its parameters as application/x-www-form-urlencoded.")
    pairs = [(k, v) for k in request.GET for v in request.GET.getlist(k)]
    pairs += [(k, v) for k in request.POST for v in request.POST.getlist(k)]
    return _search(request, reader, resource_type, pairs)


def _current_or_gone(reader, resource_type: str, ident: str) -> dict:
    reader = reader.to(resource_type, "r")
    resource = fhir_server.current(reader, resource_type, ident)
    if resource is not None:
        return resource
    kept = versions.history(resource_type, ident)
    if kept and reader.may_see(kept[0].patient_id, resource_type):
        raise Refusal(410, "deleted", f"{resource_type}/{ident} was deleted; its earlier versions are in _history.")
    raise fhir_server.not_found(resource_type, ident)


@fhir_read_view("GET", "PUT")
def fhir_read(request, reader, resource_type: str, ident: str):
    if request.method == "PUT":
        return _update(request, reader, resource_type, ident)
    resource = _current_or_gone(reader, resource_type, ident)
    fhir_server.audit_shown(request, reader, resource_type, [resource], "read")
    return fhir_server.versioned_response(request, resource)


@fhir_read_view("GET")
def fhir_vread(request, reader, resource_type: str, ident: str, vid: str):
    try:
        _current_or_gone(reader, resource_type, ident)  # may this reader see it? (a deleted one keeps its history)
    except Refusal as refusal:
        if refusal.status != 410:
            raise
    number = parse_id(vid)
    row = versions.version(resource_type, ident, number) if number and number < 2**31 else None
    if row is None:
        raise Refusal(404, "not-found", f"{resource_type}/{ident} has no version {vid}.")
    fhir_server.audit_shown(request, reader, resource_type, [row.resource], "vread")
    return fhir_server.versioned_response(request, row.resource)


@fhir_read_view("GET")
def fhir_history(request, reader, resource_type: str, ident: str):
    try:
        _current_or_gone(reader, resource_type, ident)
    except Refusal as refusal:
        if refusal.status != 410:
            raise
    base = fhir_server.base_url(request)
    kept = versions.history(resource_type, ident)
    entries = []
    for row in kept:
        entries.append({
            "fullUrl": f"{base}/{resource_type}/{ident}",
            "resource": row.resource,
            "request": {"method": "POST" if row.version == 1 else "PUT",
                        "url": resource_type if row.version == 1 else f"{resource_type}/{ident}"},
            "response": {"status": "201" if row.version == 1 else "200", "etag": f'W/"{row.version}"',
                         "lastModified": row.resource["meta"]["lastUpdated"]},
        })
    self_link = [{"relation": "self", "url": f"{base}/{resource_type}/{ident}/_history"}]
    fhir_server.audit_shown(request, reader, resource_type, [row.resource for row in kept[:1]], "history")
    return fhir_response(fhir_server.bundle("history", entries, len(entries), self_link))


@fhir_read_view("GET")
def patient_everything(request, reader, pk: str):
    """`Patient/{id}/$everything` with `_type`, `_since` and `_count` paging (everything on one page without it)."""
    reader = reader.to("Patient", "r")
    if reader.own_patient is None and not roles.can_export(reader.user):
        raise Refusal(403, "forbidden", "Only clinicians and administrators can export a patient's whole record "
                      "(minimum necessary); each export is audited.")
    patient_id = parse_id(pk)
    exists = patient_id is not None and Patient.objects.filter(pk=patient_id).exists()
    if not exists or not reader.may_see(patient_id, "Patient"):
        raise fhir_server.not_found("Patient", pk)
    pk = str(patient_id)
    query = search.Query("Patient", count=0)
    types = [t.strip() for v in request.GET.getlist("_type") for t in v.split(",") if t.strip()]
    since = request.GET.get("_since", "")
    if since:
        since_range = search._range_of_text(since)
    for name in request.GET:
        if name not in {"_type", "_since", "_count", "_offset", "_format"}:
            query.ignored.append(name)
    if query.ignored and _strict(request):
        raise Refusal(400, "not-supported", "Not supported here (Prefer: handling=strict): "
                      + ", ".join(query.ignored) + ".")
    paged = "_count" in request.GET
    if paged:
        query.count = search.parse("Patient", [("_count", request.GET["_count"])]).count
        query.offset = search.parse("Patient", [("_offset", request.GET.get("_offset", "0"))]).offset
    query.used = [(k, v) for k in request.GET if k in {"_type", "_since", "_count"} for v in request.GET.getlist(k)]
    patient = Patient.objects.get(pk=int(pk))
    everything = fhir_export.patient_everything(patient)
    resources = versions.stamp([e["resource"] for e in everything["entry"]], fhir_server.patient_in)
    resources = [r for r in resources if reader.may_show(r)]  # the token's scopes, each type on its own
    if types:
        resources = [r for r in resources if r["resourceType"] in types]
    if since:
        resources = [r for r in resources if datetime.fromisoformat(r["meta"]["lastUpdated"]) >= since_range[0]]
    total = len(resources)
    if paged:
        resources = resources[query.offset:query.offset + query.count]
    base = fhir_server.base_url(request)
    entries = [{"fullUrl": f"{base}/{r['resourceType']}/{r['id']}", "resource": r,
                "search": {"mode": "match" if r["resourceType"] == "Patient" else "include"}} for r in resources]
    outcome = fhir_server.ignored_outcome(query.ignored)
    if outcome:
        entries.append(outcome)
    links = (fhir_server.page_links(request, "Patient", query, total, path=f"Patient/{pk}/$everything") if paged
             else [{"relation": "self", "url": request.build_absolute_uri()}])
    fhir_server.audit_shown(request, reader, "Patient", resources, "$everything")
    return fhir_response(fhir_server.bundle("searchset", entries, total, links))


def _update(request, reader, resource_type: str, ident: str):
    """PUT: Patient demographics only, and only against the version the client read (If-Match)."""
    if resource_type != "Patient":
        return _method_not_allowed("GET")
    if reader.own_patient is not None or not roles.is_staff_member(reader.user):
        raise Refusal(403, "forbidden", "Only clinic staff can change a patient's details.")
    reader = reader.to("Patient", "u")  # the token's scopes: a patient/ scope updates only its patient
    resource = _current_or_gone(reader, resource_type, ident)
    wanted = request.headers.get("If-Match")
    if not wanted:
        raise Refusal(428, "required", f"Send 'If-Match: W/\"{resource['meta']['versionId']}\"' (the version you "
                      "read) so a change made since is not overwritten.")
    if not versions.etag_matches(wanted, resource["meta"]["versionId"]):
        raise Refusal(412, "conflict", f"Patient/{ident} has changed since you read it (now version "
                      f"{resource['meta']['versionId']}); read it again and reapply your change. Nothing was changed.")
    if request.content_type not in FHIR_TYPES:
        raise Refusal(415, "not-supported", "Send the Patient as JSON with 'Content-Type: application/fhir+json'.")
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as error:
        raise Refusal(400, "structure", f"The body is not valid JSON ({error}); nothing was changed.") from None
    if not isinstance(body, dict) or body.get("resourceType") != "Patient" or body.get("id") != ident:
        raise Refusal(400, "invalid", f"The body must be a Patient whose id is {ident}. Nothing was changed.")
    fhir_update.update_patient(request, reader.user, Patient.objects.get(pk=int(ident)), body)
    updated = fhir_server.current(reader, "Patient", ident)
    return fhir_server.versioned_response(request, updated)
