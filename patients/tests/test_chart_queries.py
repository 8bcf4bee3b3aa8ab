"""The chart costs a fixed number of SQL queries: the same for a patient with one course of one session
and one trigger point as for one with three courses of 20 sessions and ten points (a query per course,
session or point would make the second count grow). The bound is today's count, session, second factor
and audit trail included."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from charting.models import TriggerPoint
from conftest import make_appointment, make_signed_sessions
from patients.models import Patient
from treatment.models import Course

CHART_QUERIES = 23


def chart_of(patient, clinician, courses: int, sessions: int, points: int) -> str:
    tps = [TriggerPoint.objects.create(patient=patient, muscle="upper-trapezius", side="left", region="neck.angle",
                                       region_side="left", view="back", map_x=100 + n, map_y=100,
                                       found_on=timezone.localdate()) for n in range(points)]
    for _ in range(courses):
        course = Course.objects.create(patient=patient, clinician=clinician, interval_days=14, diagnosis_code="M79.12")
        make_signed_sessions(course, tps[0], sessions)
        make_appointment(course, days_ahead=5)
    return f"/patients/{patient.pk}/"


def cost(client, url, django_assert_max_num_queries) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured, django_assert_max_num_queries(CHART_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.django_db
def test_the_chart_costs_the_same_for_a_short_and_a_long_history(clinician_client, clinician, patient,
                                                                 django_assert_max_num_queries):
    small = cost(clinician_client, chart_of(patient, clinician, 1, 1, 1), django_assert_max_num_queries)
    other = Patient.objects.create(mrn="TP0002", given_name="Ana", family_name="Ruiz", birth_date=patient.birth_date,
                                   sex="female", preferred_language=patient.preferred_language)
    large = cost(clinician_client, chart_of(other, clinician, 3, 20, 10), django_assert_max_num_queries)
    assert small == large
