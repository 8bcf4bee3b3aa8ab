from datetime import timedelta, timezone as dt_timezone

import pytest
from django.urls import reverse

from portal.ical import escape_text, fold

pytestmark = pytest.mark.django_db


def unfold(text: str) -> list[str]:
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")  # CRLF only
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def test_ics_is_a_valid_vevent_for_my_session(patient_client, upcoming):
    response = patient_client.get(reverse("portal:session_ics", args=[upcoming.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"] and ".ics" in response["Content-Disposition"]
    lines = unfold(response.content.decode("utf-8"))
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    event = lines[lines.index("BEGIN:VEVENT") + 1:lines.index("END:VEVENT")]
    props = dict(line.split(":", 1) for line in event)
    for name in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"):
        assert props.get(name), name
    assert props["UID"].startswith(f"session-{upcoming.pk}@")
    start = upcoming.performed_at.astimezone(dt_timezone.utc)
    assert props["DTSTART"] == start.strftime("%Y%m%dT%H%M%SZ")
    assert props["DTEND"] == (start + timedelta(minutes=45)).strftime("%Y%m%dT%H%M%SZ")
    for name in ("DTSTAMP", "DTSTART", "DTEND"):
        assert len(props[name]) == 16 and props[name].endswith("Z") and props[name][8] == "T"
    assert all(len(line.encode()) <= 75 for line in response.content.decode().split("\r\n"))


def test_signed_session_has_no_ics(patient_client, upcoming):
    upcoming.status = "signed"
    upcoming.save()
    assert patient_client.get(reverse("portal:session_ics", args=[upcoming.pk])).status_code == 404


def test_text_escaping_and_folding():
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    long = "DESCRIPTION:" + "ñ" * 100
    folded = fold(long)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == long
