"""The specialists directory: list with filters and a complaint search, and one specialist by slug.

Public, like the web directory (/specialists/): no token is needed, and a token sent is not
checked. Search (`q`, a complaint or body region in English, Spanish or Arabic) uses
directory.search as the web page does, but where the page shows everyone when it understands
nothing, the API answers an empty list with `complaints: []`, so a client can tell.
"""
from __future__ import annotations

from typing import Optional

from django.db.models import Prefetch
from ninja import Field, Query, Router

from directory import taxonomy
from directory.models import Location, Specialist
from directory.search import match_complaints, specialties_for, specialty_scores_for_codes
from interop.endpoints.common import PageQuery, responses
from interop.problems import not_found
from interop.schemas import Id, SpecialistOut, SpecialistPage, Text

router = Router(tags=["specialists"])
LANGUAGE_TAG = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
TAXONOMY_CODE = r"^[0-9]{3}[0-9A-Z]{6}X$"


class SpecialistQuery(PageQuery):
    q: Optional[Text] = Field(None, max_length=200, description="A complaint or body region, e.g. 'knee pain', "
                              "'dolor de rodilla', or a region code such as knee.front.")
    language: Optional[str] = Field(None, max_length=35, pattern=LANGUAGE_TAG,
                                    description="BCP 47: es matches es and es-MX; es-MX only es-MX.")
    specialty: Optional[str] = Field(None, pattern=TAXONOMY_CODE, description="NUCC taxonomy code; a "
                                     "classification code (e.g. 225100000X) includes its specializations.")
    location: Optional[Id] = None
    accepting: Optional[bool] = Field(None, description="true: accepting new patients; false: not accepting.")
    tpi: Optional[bool] = Field(None, description="true: performs trigger point injections.")


def specialist_out(specialist: Specialist, score: float | None = None) -> dict:
    return {
        **{field: getattr(specialist, field) for field in (
            "slug", "name", "credentials", "taxonomy_code", "accepting_new_patients",
            "performs_trigger_point_injections", "bio", "bio_language",
        )},
        "specialty": str(taxonomy.label(specialist.taxonomy_code)),
        "languages": specialist.language_list,
        "locations": [{"id": loc.pk, "name": loc.name, "address": loc.address, "city": loc.city, "phone": loc.phone}
                      for loc in specialist.locations.all()],
        "match_score": score,
    }


def _specialists():
    return Specialist.objects.prefetch_related(Prefetch("locations", queryset=Location.objects.order_by("name", "pk")))


@router.get("/specialists", auth=None, response=responses({200: SpecialistPage}, 422),
            summary="Find specialists (public): filters, and search by complaint or body region")
def list_specialists(request, query: Query[SpecialistQuery]):
    found = _specialists()
    if query.specialty:
        found = found.with_taxonomy(taxonomy.family(query.specialty))
    if query.language:
        found = found.speaking(query.language)
    if query.location:
        found = found.filter(locations=query.location)
    if query.accepting is not None:
        found = found.filter(accepting_new_patients=query.accepting)
    if query.tpi is not None:
        found = found.filter(performs_trigger_point_injections=query.tpi)
    complaints, codes, scores = [], [], None
    words = (query.q or "").strip()
    if words:
        complaints = [match.complaint.label_for("en") for match in match_complaints(words)[:3]]
        codes = specialties_for(words)
        scores = specialty_scores_for_codes(codes) if codes else {}
        found = found.with_taxonomy(scores)
    results = list(found.distinct().order_by("name", "pk"))
    if scores is not None:
        results.sort(key=lambda item: (-scores.get(item.taxonomy_code, 0), item.name, item.pk))
    page = results[query.offset:query.offset + query.limit]
    return {
        "count": len(results), "limit": query.limit, "offset": query.offset,
        "complaints": complaints if codes else [], "specialties": [code for code, _ in codes[:6]],
        "items": [specialist_out(s, scores.get(s.taxonomy_code) if scores is not None else None) for s in page],
    }


@router.get("/specialists/{slug}", auth=None, response=responses({200: SpecialistOut}, 404),
            summary="Read one specialist (public)")
def get_specialist(request, slug: str):
    specialist = _specialists().filter(slug=slug).first()
    if specialist is None:
        raise not_found("specialist", slug)
    return specialist_out(specialist)
