"""SMART on FHIR, done with software written by others: the SMART project's `fhirclient` against a live
server, a standalone launch with PKCE where a person signs in and presses "Allow" in real Chromium."""
from __future__ import annotations

import io
import json
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.management import call_command
from fhirclient import client as smart_client
from fhirclient.models.observation import Observation
from fhirclient.models.patient import Patient as FhirPatient
from fhirclient.models.procedure import Procedure
from fhirclient.server import FHIRNotFoundException, FHIRPermissionDeniedException
from jwcrypto import jwk, jwt

from audit.models import AuditEvent
from conftest import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
APP = "https://smart-app.example/callback"  # the browser's visit is caught below (page.route), never sent
PASSWORD = "x" * 12


def register(*args) -> dict:
    out = io.StringIO()
    call_command("smart_client", "--name", "Pain diary viewer", "--redirect-uri", APP, *args, stdout=out)
    return json.loads(out.getvalue())


class SmartApp(smart_client.FHIRClient):
    """fhirclient logs "Received an id_token, ignoring": this app keeps it, to read `fhirUser`."""

    id_token = None

    def _handle_launch_context(self, ctx):
        self.id_token = ctx.get("id_token")
        super()._handle_launch_context(ctx)


def launch(page, live_server, client_id, scope, username, allow="Allow", deny="Deny"):
    """The app's authorisation request in the browser: sign in, press Allow (in the language of the
    person's record, which wins at login); returns the app's callback URL."""
    app = SmartApp(settings={"app_id": client_id, "api_base": f"{live_server.url}/fhir/",
                                            "redirect_uri": APP, "scope": scope})
    caught = []
    page.route("https://smart-app.example/**", lambda route: (caught.append(route.request.url),
                                                       route.fulfill(status=200, body="app")))
    page.context.add_cookies([{"name": "language_chosen", "value": "1", "url": live_server.url}])
    log_in(page, username, PASSWORD)
    page.goto(app.authorize_url)
    assert page.get_by_role("heading").first.inner_text().startswith("Pain diary viewer")
    assert page.get_by_role("button", name=deny, exact=True).is_visible()
    page.get_by_role("button", name=allow, exact=True).click()
    page.wait_for_url(APP + "**")
    assert caught and caught[0].startswith(APP + "?code=")
    return app, caught[0]


def test_fhirclient_standalone_patient_launch(page, live_server, clinic, patient_user):
    patient, other = clinic["patient"], clinic["other"]
    patient_user.set_password(PASSWORD)
    patient_user.save()
    registered = register("--scope", "launch/patient patient/Patient.rs patient/Observation.rs")
    assert set(registered) == {"client_id"}  # a public client has no secret
    scope = "openid fhirUser launch/patient patient/Patient.rs patient/Observation.rs patient/Procedure.rs offline_access"
    # Maria's record says Spanish, so the page asks her in Spanish: "Permitir" / "Denegar".
    app, callback = launch(page, live_server, registered["client_id"], scope, "maria", allow="Permitir", deny="Denegar")

    app.handle_callback(callback)  # the code and the PKCE verifier for tokens
    assert app.patient_id == str(patient.pk) and app.server.auth.refresh_token
    assert app.patient.name[0].family == "Lopez"
    # openid fhirUser: a signed id_token (checked against the server's published keys) names Maria's Patient.
    keys = jwk.JWKSet.from_json(requests.get(app.server.request_json(".well-known/smart-configuration")["jwks_uri"],
                                             timeout=10).content)
    claims = json.loads(jwt.JWT(jwt=app.id_token, key=keys, algs=["RS256"],
                                check_claims={"aud": registered["client_id"]}).claims)
    assert claims["fhirUser"] == f"{live_server.url}/fhir/Patient/{patient.pk}"
    assert FhirPatient.read_from(claims["fhirUser"].removeprefix(f"{live_server.url}/fhir/"), app.server).id == str(patient.pk)

    pages, observations = 0, []
    for bundle in Observation.where(struct={"patient": app.patient_id, "_count": "3"}).perform_iter(app.server):
        pages += 1
        observations += [e.resource for e in bundle.entry or []]
    assert pages > 1 and len(observations) == bundle.total
    assert all(o.subject.reference == f"Patient/{patient.pk}" for o in observations)
    procedures = list(Procedure.where(struct={"subject": f"Patient/{patient.pk}"}).perform_resources_iter(app.server))
    assert [p.id for p in procedures] == [str(clinic["signed"].pk)]

    with pytest.raises(FHIRPermissionDeniedException) as refused:
        app.server.request_json(f"MedicationAdministration?patient={patient.pk}")
    assert refused.value.response.status_code == 403  # outside the scopes granted
    with pytest.raises(FHIRNotFoundException) as hidden:
        FhirPatient.read(str(other.pk), app.server)
    assert hidden.value.response.status_code == 404  # another patient


def test_launch_app_button_on_the_chart_opens_the_app_with_the_patient(page, live_server, clinic, clinician):
    """EHR launch from tpclinic: the chart's "Launch app" button (reached by keyboard) opens the registered app
    with `iss` and `launch`; the app (fhirclient) sends the launch back, the clinician allows it, and the token
    names the chart's patient."""
    patient = clinic["patient"]
    registered = register("--scope", "launch patient/Patient.rs")
    caught = []
    page.route("https://smart-app.example/**", lambda route: (caught.append(route.request.url),
                                                       route.fulfill(status=200, body="app")))
    log_in(page, clinician.username)
    page.goto(f"/patients/{patient.pk}/")
    assert_accessible(page)
    button = page.get_by_role("button", name="Launch app: Pain diary viewer")
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("https://smart-app.example/**")
    opened = parse_qs(urlsplit(caught[0]).query)
    assert opened["iss"] == [f"{live_server.url}/fhir"] and opened["launch"][0]

    app = SmartApp(settings={"app_id": registered["client_id"], "api_base": opened["iss"][0] + "/",
                             "redirect_uri": APP, "scope": "launch patient/Patient.rs",
                             "launch_token": opened["launch"][0]})
    page.goto(app.authorize_url)
    assert f"{patient.full_name} ({patient.mrn})" in page.content()  # the page names the patient launched with
    page.get_by_role("button", name="Allow", exact=True).click()
    page.wait_for_url(APP + "**")
    app.handle_callback(caught[-1])
    assert app.patient_id == str(patient.pk) and app.patient.name[0].family == "Lopez"
    launched = AuditEvent.objects.get(object_type="interop.launchcontext", username=clinician.username)
    assert launched.patient_id == patient.pk and "Pain diary viewer" in json.dumps(launched.after)
