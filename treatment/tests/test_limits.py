"""Values the database or the calendar cannot hold get a clear 4xx or form message, never a 500."""
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from charting.models import TriggerPoint
from treatment.models import Course, Session

pytestmark = pytest.mark.django_db
HUGE = "99999999999999999999999"


@pytest.fixture
def draft(patient, clinician):
    course = Course.objects.create(patient=patient, clinician=clinician, interval_days=14, diagnosis_code="M79.12")
    return Session.objects.create(course=course, clinician=clinician, pain_before=6)


@pytest.mark.parametrize("chosen", ["²", HUGE, "-1", "0", "1e3", " "])
def test_the_worklist_reads_any_clinician_filter(clinician_client, chosen):
    response = clinician_client.get(reverse("treatment:worklist"), {"clinician": chosen})
    assert response.status_code == 200


@pytest.mark.parametrize("when", ["9999-12-31T10:00", "0001-01-01T10:00", "1999-12-31T10:00"])
def test_a_session_date_outside_the_clinics_range_is_refused(clinician_client, draft, when):
    response = clinician_client.post(reverse("treatment:session", args=[draft.pk]), {
        "version": str(draft.version), "performed_at": when, "pain_before": "6", "pain_after": "",
        "immediate_relief_pct": "", "notes": "", "injections-TOTAL_FORMS": "0", "injections-INITIAL_FORMS": "0"})
    assert response.status_code == 200
    assert "A session date must be between" in response.content.decode()
    assert Session.objects.get(pk=draft.pk).performed_at == draft.performed_at


def test_a_session_a_year_ahead_is_still_accepted(clinician_client, draft):
    when = timezone.localtime() + timedelta(days=360)
    response = clinician_client.post(reverse("treatment:session", args=[draft.pk]), {
        "version": str(draft.version), "performed_at": when.strftime("%Y-%m-%dT%H:%M"), "pain_before": "6",
        "injections-TOTAL_FORMS": "0", "injections-INITIAL_FORMS": "0"})
    assert response.status_code == 302


@pytest.mark.parametrize("version", [str(2**70), "²"])
def test_a_session_form_version_beyond_the_database_is_refused(clinician_client, draft, version):
    response = clinician_client.post(reverse("treatment:session", args=[draft.pk]), {
        "version": version, "performed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "pain_before": "2",
        "injections-TOTAL_FORMS": "0", "injections-INITIAL_FORMS": "0"})
    assert response.status_code in {200, 302}
    assert Session.objects.get(pk=draft.pk).pain_before == 6


@pytest.mark.parametrize("when", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_the_live_safety_check_reads_any_date(clinician_client, draft, when):
    response = clinician_client.post(reverse("safety:check", args=[draft.pk]), {
        "performed_at": when, "pain_before": "6", "injections-TOTAL_FORMS": "0", "injections-INITIAL_FORMS": "0"})
    assert response.status_code == 200


@pytest.mark.parametrize("onset", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_an_adverse_event_with_an_impossible_onset_is_refused(clinician_client, draft, onset):
    response = clinician_client.post(reverse("safety:adverse_event_new", args=[draft.pk]), {
        "kind": "bruise", "onset_at": onset, "severity": "mild", "action": "Ice", "outcome": "ongoing"})
    assert response.status_code == 200


def test_a_course_start_far_in_the_past_or_future_is_refused(clinician_client, clinician, patient):
    for started in ("0001-01-01", "9999-12-31"):
        response = clinician_client.post(reverse("treatment:course_new", args=[patient.pk]), {
            "diagnosis_code": "M79.18", "clinician": clinician.pk, "interval_days": "14", "planned_sessions": "3",
            "started_on": started, "status": "active"})
        assert response.status_code == 200 and "A session date must be between" in response.content.decode()
    assert not Course.objects.exists()
