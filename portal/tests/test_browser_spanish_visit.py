"""A patient's visit in Spanish, in real Chromium: the language dialog, the library, the diary with
a graded drawing (axe-core checks it), the handout PDF, and a Spanish-speaking physical therapist; Arabic pages are RTL."""
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from charting.models import TriggerPoint
from conftest import PASSWORD, assert_accessible
from directory.demo import load_demo_specialists
from patients.models import Patient
from portal.models import DiaryEntry
from treatment.models import Course, Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def portal_patient(django_user_model, clinician):
    user = django_user_model.objects.create_user("paciente", password=PASSWORD, first_name="Olga")
    patient = Patient.objects.create(mrn="TP7001", given_name="Olga", family_name="Schmidt", birth_date="1971-04-02",
                                     sex="female", height_cm=162, weight_kg=60, preferred_language="en", user=user)
    TriggerPoint.objects.create(patient=patient, muscle="upper-trapezius", side="right", region="neck.angle",
                                region_side="right", view="back", map_x=100, map_y=100, found_on=timezone.localdate())
    course = Course.objects.create(patient=patient, clinician=clinician, interval_days=14)
    Session.objects.create(course=course, clinician=clinician, performed_at=timezone.now() + timedelta(days=3))
    load_demo_specialists()
    return patient


def test_a_patients_visit_in_spanish(page, portal_patient):
    page.goto("/library/")
    dialog = page.locator("#language-dialog")
    assert dialog.is_visible()
    dialog.locator('input[name="language"][value="es"]').check()
    dialog.locator("#language-save").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "es"
    assert not page.locator("#language-dialog").is_visible()

    page.locator('a[href="/library/trigger-point-injections/"]').first.click()
    article = page.locator("article[lang]").first
    assert article.get_attribute("lang") == "es"
    assert "sesi" in article.inner_text()
    page.locator("section[aria-labelledby=related-heading] a").first.click()
    assert page.locator("article[lang]").first.get_attribute("lang") == "es"

    page.goto("/login/")
    page.locator("#id_username").fill("paciente")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/portal/")
    portal_patient.refresh_from_db()
    assert portal_patient.preferred_language == "en"  # the visitor's choice is stored once they choose as a patient
    page.locator("#language-button").click()
    page.locator('#language-dialog input[name="language"][value="es"]').check()
    page.locator("#language-save").click()
    page.wait_for_load_state()
    portal_patient.refresh_from_db()
    assert portal_patient.preferred_language == "es"

    page.goto("/portal/diary/")
    page.locator("#id_pain").fill("6")
    mark_on_map(page, "neck.side:right")
    mark_on_map(page, "head.temple:right")
    page.locator("#diary-map .bodymap-intensity-input").fill("3")  # the temple hurts less than the day
    assert "dolor 3 de 10" in page.locator("#diary-map .bodymap-marked-list").inner_text()
    assert page.locator("#diary-map .bodymap-intensity label").inner_text() == "Dolor aquí (0-10)"
    assert_accessible(page)
    page.locator("#save-diary").click()
    page.wait_for_load_state()
    entry = DiaryEntry.objects.get(patient=portal_patient)
    assert entry.pain == 6
    assert sorted(entry.drawing.mark_codes) == ["head.temple:right@3", "neck.side:right@6"]
    assert entry.drawing.source == "patient"

    pdf = page.request.get("/portal/handout.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert "sesión" in text.lower() and "trapecio" in text.lower()
    assert "Aftercare" not in text and "next session" not in text.lower()

    page.goto("/specialists/")
    page.locator("#id_language").select_option("es")
    page.locator("#id_specialty").select_option("225100000X")
    page.locator("main form[role=search] button[type=submit]").first.click()
    page.wait_for_load_state()
    results = page.locator("main").inner_text()
    assert "Lucía Fernández" in results and "Omar Haddad" not in results


def test_arabic_pages_render_right_to_left(page, portal_patient):
    page.goto("/library/trigger-point-injections/")
    page.locator('#language-dialog input[name="language"][value="ar"]').check()
    page.locator("#language-save").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("dir") == "rtl"
    article = page.locator("article[lang]").first
    assert article.get_attribute("lang") == "ar" and article.get_attribute("dir") == "rtl"
    body_width = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert body_width <= 1, "an RTL page must not scroll sideways"


def mark_on_map(page, key):
    """Click a place on the diary's map, through its body area where the map is drawn narrow
    (a narrow whole-body view offers areas first; see anatomy/static/anatomy/bodymap.js)."""
    place = page.locator(f'#diary-map path[data-key="{key}"]').first
    if page.locator("#diary-map.bm-area-open").count():
        page.locator("#diary-map .bodymap-back").click()
    if page.locator("#diary-map.bm-areas").count():
        view, group, side = (place.get_attribute(name) for name in ("data-view", "data-group", "data-side"))
        page.locator(f'#diary-map .area[data-view="{view}"][data-area="{group}"]'
                     f':is([data-side="{side}"], [data-side=""])').click()
    place.click()
