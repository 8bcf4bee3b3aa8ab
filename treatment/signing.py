"""Signing a session: one service for the web UI and the JSON API.

A session is signed by its own clinician; a covering clinician co-signs it only with an
attestation that says why, kept as a CoSignature. It is signed only once it has happened (its
date and time are not in the future), only in the version the signer read, only when it is
complete (pain scores, consent, at least one injection) and only when the safety screen does not
block it. The screen as shown and the CPT code are kept with the signed session, the course's
stored schedule is refreshed, and the signature is written to the audit trail as its own event.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts import roles
from audit import events
from safety import present
from safety.coding import IMAGING_ADDON
from tpclinic.versioning import StaleVersion
from treatment import note, signals, workflow
from treatment.models import CoSignature, Session

ATTESTATION_MAX = 500


@dataclass
class SignRefused(Exception):
    """Why a session was not signed. `kind`: not-allowed, not-yours, not-yet, signed, stale, incomplete or blocked."""

    kind: str
    message: str
    details: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return self.message


# What signing changes, recorded before and after in the audit event.
SIGNED_FIELDS = ("status", "signed_at", "signed_by", "screen_snapshot", "cpt_codes", "version")


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def _check_signer(session: Session, user, attestation: str) -> None:
    if not roles.can_sign(user):
        raise SignRefused("not-allowed", _("Only a clinician can sign a session."))
    if user.pk == session.clinician_id:
        return
    if not attestation:
        raise SignRefused("not-yours", _(
            "This is %(clinician)s's session: only they sign it. If you are covering for them, co-sign it with "
            "an attestation that says why (for example, that you performed or supervised it in their absence)."
        ) % {"clinician": _name(session.clinician)})
    if len(attestation) > ATTESTATION_MAX:
        raise SignRefused("incomplete", _("Keep the attestation to %(max)s characters.") % {"max": ATTESTATION_MAX})


def _check_imaging_addon(session: Session, cpt) -> None:
    """The imaging-guidance add-on goes on the bill only when the clinician asked for it, a counted site was
    guided, and the patient's payer does not refuse it (safety.coding.imaging_addon's `covered`)."""
    if not session.bill_imaging_guidance:
        return
    addons = [n for n in cpt.notes if n.rule == IMAGING_ADDON]
    if not addons:
        raise SignRefused("incomplete", _(
            "The session was not signed: the imaging-guidance add-on is to be billed, but no injected site was "
            "ultrasound-guided. Untick “Bill the imaging-guidance add-on”, or set the guidance of the site that was."))
    refused = [n for n in addons if n.params.get("covered") is False]
    if refused:
        raise SignRefused("incomplete", _(
            "The session was not signed: %(policy)s does not cover imaging guidance for trigger point injections, "
            "so the add-on is not put on its bill. Untick “Bill the imaging-guidance add-on”; with the patient's "
            "signed advance notice (ABN), the billing office bills it to the patient.")
            % {"policy": present.policy(refused[0].params)})


def sign(session: Session, user, version: int | None, attestation: str = "") -> Session:
    """Sign the draft `session` as `user`, who read `version`; co-sign when `user` is not its clinician.
    A refusal is audited with its reason, then raised."""
    try:
        return _sign(session, user, version, attestation)
    except SignRefused as refused:
        events.record(events.Action.REFUSED, obj=session, user=user, detail=f"signing refused: {refused.kind}")
        raise


def _sign(session: Session, user, version: int | None, attestation: str) -> Session:
    attestation = (attestation or "").strip()
    _check_signer(session, user, attestation)
    if session.is_signed:
        raise SignRefused("signed", _("This session is already signed; a signed session cannot be changed."))
    if not version or version != session.version:
        raise SignRefused("stale", StaleVersion(session, version).message)
    now = timezone.now()
    if session.performed_at > now:
        raise SignRefused("not-yet", _(
            "This session is dated %(when)s, which has not come yet; a procedure is signed only after it is "
            "performed. Correct its date and time, or sign it then."
        ) % {"when": date_format(timezone.localtime(session.performed_at), "DATETIME_FORMAT")})
    problems = session.sign_problems()
    if problems:
        raise SignRefused("incomplete", _("The session was not signed: ") + " ".join(problems), problems)
    result = workflow.check(session)
    if not result.can_sign:
        blocks = [present.finding_message(finding) for finding in result.screen.blocks]
        raise SignRefused("blocked", _("The session was not signed. The risk screen blocks it: ") + " ".join(blocks), blocks)
    _check_imaging_addon(session, result.cpt)
    cosigning = user.pk != session.clinician_id
    before = events.snapshot(session, SIGNED_FIELDS)
    with transaction.atomic():
        # Signing is a change of the record: the version moves on, so a form or API client that read
        # the draft is refused as stale rather than told it is looking at the current version.
        updated = Session.objects.filter(pk=session.pk, status=Session.Status.DRAFT, version=session.version).update(
            status=Session.Status.SIGNED, signed_at=now, signed_by=user, version=F("version") + 1,
            screen_snapshot=present.snapshot(result), cpt_codes=",".join(result.cpt.codes),
        )
        if updated:
            if cosigning:
                CoSignature.objects.create(session=session, signed_by=user, on_behalf_of=session.clinician,
                                           signed_at=now, reason=attestation)
            session.course.refresh_schedule()
            note.write_for(session)  # the procedure note, written once, in the signer's language
            signals.session_signed.send(sender=Session, session=session)
            after = events.snapshot(session, SIGNED_FIELDS)
            if cosigning:
                after.update({"on_behalf_of": session.clinician_id, "attestation": attestation})
            # Last in the transaction: the audit chain's head stays locked from here to the commit, and
            # every audited request on every app server waits for it (benchmarks/cluster.py).
            events.record(events.Action.COSIGN if cosigning else events.Action.SIGN, obj=session, user=user,
                          before=before, after=after)
    if not updated:
        raise SignRefused("stale", _(
            "Someone else saved or signed this session at the same moment; nothing was signed. Read it again and retry."))
    session.refresh_from_db()
    return session
