"""The second factor cannot be skipped: a password-only session is held at the second step on
every staff URL whatever Authorization header it sends; only a valid token on /api/ or /fhir/
is judged by the token instead (issue 11, finding 1)."""
from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from audit.permissions import AREAS, ROLES
from audit.tests.test_permission_matrix import ROUTES, api_body, area_for, build_world, url_kwargs
from conftest import PASSWORD

STAFF = [role for role in ROLES if role != "patient"]
SECOND_STEP = (reverse("accounts:mfa_verify"), reverse("accounts:mfa_enrol"))
PASSWORD_ONLY = "django.contrib.auth.backends.ModelBackend"  # not MFA-exempt, unlike force_login's default


def staff_urls():
    """(name, method) of every URL some member of staff may use and a stranger may not."""
    for name in sorted(ROUTES):
        for method, area_key in (area_for(name) or {}).items():
            area = AREAS[area_key]
            if area.anonymous or not any(area.access[role] != "no" for role in STAFF):
                continue
            yield pytest.param(name, method, id=f"{method} {name}")


@pytest.fixture(scope="module")
def clinic(django_db_setup, django_db_blocker):
    from django.db import transaction

    with django_db_blocker.unblock():
        with transaction.atomic():
            yield build_world()
            transaction.set_rollback(True)


def held(response) -> bool:
    if response.status_code == 204 and response.get("HX-Redirect", "").startswith(SECOND_STEP):
        return True
    return response.status_code in {301, 302, 303} and response["Location"].startswith(SECOND_STEP)


@pytest.mark.parametrize("name,method", list(staff_urls()))
def test_a_bogus_bearer_header_never_skips_the_second_step(name, method, clinic, db):
    """The whole permission matrix again, as every staff role logged in with a password only."""
    url = reverse(name, kwargs=url_kwargs(name, ROUTES[name], clinic, "own"))
    token_path = url.startswith(("/api/", "/fhir/"))
    problems = []
    for role in STAFF:
        client = Client()
        client.force_login(clinic["users"][role], backend=PASSWORD_ONLY)
        for header in ("Bearer x", f"Bearer {clinic['tokens'][role]}x", "bearer   ", "Bearer"):
            body = json.dumps(api_body(name, clinic)) if token_path else ""
            response = client.generic(method, url, body, content_type="application/json",
                                      headers={"Authorization": header})
            # On /api/ and /fhir/ a bad token is judged as a bad token (401); everywhere else the
            # session is what counts, and it has not passed the second step.
            ok = response.status_code == 401 if token_path else held(response)
            if not ok:
                problems.append(f"{method} {url} as {role} with {header[:12]!r}: {response.status_code} "
                                f"{response.get('Location', '')}")
    assert not problems, "\n".join(problems)


pytestmark = pytest.mark.django_db


def password_login(client, username):
    return client.post(reverse("login"), {"username": username, "password": PASSWORD})


def test_the_reported_attack_reading_a_chart_with_a_made_up_token(client, clinician, patient):
    password_login(client, "clinician")
    response = client.get(f"/patients/{patient.pk}/", headers={"Authorization": "Bearer x"})
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:mfa_verify"))


def test_a_valid_token_does_not_open_web_pages_for_a_password_only_session(client, clinician, patient):
    from interop.models import ApiToken

    _, raw = ApiToken.issue(clinician, "phone")
    password_login(client, "clinician")
    for url in (f"/patients/{patient.pk}/", "/audit/", "/admin/"):
        response = client.get(url, headers={"Authorization": f"Bearer {raw}"})
        assert held(response), f"{url}: {response.status_code}"


def test_a_valid_token_on_the_api_is_judged_by_the_token(client, clinician, patient):
    from interop.models import ApiToken

    _, raw = ApiToken.issue(clinician, "sync")
    password_login(client, "clinician")  # a held session in the same client changes nothing
    response = client.get(f"/api/v1/patients/{patient.pk}", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200 and response.json()["mrn"] == patient.mrn
    fhir = client.get(f"/fhir/Patient/{patient.pk}/$everything", headers={"Authorization": f"Bearer {raw}"})
    assert fhir.status_code == 200
    # without the header, the FHIR endpoint (which also takes a web session) holds the session
    assert held(client.get(f"/fhir/Patient/{patient.pk}/$everything"))


def test_a_held_request_is_audited_once_as_mfa_required(client, clinician, patient):
    password_login(client, "clinician")
    before = AuditEvent.objects.count()
    response = client.post(f"/patients/{patient.pk}/edit/", {"given_name": "X"})
    assert held(response)
    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert [(e.action, e.username, e.status) for e in events] == [("mfa-required", "clinician", 302)]
    assert not AuditEvent.objects.filter(action="update", username="clinician").exists()
