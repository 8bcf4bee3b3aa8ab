"""Staff confirm each login with a TOTP code; staff without an authenticator enrol one first;
patients log in with a password only."""
from base64 import b32decode

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.testing import code_for_key, next_code
from audit.models import Action, AuditEvent
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

CODE_URL = reverse("accounts:mfa_verify")
ENROL_URL = reverse("accounts:mfa_enrol")


def password_login(client, username, next_url=None, **extra):
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data, **extra)


def test_staff_with_an_app_must_enter_a_code_after_the_password(client, clinician, patient):
    response = password_login(client, "clinician", next_url=f"/patients/{patient.pk}/")
    assert response.status_code == 302
    held = client.get(response.url)
    assert held.status_code == 302 and held.url.startswith(CODE_URL)
    assert "next=%2Fpatients%2F" in held.url
    # every page but the second step is held back, htmx requests too
    assert client.get(reverse("patients:list")).url.startswith(CODE_URL)
    hx = client.get(reverse("patients:list"), headers={"HX-Request": "true"})
    assert hx.status_code == 204 and hx["HX-Redirect"].startswith(CODE_URL)
    assert client.get(reverse("healthz")).status_code == 200

    page = client.get(held.url)
    assert page.status_code == 200 and "Authentication code" in page.content.decode()
    wrong = client.post(held.url, {"otp_token": "000000" if next_code(clinician.totpdevice_set.get()) != "000000" else "111111"})
    assert wrong.status_code == 400 and "did not match" in wrong.content.decode()
    assert AuditEvent.objects.filter(action="mfa-failed", username="clinician", detail="second factor").exists()

    right = client.post(CODE_URL, {"otp_token": next_code(clinician.totpdevice_set.get()),
                                   "next": f"/patients/{patient.pk}/"})
    assert right.status_code == 302 and right.url == f"/patients/{patient.pk}/"
    assert client.get(right.url).status_code == 200
    assert AuditEvent.objects.filter(action=Action.LOGIN, username="clinician", detail="second factor").exists()


def test_a_code_is_accepted_once(client, clinician):
    device = clinician.totpdevice_set.get()
    password_login(client, "clinician")
    code = next_code(device)
    assert client.post(CODE_URL, {"otp_token": code}).status_code == 302
    client.post(reverse("logout"))
    password_login(client, "clinician")
    assert client.post(CODE_URL, {"otp_token": code}).status_code == 400, "a used code cannot be replayed"


def test_staff_without_an_app_enrol_one_with_a_qr_code(client, django_user_model):
    from accounts.models import Role, StaffProfile

    user = django_user_model.objects.create_user("newnurse", password=PASSWORD)
    StaffProfile.objects.create(user=user, role=Role.NURSE)
    password_login(client, "newnurse")
    held = client.get(reverse("patients:list"))
    assert held.url.startswith(ENROL_URL)
    page = client.get(held.url)
    text = page.content.decode()
    assert page.status_code == 200 and "<svg" in text and "QR code" in text
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    key = page.context["key"].replace(" ", "")
    assert b32decode(key + "=" * (-len(key) % 8)) == device.bin_key
    # the code page is not offered before enrolment
    assert client.get(CODE_URL).url.startswith(ENROL_URL)
    assert client.post(ENROL_URL, {"otp_token": "12345"}).status_code == 400
    done = client.post(ENROL_URL, {"otp_token": code_for_key(device.key), "next": "/patients/"})
    assert done.status_code == 302 and done.url == "/patients/"
    device.refresh_from_db()
    assert device.confirmed and client.get("/patients/").status_code == 200
    assert AuditEvent.objects.filter(action=Action.LOGIN, username="newnurse", detail="second factor enrolled").exists()


def test_patients_log_in_with_a_password_only(client, django_user_model, patient):
    user = django_user_model.objects.create_user("maria", password=PASSWORD)
    patient.user = user
    patient.save()
    response = password_login(client, "maria")
    assert response.status_code == 302
    home = client.get(response.url)
    assert home.status_code == 302 and home.url == reverse("portal:home")
    assert client.get(home.url).status_code == 200
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_superusers_without_a_role_need_a_code_too(client, django_user_model):
    django_user_model.objects.create_superuser("root", password=PASSWORD)
    password_login(client, "root")
    assert client.get("/admin/").url.startswith(ENROL_URL)


def test_the_open_redirect_is_closed(client, clinician):
    password_login(client, "clinician")
    response = client.post(CODE_URL, {"otp_token": next_code(clinician.totpdevice_set.get()),
                                      "next": "https://evil.example/"})
    assert response.url == reverse("home")


def test_force_login_counts_as_verified_only_with_the_test_backend(client, clinician):
    client.force_login(clinician)
    assert client.get(reverse("patients:list")).status_code == 200
    client.logout()
    client.force_login(clinician, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(reverse("patients:list")).url.startswith(CODE_URL)


@override_settings(MFA_REQUIRED=False)
def test_mfa_can_be_switched_off_for_a_demo(client, clinician):
    password_login(client, "clinician")
    assert client.get(reverse("patients:list")).status_code == 200


@override_settings(OTP_TOTP_THROTTLE_FACTOR=1)
def test_wrong_codes_slow_down_the_next_try(client, clinician):
    device = clinician.totpdevice_set.get()
    password_login(client, "clinician")
    good = next_code(device)
    client.post(CODE_URL, {"otp_token": "000000" if good != "000000" else "111111"})
    throttled = client.post(CODE_URL, {"otp_token": good})
    assert throttled.status_code == 400 and "Too many wrong codes in a row: wait 1 second," in throttled.content.decode()
