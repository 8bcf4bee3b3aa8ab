"""A clinical reviewer approves a text in real Chromium; the page passes axe-core's checks."""
import pytest
from axe_playwright_python.sync_playwright import Axe

from conftest import log_in
from library import review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def serious(results) -> list:
    return [v["id"] for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]


def test_reviewer_approves_the_arabic_consent_form(page, clinician):
    clinician.groups.add(review.reviewers_group())
    log_in(page, "clinician")
    page.goto("/library/review/")
    assert serious(Axe().run(page)) == []
    row = page.locator("tr", has=page.get_by_role("link", name="الموافقة على حقن نقاط الزناد"))
    assert row.get_attribute("data-state") == "draft"
    row.get_by_role("link").click()
    assert page.locator(".review-wording").get_attribute("dir") == "rtl"
    assert serious(Axe().run(page)) == []
    page.get_by_label("I have read the whole text above").check()
    page.get_by_role("button", name="Approve").click()
    page.get_by_text("Approved: patients now see who reviewed this text and when.").wait_for()
    assert "Alice Ward" in page.locator("#review-state").inner_text()
    assert review.status_of("consent", "form", "ar").state == review.REVIEWED
