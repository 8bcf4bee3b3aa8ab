"""FHIR Bulk Data Access (IG 2.0): kick-off, status polling, cancellation and the NDJSON files.

Kick-off (`GET /fhir/$export`, `/fhir/Patient/$export`, `/fhir/Group/{clinician id}/$export`, with
`Prefer: respond-async`) records a BulkExport and queues interop.tasks.run_bulk_export; the answer
is 202 with `Content-Location` of the status URL. Only administrators and clinicians may export
(a SMART token also needs user- or system-level read scopes for every type it asks for), and the
status and files answer only the token (or web user) that asked.
"""
from __future__ import annotations

import hashlib
from functools import wraps

from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from accounts import roles
from audit import events
from audit.models import Action
from accounts.models import Role
from interop import fhir_search as search
from interop.auth import bearer_value, fhir_user
from interop.fhir_server import Refusal, served_types
from interop.models import BulkExport
from interop.tasks import run_bulk_export
from tpclinic.limits import parse_id

FORMATS = {"application/fhir+ndjson", "application/ndjson", "ndjson"}
EXPORT_ROLES = {Role.ADMIN, Role.CLINICIAN}


def _requester(request):
    user, via_token = fhir_user(request)
    if user is None:
        raise Refusal(401, "login", "Send 'Authorization: Bearer <token>'.", {"WWW-Authenticate": 'Bearer realm="tpclinic"'})
    if roles.role_of(user) not in EXPORT_ROLES:
        raise Refusal(403, "forbidden", "Only administrators and clinicians can export the clinic's data.")
    key = hashlib.sha256(bearer_value(request).encode()).hexdigest() if via_token else f"user:{user.pk}"
    return user, key, getattr(request, "smart_grant", None)


def bulk_view(view):
    @csrf_exempt
    @wraps(view)
    def wrapped(request, **kwargs):
        try:
            return view(request, **kwargs)
        except (Refusal, search.SearchError) as error:
            if isinstance(error, search.SearchError):
                error = Refusal(400, "invalid", str(error))
            return error.response()

    return wrapped


@bulk_view
def kick_off(request, group: str = ""):
    if request.method != "GET":
        raise Refusal(405, "not-supported", "Start an export with GET.", {"Allow": "GET"})
    user, key, grant = _requester(request)
    if "respond-async" not in request.headers.get("Prefer", ""):
        raise Refusal(400, "required", "Bulk export runs in the background: send 'Prefer: respond-async'.")
    accept = request.headers.get("Accept", "application/fhir+json")
    if not {"application/fhir+json", "*/*", "application/json"} & {a.split(";")[0].strip() for a in accept.split(",")}:
        raise Refusal(406, "not-supported", "Send 'Accept: application/fhir+json'.")
    wanted_format = request.GET.get("_outputFormat", "application/fhir+ndjson")
    if wanted_format not in FORMATS:
        raise Refusal(400, "not-supported", f"_outputFormat {wanted_format} is not offered; use application/fhir+ndjson.")
    types = [t.strip() for v in request.GET.getlist("_type") for t in v.split(",") if t.strip()]
    unknown = [t for t in types if t not in served_types()]
    if unknown:
        raise Refusal(400, "not-supported", f"Not exported here: {', '.join(unknown)}.")
    for resource_type in types or served_types():
        if grant is not None and grant.allows(resource_type, "r") != (True, False):
            raise Refusal(403, "forbidden", f"This token's scopes do not allow exporting {resource_type} "
                          "(user/ or system/ read scopes are needed).")
    level = "group" if group else ("patient" if request.path.startswith("/fhir/Patient/") else "system")
    if group and not (parse_id(group) and get_user_model().objects.filter(
            pk=parse_id(group), staff_profile__role=Role.CLINICIAN).exists()):
        raise Refusal(404, "not-found", f"There is no Group/{group}: a Group here is a clinician's panel "
                      "(the clinician's user id).")
    since = search._range_of_text(request.GET["_since"])[0] if request.GET.get("_since") else None
    export = BulkExport.objects.create(user=user, requester=key, request_url=request.build_absolute_uri(),
                                       level=level, group=group, types=types, since=since)
    events.record(Action.EXPORT, request=request, user=user, object_type="fhir.$export", object_id=export.pk,
                  status=202, detail=f"FHIR bulk export requested ({level})")
    run_bulk_export.enqueue(str(export.pk))
    response = HttpResponse(status=202)
    response["Content-Location"] = request.build_absolute_uri(reverse("interop:fhir-export-status",
                                                                      args=[export.pk]))
    return response


def _own_export(request, pk) -> BulkExport:
    user, key, _ = _requester(request)
    export = BulkExport.objects.filter(pk=pk, requester=key).first()
    if export is None or export.status == BulkExport.Status.CANCELLED:
        raise Refusal(404, "not-found", "There is no such export for this token.")
    return export


@bulk_view
def status(request, pk):
    export = _own_export(request, pk)
    if request.method == "DELETE":
        BulkExport.objects.filter(pk=export.pk).update(status=BulkExport.Status.CANCELLED)
        for item in export.output:
            default_storage.delete(item["name"])
        return HttpResponse(status=202)
    if request.method != "GET":
        raise Refusal(405, "not-supported", "GET the status, or DELETE to cancel.", {"Allow": "GET, DELETE"})
    if export.status == BulkExport.Status.FAILED:
        raise Refusal(500, "exception", f"The export failed: {export.error}")
    if export.status != BulkExport.Status.DONE:
        response = HttpResponse(status=202)
        response["X-Progress"] = export.progress or export.get_status_display()
        response["Retry-After"] = "5"
        return response
    return JsonResponse({
        "transactionTime": export.transaction_time.isoformat(),
        "request": export.request_url,
        "requiresAccessToken": True,
        "output": [{"type": item["type"], "count": item["count"],
                    "url": request.build_absolute_uri(reverse("interop:fhir-export-file",
                                                              args=[export.pk, item["type"]]))}
                   for item in export.output],
        "error": [],
    })


@bulk_view
def output_file(request, pk, resource_type: str):
    export = _own_export(request, pk)
    item = next((i for i in export.output if i["type"] == resource_type), None)
    if export.status != BulkExport.Status.DONE or item is None:
        raise Refusal(404, "not-found", f"This export has no {resource_type} file.")
    return FileResponse(default_storage.open(item["name"], "rb"), content_type="application/fhir+ndjson")
