"""Queries behind the audit reports and their CSV export.

The trail sits below the clinical apps (they import it to record their events), so it names the
records it reports on by label, `apps.get_model("patients", "Patient")`, as audit/resolve.py and
Django's admin log do, instead of importing the apps above it.
"""
from __future__ import annotations

import csv
from datetime import datetime, time, timedelta

from django.apps import apps
from django.db.models import Q
from django.utils import timezone

from audit.models import DISCLOSING, Action, AuditDisclosure, AuditEvent
from tpclinic.limits import parse_id

CSV_COLUMNS = ["at", "username", "role", "remote_addr", "action", "object_type", "object_id", "patient_id",
               "patient_mrn", "path", "method", "status", "detail"]


def patient_ids_for(text: str) -> list[int]:
    text = (text or "").strip()
    if not text:
        return []
    ids = list(apps.get_model("patients", "Patient").objects.filter(mrn__iexact=text).values_list("pk", flat=True))
    if not ids and parse_id(text):
        ids = [parse_id(text)]
    return ids or [-1]


def events(*, patient_ids=None, user_id=None, username="", action="", date_from=None, date_to=None):
    queryset = AuditEvent.objects.all()
    if patient_ids:
        # the patient's own events, and every list or export that showed her among others
        queryset = queryset.filter(Q(patient_id__in=patient_ids) | Q(pk__in=AuditDisclosure.objects.filter(
            patient_id__in=patient_ids).values("event_id")))
    if user_id is not None:
        queryset = queryset.filter(Q(user_id=user_id))
    if username:
        queryset = queryset.filter(username__iexact=username.strip())
    if action:
        queryset = queryset.filter(action=action)
    zone = timezone.get_current_timezone()
    if date_from:
        queryset = queryset.filter(at__gte=timezone.make_aware(datetime.combine(date_from, time.min), zone))
    if date_to:
        queryset = queryset.filter(at__lt=timezone.make_aware(datetime.combine(date_to + timedelta(days=1), time.min), zone))
    return queryset.order_by("-at", "-id")


def disclosures_of(patient_id: int, *, exports_only: bool = False):
    """Events that showed or handed over this patient's records, newest first."""
    actions = [Action.EXPORT] if exports_only else list(DISCLOSING)
    return AuditEvent.objects.filter(
        action__in=actions, pk__in=AuditDisclosure.objects.filter(patient_id=patient_id).values("event_id"),
    ).order_by("-at", "-id")


def patients_named(rows) -> set[int]:
    """The patients a page or file of audit events names (as the event's patient or a disclosure)."""
    ids = {e.patient_id for e in rows if e.patient_id}
    ids.update(AuditDisclosure.objects.filter(event__in=[e.pk for e in rows]).values_list("patient_id", flat=True))
    return ids


def _cell(value) -> str:
    """Plain text; a leading = + - @ is quoted so a spreadsheet never runs it as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        text = "'" + text
    return text


def write_csv(stream, queryset) -> int:
    rows = list(queryset)
    mrns = dict(apps.get_model("patients", "Patient").objects.filter(pk__in={e.patient_id for e in rows if e.patient_id}).values_list("pk", "mrn"))
    writer = csv.writer(stream)
    writer.writerow(CSV_COLUMNS)
    for event in rows:
        writer.writerow([_cell(v) for v in [
            timezone.localtime(event.at).isoformat(timespec="seconds"), event.username, event.role, event.remote_addr,
            event.action, event.object_type, event.object_id, event.patient_id, mrns.get(event.patient_id, ""),
            event.path, event.method, event.status, event.detail,
        ]])
    return len(rows)
