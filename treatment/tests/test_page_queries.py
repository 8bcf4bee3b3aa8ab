"""The course, session and worklist pages cost a fixed number of SQL queries, whatever the data: the
same for a course of 1 signed session as for one of 20, and for a worklist of 1 open course as for
one of 20 (a query per row, an N+1, would make the second count grow). The bounds are the counts
today, session, second factor and audit trail included, so a new query per page shows up here too.
"""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import make_appointment, make_signed_sessions
from patients.models import Patient
from treatment.models import Course, Session

COURSE_QUERIES = 20
SESSION_QUERIES = 22
WORKLIST_QUERIES = 19


def cost(client, url: str, bound: int, django_assert_max_num_queries) -> int:
    client.get(url)  # the first visit writes the procedure notes of sessions signed before notes existed
    with CaptureQueriesContext(connection) as captured, django_assert_max_num_queries(bound):
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def course_of(patient, clinician, trigger_point, sessions: int) -> Course:
    course = Course.objects.create(patient=patient, clinician=clinician, interval_days=14, diagnosis_code="M79.12")
    make_signed_sessions(course, trigger_point, sessions)
    make_appointment(course, days_ahead=5)
    return course


@pytest.mark.django_db
def test_the_course_page_costs_the_same_for_1_and_20_sessions(clinician_client, clinician, patient, trapezius,
                                                             django_assert_max_num_queries):
    short = course_of(patient, clinician, trapezius, 1)
    long = course_of(patient, clinician, trapezius, 20)
    small = cost(clinician_client, f"/courses/{short.pk}/", COURSE_QUERIES, django_assert_max_num_queries)
    large = cost(clinician_client, f"/courses/{long.pk}/", COURSE_QUERIES, django_assert_max_num_queries)
    assert small == large


@pytest.mark.django_db
def test_the_session_page_costs_the_same_in_a_course_of_1_and_of_20(clinician_client, clinician, patient, trapezius,
                                                                    django_assert_max_num_queries):
    short = course_of(patient, clinician, trapezius, 1)
    long = course_of(patient, clinician, trapezius, 20)
    last = long.sessions.order_by("-performed_at").first()
    small = cost(clinician_client, f"/courses/sessions/{short.sessions.get().pk}/", SESSION_QUERIES,
                 django_assert_max_num_queries)
    large = cost(clinician_client, f"/courses/sessions/{last.pk}/", SESSION_QUERIES, django_assert_max_num_queries)
    assert small == large


@pytest.mark.django_db
def test_the_worklist_costs_the_same_for_1_and_20_open_courses(clinician_client, clinician, patient, trapezius,
                                                               django_assert_max_num_queries):
    course_of(patient, clinician, trapezius, 3)
    url = "/courses/worklist/?clinician=all"
    small = cost(clinician_client, url, WORKLIST_QUERIES, django_assert_max_num_queries)
    for n in range(19):
        other = Patient.objects.create(mrn=f"TPQ{n:03d}", given_name="Ana", family_name=f"Ruiz {n}",
                                       birth_date=patient.birth_date, sex="female")
        tp = type(trapezius).objects.get(pk=trapezius.pk)
        tp.pk, tp.patient = None, other
        tp.save()
        course_of(other, clinician, tp, 1 + n % 4)
    large = cost(clinician_client, url, WORKLIST_QUERIES, django_assert_max_num_queries)
    assert small == large
    assert Course.objects.open().count() == 20


def test_the_schedule_prefetch_reads_signed_sessions_without_hiding_the_drafts(patient, clinician, trigger_points):
    """with_schedule() gives the line's facts (last signed session, response) from its own trimmed prefetch,
    while course.sessions still holds every session, drafts included."""
    course = course_of(patient, clinician, trigger_points[0], 3)
    draft = Session.objects.create(course=course, clinician=clinician)
    plain = Course.objects.get(pk=course.pk)
    prefetched = Course.objects.with_schedule().get(pk=course.pk)
    assert prefetched.last_session().pk == plain.last_session().pk != draft.pk
    assert prefetched.response() == plain.response()
    assert draft in prefetched.sessions.all() and prefetched.sessions.count() == 4
