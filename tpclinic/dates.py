"""Dates written one way for a reader: pages, PDFs, e-mails and forms all call these.

The way is the active language's own (Django's locale formats: "17 de diciembre de 2026",
"December 17, 2026", "17 ديسمبر 2026"), with the weekday and time where a visit needs them.
"""
from __future__ import annotations

from datetime import date, datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _


def _local(value):
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def long_date(value: date | datetime | None) -> str:
    """The date as the reader's language writes it in full."""
    if not value:  # None, or a template's missing value ("")
        return ""
    return formats.date_format(_local(value), "DATE_FORMAT")


def date_time(value: datetime | None) -> str:
    """A moment on a record (signed, recorded, amended): "Dec. 17, 2026, 9:30 a.m."."""
    if not value:  # None, or a template's missing value ("")
        return ""
    return formats.date_format(_local(value), "DATETIME_FORMAT")


def visit_time(value: datetime | None) -> str:
    """Weekday, date and time of a visit: "Thursday, December 17, 2026 at 9:30 a.m."."""
    if not value:  # None, or a template's missing value ("")
        return ""
    value = _local(value)
    return _("%(weekday)s, %(date)s at %(time)s") % {
        "weekday": formats.date_format(value, "l"), "date": formats.date_format(value, "DATE_FORMAT"),
        "time": formats.time_format(value, "TIME_FORMAT"),
    }
