"""Audit every request that reads or changes a patient's data, after the response is made.

Changes to records are also written by the model signals (audit/signals.py) with the exact
object; a request that changed something through them gets no extra request event. A request
that changed nothing the signals saw (a session signed with QuerySet.update(), a refused or
invalid submission) gets one event with its method and status, so attempts are visible too.
"""
from __future__ import annotations

import logging

from audit import context, record, resolve
from audit.models import Action

log = logging.getLogger("audit")

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class AuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = context.begin(request)
        try:
            response = self.get_response(request)
            ctx = context.current()
            self._audit(request, response, ctx)
        finally:
            context.end(token)
        return response

    def _audit(self, request, response, ctx) -> None:
        if request.method == "OPTIONS":
            return
        user = record.acting_user(request)  # may look up an API token: after the free checks
        if user is None:
            return
        target = resolve.for_request(request)
        if target is None:
            return
        match = request.resolver_match
        name = match.view_name if match else ""
        unsafe = request.method not in SAFE_METHODS and name not in resolve.READ_POSTS
        if unsafe and ctx is not None and ctx.object_events:
            return  # the signals already wrote what changed, with the exact records
        if unsafe:
            action = Action.UPDATE
            status = response.status_code
            detail = ("refused" if status >= 400 else "saved" if 300 <= status < 400
                      else "form shown again; nothing saved" if status == 200 else "")
        else:
            action = Action.EXPORT if self._is_export(name, request, response) else Action.READ
            detail = ""
        record.write(action, request=request, user=user, object_type=target.object_type,
                     object_id=target.object_id, patient_id=target.patient_id, status=response.status_code,
                     detail=detail)

    @staticmethod
    def _is_export(name: str, request, response) -> bool:
        if name in resolve.EXPORT_URLS or "export" in name:
            return True
        disposition = response.get("Content-Disposition", "") if hasattr(response, "get") else ""
        if "attachment" in disposition or request.path.startswith("/fhir/"):
            return True
        content_type = response.get("Content-Type", "") if hasattr(response, "get") else ""
        return content_type.startswith(("application/pdf", "text/csv", "application/fhir"))
