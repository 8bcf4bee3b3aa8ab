"""SMART on FHIR without a browser: PKCE, launch context, scopes, refresh, revocation, the picker and the page."""
from __future__ import annotations

import base64
import hashlib
import io
import json
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from jwcrypto import jwk, jwt

pytestmark = pytest.mark.django_db
APP = "https://app.example/callback"
VERIFIER = "v" * 64
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()


def register(*args) -> dict:
    out = io.StringIO()
    call_command("smart_client", "--name", "Chart viewer", "--redirect-uri", APP, *args, stdout=out)
    return json.loads(out.getvalue())


def authorize_url(client_id, scope, **extra) -> str:
    params = {"response_type": "code", "client_id": client_id, "redirect_uri": APP, "scope": scope,
              "state": "s1", "aud": "http://testserver/fhir", "code_challenge": CHALLENGE,
              "code_challenge_method": "S256", **extra}
    return "/oauth/authorize?" + urlencode(params)


def allow(browser: Client, client_id, scope, patient=None) -> str:
    page = browser.get(authorize_url(client_id, scope))
    assert page.status_code == 200, page.content[:300]
    form = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    form["allow"] = "on"
    if patient is not None:
        form["patient"] = patient.pk
    response = browser.post("/oauth/authorize", form)
    assert response.status_code == 302, response.content[:500]
    return parse_qs(urlsplit(response["Location"]).query)["code"][0]


def token(client_id, code, verifier=VERIFIER, **extra):
    return Client().post("/oauth/token", {"grant_type": "authorization_code", "code": code, "redirect_uri": APP,
                                          "client_id": client_id, "code_verifier": verifier, **extra})


@pytest.fixture
def staff_browser(clinician):
    browser = Client()
    browser.force_login(clinician)  # counts as past the second factor (test settings)
    return browser


def test_smart_configuration_and_capability_statement_agree(client):
    config = client.get("/.well-known/smart-configuration").json()
    assert config["code_challenge_methods_supported"] == ["S256"]
    assert config["authorization_endpoint"] == "http://testserver/oauth/authorize"
    statement = client.get("/fhir/metadata").json()
    uris = {e["url"]: e["valueUri"] for e in statement["rest"][0]["security"]["extension"][0]["extension"]}
    assert uris["authorize"] == config["authorization_endpoint"] and uris["token"] == config["token_endpoint"]
    assert "private_key_jwt" in config["token_endpoint_auth_methods_supported"]
    assert config["token_endpoint_auth_signing_alg_values_supported"] == ["RS384", "ES384"]
    assert "client_credentials" in config["grant_types_supported"] and "system/*.read" in config["scopes_supported"]
    assert "jwks_uri" in statement["rest"][0]["security"]["description"]


def test_staff_pick_the_patient_and_the_token_names_it(staff_browser, clinic):
    app = register()
    patient = clinic["patient"]
    page = staff_browser.get(authorize_url(app["client_id"], "launch/patient patient/*.read") + "&patient_search=TP0001")
    text = page.content.decode()
    assert ">Allow</button>" in text and ">Deny</button>" in text and "Lopez, Maria" in text and "Haddad" not in text
    assert "https://app.example" in page["Content-Security-Policy"]  # the redirect after Allow may leave
    assert "Lopez, Maria" in staff_browser.get(authorize_url(app["client_id"], "launch/patient patient/*.read")
                                               + "&patient_search=1980-05-17").content.decode()
    code = allow(staff_browser, app["client_id"], "launch/patient patient/*.read", patient)
    assert token(app["client_id"], code, verifier="w" * 64).status_code == 400  # PKCE: the wrong verifier
    code = allow(staff_browser, app["client_id"], "launch/patient patient/*.read", patient)
    answer = token(app["client_id"], code).json()
    assert answer["patient"] == str(patient.pk) and "refresh_token" not in answer  # no offline_access
    bearer = {"Authorization": f"Bearer {answer['access_token']}"}
    reader = Client()
    assert reader.get(f"/fhir/Patient/{patient.pk}", headers=bearer).status_code == 200
    assert reader.get(f"/fhir/Patient/{clinic['other'].pk}", headers=bearer).status_code == 404
    assert reader.get("/fhir/Patient", headers=bearer).json()["total"] == 1  # patient scope: that patient only


def verified_claims(client_id: str, id_token: str) -> dict:
    """The id_token's claims, after checking its RS256 signature against the published JWKS."""
    jwks_uri = Client().get("/.well-known/smart-configuration").json()["jwks_uri"]
    keys = jwk.JWKSet.from_json(Client().get(urlsplit(jwks_uri).path).content)
    checked = jwt.JWT(jwt=id_token, key=keys, algs=["RS256"], expected_type="JWS",
                      check_claims={"aud": client_id, "exp": None})
    return json.loads(checked.claims)


