"""Signing a session: one service for the web UI and the JSON API.

A session is signed only by a clinician, only when it is complete (pain scores, consent, at least
one injection) and only when the safety screen does not block it. The screen as shown and the
CPT code are kept with the signed session, and the course's stored schedule is refreshed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from audit import events
from safety import present, session_check
from treatment.models import Session


@dataclass
class SignRefused(Exception):
    """Why a session was not signed. `kind`: not-allowed, signed, stale, incomplete or blocked."""

    kind: str
    message: str
    details: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return self.message


# What signing changes, recorded before and after in the audit event.
SIGNED_FIELDS = ("status", "signed_at", "signed_by", "screen_snapshot", "cpt_codes")


def sign(session: Session, user, version: int | None = None) -> Session:
    try:
        return _sign(session, user, version)
    except SignRefused as refused:
        events.record(events.Action.REFUSED, obj=session, user=user, detail=f"signing refused: {refused.kind}")
        raise


def _sign(session: Session, user, version: int | None) -> Session:
    if not roles.can_sign(user):
        raise SignRefused("not-allowed", _("Only a clinician can sign a session."))
    if session.is_signed:
        raise SignRefused("signed", _("This session is already signed; a signed session cannot be changed."))
    if version is not None and version != session.version:
        raise SignRefused("stale", _(
            "The session changed since you read it (version %(current)s, you sent %(sent)s). Read it again, "
            "check the changes, and sign that version.") % {"current": session.version, "sent": version})
    problems = session.sign_problems()
    if problems:
        raise SignRefused("incomplete", _("The session was not signed: ") + " ".join(problems), problems)
    result = session_check.check(session, session.injections.select_related("trigger_point"))
    if not result.can_sign:
        blocks = [present.finding_message(finding) for finding in result.screen.blocks]
        raise SignRefused("blocked", _("The session was not signed. The risk screen blocks it: ") + " ".join(blocks), blocks)
    before = events.snapshot(session, SIGNED_FIELDS)
    with transaction.atomic():
        updated = Session.objects.filter(pk=session.pk, status=Session.Status.DRAFT, version=session.version).update(
            status=Session.Status.SIGNED, signed_at=timezone.now(), signed_by=user,
            screen_snapshot=result.snapshot(), cpt_codes=",".join(result.cpt.codes),
        )
        if updated:
            session.course.refresh_schedule()
            events.record(events.Action.SIGN, obj=session, user=user, before=before,
                          after=events.snapshot(session, SIGNED_FIELDS))
    if not updated:
        raise SignRefused("stale", _(
            "Someone else saved or signed this session at the same moment; nothing was signed. Read it again and retry."))
    session.refresh_from_db()
    return session
