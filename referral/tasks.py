"""The clinic's learned referral model is rebuilt by a task (`tpclinic db_worker` runs it).

`tpclinic referral_learn` calls `learn_from_clinic` directly; `tpclinic referral_learn --nightly`
queues it for the coming night, and each nightly run queues the next one."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone
from django_tasks import task

from referral import learning
from referral.models import LearnedModel, PainDrawing
from treatment import course_rules
from treatment.models import Course

# A drawing made at the consultation before the course starts still belongs to it, up to this many
# days before the start (a referral visit is usually within a month of the first injections).
DRAWING_LEAD_DAYS = 28
NIGHTLY_AT = time(2, 0)
RESPONDED = {course_rules.Response.RESPONDING, course_rules.Response.SUBSTANTIAL}


def clinic_examples() -> list[learning.Example]:
    """Confirmed examples from the clinic's records: for each course that responded (by
    course_rules.judge_response), the last pain drawing made on or before its first injection and
    not more than DRAWING_LEAD_DAYS before its start, labelled with each trigger point injected in
    the course's signed sessions, weighted by the fraction by which pain fell (at most 1)."""
    examples = []
    courses = Course.objects.prefetch_related("sessions__injections__trigger_point")
    for course in courses:
        judgement = course.response()
        if judgement.response not in RESPONDED:
            continue
        injected = [s for s in course.signed_sessions() if s.injections.all()]
        if not injected:
            continue
        first_day = timezone.localdate(injected[0].performed_at)
        drawing = (PainDrawing.objects.filter(patient_id=course.patient_id, drawn_on__lte=first_day,
                                              drawn_on__gte=course.started_on - timedelta(days=DRAWING_LEAD_DAYS))
                   .order_by("-drawn_on", "-id").first())
        if drawing is None or not drawing.marks:
            continue
        labels = sorted({(i.trigger_point.muscle, i.trigger_point.side) for s in injected for i in s.injections.all()})
        weight = min(1.0, judgement.reduction_pct / 100)
        places = frozenset(drawing.places)
        examples.extend(learning.Example(places, muscle, side, weight) for muscle, side in labels)
    return examples


def next_night(now: datetime | None = None) -> datetime:
    now = timezone.localtime(now)
    at = now.replace(hour=NIGHTLY_AT.hour, minute=NIGHTLY_AT.minute, second=0, microsecond=0)
    return at if at > now else at + timedelta(days=1)


@task(queue_name="learning")
def learn_from_clinic(nightly: bool = False) -> dict:
    """Rebuild the clinic's model from its records and store it; a nightly run queues the next."""
    model = learning.learn(clinic_examples())
    row = LearnedModel.store(model, source="clinic")
    if nightly:
        learn_from_clinic.using(run_after=next_night()).enqueue(nightly=True)
    return {"version": row.version, "examples": row.examples}
