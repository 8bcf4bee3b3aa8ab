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
