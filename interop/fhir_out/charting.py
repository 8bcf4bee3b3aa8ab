"""Exporter for charted trigger points: BodyStructure with our trigger-point extension."""
from __future__ import annotations

from anatomy import vocabulary
from charting.models import TriggerPoint
from interop import fhir_codes as codes
from interop.fhir_export import CHUNK, Scope, concept, exporter, extension, muscle_site, ref, region_coding, sub


# ------------------------------------------------------------------ charting


@exporter("BodyStructure")
def trigger_points(scope: Scope):
    for tp in TriggerPoint.objects.filter(patient__in=scope.patients).order_by("pk").iterator(chunk_size=CHUNK):
        findings = [code for name, code in codes.FINDINGS.items() if getattr(tp, name)]
        laterality = codes.LATERALITY.get(tp.side)
        yield {
            "resourceType": "BodyStructure",
            "id": str(tp.pk),
            "extension": [extension(codes.EXT_TRIGGER_POINT, [
                {"url": "region", "valueCoding": region_coding(tp.region)},
                sub("regionSide", "Code", tp.region_side),
                sub("view", "Code", tp.view),
                sub("mapX", "Decimal", tp.map_x),
                sub("mapY", "Decimal", tp.map_y),
                sub("activity", "Code", tp.activity),
                *[sub("finding", "Code", code) for code in findings],
                sub("foundOn", "Date", tp.found_on.isoformat()),
                sub("resolvedOn", "Date", tp.resolved_on.isoformat() if tp.resolved_on else None),
                sub("notes", "String", tp.notes),
            ])],
            "active": tp.resolved_on is None,
            "morphology": concept(codes.FINDING, "myofascial-trigger-point", "Myofascial trigger point",
                                  f"Myofascial trigger point ({tp.activity})"),
            "location": muscle_site(tp.muscle, ""),
            "locationQualifier": [concept(codes.SNOMED, *laterality)] if laterality else [],
            "description": "; ".join([f"{vocabulary.muscle_label(tp.muscle)}, {tp.side}",
                                      str(tp.get_activity_display()), *tp.findings]),  # built in English
            "patient": ref("Patient", tp.patient_id),
        }
