"""An appointment as an iCalendar (RFC 5545) file: add to calendar, and later updates or a
cancellation of the same event (same UID, higher SEQUENCE; METHOD:CANCEL when cancelled)."""
from __future__ import annotations

from datetime import datetime, timezone as dt_timezone

from django.utils import timezone

PRODID = "-//tpclinic//Appointments//EN"


def escape_text(value: str) -> str:
    """TEXT value escaping (RFC 5545 3.3.11)."""
    return (
        str(value).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
        .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets, never inside a UTF-8 character (RFC 5545 3.1)."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts, current, limit = [], b"", 75
    for char in line:
        piece = char.encode("utf-8")
        if len(current) + len(piece) > limit:
            parts.append(current.decode("utf-8"))
            current, limit = b"", 74  # continuation lines start with one space
        current += piece
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def utc_stamp(moment: datetime) -> str:
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment.astimezone(dt_timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def uid(appointment, host: str) -> str:
    return f"appointment-{appointment.pk}@{host or 'tpclinic'}"


def appointment_calendar(appointment, *, host: str, summary: str, description: str = "", location: str = "",
                         now: datetime | None = None) -> str:
    """One VCALENDAR with the appointment's VEVENT; a cancelled appointment gives METHOD:CANCEL.

    Callers word `summary` and `description` in the reader's language and keep clinical details
    out of them: the file travels by e-mail and lives in shared calendars.
    """
    cancelled = appointment.status in {"cancelled", "no-show"}
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{'CANCEL' if cancelled else 'PUBLISH'}",
        "BEGIN:VEVENT",
        f"UID:{uid(appointment, host)}",
        f"DTSTAMP:{utc_stamp(now or timezone.now())}",
        f"DTSTART:{utc_stamp(appointment.start)}",
        f"DTEND:{utc_stamp(appointment.end)}",
        f"SEQUENCE:{appointment.sequence}",
        f"SUMMARY:{escape_text(summary)}",
    ]
    if description:
        lines.append(f"DESCRIPTION:{escape_text(description)}")
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    lines += [f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}", "END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(fold(line) for line in lines) + "\r\n"
