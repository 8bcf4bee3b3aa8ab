"""The schedule's facts, each with one home, pinned by example tables:

- when the next session is due: Course.next_due_on (course_rules.next_due of the last signed
  session), kept by Course.refresh_schedule() whenever a signed session is saved or deleted;
- where a course stands: Course.due_status() (course_rules.due_status of the stored schedule and the
  first booking), counted for the worklist by CourseQuerySet.due_counts() with the same meaning;
- what an open course is: Course.OPEN, stored as `is_open`, selected by Course.objects.open().
"""
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from conftest import make_appointment
from patients.models import Patient
from treatment.course_rules import DueStatus
from treatment.models import Course, Session

START = date(2026, 3, 2)


def signed(course, *days):
    for day in days:
        Session.objects.create(course=course, clinician=course.clinician, status=Session.Status.SIGNED, pain_before=5,
                               performed_at=timezone.make_aware(datetime.combine(day, time(10))))


@pytest.mark.parametrize("session_days, interval, expected_due, expected_done", [
    ([], 14, START, 0),                                                   # the first is due when the course starts
    ([date(2026, 3, 2)], 14, date(2026, 3, 16), 1),
    ([date(2026, 3, 2), date(2026, 3, 20)], 14, date(2026, 4, 3), 2),    # from the last session, not the plan
    ([date(2026, 3, 20), date(2026, 3, 2)], 10, date(2026, 3, 30), 2),   # order of entry does not matter
])
def test_next_due_is_stored_from_the_signed_sessions(patient, clinician, session_days, interval, expected_due,
                                                     expected_done):
    course = Course.objects.create(patient=patient, clinician=clinician, interval_days=interval, started_on=START)
    signed(course, *session_days)
    Session.objects.create(course=course, clinician=clinician, performed_at=timezone.now())  # a draft: no effect
    course.refresh_from_db()
    assert (course.next_due_on, course.sessions_done) == (expected_due, expected_done)


def test_deleting_a_signed_session_moves_the_schedule_back(patient, clinician):
    course = Course.objects.create(patient=patient, clinician=clinician, interval_days=14, started_on=START)
    signed(course, date(2026, 3, 2), date(2026, 3, 16))
    Session.objects.filter(course=course).order_by("-performed_at").first().delete()
    course.refresh_from_db()
    assert (course.next_due_on, course.sessions_done) == (date(2026, 3, 16), 1)


TODAY = timezone.localdate


@pytest.mark.parametrize("sessions_ago, planned, booked_in, expected", [
    ([30], 3, None, DueStatus.OVERDUE),
    ([14], 3, None, DueStatus.DUE),                # due today
    ([8], 3, None, DueStatus.DUE),                 # due in 6 days: this week
    ([7], 3, None, DueStatus.DUE),                 # due in 7 days: still this week
    ([6], 3, None, DueStatus.UPCOMING),            # due in 8 days
    ([30], 3, 2, DueStatus.SCHEDULED),             # booked: no longer overdue
    ([30], 3, 0, DueStatus.SCHEDULED),             # booked for later today
    ([30], 3, -1, DueStatus.OVERDUE),              # a booking in the past does not hold the next visit
    ([], 3, None, DueStatus.NOT_SCHEDULED),
    ([60, 45, 30], 3, None, DueStatus.COMPLETE),
    ([60, 45, 30], 3, 2, DueStatus.COMPLETE),      # complete wins over a stray booking
])
def test_due_status_and_the_worklist_counts_mean_the_same(clinician, sessions_ago, planned, booked_in, expected):
    patient = Patient.objects.create(mrn="TPS1", given_name="S", family_name="Test", birth_date="1970-01-01")
    today = TODAY()
    course = Course.objects.create(patient=patient, clinician=clinician, interval_days=14, planned_sessions=planned,
                                   started_on=today - timedelta(days=90))
    signed(course, *(today - timedelta(days=days) for days in sessions_ago))
    if booked_in is not None:
        make_appointment(course, days_ahead=booked_in, at=time(23, 0) if booked_in == 0 else None)
    course = Course.objects.prefetch_related("appointments").get(pk=course.pk)
    assert course.due_status(today) is expected
    counts = Course.objects.filter(pk=course.pk).due_counts(today)
    bucket = {DueStatus.OVERDUE: "overdue", DueStatus.DUE: "due", DueStatus.NOT_SCHEDULED: "not_scheduled"}
    assert counts == {"overdue": 0, "due": 0, "not_scheduled": 0, "total": 1} | (
        {bucket[expected]: 1} if expected in bucket else {})


def test_a_cancelled_or_finished_appointment_books_nothing(clinician, patient):
    course = Course.objects.create(patient=patient, clinician=clinician, interval_days=14,
                                   started_on=TODAY() - timedelta(days=60))
    signed(course, TODAY() - timedelta(days=30))
    make_appointment(course, days_ahead=2, status="cancelled")
    make_appointment(course, days_ahead=3, status="no-show")
    assert course.due_status() is DueStatus.OVERDUE
    assert Course.objects.filter(pk=course.pk).due_counts(TODAY())["overdue"] == 1
    make_appointment(course, days_ahead=4, status="checked-in")
    assert course.due_status() is DueStatus.SCHEDULED
    assert Course.objects.filter(pk=course.pk).due_counts(TODAY())["overdue"] == 0


@pytest.mark.parametrize("status, is_open", [
    (Course.Status.PLANNED, True), (Course.Status.ACTIVE, True),
    (Course.Status.COMPLETED, False), (Course.Status.STOPPED, False),
])
def test_open_course(patient, clinician, status, is_open):
    course = Course.objects.create(patient=patient, clinician=clinician, interval_days=14, status=status)
    course.refresh_from_db()
    assert course.is_open is is_open
    assert (status in Course.OPEN) is is_open
    assert Course.objects.open().filter(pk=course.pk).exists() is is_open
