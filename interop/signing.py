"""Signing from the API: the treatment app's one signing service, with its refusals as problems."""
from __future__ import annotations

from interop.problems import conflict, forbidden, invalid
from treatment import signing
from treatment.models import Session

AS_CONFLICT = {"signed", "stale"}
AS_FORBIDDEN = {"not-allowed", "not-yours"}


def sign(session: Session, user, version: int | None, attestation: str = "") -> Session:
    """Sign a draft or raise a Problem (403 not the signer, 409 signed/stale, 422 not yet performed,
    incomplete or blocked by the screen)."""
    try:
        return signing.sign(session, user, version, attestation)
    except signing.SignRefused as refused:
        if refused.kind in AS_CONFLICT:
            raise conflict(refused.message) from None
        if refused.kind in AS_FORBIDDEN:
            raise forbidden(refused.message) from None
        raise invalid([{"field": "", "message": m} for m in refused.details or [refused.message]], refused.message) from None
