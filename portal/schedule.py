"""What is coming up for a patient: booked appointments, and when the next session of an open
course with nothing booked is due (the course's stored schedule, Course.next_due_on)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from scheduling.models import Appointment
from treatment import course_rules
from treatment.models import Course

@dataclass(frozen=True)
class Due:
    course: Course
    day: date

    @property
    def is_past(self) -> bool:
        return self.day < timezone.localdate()


def upcoming_appointments(patient) -> list[Appointment]:
    """Booked (or checked-in) appointments from today on, soonest first."""
    return list(patient.appointments.upcoming().select_related("clinician", "room", "course", "session"))


def due_dates(patient, booked: list[Appointment] | None = None) -> list[Due]:
    """For each open course with sessions still to do and no appointment booked: when the next is due."""
    booked_courses = {a.course_id for a in (upcoming_appointments(patient) if booked is None else booked)}
    found = []
    for course in patient.courses.open():
        if course.pk in booked_courses:
            continue
        if course.due_status(timezone.localdate()) == course_rules.DueStatus.COMPLETE:
            continue
        if course.next_due_on is not None:
            found.append(Due(course, course.next_due_on))
    return sorted(found, key=lambda due: due.day)