def test_openid_fhiruser_names_the_practitioner_in_a_signed_id_token(staff_browser, clinician, clinic):
    app = register()
    config = Client().get("/.well-known/smart-configuration").json()
    assert "sso-openid-connect" in config["capabilities"] and {"openid", "fhirUser"} <= set(config["scopes_supported"])
    code = allow(staff_browser, app["client_id"], "openid fhirUser launch/patient patient/*.rs", clinic["patient"])
    answer = token(app["client_id"], code).json()
    claims = verified_claims(app["client_id"], answer["id_token"])
    assert claims["iss"] == config["issuer"] == "http://testserver"
    assert claims["sub"] == str(clinician.pk)
    assert claims["fhirUser"] == f"http://testserver/fhir/Practitioner/{clinician.pk}"
    fhir_user = urlsplit(claims["fhirUser"]).path
    bearer = {"Authorization": f"Bearer {answer['access_token']}"}
    assert staff_browser.get(fhir_user).json()["id"] == str(clinician.pk)  # the claim names a real resource
    assert Client().get(f"/fhir/Patient/{clinic['patient'].pk}", headers=bearer).status_code == 200


def test_fhiruser_needs_its_scope_and_id_token_needs_openid(staff_browser, clinic):
    app = register()
    code = allow(staff_browser, app["client_id"], "openid launch/patient patient/*.rs", clinic["patient"])
    claims = verified_claims(app["client_id"], token(app["client_id"], code).json()["id_token"])
    assert "fhirUser" not in claims
    code = allow(staff_browser, app["client_id"], "fhirUser launch/patient patient/*.rs", clinic["patient"])
    assert "id_token" not in token(app["client_id"], code).json()


def test_pkce_is_required(staff_browser, clinic):
    app = register()
    response = staff_browser.get(authorize_url(app["client_id"], "patient/*.rs", code_challenge="",
                                               code_challenge_method=""))
    assert response.status_code in {302, 400}
    if response.status_code == 302:
        assert "error=" in response["Location"]


def test_user_scopes_reach_only_their_types_and_actions(staff_browser, clinic):
    app = register()
    code = allow(staff_browser, app["client_id"], "user/Observation.read offline_access")
    answer = token(app["client_id"], code).json()
    bearer = {"Authorization": f"Bearer {answer['access_token']}"}
    reader = Client()
    assert reader.get("/fhir/Observation", headers=bearer).json()["total"] > 0
    assert reader.get("/fhir/Procedure", headers=bearer).status_code == 403
    assert reader.get(f"/fhir/Patient/{clinic['patient'].pk}", headers=bearer).status_code == 403
    refreshed = Client().post("/oauth/token", {"grant_type": "refresh_token", "refresh_token": answer["refresh_token"],
                                                "client_id": app["client_id"]})
    assert refreshed.status_code == 200 and refreshed.json()["access_token"] != answer["access_token"]
    revoked = Client().post("/oauth/revoke", {"token": refreshed.json()["access_token"], "client_id": app["client_id"]})
    assert revoked.status_code == 200
    again = {"Authorization": f"Bearer {refreshed.json()['access_token']}"}
    assert reader.get("/fhir/Observation", headers=again).status_code == 401


def test_a_confidential_app_and_a_resource_server_introspecting_its_tokens(staff_browser, clinic, clinician):
    """A confidential app must present its secret at the token endpoint; a resource server (a confidential
    client) introspects tokens by POST and learns SMART's patient and fhirUser; a revoked token is inactive."""
    app = register("--confidential")
    assert app["client_secret"]
    server = register("--confidential")  # e.g. a FHIR facade in front of tpclinic
    patient = clinic["patient"]
    code = allow(staff_browser, app["client_id"], "openid fhirUser launch/patient patient/*.rs", patient)
    assert token(app["client_id"], code).json()["error"] == "invalid_client"  # no secret: refused
    code = allow(staff_browser, app["client_id"], "openid fhirUser launch/patient patient/*.rs", patient)
    access = token(app["client_id"], code, client_secret=app["client_secret"]).json()["access_token"]
    basic = "Basic " + base64.b64encode(f"{server['client_id']}:{server['client_secret']}".encode()).decode()

    def introspect(value, auth=basic):
        return Client().post("/oauth/introspect", {"token": value}, headers={"Authorization": auth} if auth else {})

    answer = introspect(access).json()
    assert answer["active"] is True and answer["client_id"] == app["client_id"] and answer["exp"] > 0
    assert set(answer["scope"].split()) == {"openid", "fhirUser", "launch/patient", "patient/*.rs"}
    assert answer["patient"] == str(patient.pk)
    assert answer["fhirUser"] == f"http://testserver/fhir/Practitioner/{clinician.pk}"
    assert introspect("not-a-token").json() == {"active": False}
    assert introspect(access, auth=None).status_code in {401, 403}  # only an authenticated client may ask
    wrong = "Basic " + base64.b64encode(f"{server['client_id']}:wrong".encode()).decode()
    assert introspect(access, auth=wrong).status_code in {401, 403}
    in_url = Client().get("/oauth/introspect", {"token": access}, headers={"Authorization": basic})
    assert in_url.status_code == 405  # a token never travels in a URL
    assert Client().post("/oauth/revoke", {"token": access, "client_id": app["client_id"],
                                           "client_secret": app["client_secret"]}).status_code == 200
    assert introspect(access).json() == {"active": False}


