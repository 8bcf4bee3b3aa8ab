"""Import of pain drawings and pain diary entries (Observations, see fhir_out/drawings.py).

A pain drawing is recognised by its code (our observation code pain-drawing), a diary entry by
LOINC 72514-3 with our category pain-diary. Drawings run first (phase 0) so a diary entry finds
the drawing it is derived from, whatever the order of the Bundle.
"""
from __future__ import annotations

from django.contrib.auth import get_user_model

from anatomy import vocabulary
from interop import fhir_codes as codes
from interop.fhir_import import (Entry, Importer, Skip, codes_in, first_code, handler, parse_day, text)
from patients.models import Patient
from portal.models import DiaryEntry
from referral.models import PainDrawing

DRAWING = "pain-drawing"
DIARY = "pain-diary"


def is_drawing(resource: dict) -> bool:
    return DRAWING in codes_in(resource.get("code"), codes.OBSERVATION)


def is_diary_entry(resource: dict) -> bool:
    categories = [c for concept in resource.get("category", []) for c in codes_in(concept, codes.OBSERVATION)]
    return codes.PAIN_SCORE[0] in codes_in(resource.get("code"), codes.LOINC) and DIARY in categories


def _day(resource: dict, what: str):
    day = parse_day(resource.get("effectiveDateTime") or (resource.get("effectivePeriod") or {}).get("start"))
    if day is None:
        raise Skip(f"it has no day (effectiveDateTime) for the {what}.", "required")
    return day


def read_marks(resource: dict) -> list[dict]:
    """The drawing's marks from its components: region code, laterality extension, intensity."""
    marks = []
    for number, component in enumerate(resource.get("component", []), start=1):
        region = first_code(component.get("code"), codes.REGION)
        if region is None:
            continue  # a component that names no region of ours is not a mark
        laterality = next((codes.LATERALITY_BY_CODE.get(c) for ext in component.get("extension", [])
                           if ext.get("url") == codes.EXT_LATERALITY
                           for c in codes_in(ext.get("valueCodeableConcept"), codes.SNOMED)), None)
        try:
            place = vocabulary.check_place(region, laterality)
        except vocabulary.VocabularyError as error:
            raise Skip(f"its region {number} cannot be read: {error}", "code-invalid") from None
        mark = {"place": str(place)}
        value = component.get("valueInteger", (component.get("valueQuantity") or {}).get("value"))
        if value is not None:
            if isinstance(value, bool) or not 0 <= int(value) <= 10 or int(value) != value:
                raise Skip(f"the intensity of region {number} must be a whole number from 0 to 10.", "invalid")
            mark["intensity"] = int(value)
        marks.append(mark)
    return marks


@handler("Observation", when=is_drawing, phase=0)
def import_pain_drawing(ctx: Importer, entry: Entry):
    resource = entry.resource
    patient = ctx.patient_of(entry, resource.get("subject"))
    drawn_on = _day(resource, "drawing")
    marks = read_marks(resource)
    performers = resource.get("performer", [])
    by_patient = any(ctx.resolve(p, Patient, entry) == patient for p in performers)
    staff = next((u for u in (ctx.resolve(p, get_user_model(), entry) for p in performers) if u), None)
    drawing = ctx.existing(entry, PainDrawing)
    if drawing is not None and drawing.patient_id != patient.pk:
        raise Skip("it was imported before for a different patient.", "conflict")
    created = drawing is None
    drawing = drawing or PainDrawing(patient=patient)
    drawing.drawn_on, drawing.marks = drawn_on, marks
    drawing.source = PainDrawing.Source.PATIENT if by_patient else PainDrawing.Source.CLINICIAN
    drawing.recorded_by = staff or (patient.user if by_patient else None)
    ctx.write(drawing, exclude=["recorded_by"] if drawing.recorded_by is None else None)  # null, not blank
    return ("created" if created else "updated"), drawing, (
        f"pain drawing {drawing.pk} of patient {patient.pk} ({len(marks)} regions).")


@handler("Observation", when=is_diary_entry, phase=1)
def import_diary_entry(ctx: Importer, entry: Entry):
    resource = entry.resource
    patient = ctx.patient_of(entry, resource.get("subject"))
    day = _day(resource, "diary entry")
    pain = resource.get("valueInteger", (resource.get("valueQuantity") or {}).get("value"))
    if pain is None or isinstance(pain, bool) or int(pain) != pain:
        raise Skip("it has no pain score (valueInteger 0-10).", "required")
    drawing = None
    for reference in resource.get("derivedFrom", []):
        drawing = drawing or ctx.resolve(reference, PainDrawing, entry)
    if drawing is not None and drawing.patient_id != patient.pk:
        raise Skip("the drawing it is derived from belongs to another patient.", "conflict")
    diary = ctx.existing(entry, DiaryEntry)
    if diary is not None and diary.patient_id != patient.pk:
        raise Skip("it was imported before for a different patient.", "conflict")
    same_day = ctx.diary_days.get((patient.pk, day))
    if same_day is None and ("patient", patient.pk) not in ctx.created:  # a new patient has none stored yet
        same_day = DiaryEntry.objects.filter(patient=patient, day=day).exclude(pk=getattr(diary, "pk", None)).first()
    if same_day is not None and same_day is diary:
        same_day = None
    if same_day is not None:
        if diary is not None:
            raise Skip(f"patient {patient.pk} already has another diary entry for {day}.", "duplicate")
        diary = same_day  # one entry a day: the day's entry is updated, as in the portal
    created = diary is None
    diary = diary or DiaryEntry(patient=patient)
    diary.day, diary.pain, diary.drawing = day, int(pain), drawing
    diary.note = "\n\n".join(text(n.get("text")) for n in resource.get("note", []) if text(n.get("text")))
    ctx.write(diary)
    ctx.diary_days[(patient.pk, day)] = diary  # the next entry for that day finds it before it is written
    return ("created" if created else "updated"), diary, f"diary entry of patient {patient.pk} for {day}."
