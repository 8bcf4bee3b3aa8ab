"""The OpenAPI document matches behaviour: every answer to bad input is a declared status, in problem+json,
never a 500, and changes nothing."""
import json
import re

import pytest

from charting.models import TriggerPoint
from interop.tests.conftest import problem
from patients.models import Allergy, Patient
from treatment.models import Course, Injection, Session

pytestmark = pytest.mark.django_db

BAD_BODIES = [
    "{", "[]", '"text"', "null", "12", '{"mrn": {"nested": []}}', '{"course": "x", "patient": -1, "version": 0}',
    '{"drawing": "head.temple:left", "top": 1e400}', '{"limit": 5}', '{"injections": [{"trigger_point": 1e30}]}',
    json.dumps({"given_name": "a\u0000b", "mrn": "x" * 500, "birth_date": "0000-00-00"}),
    json.dumps({"course": 2**64, "pain_before": 11, "performed_at": "not a time"}),
]
BAD_QUERY_VALUES = ["x", "-1", "0", str(2**64), "1e5", "\x00", "9999-99-99", "true"]
HUGE = "99999999999999999999999"


@pytest.fixture
def schema(api):
    response = api.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method.upper(), operation


PUBLIC = {("GET", "/api/v1/specialists"), ("GET", "/api/v1/specialists/{slug}")}  # as the web directory


def state():
    from portal.models import DiaryEntry
    from referral.models import PainDrawing
    from safety.models import AdverseEvent

    models = (Patient, Allergy, TriggerPoint, Course, Session, Injection, AdverseEvent, PainDrawing, DiaryEntry)
    return [m.objects.count() for m in models] + [
        list(Session.objects.order_by("pk").values_list("version", "status", "notes")),
        list(Patient.objects.order_by("pk").values_list("given_name", "mrn", "weight_kg")),
    ]


def test_document_is_served_and_complete(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"]["BearerToken"] == {"type": "http", "scheme": "bearer"}
    paths = set(schema["paths"])
    assert {"/api/v1/patients", "/api/v1/patients/{patient_id}", "/api/v1/patients/{patient_id}/trigger-points",
            "/api/v1/courses", "/api/v1/sessions", "/api/v1/sessions/{session_id}",
            "/api/v1/sessions/{session_id}/sign", "/api/v1/sessions/{session_id}/screen", "/api/v1/safety/screen",
            "/api/v1/adverse-events", "/api/v1/patients/{patient_id}/diary-entries",
            "/api/v1/patients/{patient_id}/pain-drawings", "/api/v1/specialists",
            "/api/v1/specialists/{slug}"} <= paths


def test_every_operation_declares_its_errors_as_problem_json(schema):
    for path, method, operation in operations(schema):
        codes = {int(c) for c in operation["responses"]}
        where = f"{method} {path}"
        if (method, path) in PUBLIC:
            assert "security" not in operation and not {401, 403} & codes, where
        else:
            assert operation.get("security") == [{"BearerToken": []}], where
            assert {401, 403} <= codes, where
        if "{" in path:
            assert 404 in codes, where
        if "requestBody" in operation:
            assert {400, 422} <= codes, where
        if any(p["in"] == "query" for p in operation.get("parameters", [])):
            assert 422 in codes, where
        for code, response in operation["responses"].items():
            if int(code) >= 400:
                assert list(response["content"]) == ["application/problem+json"], where
                assert response["content"]["application/problem+json"]["schema"]["$ref"].endswith("/Problem")


def _fill(path, value):
    return re.sub(r"\{[a-z_]+\}", str(value), path)


def _check(response, declared, where, before):
    assert response.status_code != 500, where
    assert response.status_code in declared, (where, response.status_code, response.content[:300])
    if response.status_code >= 400:
        problem(response, response.status_code)
        assert state() == before, f"{where} changed data although it answered {response.status_code}"


def test_bad_input_gets_a_declared_status_and_changes_nothing(api, schema, clinic, clinician, front_desk):
    from directory.models import Specialist

    Specialist.objects.create(slug="dr-ana", name="Dr Ana", taxonomy_code="208VP0000X", languages="en,es")
    ids = {"patient_id": clinic["patient"].pk, "session_id": clinic["signed"].pk, "course_id": clinic["course"].pk,
           "point_id": clinic["neck"].pk,
           "slug": "dr-ana", "event_id": clinic["flare"].pk}
    for path, method, operation in operations(schema):
        declared = {int(c) for c in operation["responses"]}
        real = re.sub(r"\{([a-z_]+)\}", lambda m: str(ids[m.group(1)]), path)
        before = state()
        _check(api.send(method, real, {}), declared, f"{method} {path} without a token", before)
        for user in (clinician, front_desk):
            if "{" in path:
                for value in ("999999999", HUGE, "0"):
                    where = f"{method} {_fill(path, value)} as {user.username}"
                    _check(api.send(method, _fill(path, value), {}, user=user), declared, where, before)
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "query":
                    continue
                for value in BAD_QUERY_VALUES:
                    response = api.client.generic(method, real, "", headers={
                        "Authorization": f"Bearer {api.token(user)}"}, QUERY_STRING=f"{parameter['name']}={value}")
                    _check(response, declared, f"{method} {real}?{parameter['name']}={value!r} as {user.username}",
                           before)
            if "requestBody" in operation:
                for raw in BAD_BODIES:
                    where = f"{method} {real} body {raw[:40]!r} as {user.username}"
                    _check(api.send(method, real, user=user, raw=raw), declared, where, before)
                form = api.send(method, real, user=user, raw="a=1", content_type="application/x-www-form-urlencoded")
                _check(form, declared, f"{method} {real} form-encoded as {user.username}", before)


def test_unknown_paths_and_methods_are_problem_json(api, clinic, clinician):
    body = problem(api.get("/api/v1/nothing-here", user=clinician), 404)
    assert "openapi.json" in body["detail"]
    problem(api.get("/api/v1/patients/abc", user=clinician), 404)
    response = api.send("DELETE", f"/api/v1/patients/{clinic['patient'].pk}", user=clinician)
    assert "GET" in problem(response, 405)["detail"]


def test_malformed_json_is_400_with_a_hint(api, clinic, clinician):
    body = problem(api.post("/api/v1/patients", user=clinician, raw="{not json"), 400)
    assert "valid JSON" in body["detail"]


def test_injection_schemas_follow_the_models(schema):
    """The agent lists and limits come from the models (safety/agents.py, treatment/models.py), not a copy."""
    from safety.agents import MIXTURE_CHOICES
    from treatment.forms import MIXED_SLOTS
    from treatment.models import Injection, InjectionAgent

    parts = schema["components"]["schemas"]
    row, mixed = parts["InjectionIn"]["properties"], parts["InjectionAgentIn"]["properties"]
    assert row["agent"]["enum"] == list(Injection.Agent.values)
    assert mixed["agent"]["enum"] == [value for value, _ in MIXTURE_CHOICES]
    assert row["mixed_agents"]["maxItems"] == MIXED_SLOTS
    dose = InjectionAgent._meta.get_field("dose_mg").validators
    assert max(v.limit_value for v in dose if type(v).__name__ == "MaxValueValidator") == 1000
    assert "1000" in str(mixed["dose_mg"])
    assert {"lot_number", "lot_expiry", "mixed_agents", "description"} <= set(parts["InjectionOut"]["properties"])
