from datetime import time

import pytest

from scheduling.models import ClinicianSession, ClinicSettings, Room


@pytest.fixture
def clinic_hours(clinician):
    """Weekdays 08:00-18:00; Alice Ward holds 30-minute slots every weekday 09:00-12:00 in Room 1."""
    ClinicSettings.current()
    room = Room.objects.create(name="Room 1")
    for weekday in range(5):
        ClinicianSession.objects.create(clinician=clinician, weekday=weekday, starts_at=time(9), ends_at=time(12),
                                        slot_minutes=30, room=room)
    return room


@pytest.fixture
def treated(clinician, patient):
    """Maria's course with one signed session 14 days ago (upper trapezius, left) and a draft."""
    from audit.tests.builders import course_with_sessions

    return course_with_sessions(patient, clinician)
