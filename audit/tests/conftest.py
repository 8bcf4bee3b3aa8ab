"""Fixtures for the audit app's tests: a small clinic with a signed and a draft session."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone


@pytest.fixture
def admin_client(administrator):
    """A client of its own, so a test can act as the administrator and as someone else."""
    from django.test import Client

    admin = Client()
    admin.force_login(administrator)
    return admin


@pytest.fixture
def small_clinic(clinician, patient):
    from charting.models import TriggerPoint
    from treatment.models import Course, Injection, Session

    today = timezone.localdate()
    point = TriggerPoint.objects.create(
        patient=patient, muscle="upper-trapezius", side="left", region="neck.angle", region_side="left", view="back",
        map_x=100, map_y=100, found_on=today - timedelta(days=30),
    )
    course = Course.objects.create(patient=patient, clinician=clinician, interval_days=14, diagnosis_code="M79.12")
    signed = Session.objects.create(
        course=course, clinician=clinician, performed_at=timezone.now() - timedelta(days=14), pain_before=7,
        pain_after=3, consent_recorded=True, status=Session.Status.SIGNED, signed_at=timezone.now() - timedelta(days=14),
        signed_by=clinician, notes="Tolerated well.",
    )
    Injection.objects.create(session=signed, trigger_point=point, volume_ml=Decimal("1.5"))
    draft = Session.objects.create(course=course, clinician=clinician, pain_before=6)
    return {"patient": patient, "point": point, "course": course, "signed": signed, "draft": draft}
