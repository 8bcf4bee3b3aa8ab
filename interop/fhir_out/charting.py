"""Exporter for charted trigger points: BodyStructure with our trigger-point extension."""
from __future__ import annotations

from functools import cache

from anatomy import vocabulary
from charting.models import TriggerPoint
from interop import fhir_codes as codes
from interop.fhir_export import Scope, concept, exporter, extension, labels, muscle_site, ref, region_coding, rows, sub


# ------------------------------------------------------------------ charting


FIELDS = ("pk", "patient_id", "muscle", "side", "region", "region_side", "view", "map_x", "map_y", "activity",
          "found_on", "resolved_on", "notes", *codes.FINDINGS)


@exporter("BodyStructure")
def trigger_points(scope: Scope):
    activities = labels(TriggerPoint, "activity")
    site = cache(muscle_site)  # once per export

    @cache
    def findings(*present: bool) -> list[str]:
        """The model's own English words for a combination of findings (TriggerPoint.findings), once each."""
        return TriggerPoint(**dict(zip(codes.FINDINGS, present))).findings

    for tp in rows(TriggerPoint.objects.filter(patient__in=scope.patient_ids()).order_by("pk"), *FIELDS):
        present = tuple(tp[name] for name in codes.FINDINGS)
        laterality = codes.LATERALITY.get(tp["side"])
        yield {
            "resourceType": "BodyStructure",
            "id": str(tp["pk"]),
            "extension": [extension(codes.EXT_TRIGGER_POINT, [
                {"url": "region", "valueCoding": region_coding(tp["region"])},
                sub("regionSide", "Code", tp["region_side"]),
                sub("view", "Code", tp["view"]),
                sub("mapX", "Decimal", tp["map_x"]),
                sub("mapY", "Decimal", tp["map_y"]),
                sub("activity", "Code", tp["activity"]),
                *[sub("finding", "Code", code) for code, there in zip(codes.FINDINGS.values(), present) if there],
                sub("foundOn", "Date", tp["found_on"].isoformat()),
                sub("resolvedOn", "Date", tp["resolved_on"].isoformat() if tp["resolved_on"] else None),
                sub("notes", "String", tp["notes"]),
            ])],
            "active": tp["resolved_on"] is None,
            "morphology": concept(codes.FINDING, "myofascial-trigger-point", "Myofascial trigger point",
                                  f"Myofascial trigger point ({tp['activity']})"),
            "location": site(tp["muscle"], ""),
            "locationQualifier": [concept(codes.SNOMED, *laterality)] if laterality else [],
            "description": "; ".join([f"{vocabulary.muscle_label(tp['muscle'])}, {tp['side']}",  # in English
                                      activities.get(tp["activity"], tp["activity"]), *findings(*present)]),
            "patient": ref("Patient", tp["patient_id"]),
        }
