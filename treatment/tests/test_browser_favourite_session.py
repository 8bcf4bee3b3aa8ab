"""Issue 12 in real Chromium with a favourite: from the course page, one click starts a draft with the
favourite's injections, and the session is documented, consented and signed within the issue's
target (at most 8 clicks and 3 typed values), counted the way the repeat-session test counts."""
from decimal import Decimal

import pytest
from django.utils import timezone

from charting.models import TriggerPoint
from conftest import assert_accessible, log_in
from treatment.models import InjectionSet, Session
from treatment.tests.test_browser_repeat_session import Counted

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_session_from_a_favourite_takes_at_most_8_clicks_and_3_typed_values(page, clinician, course,
                                                                               trigger_points):
    favourite = InjectionSet.objects.create(name="Neck, left", clinic_wide=True)
    for muscle, volume in (("upper-trapezius", "2"), ("levator-scapulae", "1.5"), ("infraspinatus", "3")):
        favourite.items.create(muscle=muscle, side="left", agent="lidocaine", concentration_pct=Decimal("1"),
                               volume_ml=Decimal(volume), needle_gauge=27, needle_length_mm=32,
                               technique="fanning", guidance="none")
    TriggerPoint.objects.create(patient=course.patient, muscle="levator-scapulae", side="left", region="neck.angle",
                                region_side="left", view="back", map_x=102, map_y=104, found_on=timezone.localdate())
    log_in(page, "clinician")
    page.goto(f"/courses/{course.pk}/")
    assert_accessible(page)

    user = Counted(page)
    user.click(page.get_by_role("button", name="Apply favourite: Neck, left"))
    page.locator("#dose-total").wait_for()
    assert page.locator("#injections tbody tr.injection-row").count() == 2
    page.get_by_text("Not planned, no open trigger point charted for this patient at: Infraspinatus, left").wait_for()
    user.type(page.get_by_label("Pain before (0-10)"), "6")
    user.type(page.get_by_label("Pain after (0-10)"), "2")
    user.type(page.locator("#injections tbody tr.injection-row").first.locator("input[name$='-volume_ml']"), "2.5")
    assert_accessible(page)
    user.click(page.get_by_role("button", name="The patient consents: save and record it"))
    page.get_by_text("Draft saved and consent recorded.").wait_for()
    user.click(page.get_by_role("button", name="Save and sign"))
    page.get_by_text("Session signed.").wait_for()

    assert user.clicks <= 8 and user.typed <= 3, (user.clicks, user.typed)
    session = Session.objects.get()
    assert session.is_signed and session.consent_recorded and (session.pain_before, session.pain_after) == (6, 2)
    assert sorted((i.trigger_point.muscle, i.volume_ml, i.needle_gauge)
                  for i in session.injections.select_related("trigger_point")) == [
        ("levator-scapulae", Decimal("1.5"), 27), ("upper-trapezius", Decimal("2.5"), 27)]


def test_saving_a_favourite_from_a_draft_and_the_defaults_page(page, clinician, course, trigger_points):
    session = Session.objects.create(course=course, clinician=clinician)
    log_in(page, "clinician")
    page.goto("/")
    page.get_by_role("link", name="My defaults").click()
    page.get_by_label("Default injectate").select_option("bupivacaine")
    page.get_by_label("Default needle").select_option("27-32")
    page.get_by_role("button", name="Save my defaults").click()
    page.get_by_text("Your defaults are saved.").wait_for()
    assert_accessible(page)

    page.goto(f"/courses/sessions/{session.pk}/")
    page.get_by_role("button", name="Add injection").click()
    row = page.locator("#injections tbody tr.injection-row").first
    assert row.locator("select[name$='-agent']").input_value() == "bupivacaine"
    assert row.locator("input[name$='-needle_gauge']").input_value() == "27"
    row.locator("select[name$='-trigger_point']").select_option(index=1)
    row.locator("input[name$='-concentration_pct']").fill("0.25")
    page.get_by_text("Save these injections as a favourite").click()
    page.get_by_label("Name of the favourite").fill("Trapezius bupivacaine")
    page.get_by_role("button", name="Save as favourite").click()
    page.get_by_text("saved as your favourite “Trapezius bupivacaine”").wait_for()
    assert page.get_by_role("button", name="Apply favourite: Trapezius bupivacaine").is_visible()
    item = InjectionSet.objects.get(owner=clinician).items.get()
    assert (item.agent, item.concentration_pct, item.needle_gauge) == ("bupivacaine", Decimal("0.25"), 27)
