"""Lost updates on a course plan: a stale edit (web or API) is refused with what changed; the API names versions."""
import pytest
from django.urls import reverse

from interop.tests.conftest import Api, problem
from patients.tests.test_versions import form_fields
from treatment.models import Course

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(patient, clinician):
    return Course.objects.create(patient=patient, clinician=clinician, interval_days=14, diagnosis_code="M79.12",
                                 planned_sessions=3, goals="Sleep")


def opened(client, course) -> dict:
    response = client.get(reverse("treatment:course_edit", args=[course.pk]))
    assert response.status_code == 200
    fields = form_fields(response.content.decode())
    fields["goals"] = course.goals
    return fields


def test_a_stale_course_edit_is_refused_and_says_what_changed(clinician_client, course):
    url = reverse("treatment:course_edit", args=[course.pk])
    mine = opened(clinician_client, course)
    theirs = dict(opened(clinician_client, course), planned_sessions="6")
    assert clinician_client.post(url, theirs).status_code == 302
    response = clinician_client.post(url, dict(mine, interval_days="10"))
    assert response.status_code == 200
    assert "Planned sessions: 3 → now 6" in response.content.decode()
    course.refresh_from_db()
    assert (course.planned_sessions, course.interval_days, course.version) == (6, 14, 2)


def test_a_course_edit_without_its_version_is_refused(clinician_client, course):
    data = opened(clinician_client, course)
    del data["version"]
    response = clinician_client.post(reverse("treatment:course_edit", args=[course.pk]), dict(data, planned_sessions="9"))
    assert response.status_code == 200 and "missing the record&#x27;s version" in response.content.decode()
    course.refresh_from_db()
    assert course.planned_sessions == 3


def test_the_api_updates_a_course_with_its_version_and_refuses_a_stale_one(client, course, clinician):
    api = Api(client)
    path = f"/api/v1/courses/{course.pk}"
    read = api.get(path, user=clinician).json()
    assert read["version"] == 1
    response = api.patch(path, {"version": 1, "planned_sessions": 5}, user=clinician)
    assert response.status_code == 200, response.content
    assert response.json()["planned_sessions"] == 5 and response.json()["version"] == 2
    body = problem(api.patch(path, {"version": 1, "planned_sessions": 4, "goals": "Walk"}, user=clinician), 409)
    assert body["current_version"] == 2
    assert {"field": "planned_sessions", "now": 5, "sent": 4} in body["changes"]
    problem(api.patch(path, {"planned_sessions": 4}, user=clinician), 422)
    course.refresh_from_db()
    assert (course.planned_sessions, course.goals) == (5, "Sleep")
