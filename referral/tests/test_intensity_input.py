"""Pain intensities are ASCII whole numbers 0-10: '²' (which str.isdigit() accepts) is a clear 4xx."""
import pytest
from django.urls import reverse

from anatomy import vocabulary
from referral import drawings
from referral.models import PainDrawing


@pytest.mark.parametrize("level", ["²", "٣", "１", "11", "-1", "99999999999999999999999", ""])
def test_read_intensity_refuses_anything_but_0_to_10_in_ascii(level):
    with pytest.raises(vocabulary.VocabularyError):
        drawings.read_intensity(level, "this place")


def test_parse_marks_refuses_a_superscript_intensity():
    with pytest.raises(vocabulary.VocabularyError):
        drawings.parse_marks("neck.angle:left@²")
    assert drawings.parse_marks("neck.angle:left@7")[0][1] == 7


@pytest.mark.django_db
@pytest.mark.parametrize("data", [{"regions": "neck.angle:left@²"}, {"regions": "neck.angle:left", "intensity": "²"}])
def test_the_web_ranking_and_drawing_answer_a_superscript_with_a_message(clinician_client, patient, data):
    rank = clinician_client.post(reverse("referral:rank", args=[patient.pk]), data)
    assert rank.status_code == 422 and "whole number from 0 to 10" in rank.content.decode()
    saved = clinician_client.post(reverse("referral:save_drawing", args=[patient.pk]), data)
    assert saved.status_code == 302 and not PainDrawing.objects.exists()


@pytest.mark.django_db
def test_each_place_keeps_its_own_intensity_from_the_form_to_the_chart_and_the_ranker(clinician_client, patient):
    """Per-place intensities written by the map (`neck.angle:left@7`) are stored, shown again on the
    chart's map (input, name, number) and ranked with their own weights."""
    data = {"regions": "neck.angle:left@7,head.temple:left@2,neck.side:left", "intensity": "4"}
    assert clinician_client.post(reverse("referral:rank", args=[patient.pk]), data).status_code == 200
    clinician_client.post(reverse("referral:save_drawing", args=[patient.pk]), data)
    drawing = PainDrawing.objects.get()
    assert drawing.marks == [{"place": "head.temple:left", "intensity": 2}, {"place": "neck.angle:left", "intensity": 7},
                             {"place": "neck.side:left", "intensity": 4}]
    assert drawing.mark_codes == ["head.temple:left@2", "neck.angle:left@7", "neck.side:left@4"]
    assert drawing.ranking_input()[1] == (vocabulary.parse_place("neck.angle:left"), 7)
    page = clinician_client.get(reverse("patients:chart", args=[patient.pk])).content.decode()
    assert 'name="regions" value="head.temple:left@2,neck.angle:left@7,neck.side:left@4"' in page
    assert 'aria-label="Angle of neck, left, pain 7 of 10"' in page
    assert "Angle of neck, left: pain 7 of 10" in page
