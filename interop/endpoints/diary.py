"""Where it hurts: pain drawings (charted by staff) and the patient's pain diary.

Drawings: any staff role lists them, clinicians, nurses and administrators save new ones (as the
chart's body map does). The diary: the patient writes their own, one entry a day (a second entry
for a day replaces the first, as in the portal, with its drawing); staff read it, as the course
page shows it. Regions are written `CODE:side@intensity` (anatomy vocabulary; `@intensity` is
optional). Labels are English whatever the request's language.
"""
from __future__ import annotations

from datetime import date
from typing import Literal, Optional

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from ninja import Field, Query, Router, Status

from anatomy import vocabulary
from interop.access import (chart_check, clinical_read_check, diary_read_check, diary_reader, diary_write_check,
                            require_diary_writer)
from interop.auth import BearerToken
from interop.endpoints.common import (PageQuery, check_form, filter_by, form_data, get_or_404, paginate,
                                      responses)
from interop.problems import invalid
from interop.schemas import DiaryEntryIn, DiaryEntryOut, PainDrawingIn, PainDrawingOut, page_of
from patients.models import Patient
from portal import diary as diary_tools
from portal.forms import DiaryForm
from portal.models import DiaryEntry
from referral import drawings
from referral.models import PainDrawing
from tpclinic.limits import validate_clinical_day

router = Router(tags=["pain drawings and diary"])
DiaryPage = page_of(DiaryEntryOut)
DrawingPage = page_of(PainDrawingOut)


class DiaryQuery(PageQuery):
    day_from: Optional[date] = None
    day_to: Optional[date] = None


class DrawingQuery(PageQuery):
    drawn_from: Optional[date] = None
    drawn_to: Optional[date] = None
    source: Optional[Literal["clinician", "patient"]] = Field(None, description="patient: drawn in the diary.")


def place_out(mark: dict) -> dict:
    place = str(mark.get("place", ""))
    region, _, side = place.partition(":")
    return {"place": place, "region": region, "side": side or None,
            "label": vocabulary.place_label(vocabulary.Place(region, side or None), vocabulary.DEFAULT_LANGUAGE),
            "intensity": mark.get("intensity")}


def read_regions(items: list[str], default: int | None, field: str = "regions") -> tuple[list[dict], list[dict]]:
    """('CODE:side@n' items) -> (marks, field errors); an item without @n takes `default` (None: the body
    map's 5). Each item is checked alone so an error names it."""
    marks, errors, seen = [], [], set()
    for n, item in enumerate(items):
        try:
            parsed = drawings.parse_marks(item)
            if len(parsed) != 1:
                raise vocabulary.VocabularyError("Write one place per item, e.g. 'neck.angle:left@7'.")
        except vocabulary.VocabularyError as error:
            errors.append({"field": f"{field}.{n}", "message": str(error)})
            continue
        place, level = parsed[0]
        if place in seen:
            errors.append({"field": f"{field}.{n}", "message": f"{place} is marked twice."})
            continue
        seen.add(place)
        marks.append({"place": str(place), "intensity": level if "@" in item or default is None else default})
    return marks, errors


# ------------------------------------------------------------------ pain drawings


def drawing_out(drawing: PainDrawing) -> dict:
    entries = list(drawing.diary_entries.all())
    return {
        "id": drawing.pk, "patient": drawing.patient_id, "drawn_on": drawing.drawn_on, "source": drawing.source,
        "recorded_by": drawing.recorded_by_id, "regions": [place_out(m) for m in drawing.marks],
        "extent_pct": round(_extent(drawing), 2), "diary_entry": entries[0].pk if entries else None,
        "created_at": drawing.created_at,
    }


def _extent(drawing: PainDrawing) -> float:
    try:
        return drawing.extent_pct
    except (vocabulary.VocabularyError, KeyError):  # a stored place the vocabulary no longer knows
        return 0.0


