import re

import pytest
from django.urls import reverse

from referral.models import PainDrawing

pytestmark = pytest.mark.django_db
HEADACHE = "head.temple:left,head.behind-ear:left,neck.side:left"


def test_rank_partial_lists_the_explaining_muscle_with_its_reasons(clinician_client, patient):
    response = clinician_client.post(reverse("referral:rank", args=[patient.pk]), {"regions": HEADACHE})
    body = response.content.decode()
    assert response.status_code == 200
    first = re.search(r'data-muscle="([^"]+)" data-side="([^"]+)"', body)
    assert first.groups() == ("upper-trapezius", "left")
    assert "Temple, left" in body and "essential" in body
    assert "?muscle=upper-trapezius&amp;side=left" in body


def test_rank_refuses_unknown_regions_without_saving(clinician_client, patient):
    response = clinician_client.post(reverse("referral:rank", args=[patient.pk]), {"regions": "head.nowhere:left"})
    assert response.status_code == 422
    assert "Unknown body region" in response.content.decode()


def test_saved_drawings_show_extent_and_change(clinician_client, patient):
    url = reverse("referral:save_drawing", args=[patient.pk])
    clinician_client.post(url, {"regions": HEADACHE})
    clinician_client.post(url, {"regions": "head.temple:left@8,neck.side:left"})
    assert PainDrawing.objects.count() == 2
    latest = PainDrawing.objects.first()
    assert latest.marks == [{"place": "head.temple:left", "intensity": 8}, {"place": "neck.side:left", "intensity": 5}]
    chart = clinician_client.get(reverse("patients:chart", args=[patient.pk])).content.decode()
    assert "0.67" in chart  # Jaccard: 2 shared of 3 marked
    assert "1.2% of body regions" in chart  # 2 of 168 places


def test_empty_or_bad_drawing_is_not_saved(clinician_client, patient):
    url = reverse("referral:save_drawing", args=[patient.pk])
    clinician_client.post(url, {"regions": ""})
    clinician_client.post(url, {"regions": "neck.side"})
    assert not PainDrawing.objects.exists()


def test_front_desk_may_not_save_drawings(client, front_desk, patient):
    client.force_login(front_desk)
    assert client.post(reverse("referral:save_drawing", args=[patient.pk]), {"regions": HEADACHE}).status_code == 403


def test_the_drawings_intensity_weighs_its_marks(clinician_client, patient):
    url = reverse("referral:save_drawing", args=[patient.pk])
    clinician_client.post(url, {"regions": "neck.side:left,head.temple:left@9", "intensity": "3"})
    assert PainDrawing.objects.get().marks == [
        {"place": "head.temple:left", "intensity": 9}, {"place": "neck.side:left", "intensity": 3}]
    response = clinician_client.post(reverse("referral:rank", args=[patient.pk]),
                                     {"regions": "neck.side:left", "intensity": "11"})
    assert response.status_code == 422 and "0 to 10" in response.content.decode()