def test_introspection_follows_the_fhir_server_when_the_user_leaves(staff_browser, clinic, clinician):
    app, server = register(), register("--confidential")
    code = allow(staff_browser, app["client_id"], "user/*.rs")
    access = token(app["client_id"], code).json()["access_token"]
    basic = "Basic " + base64.b64encode(f"{server['client_id']}:{server['client_secret']}".encode()).decode()
    answer = Client().post("/oauth/introspect", {"token": access}, headers={"Authorization": basic}).json()
    assert answer["active"] is True and "patient" not in answer and "fhirUser" not in answer
    clinician.is_active = False  # left the clinic: the FHIR server refuses the token, so introspection says so
    clinician.save()
    assert Client().get("/fhir/Patient", headers={"Authorization": f"Bearer {access}"}).status_code == 401
    assert Client().post("/oauth/introspect", {"token": access},
                         headers={"Authorization": basic}).json() == {"active": False}


def test_a_token_updates_a_patient_only_as_its_scopes_allow(staff_browser, clinic):
    """PUT Patient needs an update scope; a patient/ one reaches only the patient in context."""
    app = register()
    patient, other = clinic["patient"], clinic["other"]

    def bearer(scope, chosen=None):
        code = allow(staff_browser, app["client_id"], scope, chosen)
        return {"Authorization": f"Bearer {token(app['client_id'], code).json()['access_token']}"}

    def put(headers, person):
        url = f"/fhir/Patient/{person.pk}"
        current = Client().get(url, headers=bearer("user/Patient.rs")).json()
        changed = {**current, "birthDate": current["birthDate"]}  # the same demographics: a no-op update
        return Client().put(url, json.dumps(changed), content_type="application/fhir+json",
                            headers={**headers, "If-Match": f'W/"{current["meta"]["versionId"]}"'})

    assert put(bearer("user/Patient.rs"), patient).status_code == 403  # read and search only
    assert put(bearer("user/*.cruds"), patient).status_code == 200
    in_context = bearer("launch/patient patient/Patient.cruds", patient)
    assert put(in_context, patient).status_code == 200
    assert put(in_context, other).status_code in {403, 404}  # another patient than the one in context
    assert put(bearer("launch/patient patient/Patient.u", patient), other).status_code in {403, 404}
    # reading everyone does not widen a patient/ update scope to everyone
    mixed = bearer("launch/patient user/Patient.rs patient/Patient.u", patient)
    assert put(mixed, other).status_code in {403, 404}
    assert put(mixed, patient).status_code == 200


def test_what_an_answer_adds_keeps_to_each_types_scope(staff_browser, clinic):
    """Reading every patient (user/Patient.rs) widens no patient/ scope: _revinclude, _include and $everything
    add another type's resources only as that type's own scope allows (patient/: the patient in context)."""
    app = register()
    patient, other = clinic["patient"], clinic["other"]
    other.weight_kg, other.measured_on = 80, patient.birth_date.replace(year=2020)  # a vital sign of the other
    other.save()
    code = allow(staff_browser, app["client_id"], "launch/patient user/Patient.rs patient/Observation.rs", patient)
    bearer = {"Authorization": f"Bearer {token(app['client_id'], code).json()['access_token']}"}

    def observations_of(bundle):
        return {e["resource"]["subject"]["reference"] for e in bundle.get("entry", [])
                if e["resource"]["resourceType"] == "Observation"}

    found = Client().get("/fhir/Patient", {"_revinclude": "Observation:patient"}, headers=bearer).json()
    assert {e["resource"]["id"] for e in found["entry"] if e["resource"]["resourceType"] == "Patient"} >= {
        str(patient.pk), str(other.pk)}
    assert observations_of(found) == {f"Patient/{patient.pk}"}
    everything = Client().get(f"/fhir/Patient/{other.pk}/$everything", headers=bearer)
    assert everything.status_code == 200 and observations_of(everything.json()) == set()
    own = Client().get(f"/fhir/Patient/{patient.pk}/$everything", headers=bearer).json()
    assert observations_of(own) == {f"Patient/{patient.pk}"}
    # the other way round: included Patients need a Patient scope, and a patient/ one only reaches the patient
    code = allow(staff_browser, app["client_id"], "launch/patient patient/Patient.rs patient/Observation.rs", patient)
    narrow = {"Authorization": f"Bearer {token(app['client_id'], code).json()['access_token']}"}
    included = Client().get("/fhir/Observation", {"_include": "Observation:patient"}, headers=narrow).json()
    assert {e["resource"]["id"] for e in included["entry"] if e["resource"]["resourceType"] == "Patient"} == {
        str(patient.pk)}


