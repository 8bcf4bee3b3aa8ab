"""Input the database or the calendar cannot hold is a declared 4xx problem, never a 500."""
from datetime import timedelta

import pytest
from django.utils import timezone

from interop.tests.conftest import problem
from portal.models import DiaryEntry
from referral.models import PainDrawing
from treatment.models import Session

pytestmark = pytest.mark.django_db


def test_a_superscript_intensity_in_a_pain_drawing_is_422(api, clinic, clinician):
    before = PainDrawing.objects.count()
    body = problem(api.post(f"/api/v1/patients/{clinic['patient'].pk}/pain-drawings",
                            {"regions": ["neck.angle:left@²"]}, user=clinician), 422)
    assert body["errors"][0]["field"] == "regions.0"
    assert PainDrawing.objects.count() == before


def test_a_superscript_intensity_in_the_diary_is_422(api, clinic, patient_user):
    before = DiaryEntry.objects.count()
    problem(api.post(f"/api/v1/patients/{clinic['patient'].pk}/diary-entries",
                     {"pain": 3, "regions": ["neck.angle:left@²"]}, user=patient_user), 422)
    assert DiaryEntry.objects.count() == before


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31"])
def test_diary_days_and_drawings_before_the_clinics_records_are_422(api, clinic, patient_user, clinician, day):
    patient = clinic["patient"].pk
    problem(api.post(f"/api/v1/patients/{patient}/diary-entries", {"pain": 3, "day": day}, user=patient_user), 422)
    problem(api.post(f"/api/v1/patients/{patient}/pain-drawings", {"regions": ["neck.angle:left"], "drawn_on": day},
                     user=clinician), 422)


@pytest.mark.parametrize("when", ["9999-12-31T10:00:00", "0001-01-01T10:00:00"])
def test_a_session_dated_outside_the_clinics_range_is_422(api, clinic, clinician, when):
    draft = clinic["draft"]
    body = problem(api.patch(f"/api/v1/sessions/{draft.pk}", {"version": draft.version, "performed_at": when},
                             user=clinician), 422)
    assert body["errors"][0]["field"] == "performed_at"
    assert Session.objects.get(pk=draft.pk).performed_at == draft.performed_at


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_the_planned_screen_refuses_an_impossible_day(api, clinic, clinician, day):
    problem(api.post("/api/v1/safety/screen", {"patient": clinic["patient"].pk, "performed_on": day,
                                               "injections": [{"muscle": "upper-trapezius"}]}, user=clinician), 422)


@pytest.mark.parametrize("onset", ["0001-01-01T00:00:00", "9999-12-31T23:59:00"])
def test_an_adverse_event_with_an_impossible_onset_is_422(api, clinic, clinician, onset):
    problem(api.post("/api/v1/adverse-events", {"session": clinic["signed"].pk, "kind": "bruise", "onset_at": onset,
                                                "severity": "mild", "action": "Ice"}, user=clinician), 422)


def test_a_body_over_the_upload_limit_is_413_problem_json(api, clinic, clinician, settings):
    big = '{"given_name": "' + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10) + '"}'
    body = problem(api.send("POST", "/api/v1/patients", user=clinician, raw=big), 413)
    assert "MB" in body["detail"]


@pytest.mark.parametrize("pk", ["²", "99999999999999999999999", "0"])
def test_everything_for_an_impossible_patient_id_is_404(api, clinic, clinician, pk):
    response = api.get(f"/fhir/Patient/{pk}/$everything", user=clinician)
    assert response.status_code == 404 and response.json()["resourceType"] == "OperationOutcome"
