"""SMART Backend Services: a service signs a client assertion (RS384 / ES384) for a system/ token and runs a
bulk $export with it; what a bad assertion, a replay, a wrong key or a non-system scope gets instead."""
from __future__ import annotations

import io
import json
import time
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from jwcrypto import jwk, jwt

pytestmark = pytest.mark.django_db
TOKEN_URL = "http://testserver/oauth/token"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(params=[("RS384", {"kty": "RSA", "size": 2048}), ("ES384", {"kty": "EC", "crv": "P-384"})],
                ids=["RS384", "ES384"])
def service_key(request):
    alg, shape = request.param
    return alg, jwk.JWK.generate(kid=f"{alg}-key", **shape)


def register(tmp_path, key, username, name="Registry feed") -> str:
    public = tmp_path / "jwks.json"
    public.write_text(json.dumps({"keys": [json.loads(key.export_public())]}))
    out = io.StringIO()
    call_command("smart_client", "--name", name, "--backend", "--jwks", str(public), "--user", username, stdout=out)
    return json.loads(out.getvalue())["client_id"]


def assertion(client_id, key, alg, *, aud=TOKEN_URL, lifetime=300, jti=None, **changes) -> str:
    now = int(time.time())
    claims = {"iss": client_id, "sub": client_id, "aud": aud, "exp": now + lifetime, "iat": now,
              "jti": jti or str(uuid.uuid4()), **changes}
    signed = jwt.JWT(header={"alg": alg, "kid": key["kid"], "typ": "JWT"}, claims=claims)
    signed.make_signed_token(key)
    return signed.serialize()


def ask(signed: str, scope="system/*.read"):
    return Client().post("/oauth/token", {"grant_type": "client_credentials", "scope": scope,
                                          "client_assertion_type": ASSERTION_TYPE, "client_assertion": signed})


def test_a_backend_service_exports_in_bulk_with_a_signed_assertion(tmp_path, clinic, clinician, service_key,
                                                                   task_worker):
    alg, key = service_key
    client_id = register(tmp_path, key, clinician.username)
    answer = ask(assertion(client_id, key, alg))
    assert answer.status_code == 200, answer.content
    token = answer.json()
    assert token["token_type"] == "Bearer" and token["scope"] == "system/*.read" and "refresh_token" not in token
    bearer = {"Authorization": f"Bearer {token['access_token']}", "Prefer": "respond-async",
              "Accept": "application/fhir+json"}
    started = Client().get("/fhir/$export", {"_type": "Patient,Procedure"}, headers=bearer)
    assert started.status_code == 202, started.content
    assert task_worker() == 1
    manifest = Client().get(started["Content-Location"].replace("http://testserver", ""), headers=bearer).json()
    assert {item["type"] for item in manifest["output"]} == {"Patient", "Procedure"}
    patients = next(item for item in manifest["output"] if item["type"] == "Patient")
    assert patients["count"] == 2  # every patient of the clinic: a system/ scope is not tied to one
    # a system/ read token reads and searches, and writes nothing
    assert Client().get("/fhir/Patient", headers=bearer).json()["total"] == 2
    update = Client().put(f"/fhir/Patient/{clinic['patient'].pk}", "{}", content_type="application/fhir+json",
                          headers={"Authorization": bearer["Authorization"], "If-Match": 'W/"1"'})
    assert update.status_code == 403


def test_assertions_are_refused_when_they_should_be(tmp_path, clinician, service_key):
    alg, key = service_key
    client_id = register(tmp_path, key, clinician.username)
    good = assertion(client_id, key, alg)
    assert ask(good).status_code == 200
    assert ask(good).json()["error"] == "invalid_client"  # the same jti twice: a replay
    stranger = jwk.JWK.generate(kty="RSA", size=2048, kid=key["kid"])
    refused = {
        "signed by a key not registered": assertion(client_id, stranger, "RS384"),
        "for another audience": assertion(client_id, key, alg, aud="https://elsewhere.example/token"),
        "expired": assertion(client_id, key, alg, lifetime=-120),
        "living more than five minutes": assertion(client_id, key, alg, lifetime=3600),
        "from someone else": assertion(client_id, key, alg, iss="not-a-client", sub="not-a-client"),
        "not a JWT": "abc",
    }
    for why, signed in refused.items():
        answer = ask(signed)
        assert (answer.status_code, answer.json()["error"]) == (401, "invalid_client"), why
    for scope in ("patient/*.read", "user/*.read", "system/*.cruds", "system/Patient.write"):
        assert ask(assertion(client_id, key, alg), scope).json()["error"] == "invalid_scope", scope


def test_registration_and_the_acting_user(tmp_path, clinician, nurse):
    key = jwk.JWK.generate(kty="EC", crv="P-384", kid="k1")
    private = tmp_path / "private.json"
    private.write_text(json.dumps({"keys": [json.loads(key.export_private())]}))
    with pytest.raises(CommandError, match="private key"):
        call_command("smart_client", "--name", "x", "--backend", "--jwks", str(private), "--user", clinician.username)
    with pytest.raises(CommandError, match="administrator or clinician"):
        register(tmp_path, key, nurse.username)
    client_id = register(tmp_path, key, clinician.username)
    bearer = {"Authorization": f"Bearer {ask(assertion(client_id, key, 'ES384')).json()['access_token']}"}
    assert Client().get("/fhir/Patient", headers=bearer).status_code == 200
    clinician.is_active = False  # its user left the clinic: no new token, and the one it has opens nothing
    clinician.save()
    assert ask(assertion(client_id, key, "ES384")).json()["error"] == "invalid_client"
    assert Client().get("/fhir/Patient", headers=bearer).status_code == 401
