"""What is coming up for a patient: booked (draft) sessions and the due dates of open courses."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from treatment import course_rules
from treatment.models import Course, Session

OPEN = (Course.Status.PLANNED, Course.Status.ACTIVE)


@dataclass(frozen=True)
class Due:
    course: Course
    day: date

    @property
    def is_past(self) -> bool:
        return self.day < timezone.localdate()


def upcoming_sessions(patient) -> list[Session]:
    """Draft sessions dated today or later, in open courses, soonest first."""
    today = timezone.localdate()
    drafts = (Session.objects.select_related("course", "clinician")
              .filter(course__patient=patient, course__status__in=OPEN, status=Session.Status.DRAFT)
              .order_by("performed_at", "pk"))
    return [s for s in drafts if timezone.localdate(s.performed_at) >= today]


def due_dates(patient) -> list[Due]:
    """For each open course with no session booked yet and sessions still to do: when the next is due."""
    courses = patient.courses.filter(status__in=OPEN).prefetch_related("sessions")
    found = []
    for course in courses:
        if course.scheduled_session() is not None:
            continue
        if course.due_status() == course_rules.DueStatus.COMPLETE:
            continue
        day = course.next_due()
        if day is not None:
            found.append(Due(course, day))
    return sorted(found, key=lambda due: due.day)
