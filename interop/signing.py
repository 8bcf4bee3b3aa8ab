"""Signing from the API: the treatment app's one signing service, with its refusals as problems."""
from __future__ import annotations

from interop.problems import conflict, invalid
from treatment import signing
from treatment.models import Session

AS_CONFLICT = {"signed", "stale"}


def sign(session: Session, user, version: int | None = None) -> Session:
    """Sign a draft or raise a Problem (409 signed/stale, 422 incomplete or blocked by the screen)."""
    try:
        return signing.sign(session, user, version)
    except signing.SignRefused as refused:
        if refused.kind in AS_CONFLICT:
            raise conflict(refused.message) from None
        if refused.kind == "not-allowed":
            raise invalid([{"field": "", "message": refused.message}], refused.message) from None
        raise invalid([{"field": "", "message": m} for m in refused.details or [refused.message]], refused.message) from None
