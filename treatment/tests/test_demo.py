from datetime import date

import pytest
from django.core.management import call_command
from django.db import transaction

from patients.models import Patient
from tpclinic.demo import build_demo_clinic
from treatment.course_rules import Response
from treatment.models import Course

pytestmark = pytest.mark.django_db
DAY = date(2026, 6, 10)


def fingerprint():
    return [
        (c.patient.mrn, c.patient.family_name, c.clinician.username, c.interval_days,
         [(s.performed_at.isoformat(), s.pain_before, s.injections.count()) for s in c.sessions.all()])
        for c in Course.objects.order_by("patient__mrn").prefetch_related("sessions")
    ]


def test_demo_clinic_is_the_same_every_time_for_a_given_day():
    with transaction.atomic():
        build_demo_clinic(today=DAY)
        first = fingerprint()
        transaction.set_rollback(True)
    assert not Patient.objects.exists()
    build_demo_clinic(today=DAY)
    assert fingerprint() == first


def test_demo_clinic_covers_every_stage_and_prints_logins(capsys):
    call_command("demo", today=DAY)
    out = capsys.readouterr().out
    assert "dr.ward" in out and "frontdesk" in out and "tpclinic-demo" in out
    assert "patient.olga" in out and "(es)" in out and "patient.rania" in out
    courses = list(Course.objects.prefetch_related("sessions"))
    responses = {c.response().response for c in courses}
    assert {Response.NO_DATA, Response.TOO_EARLY, Response.NOT_RESPONDING, Response.SUBSTANTIAL} <= responses
    assert any(c.status == Course.Status.COMPLETED for c in courses)
    assert len({c.interval_days for c in courses}) == 3
    assert 38 <= Patient.objects.count() <= 42
    call_command("demo", if_empty=True)
    assert "not loaded" in capsys.readouterr().out