def test_v2_scopes_separate_read_from_search(staff_browser, clinic):
    app = register()
    code = allow(staff_browser, app["client_id"], "user/Patient.r")
    bearer = {"Authorization": f"Bearer {token(app['client_id'], code).json()['access_token']}"}
    assert Client().get(f"/fhir/Patient/{clinic['patient'].pk}", headers=bearer).status_code == 200
    assert Client().get("/fhir/Patient", headers=bearer).status_code == 403


def test_wrong_audience_and_second_factor(client, clinic, clinician):
    app = register()
    browser = Client()
    browser.force_login(clinician)
    page = browser.get(authorize_url(app["client_id"], "patient/*.rs", aud="https://elsewhere.example/fhir"))
    assert page.status_code == 400
    assert "another server" in page.content.decode() and ">Allow</button>" not in page.content.decode()
    clinician.set_password("p" * 12)
    clinician.save()
    held = Client()
    held.post("/login/", {"username": clinician.username, "password": "p" * 12})  # password only, no code yet
    response = held.get(authorize_url(app["client_id"], "patient/*.rs"))
    assert response.status_code == 302 and "/account/" in response["Location"]


def test_authorisation_page_in_spanish(staff_browser, clinic):
    app = register()
    staff_browser.cookies["django_language"] = "es"
    page = staff_browser.get(authorize_url(app["client_id"], "patient/*.rs"), headers={"Accept-Language": "es"})
    text = page.content.decode()
    assert ">Permitir</button>" in text and ">Denegar</button>" in text


def test_authorisation_page_in_arabic(staff_browser, clinic):
    app = register()
    staff_browser.cookies["django_language"] = "ar"
    page = staff_browser.get(authorize_url(app["client_id"], "patient/*.rs"), headers={"Accept-Language": "ar"})
    text = page.content.decode()
    assert ">السماح</button>" in text and ">رفض</button>" in text and 'dir="rtl"' in text


def test_cors_only_for_registered_app_origins(client, clinic, clinician):
    register()
    preflight = client.options("/fhir/Patient", headers={"Origin": "https://app.example",
                                                         "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 204 and preflight["Access-Control-Allow-Origin"] == "https://app.example"
    assert "Authorization" in preflight["Access-Control-Allow-Headers"]
    config = client.get("/.well-known/smart-configuration", headers={"Origin": "https://app.example"})
    assert config["Access-Control-Allow-Origin"] == "https://app.example"
    keys = client.get("/oauth/jwks", headers={"Origin": "https://app.example"})  # to check an id_token in the browser
    assert keys.status_code == 200 and keys["Access-Control-Allow-Origin"] == "https://app.example"
    stranger = client.get("/fhir/metadata", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in stranger
    assert "Access-Control-Allow-Origin" not in client.get("/patients/", headers={"Origin": "https://app.example"})


def test_ehr_launch_carries_the_chart_patient(api, staff_browser, clinic, clinician, nurse):
    app = register()
    other = clinic["other"]
    made = api.post("/oauth/launch", user=nurse, raw=f"client_id={app['client_id']}&patient={other.pk}",
                    content_type="application/x-www-form-urlencoded")
    assert made.status_code == 201, made.content
    launch = made.json()["launch"]
    assert made.json()["launch_url"].startswith("https://app.example/?iss=http%3A%2F%2Ftestserver%2Ffhir&launch=")
    page = staff_browser.get(authorize_url(app["client_id"], "launch patient/*.rs", launch=launch))
    assert "Haddad" in page.content.decode() and 'name="patient_search"' not in page.content.decode()
    form = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    response = staff_browser.post("/oauth/authorize", {**form, "allow": "on", "launch": launch})
    code = parse_qs(urlsplit(response["Location"]).query)["code"][0]
    assert token(app["client_id"], code).json()["patient"] == str(other.pk)
    assert api.post("/oauth/launch", user=nurse, raw="client_id=unknown&patient=1",
                    content_type="application/x-www-form-urlencoded").status_code == 400
