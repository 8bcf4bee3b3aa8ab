"""No page slows down as data grows: each page costs the same number of SQL queries for a patient
with one short course as for one with several long courses, and for a clinic of 3 patients as for
one of 60. A query per row (N+1) shows up here as a count that grows.

Pages in other apps are measured too; they are only read here, never changed. Like is compared
with like: both clinics have open courses on the worklist, and both patients have the same payer
(a payer with scheduling rules adds a fixed three queries to the course page, whatever the data).
"""
from datetime import date

import pytest
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext

from analytics import synth
from patients.models import Patient
from treatment.models import Course, Session

TODAY = date(2026, 3, 2)
SIGNED = Q(courses__sessions__status=Session.Status.SIGNED)


def cost(client, url: str) -> int:
    client.get(url)  # first visit may fill caches or recompute the analytics summary
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def patient_urls(patient: Patient) -> dict:
    """The chart of `patient`, its busiest course, and that course's busiest signed session."""
    course = (Course.objects.filter(patient=patient).annotate(n=Count("sessions")).order_by("-n", "id").first())
    session = (Session.objects.filter(course=course, status=Session.Status.SIGNED)
               .annotate(n=Count("injections")).order_by("-n", "id").first())
    return {"chart": f"/patients/{patient.pk}/", "course": f"/courses/{course.pk}/",
            "session": f"/courses/sessions/{session.pk}/"}


def patients_by_signed_sessions():
    return (Patient.objects.filter(payer="none").annotate(n=Count("courses__sessions", filter=SIGNED), c=Count("courses", distinct=True))
            .filter(n__gt=0).order_by("n", "c", "id"))


@pytest.fixture
def two_sizes(clinician_client):
    """Costs of every page with 3 patients, then with 63 (the busiest patient against the quietest)."""
    synth.synthesize(3, seed=40, today=TODAY)  # seed 40: three patients, one of them on the worklist
    shared = {"worklist": "/courses/worklist/?clinician=all", "analytics": "/analytics/"}
    small = {name: cost(clinician_client, url) for name, url in shared.items()}
    synth.synthesize(60, seed=41, today=TODAY)
    large = {name: cost(clinician_client, url) for name, url in shared.items()}
    ranked = list(patients_by_signed_sessions())
    quiet, busy = ranked[0], ranked[-1]
    assert busy.n >= 3 * quiet.n, "the data must actually differ in size"
    for name, url in patient_urls(quiet).items():
        small[name] = cost(clinician_client, url)
    for name, url in patient_urls(busy).items():
        large[name] = cost(clinician_client, url)
    return small, large


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["chart", "worklist", "course", "session", "analytics"])
def test_query_count_does_not_grow_with_data(two_sizes, page):
    small, large = two_sizes
    assert large[page] == small[page], f"{page}: {small[page]} queries on small data, {large[page]} on larger data"
