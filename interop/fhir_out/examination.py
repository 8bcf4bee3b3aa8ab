"""Exporter for the trigger point examination recorded after a pain drawing: one Observation per
finding, the examined muscle (with its side) as body site, valueBoolean whether it was present,
derived from the drawing's Observation, and focused on the trigger point it was charted as, if any.
The finding is coded in our observation code system as `trp-<finding>` (e.g. trp-local-twitch)."""
from __future__ import annotations

from interop import fhir_codes as codes
from interop.fhir_export import CHUNK, Scope, concept, exporter, instant, muscle_site, person_name, ref
from referral.models import ExaminationFinding

EXAM = ("exam", "Exam")


@exporter("Observation")
def examination_findings(scope: Scope):
    findings = ExaminationFinding.objects.filter(drawing__patient__in=scope.patient_ids()).select_related(
        "drawing", "recorded_by")
    for finding in findings.order_by("pk").iterator(chunk_size=CHUNK):
        yield {
            "resourceType": "Observation",
            "id": f"exam-{finding.pk}",
            "status": "final",
            "category": [concept(codes.OBSERVATION_CATEGORY, *EXAM)],
            "code": concept(codes.OBSERVATION, f"trp-{finding.finding}", finding.label,
                            f"Trigger point examination: {finding.label}"),
            "subject": ref("Patient", finding.drawing.patient_id),
            "effectiveDateTime": instant(finding.recorded_at),
            "performer": [ref("Practitioner", finding.recorded_by_id, person_name(finding.recorded_by))]
            if finding.recorded_by_id else [],
            "bodySite": muscle_site(finding.muscle, finding.side),
            "valueBoolean": finding.present,
            "derivedFrom": [ref("Observation", f"drawing-{finding.drawing_id}")],
            "focus": [ref("BodyStructure", finding.trigger_point_id)] if finding.trigger_point_id else [],
        }
