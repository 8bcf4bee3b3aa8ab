"""A trigger point carries a version: marking it resolved from a stale chart page or API read is refused."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from charting.models import TriggerPoint
from interop.tests.conftest import Api, problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def point(patient):
    return TriggerPoint.objects.create(patient=patient, muscle="upper-trapezius", side="left", region="neck.angle",
                                       region_side="left", view="back", map_x=100, map_y=100,
                                       found_on=timezone.localdate() - timedelta(days=3))


def test_the_chart_resolves_with_the_version_it_showed(clinician_client, point):
    chart = clinician_client.get(reverse("patients:chart", args=[point.patient_id])).content.decode()
    assert 'name="version" value="1"' in chart
    url = reverse("charting:resolve", args=[point.pk])
    TriggerPoint.objects.get(pk=point.pk).save()  # someone else's change: now version 2
    response = clinician_client.post(url, {"version": "1"}, follow=True)
    assert "Someone else saved this record" in response.content.decode()
    assert TriggerPoint.objects.get(pk=point.pk).resolved_on is None
    for bad in ({}, {"version": "²"}, {"version": str(2**70)}):
        clinician_client.post(url, bad)
        assert TriggerPoint.objects.get(pk=point.pk).resolved_on is None
    clinician_client.post(url, {"version": "2"})
    point.refresh_from_db()
    assert point.resolved_on == timezone.localdate() and point.version == 3


def test_the_api_resolves_with_a_version_and_refuses_a_stale_one(client, point, clinician):
    api = Api(client)
    listed = api.get(f"/api/v1/patients/{point.patient_id}/trigger-points", user=clinician).json()["items"]
    assert listed[0]["version"] == 1
    path = f"/api/v1/trigger-points/{point.pk}/resolve"
    problem(api.post(path, {}, user=clinician), 422)
    TriggerPoint.objects.get(pk=point.pk).save()
    body = problem(api.post(path, {"version": 1}, user=clinician), 409)
    assert body["current_version"] == 2
    response = api.post(path, {"version": 2}, user=clinician)
    assert response.status_code == 200, response.content
    assert response.json()["resolved_on"] == timezone.localdate().isoformat() and response.json()["version"] == 3
