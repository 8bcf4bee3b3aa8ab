from datetime import date, timedelta

import pytest
from django.utils import timezone

from patients.models import Patient
from treatment.models import Course, Session


@pytest.fixture
def patient_user(django_user_model, patient):
    """The `patient` fixture (Maria Lopez, Spanish) with her own portal login."""
    user = django_user_model.objects.create_user("maria", password="correct-horse-battery", first_name="Maria")
    patient.user = user
    patient.save()
    return user


@pytest.fixture
def patient_client(client, patient_user):
    client.force_login(patient_user)
    return client


@pytest.fixture
def other_patient(django_user_model, db):
    user = django_user_model.objects.create_user("john", password="correct-horse-battery")
    return Patient.objects.create(mrn="TP0002", given_name="John", family_name="Smith", birth_date=date(1970, 1, 1),
                                  preferred_language="en", user=user)


def make_course(patient, clinician, **kwargs):
    kwargs.setdefault("interval_days", 14)
    return Course.objects.create(patient=patient, clinician=clinician, **kwargs)


def make_session(course, days_ahead=3, **kwargs):
    when = timezone.now().replace(hour=14, minute=30, second=0, microsecond=0) + timedelta(days=days_ahead)
    return Session.objects.create(course=course, clinician=course.clinician, performed_at=when, **kwargs)


@pytest.fixture
def course(patient, clinician):
    return make_course(patient, clinician)


@pytest.fixture
def upcoming(course):
    return make_session(course)


@pytest.fixture
def appointment(course):
    from conftest import make_appointment

    return make_appointment(course)


@pytest.fixture
def other_appointment(other_patient, clinician):
    from conftest import make_appointment

    return make_appointment(make_course(other_patient, clinician))


@pytest.fixture
def other_session(other_patient, clinician):
    return make_session(make_course(other_patient, clinician))


