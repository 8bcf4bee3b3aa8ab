"""Automatic log-off: the server session ends after SESSION_IDLE_SECONDS without a request; the
page's script (accounts/static/accounts/idle.js) warns, keeps the session while someone types,
and logs out when the time has passed."""
import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_session_ends_after_the_idle_time_and_every_request_extends_it():
    assert settings.SESSION_COOKIE_AGE == 900 and settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_keepalive_keeps_a_session_and_says_when_there_is_none(client, clinician):
    assert client.post(reverse("accounts:keepalive")).status_code == 401
    client.force_login(clinician)
    response = client.post(reverse("accounts:keepalive"))
    assert response.status_code == 204
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_idle_logout_ends_the_session_and_says_why(client, clinician):
    client.force_login(clinician)
    response = client.post(reverse("accounts:idle_logout"), {"next": "/patients/"})
    assert response.status_code == 302 and response.url == "/login/?idle=1&next=%2Fpatients%2F"
    assert client.get(reverse("patients:list")).status_code == 302
    page = client.get(response.url)
    assert "You were logged out because nothing happened for a while" in page.content.decode()
    assert client.get(reverse("accounts:idle_logout")).status_code == 405, "only a POST logs out"


def test_the_include_carries_the_idle_time_only_for_logged_in_users(clinician):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = clinician
    html = render_to_string("accounts/_idle.html", {"user": clinician}, request=request)
    assert 'data-idle-seconds="900"' in html and "accounts/idle.js" in html
    assert render_to_string("accounts/_idle.html", {"user": AnonymousUser()}).strip() == ""


# --- the absolute lifetime (issue 11, finding 8) ------------------------------------------------

def _logged_in_hours_ago(client, hours):
    import time

    from accounts.sessions import LOGIN_AT

    session = client.session
    assert LOGIN_AT in session, "the login time is kept in the session"
    session[LOGIN_AT] = int(time.time() - hours * 3600)
    session.save()


def test_keepalive_cannot_stretch_a_session_past_its_lifetime(client, clinician):
    assert settings.SESSION_MAX_AGE_HOURS == 12
    client.force_login(clinician)
    _logged_in_hours_ago(client, 11.9)
    assert client.post(reverse("accounts:keepalive")).status_code == 204
    assert client.get(reverse("patients:list")).status_code == 200
    _logged_in_hours_ago(client, 12)
    assert client.post(reverse("accounts:keepalive")).status_code == 401
    response = client.get(reverse("patients:list"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_login_page_says_why_the_session_ended(client, clinician):
    client.force_login(clinician)
    _logged_in_hours_ago(client, 13)
    page = client.get(reverse("patients:list"), follow=True)
    assert "because you logged in 12 hours ago" in page.content.decode()
    from audit.models import Action, AuditEvent

    assert AuditEvent.objects.filter(action=Action.LOGOUT, username="clinician").exists()
