"""In real Chromium: enrolling an authenticator at first login, the code step, and automatic
log-off after inactivity with its warning. Our own pages break no rule of the strict CSP."""
from base64 import b32decode

import pytest
from django_otp.oath import totp

from conftest import PASSWORD, close_language_dialog, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def csp_messages(page) -> list[str]:
    found = []
    page.on("console", lambda message: found.append(message.text) if "Content Security Policy" in message.text else None)
    return found


def code_from_key(text: str) -> str:
    key = text.replace(" ", "")
    secret = b32decode(key + "=" * (-len(key) % 8))
    return f"{totp(secret):06d}"


def test_first_login_enrols_an_authenticator_then_asks_for_codes(page, django_user_model):
    from accounts.models import Role, StaffProfile

    user = django_user_model.objects.create_user("reyes", password=PASSWORD, first_name="Lucía", last_name="Reyes")
    StaffProfile.objects.create(user=user, role=Role.NURSE)
    violations = csp_messages(page)
    page.goto("/login/")
    close_language_dialog(page)
    page.get_by_label("Username").fill("reyes")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/account/enrol/**")
    assert page.locator(".qr svg").is_visible()
    page.get_by_label("Authentication code").fill(code_from_key(page.locator("#manual-key").inner_text()))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/courses/worklist/**")
    page.get_by_text("Your authenticator app is set up").wait_for()
    assert violations == []


def test_staff_enter_the_code_and_patients_do_not(page, clinician, django_user_model, patient):
    violations = csp_messages(page)
    log_in(page, "clinician")
    assert "/courses/worklist/" in page.url
    page.get_by_role("button", name="Log out").click()
    maria = django_user_model.objects.create_user("maria", password=PASSWORD)
    patient.user = maria
    patient.save()
    page.goto("/login/")
    close_language_dialog(page)
    page.get_by_label("Username").fill("maria")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/portal/**")
    assert violations == []


def test_idle_warning_then_log_off(page, administrator, settings):
    settings.SESSION_COOKIE_AGE = 6
    violations = csp_messages(page)
    log_in(page, "administrator")
    page.goto("/audit/")
    warning = page.locator("#idle-warning")
    warning.wait_for(timeout=8_000)
    assert "logged out in" in warning.inner_text()
    page.wait_for_url("**/login/?idle=1**", timeout=12_000)
    page.get_by_text("You were logged out because nothing happened for a while").wait_for()
    page.goto("/audit/")
    assert "/login/" in page.url
    assert violations == []


def test_staying_logged_in_from_the_warning(page, administrator, settings):
    settings.SESSION_COOKIE_AGE = 8
    log_in(page, "administrator")
    page.goto("/audit/")
    page.get_by_role("button", name="Stay logged in").click(timeout=10_000)
    page.locator("#idle-warning").wait_for(state="detached", timeout=5_000)
    page.wait_for_timeout(4_000)  # past the first deadline: still here, the session was kept
    assert page.url.endswith("/audit/")
    response = page.request.get("/audit/", max_redirects=0)
    assert response.status == 200


def test_log_in_also_enrols_staff_made_without_the_fixtures(page, django_user_model):
    """conftest.log_in works for staff created by hand in other apps' tests (no device yet)."""
    from accounts.models import Role, StaffProfile

    user = django_user_model.objects.create_user("okafor", password=PASSWORD)
    StaffProfile.objects.create(user=user, role=Role.CLINICIAN)
    log_in(page, "okafor")
    assert "/courses/worklist/" in page.url
    assert user.totpdevice_set.get().confirmed


def test_forgotten_password_by_e_mail_then_the_code(page, live_server, clinician):
    """From the login page's link to a new password and the usual second step, in real pages."""
    import re

    from django.core import mail

    clinician.email = "alice.ward@clinic.example"
    clinician.save()
    violations = csp_messages(page)
    # a first visit to a public page (/login/ too) offers the language dialog (issue 14): chosen already
    page.context.add_cookies([{"name": "language_chosen", "value": "1", "url": live_server.url}])
    page.goto("/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("alice.ward@clinic.example")
    page.get_by_role("button", name="Send the link").click()
    page.get_by_role("heading", name="Check your e-mail").wait_for()
    link = re.search(r"https?://\S+/account/reset/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_label(re.compile(r"^New password:?$")).fill("a-fresh-longer-passphrase")
    page.get_by_label("New password confirmation").fill("a-fresh-longer-passphrase")
    page.get_by_role("button", name="Set password").click()
    page.get_by_role("heading", name="Password set").wait_for()
    log_in(page, "clinician", password="a-fresh-longer-passphrase")
    assert "/courses/worklist/" in page.url
    page.get_by_role("link", name="Change password").click()
    page.get_by_role("heading", name="Change your password").wait_for()
    assert violations == []
