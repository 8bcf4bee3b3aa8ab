"""Records the audit tests build for one patient: a trigger point, a course, a signed session
with one injection, and a draft session. Shared by conftest.small_clinic and the permission matrix."""
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone


def course_with_sessions(patient, clinician, *, notes: str = "", **draft_fields) -> dict:
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
        signed_by=clinician, notes=notes,
    )
    injection = Injection.objects.create(session=signed, trigger_point=point, volume_ml=Decimal("1.5"))
    draft = Session.objects.create(course=course, clinician=clinician, pain_before=6, **draft_fields)
    return {"patient": patient, "point": point, "course": course, "signed": signed, "injection": injection,
            "draft": draft}
