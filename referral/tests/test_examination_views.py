"""The examination in the loop, through the pages: findings recorded after a saved drawing update
the ranking, are audited with before and after, refuse bad input without change, and a muscle that
meets the criteria is charted in one click with its findings attached."""
import re
from datetime import date

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from charting.models import TriggerPoint
from referral.models import ExaminationFinding, PainDrawing

pytestmark = pytest.mark.django_db
FRONT_OF_SHOULDER = "shoulder.front:right"


def order(body: str) -> list[tuple[str, str]]:
    """The ranked candidates in page order (not the muscle layer's outlines, which carry the same attributes)."""
    return re.findall(r'<li class="candidate" data-muscle="([^"]+)" data-side="([^"]+)"', body)


@pytest.fixture
def drawing(clinician_client, patient):
    clinician_client.post(reverse("referral:save_drawing", args=[patient.pk]), {"regions": FRONT_OF_SHOULDER})
    return PainDrawing.objects.get(patient=patient)


def examine(client, patient, drawing, muscle, finding, present="yes", side="right"):
    return client.post(reverse("referral:examine", args=[patient.pk]), {
        "drawing": drawing.pk, "muscle": muscle, "side": side, "finding": finding, "present": present})


def test_the_saved_ranking_offers_the_examination(clinician_client, patient, drawing):
    chart = clinician_client.get(reverse("patients:chart", args=[patient.pk])).content.decode()
    assert "Spot tenderness in a taut band" in chart and "One region marked" in chart
    assert f'name="drawing" value="{drawing.pk}"' in chart


def test_two_findings_reorder_the_ranking_and_are_saved_with_the_drawing(clinician_client, patient, drawing):
    before = order(clinician_client.get(reverse("patients:chart", args=[patient.pk])).content.decode())
    second = before[1][0]
    examine(clinician_client, patient, drawing, second, "spot-tenderness")
    response = examine(clinician_client, patient, drawing, second, "recognised-pain")
    assert response.status_code == 200
    after = order(response.content.decode())
    assert after[0] == (second, "right") and after[1] == before[0]
    assert drawing.findings_map() == {(second, "right"): {"spot-tenderness": True, "recognised-pain": True}}
    assert "Meets the trigger point criteria." in response.content.decode()


def test_recording_again_changes_the_finding_and_the_audit_says_before_and_after(clinician_client, patient, drawing):
    examine(clinician_client, patient, drawing, "infraspinatus", "local-twitch", "yes")
    examine(clinician_client, patient, drawing, "infraspinatus", "local-twitch", "no")
    row = ExaminationFinding.objects.get()
    assert row.present is False
    details = list(AuditEvent.objects.filter(object_type="referral.examinationfinding", patient_id=patient.pk)
                   .order_by("id").values_list("detail", flat=True))
    assert details[-2].endswith("local-twitch: not recorded -> present")
    assert details[-1].endswith("local-twitch: present -> absent")
    examine(clinician_client, patient, drawing, "infraspinatus", "local-twitch", "clear")
    assert not ExaminationFinding.objects.exists()


@pytest.mark.parametrize("change, message", [
    ({"finding": "hot-skin"}, "Unknown examination finding"),
    ({"present": "maybe"}, "present or absent"),
    ({"muscle": "popliteus-major"}, "Choose a muscle"),
    ({"side": "both"}, "Choose a muscle"),
    ({"drawing": ""}, "Save the pain drawing"),
])
def test_bad_examination_input_is_refused_and_changes_nothing(clinician_client, patient, drawing, change, message):
    data = {"drawing": drawing.pk, "muscle": "infraspinatus", "side": "right", "finding": "local-twitch",
            "present": "yes", **change}
    response = clinician_client.post(reverse("referral:examine", args=[patient.pk]), data)
    assert response.status_code == 422 and message in response.content.decode()
    assert not ExaminationFinding.objects.exists()


def test_another_patients_drawing_cannot_be_examined(clinician_client, patient, drawing):
    from patients.models import Patient

    other = Patient.objects.create(mrn="TP0002", given_name="Ana", family_name="Ruiz", birth_date=date(1990, 1, 1),
                                   sex="female")
    response = examine(clinician_client, other, drawing, "infraspinatus", "local-twitch")
    assert response.status_code == 422 and "not this patient" in response.content.decode()
    assert not ExaminationFinding.objects.exists()


def test_front_desk_may_not_record_findings(client, front_desk, patient, drawing):
    client.force_login(front_desk)
    assert examine(client, patient, drawing, "infraspinatus", "local-twitch").status_code == 403
    assert not ExaminationFinding.objects.exists()


def test_a_muscle_meeting_the_criteria_is_charted_in_one_click_with_its_findings(clinician_client, patient, drawing):
    for finding in ("spot-tenderness", "recognised-pain", "local-twitch"):
        examine(clinician_client, patient, drawing, "infraspinatus", finding)
    examine(clinician_client, patient, drawing, "infraspinatus", "referred-pain", "no")
    response = clinician_client.post(reverse("referral:chart_examined", args=[patient.pk]),
                                     {"drawing": drawing.pk, "candidate": "infraspinatus:right"})
    assert response.status_code == 302
    point = TriggerPoint.objects.get()
    assert (point.muscle, point.side, point.region, point.region_side) == ("infraspinatus", "right", "scapula.body", "right")
    assert point.activity == "active" and point.taut_band and point.local_twitch_response
    assert not point.referred_pain_reproduced
    assert "Local twitch response: present" in point.notes and "Referred pain on compression: absent" in point.notes
    assert set(point.examination_findings.values_list("finding", flat=True)) == {
        "spot-tenderness", "recognised-pain", "local-twitch", "referred-pain"}
    assert AuditEvent.objects.filter(object_type="charting.triggerpoint", patient_id=patient.pk).exists()


def test_a_muscle_short_of_the_criteria_is_not_charted(clinician_client, patient, drawing):
    examine(clinician_client, patient, drawing, "infraspinatus", "spot-tenderness")
    response = clinician_client.post(reverse("referral:chart_examined", args=[patient.pk]),
                                     {"drawing": drawing.pk, "candidate": "infraspinatus:right"}, follow=True)
    assert "do not meet the trigger point criteria" in response.content.decode()
    assert not TriggerPoint.objects.exists()
