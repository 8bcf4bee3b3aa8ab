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


def assertion(client_id, key, alg, *, aud=TOKEN_URL, lifetime=300, jti=None, jku=None, **changes) -> str:
    now = int(time.time())
    claims = {"iss": client_id, "sub": client_id, "aud": aud, "exp": now + lifetime, "iat": now,
              "jti": jti or str(uuid.uuid4()), **changes}
    header = {"alg": alg, "kid": key["kid"], "typ": "JWT", **({"jku": jku} if jku is not None else {})}
    signed = jwt.JWT(header=header, claims=claims)
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


class KeyServer:
    """A JWK Set served over HTTP on this machine (no network), counting its requests; `keys`, `delay` and
    `status` change what it answers."""

    def __init__(self):
        import http.server
        import threading

        self.keys, self.delay, self.status, self.hits = {"keys": []}, 0.0, 200, 0
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                owner.hits += 1
                time.sleep(owner.delay)
                body = json.dumps(owner.keys).encode()
                self.send_response(owner.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except BrokenPipeError:  # the client gave up (its timeout): nothing to answer
                    pass

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/jwks.json"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def publish(self, *keys):
        self.keys = {"keys": [json.loads(key.export_public()) for key in keys]}

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def key_server():
    from django.core.cache import cache

    cache.clear()
    server = KeyServer()
    yield server
    server.close()
    cache.clear()


def register_url(url, username) -> str:
    out = io.StringIO()
    call_command("smart_client", "--name", "Key rotating feed", "--backend", "--jwks-url", url, "--user", username,
                 stdout=out)
    return json.loads(out.getvalue())["client_id"]


def test_a_backend_client_can_publish_its_keys_at_a_url(clinician, key_server):
    from interop.models import BackendClient

    first = jwk.JWK.generate(kid="first", kty="EC", crv="P-384")
    key_server.publish(first)
    client_id = register_url(key_server.url, clinician.username)
    stored = BackendClient.objects.get(application__client_id=client_id)
    assert stored.jwks_url == key_server.url and stored.jwks == {}
    registered = key_server.hits  # registration fetched the set once to check it
    assert ask(assertion(client_id, first, "ES384")).status_code == 200
    assert ask(assertion(client_id, first, "ES384")).status_code == 200
    assert key_server.hits == registered + 1  # the second token used the cached set
    # the client rotates: a new kid is fetched again once; the old key, gone from the set, no longer works
    second = jwk.JWK.generate(kid="second", kty="EC", crv="P-384")
    key_server.publish(second)
    assert ask(assertion(client_id, second, "ES384")).status_code == 200
    assert key_server.hits == registered + 2
    from django.core.cache import cache
    cache.clear()
    assert ask(assertion(client_id, first, "ES384")).json()["error"] == "invalid_client"


def test_a_key_url_that_fails_refuses_the_token_and_registration(clinician, key_server, monkeypatch):
    from interop import backend

    key = jwk.JWK.generate(kid="k", kty="EC", crv="P-384")
    key_server.publish(key)
    client_id = register_url(key_server.url, clinician.username)
    monkeypatch.setattr(backend, "JWKS_TIMEOUT_SECONDS", 0.2)
    key_server.delay = 1.0  # slower than the timeout: refused, quickly
    started = time.monotonic()
    assert ask(assertion(client_id, key, "ES384")).json()["error"] == "invalid_client"
    assert time.monotonic() - started < 1.0
    key_server.delay, key_server.status = 0.0, 500
    assert ask(assertion(client_id, key, "ES384")).json()["error"] == "invalid_client"
    key_server.status = 200
    assert ask(assertion(client_id, key, "ES384")).status_code == 200
    private = jwk.JWK.generate(kid="p", kty="EC", crv="P-384")
    key_server.keys = {"keys": [json.loads(private.export_private())]}
    for url, words in [(key_server.url, "private key"), ("http://example.org/jwks.json", "not an https URL"),
                       ("ftp://127.0.0.1/jwks.json", "not an https URL")]:
        with pytest.raises(CommandError, match=words):
            register_url(url, clinician.username)
    with pytest.raises(CommandError, match="one of"):
        call_command("smart_client", "--name", "x", "--backend", "--jwks-url", key_server.url, "--jwks", "f.json",
                     "--user", clinician.username)


def test_a_client_left_without_keys_is_refused_not_an_error(tmp_path, clinician):
    from interop.models import BackendClient

    key = jwk.JWK.generate(kid="k", kty="EC", crv="P-384")
    client_id = register(tmp_path, key, clinician.username)
    BackendClient.objects.filter(application__client_id=client_id).update(jwks={})  # as an admin might, by mistake
    assert ask(assertion(client_id, key, "ES384")).json()["error"] == "invalid_client"


def test_an_assertion_naming_its_key_url_must_name_the_registered_one(tmp_path, clinician, key_server):
    """Backend Services: a `jku` header is matched to the registered JWK Set URL; it never points the server
    at keys of the assertion's own choosing."""
    key = jwk.JWK.generate(kid="k", kty="EC", crv="P-384")
    key_server.publish(key)
    client_id = register_url(key_server.url, clinician.username)
    assert ask(assertion(client_id, key, "ES384", jku=key_server.url)).status_code == 200  # the registered URL
    assert ask(assertion(client_id, key, "ES384")).status_code == 200  # no jku: the registered URL's keys
    hits = key_server.hits
    elsewhere = key_server.url.replace("/jwks.json", "/other.json")  # serves the same keys: the URL alone refuses
    for jku in (elsewhere, "https://attacker.example/jwks.json", ""):
        answer = ask(assertion(client_id, key, "ES384", jku=jku))
        assert (answer.status_code, answer.json()["error"]) == (401, "invalid_client"), jku
    assert key_server.hits == hits  # a refused jku is never fetched
    # a client registered with a JWK Set file has no URL a jku could match
    file_client = register(tmp_path, key, clinician.username, name="File keys")
    assert ask(assertion(file_client, key, "ES384")).status_code == 200
    refused = ask(assertion(file_client, key, "ES384", jku=key_server.url))
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")
