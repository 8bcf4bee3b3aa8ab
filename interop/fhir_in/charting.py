"""Import of charted trigger points (BodyStructure with our muscle code and trigger-point extension)."""
from __future__ import annotations

from charting.models import TriggerPoint
from interop import fhir_codes as codes
from interop.fhir_import import Entry, Importer, Skip, codes_in, extensions, first_code, handler, one, parse_day, text


# ------------------------------------------------------------------ charting


@handler("BodyStructure")
def import_trigger_point(ctx: Importer, entry: Entry):
    resource = entry.resource
    muscle = first_code(resource.get("location"), codes.MUSCLE)
    if muscle is None:
        raise Skip(f"it is not a trigger point in tpclinic's muscle vocabulary (location coded in {codes.MUSCLE}).",
                   "not-supported")
    patient = ctx.patient_of(entry, resource.get("patient"), "patient")
    sides = [codes.LATERALITY_BY_CODE[c] for q in resource.get("locationQualifier", [])
             for c in codes_in(q, codes.SNOMED) if c in codes.LATERALITY_BY_CODE]
    parts = extensions(resource, codes.EXT_TRIGGER_POINT)
    region = (one(parts, "region") or {}).get("code")
    missing = [name for name, value in (("side (locationQualifier)", sides), ("region", region),
                                        ("view", one(parts, "view")), ("mapX", one(parts, "mapX")),
                                        ("mapY", one(parts, "mapY")), ("foundOn", one(parts, "foundOn")))
               if value in (None, [], "")]
    if missing:
        raise Skip(f"it lacks {', '.join(missing)} (extension {codes.EXT_TRIGGER_POINT}).", "required")
    point = ctx.existing(entry, TriggerPoint)
    if point is not None and point.patient_id != patient.pk:
        raise Skip("it was imported before for a different patient.", "conflict")
    created = point is None
    point = point or TriggerPoint(patient=patient)
    findings = set(parts.get("finding", []))
    point.muscle, point.side, point.region = muscle, sides[0], region
    point.region_side = one(parts, "regionSide", "")
    point.view, point.map_x, point.map_y = one(parts, "view"), float(one(parts, "mapX")), float(one(parts, "mapY"))
    point.activity = one(parts, "activity", TriggerPoint.Activity.ACTIVE)
    for name, code in codes.FINDINGS.items():
        setattr(point, name, code in findings)
    point.found_on = parse_day(one(parts, "foundOn"))
    point.resolved_on = parse_day(one(parts, "resolvedOn"))
    point.notes = text(one(parts, "notes", ""))
    ctx.write(point)
    return ("created" if created else "updated"), point, f"trigger point {point} of patient {patient.pk}."