def _drawings():
    return PainDrawing.objects.prefetch_related(Prefetch("diary_entries", queryset=DiaryEntry.objects.only("pk",
                                                                                                          "drawing")))


@router.get("/patients/{int:patient_id}/pain-drawings", auth=BearerToken(clinical_read_check),
            response=responses({200: DrawingPage}, 401, 403, 404, 422), summary="List a patient's pain drawings")
def list_pain_drawings(request, patient_id: int, query: Query[DrawingQuery]):
    patient = get_or_404(Patient.objects.all(), patient_id, "patient")
    found = filter_by(_drawings().filter(patient=patient), query, {
        "drawn_from": "drawn_on__gte", "drawn_to": "drawn_on__lte", "source": "source",
    })
    return paginate(found.order_by("drawn_on", "id"), query, drawing_out)


@router.post("/patients/{int:patient_id}/pain-drawings", auth=BearerToken(chart_check),
             response=responses({201: PainDrawingOut}, 400, 401, 403, 404, 422), summary="Save a pain drawing")
def create_pain_drawing(request, patient_id: int, payload: PainDrawingIn):
    patient = get_or_404(Patient.objects.all(), patient_id, "patient")
    marks, errors = read_regions(payload.regions, default=None)
    drawn_on = payload.drawn_on or timezone.localdate()
    try:
        validate_clinical_day(drawn_on)
    except ValidationError as error:
        errors.append({"field": "drawn_on", "message": " ".join(error.messages)})
    if errors:
        raise invalid(errors)
    with transaction.atomic():
        drawing = PainDrawing.objects.create(patient=patient, drawn_on=drawn_on, marks=marks,
                                             source=PainDrawing.Source.CLINICIAN, recorded_by=request.auth)
    return Status(201, drawing_out(get_or_404(_drawings(), drawing.pk, "pain drawing")))


# ------------------------------------------------------------------ the diary


def diary_out(entry: DiaryEntry) -> dict:
    return {
        "id": entry.pk, "patient": entry.patient_id, "day": entry.day, "pain": entry.pain, "note": entry.note,
        "drawing": entry.drawing_id, "updated_at": entry.updated_at,
        "regions": [place_out(m) for m in entry.drawing.marks] if entry.drawing_id else [],
    }


@router.get("/patients/{int:patient_id}/diary-entries", auth=BearerToken(diary_read_check),
            response=responses({200: DiaryPage}, 401, 403, 404, 422),
            summary="List a patient's pain diary (staff, or the patient's own login)")
def list_diary_entries(request, patient_id: int, query: Query[DiaryQuery]):
    patient = diary_reader(request.auth, patient_id)
    entries = filter_by(DiaryEntry.objects.filter(patient=patient).select_related("drawing"), query, {
        "day_from": "day__gte", "day_to": "day__lte",
    })
    return paginate(entries.order_by("day", "id"), query, diary_out)


@router.post("/patients/{int:patient_id}/diary-entries", auth=BearerToken(diary_write_check),
             response=responses({200: DiaryEntryOut, 201: DiaryEntryOut}, 400, 401, 403, 404, 422),
             summary="Write the day's diary entry (the patient's own login only; 200 when it replaced one)")
def save_diary_entry(request, patient_id: int, payload: DiaryEntryIn):
    patient = require_diary_writer(request.auth, patient_id)
    form = DiaryForm(form_data({"day": payload.day or timezone.localdate(), "pain": payload.pain,
                                "note": payload.note, "regions": ""}))  # the regions are read here, item by item
    marks, region_errors = read_regions(payload.regions, default=payload.pain)
    errors = check_form(form) + region_errors
    if errors:
        raise invalid(errors)
    data = form.cleaned_data
    entry, created = diary_tools.save_entry(patient, request.auth, day=data["day"], pain=data["pain"],
                                            note=data["note"].strip(), marks=marks)
    entry = DiaryEntry.objects.select_related("drawing").get(pk=entry.pk)
    return Status(201 if created else 200, diary_out(entry))
