"""Signing a session from the API, with the same checks as the web UI's sign button.

The web UI (treatment.views._sign) refuses unless a clinician signs, the session is complete
(sign_problems) and the safety screen does not block it; it then keeps the screen as shown and
the CPT code with the session, and refreshes the course's stored schedule. This module repeats
those steps for the API. The safety app is used when it is installed (guarded import), so the
API keeps working while it is being built. Better: treatment exposes one `sign(session, user)`
service that both call (see the interop report).
"""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from interop.problems import conflict, invalid
from treatment.models import Session


def _session_check():
    try:
        from safety import session_check
    except ImportError:
        return None
    return session_check


def _has_field(name: str) -> bool:
    return any(f.name == name for f in Session._meta.get_fields())


def sign(session: Session, user, version: int | None = None) -> Session:
    """Sign a draft or raise a Problem (409 signed/stale, 422 incomplete or blocked by the screen)."""
    if session.is_signed:
        raise conflict("This session is already signed; a signed session cannot be changed or signed again.")
    if version is not None and version != session.version:
        raise conflict(f"The session changed since you read it (version {session.version}, you sent {version}). "
                       "Read it again, check the changes, and sign that version.")
    problems = session.sign_problems()
    if problems:
        raise invalid([{"field": "", "message": p} for p in problems],
                      "The session was not signed: " + " ".join(problems))
    changes = {"status": Session.Status.SIGNED, "signed_at": timezone.now(), "signed_by": user}
    checker = _session_check()
    if checker is not None:
        result = checker.check(session, session.injections.select_related("trigger_point"))
        if not result.can_sign:
            blocks = [f.message for f in result.screen.blocks]
            raise invalid([{"field": "", "message": m} for m in blocks],
                          "The session was not signed. The risk screen blocks it: " + " ".join(blocks))
        if _has_field("screen_snapshot"):
            changes["screen_snapshot"] = result.snapshot()
        if _has_field("cpt_codes"):
            changes["cpt_codes"] = ",".join(result.cpt.codes)
    with transaction.atomic():
        updated = Session.objects.filter(pk=session.pk, status=Session.Status.DRAFT, version=session.version).update(
            **changes,
        )
        if updated:
            refresh_schedule(session.course)
    if not updated:
        raise conflict("Someone else saved or signed this session at the same moment; nothing was signed. "
                       "Read it again and retry.")
    session.refresh_from_db()
    return session


def refresh_schedule(course) -> None:
    """Update the course's stored next-due date and session count, as the web UI does after signing."""
    refresh = getattr(course, "refresh_schedule", None)
    if refresh is not None:
        refresh()
