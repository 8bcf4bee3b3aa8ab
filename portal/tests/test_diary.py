from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.diary import chart, diary_for_course, missing_days
from portal.models import DiaryEntry
from referral.models import PainDrawing
from tpclinic import dates

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def reads_english(patient):
    """These tests read the English wording; the portal speaks the language on the patient's record."""
    patient.preferred_language = "en"
    patient.save()


def post(client, follow=False, **data):
    data.setdefault("day", timezone.localdate().isoformat())
    data.setdefault("pain", "5")
    return client.post(reverse("portal:diary"), data, follow=follow)


def test_saving_an_entry(patient_client, patient):
    response = post(patient_client, pain="6", note="after gardening")
    assert response.status_code == 302
    entry = DiaryEntry.objects.get(patient=patient)
    assert entry.pain == 6 and entry.note == "after gardening" and entry.drawing is None


@pytest.mark.parametrize("pain", ["-1", "11", "abc", ""])
def test_pain_outside_0_to_10_is_refused(patient_client, pain):
    response = post(patient_client, pain=pain)
    assert response.status_code == 400
    assert "from 0 (no pain) to 10" in response.content.decode()
    assert not DiaryEntry.objects.exists() and not PainDrawing.objects.exists()


def test_a_future_day_is_refused(patient_client):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = post(patient_client, day=tomorrow.isoformat(), regions="neck.angle:left")
    assert response.status_code == 400
    assert "future" in response.content.decode()
    assert not DiaryEntry.objects.exists() and not PainDrawing.objects.exists()


def test_an_unknown_region_is_refused(patient_client):
    response = post(patient_client, regions="neck.angle:left,not.a.region")
    assert response.status_code == 400
    assert not DiaryEntry.objects.exists() and not PainDrawing.objects.exists()


def test_one_entry_per_day_the_second_updates_it(patient_client, patient):
    post(patient_client, pain="7")
    response = post(patient_client, pain="3", note="better", follow=True)
    assert DiaryEntry.objects.filter(patient=patient).count() == 1
    entry = DiaryEntry.objects.get(patient=patient)
    assert entry.pain == 3 and entry.note == "better"
    assert "updated" in response.content.decode()


def test_drawing_is_saved_with_source_patient(patient_client, patient, patient_user):
    post(patient_client, pain="6", regions="neck.angle:left,back.sacrum")
    entry = DiaryEntry.objects.get(patient=patient)
    drawing = entry.drawing
    assert drawing.source == PainDrawing.Source.PATIENT
    assert drawing.recorded_by == patient_user and drawing.patient == patient
    assert drawing.drawn_on == entry.day
    assert sorted(drawing.keys) == ["back.sacrum", "neck.angle:left"]
    assert {mark["intensity"] for mark in drawing.marks} == {6}
    # Updating the day's entry updates the same drawing; clearing the regions removes it.
    post(patient_client, pain="4", regions="back.sacrum")
    drawing.refresh_from_db()
    assert drawing.keys == ["back.sacrum"] and PainDrawing.objects.count() == 1
    post(patient_client, pain="4", regions="")
    assert DiaryEntry.objects.get(patient=patient).drawing is None and not PainDrawing.objects.exists()


def test_past_days_can_be_filled_in(patient_client, patient):
    yesterday = timezone.localdate() - timedelta(days=1)
    post(patient_client, day=yesterday.isoformat(), pain="2")
    assert DiaryEntry.objects.get(patient=patient).day == yesterday


def test_editing_a_day_prefills_the_form(patient_client, patient):
    post(patient_client, pain="8", note="bad night", regions="neck.angle:left")
    page = patient_client.get(reverse("portal:diary"), {"day": timezone.localdate().isoformat()}).content.decode()
    # The place took the day's pain; it comes back with it, on the map and in the list of places.
    assert 'value="8"' in page and "bad night" in page and 'value="neck.angle:left@8"' in page
    assert "Angle of neck, left: pain 8 of 10" in page and "Angle of neck, left, pain 8 of 10" in page


def test_reminder_when_yesterday_or_today_is_missing(patient_client, patient):
    today = timezone.localdate()
    assert missing_days(patient, today) == [today - timedelta(days=1), today]
    assert 'id="diary-reminder"' in patient_client.get(reverse("portal:home")).content.decode()
    DiaryEntry.objects.create(patient=patient, day=today, pain=3)
    assert missing_days(patient, today) == [today - timedelta(days=1)]
    DiaryEntry.objects.create(patient=patient, day=today - timedelta(days=1), pain=3)
    assert missing_days(patient, today) == []
    assert 'id="diary-reminder"' not in patient_client.get(reverse("portal:home")).content.decode()


def test_chart_breaks_at_missing_days(patient):
    today = timezone.localdate()
    entries = [DiaryEntry(patient=patient, day=today - timedelta(days=n), pain=p)
               for n, p in [(0, 2), (1, 3), (5, 6), (6, 7)]]
    drawn = chart(entries, today=today)
    assert len(drawn["points"]) == 4 and len(drawn["segments"]) == 2 and not drawn["empty"]


def test_diary_for_course_and_the_clinician_snippet(client, clinician, patient, course):
    from django.template.loader import render_to_string

    today = timezone.localdate()
    course.started_on = today - timedelta(days=3)
    course.save()
    drawing = PainDrawing.objects.create(patient=patient, marks=[{"place": "back.sacrum", "intensity": 5}],
                                         source="patient")
    DiaryEntry.objects.create(patient=patient, day=today - timedelta(days=10), pain=9)  # before the course
    DiaryEntry.objects.create(patient=patient, day=today - timedelta(days=2), pain=6, drawing=drawing)
    DiaryEntry.objects.create(patient=patient, day=today, pain=4)
    rows = diary_for_course(course)
    assert [(r.pain, r.region_count) for r in rows] == [(6, 1), (4, 0)]
    html = render_to_string("portal/_diary_for_clinician.html", {"diary": rows})
    assert dates.long_date(today - timedelta(days=2)) in html and dates.long_date(today - timedelta(days=10)) not in html
    assert rows[0].regions == ("Sacrum: pain 5 of 10",) and "Sacrum: pain 5 of 10" in html  # shown, not in a tooltip
    from django.template import engines

    tag = engines["django"].from_string("{% load portal_diary %}{% clinician_diary course %}")
    assert "patient-diary" in tag.render({"course": course})


def test_diary_chart_coordinates_are_not_localized(patient_client, patient):
    from django.utils import translation

    DiaryEntry.objects.create(patient=patient, day=timezone.localdate(), pain=3)
    DiaryEntry.objects.create(patient=patient, day=timezone.localdate() - timedelta(days=1), pain=5)
    with translation.override("es"):
        page = patient_client.get(reverse("portal:diary"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    import re

    coordinates = re.findall(r'<circle cx="([^"]+)" cy="([^"]+)"', page)
    assert coordinates and all("," not in x + y for x, y in coordinates)


def test_a_bad_day_in_the_link_falls_back_to_today(patient_client):
    for bad in ("2026-02-31", "garbage", "9999-12-31"):
        response = patient_client.get(reverse("portal:diary"), {"day": bad})
        assert response.status_code == 200
        assert f'value="{timezone.localdate().isoformat()}"' in response.content.decode()
