"""Treatment test fixtures: a course and its sessions (the trigger points are the root conftest's)."""
import pytest
from django.utils import timezone

from charting.models import TriggerPoint
from treatment.models import Course, Session


@pytest.fixture
def course(patient, clinician):
    return Course.objects.create(patient=patient, clinician=clinician, interval_days=14, diagnosis_code="M79.12")


@pytest.fixture
def session(patient, clinician):
    """A draft with pain scores and no injections, in its own course."""
    course = Course.objects.create(patient=patient, clinician=clinician, interval_days=14, diagnosis_code="M79.12")
    return Session.objects.create(course=course, clinician=clinician, pain_before=7, pain_after=3)


@pytest.fixture
def trapezius(patient):
    return TriggerPoint.objects.create(patient=patient, muscle="upper-trapezius", side="left", region="neck.angle",
                                       region_side="left", view="back", map_x=100, map_y=100,
                                       found_on=timezone.localdate())
