"""A Spanish-speaking patient comes back: the language dialog on `/` of a fresh browser, Spanish
kept after the browser is closed, her past session in the history, a request to change an
appointment, and a Spanish reminder e-mail at a real local SMTP server. axe-core checks each page."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from charting.models import TriggerPoint
from conftest import PASSWORD, assert_accessible, make_appointment
from patients.models import Patient
from scheduling.models import AppointmentRequest
from treatment.models import Course, Injection, Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def olga(django_user_model, clinician):
    user = django_user_model.objects.create_user("olga", password=PASSWORD, first_name="Olga")
    patient = Patient.objects.create(mrn="TP7002", given_name="Olga", family_name="Schmidt", birth_date="1971-04-02",
                                     sex="female", preferred_language="es", user=user)
    point = TriggerPoint.objects.create(patient=patient, muscle="upper-trapezius", side="right", region="neck.angle",
                                        region_side="right", view="back", map_x=100, map_y=100,
                                        found_on=timezone.localdate() - timedelta(days=30))
    course = Course.objects.create(patient=patient, clinician=clinician, interval_days=14)
    signed = Session.objects.create(course=course, clinician=clinician, performed_at=timezone.now() - timedelta(days=22),
                                    pain_before=7, pain_after=3, consent_recorded=True, status=Session.Status.SIGNED,
                                    signed_at=timezone.now() - timedelta(days=22), signed_by=clinician)
    Injection.objects.create(session=signed, trigger_point=point, volume_ml=Decimal("1.5"))
    course.refresh_schedule()
    appointment = make_appointment(course, days_ahead=1)
    return {"patient": patient, "signed": signed, "appointment": appointment}


def sign_in(page):
    page.locator("#id_username").fill("olga")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/portal/")


def test_a_returning_spanish_speaking_patient(browser, live_server, olga, smtp_server, task_worker):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto("/")  # a fresh browser: `/` sends her to the login page, which asks for her language
    assert "/login/" in page.url
    dialog = page.locator("#language-dialog")
    assert dialog.is_visible()
    assert_accessible(page)
    dialog.locator('input[name="language"][value="es"]').check()
    dialog.locator("#language-save").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "es"
    sign_in(page)
    assert "Hola, Olga" in page.locator("h1").inner_text()
    assert_accessible(page)
    kept = context.storage_state()
    context.close()

    # The browser is closed: cookies that last only for the session go, the chosen language stays.
    kept["cookies"] = [c for c in kept["cookies"] if c.get("expires", -1) > 0]
    assert any(c["name"] == "django_language" and c["value"] == "es" for c in kept["cookies"])
    context = browser.new_context(base_url=live_server.url, storage_state=kept)
    page = context.new_page()
    page.goto("/")
    assert "/login/" in page.url and page.locator("html").get_attribute("lang") == "es"
    assert not page.locator("#language-dialog").is_visible()  # not asked again
    sign_in(page)
    assert "Hola, Olga" in page.locator("h1").inner_text()

    page.get_by_role("link", name="Mis visitas").click()
    page.wait_for_url("**/portal/visits/")
    visit = page.locator(f"#visit-{olga['signed'].pk}").locator("xpath=..")
    text = visit.inner_text()
    assert "de 10 antes" in text and "Alice Ward" in text and "inyección" in text
    assert "Ángulo del cuello, lado derecho" in text
    assert page.locator("svg[role=img]").is_visible()  # the pain chart
    assert_accessible(page)

    page.get_by_role("link", name="Mi atención").first.click()
    page.locator(f"#appointment-{olga['appointment'].pk}").get_by_role("link", name="Pedir un cambio").click()
    page.wait_for_url("**/change/")
    assert_accessible(page)
    page.get_by_label("Días preferidos").fill("Martes o jueves")
    page.get_by_label("Horas preferidas").fill("Por la tarde")
    page.get_by_role("button", name="Enviar a la clínica").click()
    page.wait_for_url("**/portal/")
    assert "Gracias" in page.locator("ul.messages").inner_text()
    wanted = AppointmentRequest.objects.get()
    assert wanted.appointment == olga["appointment"] and wanted.preferred_days == "Martes o jueves"

    page.get_by_role("link", name="¿Cómo quiere que le recordemos las citas?").click()
    page.get_by_label("Correo electrónico", exact=True).check()
    page.get_by_label("Dirección de correo electrónico").fill("olga@example.org")
    assert_accessible(page)
    page.get_by_role("button", name="Guardar").click()
    page.wait_for_url("**/portal/")
    context.close()

    call_command("send_reminders", verbosity=0)
    assert task_worker() == 1
    [message] = smtp_server.messages
    assert message["To"] == "olga@example.org" and message["Subject"].startswith("Recordatorio: su cita el")
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Hola Olga" in body and "/portal/" in body
