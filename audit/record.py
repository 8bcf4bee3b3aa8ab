"""Writing audit events: the low-level writer behind audit.events.record() and the middleware.

Call audit.events.record() from application code; it keeps only the changed fields and finds
the patient. `write` stays for callers that already build every field themselves.
"""
from __future__ import annotations

import logging

from accounts.roles import role_of
from audit import context
from audit.models import AuditEvent
from audit.net import client_ip

log = logging.getLogger("audit")


def _role(user) -> str:
    try:
        return str(role_of(user) or "")
    except Exception:  # a half-deleted user must not stop the audit write
        return ""


def acting_user(request):
    """The logged-in user, or the user of a valid API token (set by interop's TokenMiddleware, the
    one place tokens are judged); None for anyone else, whatever headers they sent."""
    if request is None:
        return None
    token_user = getattr(request, "token_user", None)
    if token_user is not None:
        return token_user
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    return None


def write(action: str, *, request=None, user=None, object_type: str = "", object_id="", patient_id=None,
          status: int | None = None, detail: str = "", username: str = "", before=None, after=None,
          patients=()) -> AuditEvent:
    """Append one event to the chain. Who and where come from `request` (or the request being
    served); `patients` are the patients whose data it disclosed (one AuditDisclosure row each)."""
    if request is None:
        ctx = context.current()
        request = ctx.request if ctx else None
    if user is None:
        user = acting_user(request)
    event = AuditEvent(
        user=user if user is not None and user.pk else None,
        username=(user.get_username() if user is not None else username)[:150],
        role=_role(user) if user is not None else "",
        remote_addr=client_ip(request) if request is not None else "",
        action=action,
        object_type=object_type[:100],
        object_id=str(object_id or "")[:64],
        patient_id=int(patient_id) if patient_id is not None else None,
        path=(request.get_full_path() if request is not None else "")[:500],
        method=(getattr(request, "method", "") or "")[:10] if request is not None else "",
        status=status,
        detail=detail[:255],
        before=before,
        after=after,
    )
    event.disclosed = set(patients or ())
    event.save()
    ctx = context.current()
    if ctx is not None:
        ctx.written += 1
    return event
