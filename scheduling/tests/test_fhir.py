"""Booked appointments leave as FHIR R4 Appointment resources, valid against HL7's schema."""
import pytest

from conftest import make_appointment
from interop.fhir_export import Scope
from interop.fhir_out.scheduling import appointments
from interop.tests.conftest import schema_errors
from patients.models import Patient
from scheduling import booking

pytestmark = pytest.mark.django_db


def test_appointments_are_valid_fhir_with_their_status(treated, clinic_hours):
    course = treated["course"]
    kept = make_appointment(course, days_ahead=2, room=clinic_hours)
    gone = make_appointment(course, days_ahead=3)
    booking.cancel(gone, reason="Patient travelling")
    missed = make_appointment(course, days_ahead=4)
    booking.no_show(missed)
    found = {r["id"]: r for r in appointments(Scope(Patient.objects.filter(pk=course.patient_id)))}
    assert [schema_errors(r) for r in found.values()] == [[], [], []]
    assert found[f"appt-{kept.pk}"]["status"] == "booked"
    assert found[f"appt-{kept.pk}"]["minutesDuration"] == 30
    assert {"display": "Room 1"} in [p["actor"] for p in found[f"appt-{kept.pk}"]["participant"]]
    assert found[f"appt-{gone.pk}"]["status"] == "cancelled"
    assert found[f"appt-{gone.pk}"]["cancelationReason"] == {"text": "Patient travelling"}
    assert found[f"appt-{missed.pk}"]["status"] == "noshow"
    assert found[f"appt-{kept.pk}"]["reasonReference"] == [{"reference": f"Condition/course-{course.pk}"}]


def test_only_the_scoped_patients_appointments(treated, other_patient_course):
    make_appointment(other_patient_course)
    mine = make_appointment(treated["course"])
    found = list(appointments(Scope(Patient.objects.filter(pk=treated["course"].patient_id))))
    assert [r["id"] for r in found] == [f"appt-{mine.pk}"]


@pytest.fixture
def other_patient_course(clinician):
    from datetime import date

    from treatment.models import Course

    other = Patient.objects.create(mrn="TP0009", given_name="John", family_name="Smith", birth_date=date(1970, 1, 1))
    return Course.objects.create(patient=other, clinician=clinician, interval_days=14)
