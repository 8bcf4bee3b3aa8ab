"""Login throttling: 5 failures for one username from one address, or 20 for one username from
any addresses, pause logins for 15 minutes; wrong codes count like wrong passwords."""
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.testing import next_code
from audit.models import Action, AuditEvent
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def attempt(client, username, password, ip="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_settings_are_five_failures_and_fifteen_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=15)
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.LOGIN_USERNAME_FAILURE_LIMIT == 20 and not settings.AXES_RESET_ON_SUCCESS


def test_five_wrong_passwords_lock_that_user_from_that_address(client, clinician):
    for _ in range(4):
        assert attempt(client, "clinician", "wrong").status_code == 200
    locked = attempt(client, "clinician", "wrong")
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "Logging in is paused" in text and "15 minutes" in text and "administrator" in text
    # even the right password is refused now, from that address
    assert attempt(client, "clinician", PASSWORD).status_code == 429
    # another address, or another user, is not locked
    assert attempt(client, "clinician", PASSWORD, ip="10.0.0.2").status_code == 302
    assert AuditEvent.objects.filter(action=Action.LOGIN_FAILED, username="clinician").count() >= 5


def test_the_lock_lifts_after_the_cool_off(client, clinician):
    for _ in range(5):
        attempt(client, "clinician", "wrong")
    assert attempt(client, "clinician", PASSWORD).status_code == 429
    later = timezone.now() + timedelta(minutes=16)
    with mock.patch("axes.attempts.now", return_value=later), mock.patch("axes.handlers.proxy.now", return_value=later):
        assert attempt(client, "clinician", PASSWORD).status_code == 302


def test_wrong_codes_count_towards_the_lockout(client, clinician):
    attempt(client, "clinician", PASSWORD)
    device = clinician.totpdevice_set.get()
    good = next_code(device)
    bad = "000000" if good != "000000" else "111111"
    statuses = [client.post(reverse("accounts:mfa_verify"), {"otp_token": bad}, REMOTE_ADDR="10.0.0.1").status_code
                for _ in range(5)]
    assert statuses[:4] == [400] * 4 and statuses[4] == 429
    # logged out, and the right code no longer helps
    assert client.get(reverse("patients:list")).status_code == 302
    assert "/login/" in client.get(reverse("patients:list")).url
    assert attempt(client, "clinician", PASSWORD).status_code == 429


def test_an_administrator_can_unlock_and_reset_an_authenticator(client, clinician, django_user_model):
    from django.contrib import admin
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.test import RequestFactory

    from accounts.models import StaffProfile

    for _ in range(5):
        attempt(client, "clinician", "wrong")
    assert attempt(client, "clinician", PASSWORD).status_code == 429
    model_admin = admin.site._registry[StaffProfile]
    request = RequestFactory().post("/admin/")
    request.user = django_user_model.objects.create_superuser("root", password="x" * 12)
    request.session = {}
    request._messages = FallbackStorage(request)
    profiles = StaffProfile.objects.filter(user=clinician)
    model_admin.unlock_logins(request, profiles)
    model_admin.reset_authenticator(request, profiles)
    assert not clinician.totpdevice_set.exists()
    response = attempt(client, "clinician", PASSWORD)
    assert response.status_code == 302
    assert client.get("/patients/").url.startswith(reverse("accounts:mfa_enrol"))


# --- behind a proxy, and one username from many addresses (issue 11, finding 2) ------------------

PROXY = "10.0.0.254"
REAL = "198.51.100.7"


def via_proxy(client, username, password, forged):
    """What the TLS proxy passes on: the client's own X-Forwarded-For with the address it saw appended."""
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=PROXY,
                       HTTP_X_FORWARDED_FOR=f"{forged}, {REAL}")


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_forged_forwarded_addresses_do_not_escape_the_lockout(client, clinician):
    statuses = [via_proxy(client, "clinician", "wrong", f"203.0.113.{i}").status_code for i in range(25)]
    assert statuses[:4] == [200] * 4 and set(statuses[4:]) == {429}
    assert via_proxy(client, "clinician", PASSWORD, "192.0.2.99").status_code == 429
    failed = AuditEvent.objects.filter(action=Action.LOGIN_FAILED, username="clinician")
    assert set(failed.values_list("remote_addr", flat=True)) == {REAL}, "the trail names the real address"


def test_one_username_is_locked_from_every_address_after_the_username_limit(client, clinician):
    limit = settings.LOGIN_USERNAME_FAILURE_LIMIT
    assert limit == 20
    for i in range(limit):
        attempt(client, "clinician", "wrong", ip=f"10.1.{i // 4}.{i % 4 + 1}")  # 4 per address: no pair lock
    locked = attempt(client, "clinician", PASSWORD, ip="10.9.9.9")
    assert locked.status_code == 429 and "20 failed attempts to log in as this user, from several" in locked.content.decode()
    # other users are not affected
    from accounts.models import Role
    from conftest import make_staff

    make_staff(clinician.__class__, "other", Role.NURSE)
    assert attempt(client, "other", PASSWORD, ip="10.9.9.9").status_code == 302


def test_a_correct_password_does_not_reset_the_count_of_wrong_codes(client, clinician):
    """Otherwise someone who knows the password could guess codes for ever, four at a time."""
    device = clinician.totpdevice_set.get()
    good = next_code(device)
    bad = "000000" if good != "000000" else "111111"
    code_url = reverse("accounts:mfa_verify")
    attempt(client, "clinician", PASSWORD)
    assert [client.post(code_url, {"otp_token": bad}, REMOTE_ADDR="10.0.0.1").status_code for _ in range(3)] == [400] * 3
    assert attempt(client, "clinician", PASSWORD).status_code == 302
    assert [client.post(code_url, {"otp_token": bad}, REMOTE_ADDR="10.0.0.1").status_code for _ in range(2)] == [400, 429]
    failures = AuditEvent.objects.filter(action="mfa-failed", username="clinician")
    assert failures.count() == 5


def test_a_completed_login_clears_the_count(client, clinician):
    device = clinician.totpdevice_set.get()
    for _ in range(4):
        attempt(client, "clinician", "wrong")
    attempt(client, "clinician", PASSWORD)
    assert client.post(reverse("accounts:mfa_verify"), {"otp_token": next_code(device)},
                       REMOTE_ADDR="10.0.0.1").status_code == 302
    client.post(reverse("logout"))
    for _ in range(4):
        assert attempt(client, "clinician", "wrong").status_code == 200
