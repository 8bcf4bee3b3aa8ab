"""Diary input the calendar or int() cannot read gets the form's message, never a 500."""
import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import DiaryEntry

pytestmark = pytest.mark.django_db


def post(client, **data):
    data.setdefault("day", timezone.localdate().isoformat())
    data.setdefault("pain", "5")
    return client.post(reverse("portal:diary"), data)


@pytest.mark.parametrize("regions", ["neck.angle:left@²", "neck.angle:left@٣", "neck.angle:left@99999999999999999999"])
def test_an_intensity_that_is_not_a_plain_number_is_refused(patient_client, regions):
    response = post(patient_client, regions=regions)
    assert response.status_code == 400
    assert not DiaryEntry.objects.exists()


@pytest.mark.parametrize("pain", ["²", "⁵"])
def test_a_pain_score_in_other_digits_is_refused(patient_client, pain):
    assert post(patient_client, pain=pain).status_code == 400
    assert not DiaryEntry.objects.exists()


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31"])
def test_a_day_before_the_clinics_records_is_refused(patient_client, day):
    response = post(patient_client, day=day)
    assert response.status_code == 400 and "cannot be before" in response.content.decode()
    assert not DiaryEntry.objects.exists()
