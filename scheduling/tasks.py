"""Reminders go out from the task queue (`tpclinic db_worker`), never inside a web request."""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from scheduling import reminders


@task(queue_name="reminders")
def send_reminder(appointment_pk: int) -> str:
    """Send one reminder; on a passing failure queue another try after REMINDER_RETRY_SECONDS."""
    try:
        return reminders.send(appointment_pk)
    except reminders.TryAgain:
        later = timezone.now() + timedelta(seconds=settings.REMINDER_RETRY_SECONDS)
        send_reminder.using(run_after=later).enqueue(appointment_pk)
        return "retry"


def queue_due_reminders(now=None) -> int:
    """Claim every reminder now due and queue one task for each; safe to run as often as wanted, from
    several machines at once. Claims and tasks commit together: a scan that dies half-way leaves no
    appointment marked "queued" without a task to send it (it would never be reminded)."""
    with transaction.atomic():
        claimed = reminders.claim(now)
        for pk in claimed:
            send_reminder.enqueue(pk)
    return len(claimed)
