"""Login throttling: 5 failures for one username from one address pause logins for 15 minutes."""
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
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
