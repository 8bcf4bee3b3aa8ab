"""In real Chromium: an administrator follows a patient's audit trail to her accounting of
disclosures; the front desk opens a chart and sees demographics, appointments and payer only."""
import re

import pytest
from playwright.sync_api import expect

from conftest import log_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_administrator_reads_a_patients_accounting_of_disclosures(page, browser, live_server, administrator,
                                                                      front_desk, clinician, patient):
    from audit import events
    from audit.events import Action

    events.record(Action.EXPORT, obj=patient, user=clinician, detail="FHIR Patient/$everything")
    log_in(page, "desk")
    page.goto(f"/patients/{patient.pk}/")
    expect(page.get_by_role("heading", name=patient.full_name, level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Payer")).to_be_visible()
    expect(page.get_by_text("Safety facts")).to_have_count(0)

    admin = browser.new_context(base_url=live_server.url)
    admin_page = admin.new_page()
    log_in(admin_page, "administrator")
    admin_page.goto(f"/audit/patients/{patient.pk}/")
    admin_page.get_by_role("link", name="Accounting of disclosures").click()
    expect(admin_page).to_have_url(re.compile(rf"/audit/patients/{patient.pk}/disclosures/"))
    table = admin_page.get_by_role("table")
    expect(table.get_by_role("row", name=re.compile("desk"))).not_to_have_count(0)  # the front desk's read
    expect(table.get_by_role("row", name=re.compile("FHIR Patient"))).to_have_count(1)
    admin_page.get_by_label("Only records that left the clinic (exports)").check()
    admin_page.get_by_role("button", name="Show").click()
    expect(admin_page).to_have_url(re.compile(r"exports=1"))
    expect(admin_page.get_by_role("table").get_by_role("row")).to_have_count(2)  # the header and the export
    admin.close()
