"""Record reads of clinical pages (the patients shown) and refusals, after the response is made.

The middleware does not guess what a request changed: the code that changes something records
its own event (audit/events.py), with before and after. What is left for the middleware:

- a read (GET, HEAD, or a POST that only computes, READ_POSTS) of a page about a patient's data:
  one READ event naming the patient (from the URL's ids, audit/resolve.py), or one LIST event
  with a disclosure row per patient when the view declared them (events.shown);
- a refusal (401 or 403) of any clinical page, API or FHIR request: one REFUSED event;
- a POST (PUT, PATCH, DELETE) during which nothing was recorded: answered 2xx, the form was shown
  again with the patient's data (READ, "nothing saved"); answered 4xx, the change was refused
  (REFUSED). A redirect with nothing recorded changed nothing and is not recorded.

A request whose view already recorded its read or export explicitly gets no second event.
"""
from __future__ import annotations

from audit import context, record, resolve
from audit.models import Action

SAFE_METHODS = {"GET", "HEAD"}
REFUSALS = {401, 403}


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
        status = response.status_code
        refused = status in REFUSALS
        match = request.resolver_match
        name = match.view_name if match else ""
        reading = request.method in SAFE_METHODS or name in resolve.READ_POSTS
        if not (refused or reading):
            if ctx is None or ctx.written or 300 <= status < 400:
                return  # a change: the code that made it recorded it (or nothing changed)
            refused = status >= 400
        user = record.acting_user(request)  # may look up an API token: after the free checks
        if user is None and not refused:
            return
        if reading and not refused and ctx is not None and ctx.object_events:
            return  # the view recorded this read or export itself
        target = resolve.for_request(request)
        if reading and not refused and ctx is not None and ctx.shown_listed:
            # a list filtered to one patient (?patient=12) is a read of that patient
            one = target.patient_id if target is not None and ctx.shown <= {target.patient_id} else None
            record.write(Action.READ if one else Action.LIST, request=request, user=user,
                         object_type=target.object_type if one else "patients.patient",
                         object_id=target.object_id if one else "", patient_id=one, status=status,
                         detail=ctx.shown_what or f"{len(ctx.shown)} patients shown",
                         patients=ctx.shown if 200 <= status < 300 else ())
            return
        if target is None:
            return
        if refused:
            record.write(Action.REFUSED, request=request, user=user, object_type=target.object_type,
                         object_id=target.object_id, patient_id=target.patient_id, status=status,
                         detail=f"{request.method} refused" if status in REFUSALS else "not saved")
            return
        shown = [target.patient_id] if target.patient_id is not None and 200 <= status < 300 else []
        record.write(Action.READ, request=request, user=user, object_type=target.object_type,
                     object_id=target.object_id, patient_id=target.patient_id, status=status, patients=shown,
                     detail="" if reading else "form shown again; nothing saved")
