"""Exporters for where it hurts: pain drawings and the patient's pain diary, as Observations.

R4's Observation.bodySite holds one site, and a drawing marks many: each marked place is a
component whose code is the region (our body-region code system, English label), whose
extension `laterality` is the SNOMED side of a paired region, and whose valueInteger is the
intensity 0-10. A diary entry is the day's pain score (LOINC 72514-3, category survey plus our
`pain-diary`), derived from its drawing when it has one, with the same components.
"""
from __future__ import annotations

from interop import fhir_codes as codes
from interop.fhir_export import (Scope, concept, exporter, person_fields, person_ref, place_text, ref, region_coding,
                                 rows)
from portal.models import DiaryEntry
from referral.models import PainDrawing

SURVEY = ("survey", "Survey")
DIARY_CATEGORY = ("pain-diary", "Patient's pain diary")
DRAWING_CODE = ("pain-drawing", "Pain drawing")


def split_place(place: str) -> tuple[str, str | None]:
    """`CODE:side` or `CODE` (a midline region) -> (region, side or None)."""
    region, _, side = (place or "").partition(":")
    return region, side or None


def place_components(marks: list) -> list[dict]:
    """One component per marked place, in the drawing's order."""
    out = []
    for mark in marks or []:
        region, side = split_place(str(mark.get("place", "")))
        laterality = codes.LATERALITY.get(side or "")
        component = {
            "extension": [{"url": codes.EXT_LATERALITY, "valueCodeableConcept": concept(codes.SNOMED, *laterality)}]
            if laterality else [],
            "code": {"coding": [region_coding(region)], "text": place_text(region, side)},
        }
        if mark.get("intensity") is not None:
            component["valueInteger"] = int(mark["intensity"])
        out.append(component)
    return out


def drawing_performers(drawing: dict) -> list[dict]:
    """The patient when they drew it; the member of staff who recorded it (never a patient's login)."""
    out = []
    if drawing["source"] == PainDrawing.Source.PATIENT:
        out.append(ref("Patient", drawing["patient_id"]))
    if drawing["recorded_by_id"] and drawing["recorded_by_id"] != drawing["patient__user_id"]:
        out.append(person_ref(drawing, "recorded_by"))
    return out


@exporter("Observation")
def pain_drawings(scope: Scope):
    drawings = PainDrawing.objects.filter(patient__in=scope.patient_ids()).order_by("pk")
    fields = ("pk", "patient_id", "patient__user_id", "source", "drawn_on", "marks", "recorded_by_id",
              *person_fields("recorded_by"))
    for drawing in rows(drawings, *fields):
        yield {
            "resourceType": "Observation",
            "id": f"drawing-{drawing['pk']}",
            "status": "final",
            "category": [concept(codes.OBSERVATION_CATEGORY, *SURVEY)],
            "code": concept(codes.OBSERVATION, *DRAWING_CODE, "Pain drawing: the painful regions, 0-10 each"),
            "subject": ref("Patient", drawing["patient_id"]),
            "effectiveDateTime": drawing["drawn_on"].isoformat(),
            "performer": drawing_performers(drawing),
            "component": place_components(drawing["marks"]),
        }


@exporter("Observation")
def diary_entries(scope: Scope):
    entries = DiaryEntry.objects.filter(patient__in=scope.patient_ids()).order_by("pk")
    for entry in rows(entries, "pk", "patient_id", "day", "pain", "note", "drawing_id", "drawing__marks"):
        yield {
            "resourceType": "Observation",
            "id": f"diary-{entry['pk']}",
            "status": "final",
            "category": [concept(codes.OBSERVATION_CATEGORY, *SURVEY), concept(codes.OBSERVATION, *DIARY_CATEGORY)],
            "code": concept(codes.LOINC, *codes.PAIN_SCORE),
            "subject": ref("Patient", entry["patient_id"]),
            "effectiveDateTime": entry["day"].isoformat(),
            "performer": [ref("Patient", entry["patient_id"])],
            "valueInteger": entry["pain"],
            "note": [{"text": entry["note"]}] if entry["note"].strip() else [],
            "derivedFrom": [ref("Observation", f"drawing-{entry['drawing_id']}")] if entry["drawing_id"] else [],
            "component": place_components(entry["drawing__marks"]) if entry["drawing_id"] else [],
        }
