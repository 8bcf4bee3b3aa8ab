"""The OAuth server follows RFC 9700 (the OAuth 2.0 Security BCP): S256 only, tokens kept as hashes,
tokens never in a URL, a replayed refresh token revokes its family, http redirects only on loopback."""
from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from oauth2_provider.models import get_access_token_model

from interop.tests.test_smart import allow, authorize_url, register, token

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_browser(clinician):
    browser = Client()
    browser.force_login(clinician)
    return browser


def test_the_plain_pkce_method_is_refused(staff_browser, clinic):
    app = register()
    page = staff_browser.get(authorize_url(app["client_id"], "user/Patient.read", code_challenge="v" * 64,
                                           code_challenge_method="plain"))
    if page.status_code == 200:  # refused at the latest when the code would be issued
        form = {k: v for k, v in page.context["form"].initial.items() if v is not None}
        page = staff_browser.post("/oauth/authorize", {**form, "allow": "on"})
    assert page.status_code in {302, 400}
    if page.status_code == 302:
        answer = parse_qs(urlsplit(page["Location"]).query)
        assert answer["error"] == ["invalid_request"] and "code" not in answer


def test_tokens_are_stored_as_hashes_and_only_read_from_the_header(staff_browser, clinic):
    app = register()
    code = allow(staff_browser, app["client_id"], "user/Patient.read")
    answer = token(app["client_id"], code).json()
    stored = get_access_token_model().objects.get()
    assert answer["access_token"] not in {stored.token, ""} and stored.token == ""
    patient = clinic["patient"]
    assert Client().get(f"/fhir/Patient/{patient.pk}",
                        headers={"Authorization": f"Bearer {answer['access_token']}"}).status_code == 200
    in_the_url = Client().get(f"/fhir/Patient/{patient.pk}?access_token={answer['access_token']}")
    assert in_the_url.status_code == 401


def test_the_authorisation_response_names_the_issuer(staff_browser, clinic):
    app = register()
    page = staff_browser.get(authorize_url(app["client_id"], "user/Patient.read"))
    form = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    response = staff_browser.post("/oauth/authorize", {**form, "allow": "on"})
    assert response.status_code == 302
    assert parse_qs(urlsplit(response["Location"]).query).get("iss")


def test_a_replayed_refresh_token_revokes_the_family(staff_browser, clinic):
    app = register()
    answer = token(app["client_id"], allow(staff_browser, app["client_id"], "user/Patient.read offline_access")).json()
    refresh = {"grant_type": "refresh_token", "refresh_token": answer["refresh_token"], "client_id": app["client_id"]}
    first = Client().post("/oauth/token", refresh)
    assert first.status_code == 200
    assert Client().post("/oauth/token", refresh).status_code == 400  # the same refresh token again
    bearer = {"Authorization": f"Bearer {first.json()['access_token']}"}
    assert Client().get(f"/fhir/Patient/{clinic['patient'].pk}", headers=bearer).status_code == 401


@pytest.mark.parametrize("uri, allowed", [
    ("https://app.example/callback", True),
    ("http://127.0.0.1:9/callback", True),
    ("http://[::1]:8000/callback", True),
    ("http://app.example/callback", False),
    ("http://localhost/callback", False),
])
def test_plain_http_redirects_only_on_loopback(uri, allowed):
    out = io.StringIO()
    if allowed:
        call_command("smart_client", "--name", "App", "--redirect-uri", uri, stdout=out)
        assert "client_id" in out.getvalue()
    else:
        with pytest.raises(CommandError, match="loopback"):
            call_command("smart_client", "--name", "App", "--redirect-uri", uri, stdout=out)
