"""Calendar files: a valid VEVENT, updates with a higher SEQUENCE, cancellations with METHOD:CANCEL."""
from datetime import timedelta, timezone as dt_timezone

import pytest
from django.urls import reverse

from conftest import make_appointment
from scheduling import booking
from scheduling.ics import escape_text, fold

pytestmark = pytest.mark.django_db


def unfold(text: str) -> list[str]:
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")  # CRLF only
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def calendar(client, appointment) -> tuple[list[str], dict]:
    response = client.get(reverse("scheduling:ics", args=[appointment.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"] and ".ics" in response["Content-Disposition"]
    assert all(len(line.encode()) <= 75 for line in response.content.decode().split("\r\n"))
    lines = unfold(response.content.decode("utf-8"))
    event = lines[lines.index("BEGIN:VEVENT") + 1:lines.index("END:VEVENT")]
    return lines, dict(line.split(":", 1) for line in event)


@pytest.fixture
def booked(treated):
    return make_appointment(treated["course"], days_ahead=4, minutes=45)


def test_a_valid_vevent_for_the_appointment(clinician_client, booked):
    lines, props = calendar(clinician_client, booked)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and "METHOD:PUBLISH" in lines and any(line.startswith("PRODID:") for line in lines)
    assert props["UID"].startswith(f"appointment-{booked.pk}@")
    start = booked.start.astimezone(dt_timezone.utc)
    assert props["DTSTART"] == start.strftime("%Y%m%dT%H%M%SZ")
    assert props["DTEND"] == (start + timedelta(minutes=45)).strftime("%Y%m%dT%H%M%SZ")
    assert props["SEQUENCE"] == "0" and props["STATUS"] == "CONFIRMED"
    assert "injection" not in props["SUMMARY"].lower() and "M79" not in "".join(lines)  # no clinical details


def test_a_move_and_a_cancellation_update_the_same_event(clinician_client, booked):
    _lines, before = calendar(clinician_client, booked)
    booking.move(booked, start=booked.start + timedelta(days=1))
    _lines, moved = calendar(clinician_client, booked)
    assert moved["UID"] == before["UID"] and int(moved["SEQUENCE"]) > int(before["SEQUENCE"])
    assert moved["DTSTART"] != before["DTSTART"]
    booking.cancel(booked, reason="Clinic closed")
    lines, cancelled = calendar(clinician_client, booked)
    assert "METHOD:CANCEL" in lines and cancelled["STATUS"] == "CANCELLED"
    assert cancelled["UID"] == before["UID"] and int(cancelled["SEQUENCE"]) > int(moved["SEQUENCE"])


def test_text_escaping_and_folding():
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    long = "DESCRIPTION:" + "ñ" * 100
    folded = fold(long)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == long
