"""A mixture row documented with the keyboard alone in real Chromium: lidocaine with bupivacaine and
triamcinolone in one syringe, with the bupivacaine's lot; the live screen counts each agent, and axe-core
checks the page."""
import pytest
from django.utils import timezone

from charting.models import TriggerPoint
from conftest import assert_accessible, log_in
from treatment.models import Course, Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def new_session(clinician, patient) -> Session:
    """A draft session of a new course for a patient with one charted trigger point."""
    TriggerPoint.objects.create(patient=patient, muscle="upper-trapezius", side="left", region="neck.angle",
                                region_side="left", view="back", map_x=100, map_y=100, found_on=timezone.localdate())
    course = Course.objects.create(patient=patient, clinician=clinician, interval_days=14, diagnosis_code="M79.12")
    return Session.objects.create(course=course, clinician=clinician)


def open_new_row(page, session, width: int, height: int, pain: str = ""):
    """Sign in, open the draft at this width, add an injection row from the keyboard, pick its trigger
    point and unfold its details: the row's locator."""
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, "clinician")
    page.goto(f"/courses/sessions/{session.pk}/")
    keys = page.keyboard
    if pain:
        page.get_by_label("Pain before (0-10)").focus()
        keys.type(pain)
    page.get_by_role("button", name="Add injection").focus()
    keys.press("Enter")  # the new row's trigger point gets the focus
    keys.press("ArrowDown")
    row = page.locator("#injections tbody tr.injection-row").first
    assert row.locator("select[name$='-trigger_point']").input_value() != ""
    row.locator("details.injection-details summary").focus()
    keys.press("Enter")  # unfold needle, guidance, lot and mixture
    return row


def test_document_a_mixture_row_with_the_keyboard(page, clinician, patient):
    session = new_session(clinician, patient)
    row = open_new_row(page, session, 1366, 768, pain="6")
    keys = page.keyboard
    mixed = row.locator("fieldset.mixed-agent").first
    mixed.get_by_label("Agent 2: mixed with").focus()
    keys.type("Bup")  # a closed select jumps to the typed name
    for label, value in (("Agent 2: Concentration (%)", "0.25"), ("Agent 2: Volume (mL)", "2"),
                         ("Agent 2: Lot", "BUP-17")):
        mixed.get_by_label(label, exact=True).focus()
        keys.type(value)
    assert row.locator("fieldset.mixed-agent").count() == 1  # one empty slot until asked for another
    row.get_by_role("button", name="Add agent").focus()
    keys.press("Enter")  # the next slot, its agent focused; what was typed in the first stays
    second = row.locator("fieldset.mixed-agent").nth(1)
    assert second.get_by_label("Agent 3: mixed with").evaluate("el => el === document.activeElement")
    assert mixed.get_by_label("Agent 2: Lot", exact=True).input_value() == "BUP-17"
    keys.type("Tri")
    second.get_by_label("Agent 3: dose (mg)").focus()
    keys.type("20")
    keys.press("Tab")  # leaving the field runs the live check
    page.locator("#session-check").get_by_text("Triamcinolone acetonide 20 mg this session", exact=False).wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Save draft").focus()
    keys.press("Enter")
    page.get_by_text("Draft saved.").wait_for()

    [injection] = session.injections.all()
    assert injection.describe_mixture() == (
        "Lidocaine 1%, 1.00 mL + Bupivacaine 0.25%, 2.00 mL + Triamcinolone acetonide 20 mg")
    assert [a.lot_number for a in injection.mixed_agents.all()] == ["BUP-17", ""]
    assert_accessible(page)


def test_add_agent_stops_at_the_syringes_bound_and_says_so(page, clinician, patient):
    session = new_session(clinician, patient)
    row = open_new_row(page, session, 390, 844)
    keys = page.keyboard
    add = row.get_by_role("button", name="Add agent")
    for _ in range(3):
        add.focus()
        keys.press("Enter")
    slots = row.locator("fieldset.mixed-agent")
    assert slots.count() == 4
    assert [slots.nth(n).locator("legend").inner_text() for n in range(4)] == [
        "Mixed agent 2", "Mixed agent 3", "Mixed agent 4", "Mixed agent 5"]
    assert slots.nth(3).get_by_label("Agent 5: dose (mg)").count() == 1
    add.focus()
    keys.press("Enter")
    assert slots.count() == 4
    assert "at most 5 agents" in row.locator(".mixture-status").inner_text()
    assert_accessible(page)
