"""Examination findings leave in FHIR as Observations with the muscle as body site."""
import pytest

from interop import fhir_codes as codes
from interop.fhir_export import patient_everything
from referral.models import ExaminationFinding, PainDrawing

pytestmark = pytest.mark.django_db


def test_each_finding_is_an_observation_of_the_muscle_derived_from_its_drawing(patient, clinician):
    drawing = PainDrawing.objects.create(patient=patient, marks=[{"place": "shoulder.front:right", "intensity": 6}],
                                         recorded_by=clinician)
    present = ExaminationFinding.objects.create(drawing=drawing, muscle="infraspinatus", side="right",
                                                finding="local-twitch", present=True, recorded_by=clinician)
    ExaminationFinding.objects.create(drawing=drawing, muscle="infraspinatus", side="right",
                                      finding="referred-pain", present=False)
    bundle = patient_everything(patient)  # each resource is validated against FHIR R4 on the way out
    found = {e["resource"]["id"]: e["resource"] for e in bundle["entry"]
             if e["resource"]["resourceType"] == "Observation" and e["resource"]["id"].startswith("exam-")}
    assert len(found) == 2
    twitch = found[f"exam-{present.pk}"]
    assert twitch["valueBoolean"] is True
    assert twitch["code"]["coding"][0] == {"system": codes.OBSERVATION, "code": "trp-local-twitch",
                                           "display": "Local twitch response"}
    assert twitch["bodySite"]["coding"][0]["code"] == "infraspinatus"
    assert twitch["bodySite"]["text"].endswith(", right")
    assert twitch["derivedFrom"] == [{"reference": f"Observation/drawing-{drawing.pk}"}]
    assert twitch["subject"] == {"reference": f"Patient/{patient.pk}"}
    assert twitch["performer"][0]["reference"] == f"Practitioner/{clinician.pk}"
    absent = next(r for r in found.values() if r["id"] != twitch["id"])
    assert absent["valueBoolean"] is False and "performer" not in absent
