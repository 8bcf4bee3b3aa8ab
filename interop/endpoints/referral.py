"""Referral-pattern ranking: which muscles' trigger points explain a pain drawing.

Any staff role may ask: it reads no record and writes nothing.
"""
from __future__ import annotations

from ninja import Router

from interop.access import require_clinical_read
from interop.endpoints.common import responses
from interop.problems import invalid
from interop.schemas import RankIn, RankOut
from referral import ranking

router = Router(tags=["referral"])


@router.post("/referral/rank", response=responses({200: RankOut}, 400, 401, 403, 422),
             summary="Rank muscles whose referral patterns explain a pain drawing")
def rank(request, payload: RankIn):
    require_clinical_read(request.auth)
    try:
        candidates = ranking.rank(payload.drawing, top=payload.top)
    except (ranking.DrawingError, ValueError) as error:
        raise invalid([{"field": "drawing", "message": str(error)}]) from None
    return {"candidates": [c.to_dict() for c in candidates]}
