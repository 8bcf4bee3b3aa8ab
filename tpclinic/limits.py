"""Sane ranges for ids and clinical dates, one definition for models, forms, views and the API.

Why: a value the database or the calendar cannot hold (an id beyond a 64-bit integer, a
superscript "²" that ``str.isdigit()`` accepts and ``int()`` refuses, the year 9999 whose next
day does not exist, the year 1 before which nothing can be subtracted) must be refused at the
door with a clear message instead of failing later with a server error.

The date ranges, chosen for a clinic that treats living patients now:

* date of birth: 1900-01-01 to today;
* a session (its date and time): 2000-01-01 to one year ahead of today, since sessions are
  planned at most a course ahead and no electronic record of ours predates 2000;
* other clinical days (a diary day, a pain drawing, a trigger point found, an adverse event):
  2000-01-01 to today.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

MAX_ID = 2**63 - 1  # the largest value of a database bigint: ids and versions above it cannot exist
EARLIEST_BIRTH = date(1900, 1, 1)
CLINIC_EPOCH = date(2000, 1, 1)
SESSION_DAYS_AHEAD = 366


def parse_id(value) -> int | None:
    """A database id from a query string or form: ASCII digits only, 1..MAX_ID; anything else is None."""
    text = str(value or "").strip()
    if not (text.isascii() and text.isdecimal()):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def _day(value) -> date:
    if isinstance(value, datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


def _shown(day: date) -> str:
    return date_format(day, "DATE_FORMAT")


def validate_birth_date(value) -> None:
    day, today = _day(value), timezone.localdate()
    if day > today:
        raise ValidationError(_("The date of birth cannot be in the future."), code="future")
    if day < EARLIEST_BIRTH:
        raise ValidationError(_("The date of birth cannot be before %(earliest)s."),
                              params={"earliest": _shown(EARLIEST_BIRTH)}, code="too_early")


def session_window(today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    return CLINIC_EPOCH, today + timedelta(days=SESSION_DAYS_AHEAD)


def validate_session_date(value) -> None:
    """A session's date (or date and time): from 2000-01-01 to a year ahead."""
    day = _day(value)
    first, last = session_window()
    if not first <= day <= last:
        raise ValidationError(
            _("A session date must be between %(first)s and %(last)s (at most a year ahead)."),
            params={"first": _shown(first), "last": _shown(last)}, code="out_of_range")


def validate_clinical_day(value) -> None:
    """A day something was observed or recorded: from 2000-01-01 to today."""
    day = _day(value)
    if day > timezone.localdate():
        raise ValidationError(_("This date cannot be in the future."), code="future")
    if day < CLINIC_EPOCH:
        raise ValidationError(_("This date cannot be before %(earliest)s."),
                              params={"earliest": _shown(CLINIC_EPOCH)}, code="too_early")
