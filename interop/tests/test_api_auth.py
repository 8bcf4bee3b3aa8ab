"""Token authentication and the role rules of the JSON API (the same as the web UI's)."""
import pytest
from django.core.management import call_command

from interop.models import ApiToken, hash_token
from interop.tests.conftest import problem

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------ tokens


def test_no_token_is_401_problem_json_with_a_way_forward(api, clinic):
    response = api.get("/api/v1/patients")
    body = problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "api_token" in body["detail"]


@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer ", "Basic dXNlcjpwYXNz", "tpc_abc", "Bearer " + "x" * 500])
def test_bad_tokens_are_401(api, clinic, header):
    problem(api.get("/api/v1/patients", headers={"Authorization": header}), 401)


def test_token_is_stored_hashed_and_works_until_revoked(api, clinic, clinician):
    token, raw = ApiToken.issue(clinician, "sync")
    assert raw.startswith("tpc_") and raw not in str(ApiToken.objects.values_list())
    assert token.token_hash == hash_token(raw)
    headers = {"Authorization": f"Bearer {raw}"}
    assert api.get("/api/v1/patients", headers=headers).status_code == 200
    token.refresh_from_db()
    assert token.last_used is not None
    token.revoked = True
    token.save()
    problem(api.get("/api/v1/patients", headers=headers), 401)


def test_a_deactivated_users_token_stops_working(api, clinic, clinician):
    raw = api.token(clinician)
    clinician.is_active = False
    clinician.save()
    problem(api.get("/api/v1/patients", headers={"Authorization": f"Bearer {raw}"}), 401)


def test_api_token_command_prints_a_working_token_once(api, clinic, nurse, capsys):
    call_command("api_token", "nurse", "--name", "ward tablet")
    out, err = capsys.readouterr()
    raw = out.strip()
    assert raw.startswith("tpc_") and "cannot be shown again" in err
    assert ApiToken.objects.get(user=nurse).name == "ward tablet"
    assert api.get("/api/v1/patients", headers={"Authorization": f"Bearer {raw}"}).status_code == 200


def test_api_token_command_refuses_unknown_user():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no user"):
        call_command("api_token", "nobody")


def test_session_login_alone_does_not_open_the_api(clinician_client, clinic):
    problem(clinician_client.get("/api/v1/patients"), 401)


# ------------------------------------------------------------------ roles


def test_front_desk_reads_patients_but_not_clinical_records(api, clinic, front_desk):
    patient = clinic["patient"]
    assert api.get("/api/v1/patients", user=front_desk).status_code == 200
    problem(api.get(f"/api/v1/sessions?patient={patient.pk}", user=front_desk), 403)  # minimum necessary
    before = patient.trigger_points.count()
    body = problem(api.post(f"/api/v1/patients/{patient.pk}/trigger-points",
                            {"muscle": "upper-trapezius", "side": "left", "region": "neck.angle",
                             "region_side": "left"}, user=front_desk), 403)
    assert "clinicians, nurses and administrators" in body["detail"]
    problem(api.post("/api/v1/courses", {"patient": patient.pk}, user=front_desk), 403)
    problem(api.post("/api/v1/sessions", {"course": clinic["course"].pk}, user=front_desk), 403)
    problem(api.patch(f"/api/v1/sessions/{clinic['draft'].pk}", {"version": 1, "pain_after": 1}, user=front_desk), 403)
    problem(api.post(f"/api/v1/sessions/{clinic['draft'].pk}/sign", {}, user=front_desk), 403)
    assert patient.trigger_points.count() == before


def test_front_desk_registers_patients_as_in_the_web_ui(api, clinic, front_desk):
    response = api.post("/api/v1/patients", {"mrn": "tp0100", "given_name": "Li", "family_name": "Wei",
                                             "birth_date": "1990-02-03"}, user=front_desk)
    assert response.status_code == 201, response.content
    assert response.json()["mrn"] == "TP0100"


def test_nurse_drafts_but_only_a_clinician_signs(api, clinic, nurse, clinician):
    draft = clinic["draft"]
    draft.pain_after, draft.consent_recorded = 2, True
    draft.save()
    body = problem(api.post(f"/api/v1/sessions/{draft.pk}/sign", {}, user=nurse), 403)
    assert "clinician" in body["detail"]
    response = api.post(f"/api/v1/sessions/{draft.pk}/sign", {"version": draft.version}, user=clinician)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "signed" and response.json()["signed_by"] == clinician.pk


def test_signed_sessions_are_read_only(api, clinic, clinician):
    signed = clinic["signed"]
    body = problem(api.patch(f"/api/v1/sessions/{signed.pk}", {"version": signed.version, "notes": "changed"},
                             user=clinician), 409)
    assert "read-only" in body["detail"]
    problem(api.post(f"/api/v1/sessions/{signed.pk}/sign", {}, user=clinician), 409)
    signed.refresh_from_db()
    assert signed.notes == "Tolerated well."


def test_patient_reads_own_record_only(api, clinic, patient_user):
    own, other = clinic["patient"], clinic["other"]
    response = api.get(f"/api/v1/patients/{own.pk}", user=patient_user)
    assert response.status_code == 200 and response.json()["mrn"] == own.mrn
    problem(api.get(f"/api/v1/patients/{other.pk}", user=patient_user), 404)
    problem(api.get(f"/api/v1/patients/{own.pk + 1000}", user=patient_user), 404)
    assert "own patient record" in problem(api.get("/api/v1/patients", user=patient_user), 403)["detail"]
    problem(api.get(f"/api/v1/patients/{own.pk}/trigger-points", user=patient_user), 403)
    problem(api.get(f"/api/v1/sessions?patient={own.pk}", user=patient_user), 403)
    problem(api.get(f"/api/v1/courses/{clinic['course'].pk}", user=patient_user), 403)
    problem(api.patch(f"/api/v1/patients/{own.pk}", {"given_name": "X"}, user=patient_user), 403)
    # FHIR serves a patient their whole signed record, as the portal and SMART patient apps need (test_fhir_server).
    assert api.get(f"/fhir/Patient/{own.pk}/$everything", user=patient_user).status_code == 200
    response = api.get(f"/fhir/Patient/{other.pk}/$everything", user=patient_user)
    assert response.status_code == 404 and response.json()["resourceType"] == "OperationOutcome"


def test_user_without_a_role_gets_403(api, clinic, django_user_model):
    stranger = django_user_model.objects.create_user("stranger", password="x" * 12)
    problem(api.get("/api/v1/patients", user=stranger), 403)
    problem(api.get(f"/api/v1/patients/{clinic['patient'].pk}", user=stranger), 403)


def test_token_reads_are_audited_as_the_tokens_user(api, clinic, clinician):
    audit = pytest.importorskip("audit.models")
    seen = audit.AuditEvent.objects.count()
    patient = clinic["patient"]
    api.get(f"/api/v1/patients/{patient.pk}", user=clinician)
    api.get(f"/fhir/Patient/{patient.pk}/$everything", user=clinician)
    events = [e for e in audit.AuditEvent.objects.order_by("pk")[seen:] if e.action != "token-used"]
    # the request (the middleware) and, for FHIR, each patient shown (fhir_server.audit_shown)
    assert {(e.username, e.patient_id) for e in events} == {("clinician", patient.pk)}
    assert {"read", "export"} <= {e.action for e in events}
    # the token's use is noted once a minute (as its last_used is), not once per request
    used = audit.AuditEvent.objects.filter(action="token-used")
    assert [(e.username, e.object_type) for e in used] == [("clinician", "interop.apitoken")]


def test_token_requests_need_no_csrf_token(clinic, nurse):
    from django.test import Client

    from interop.tests.conftest import Api

    strict = Api(Client(enforce_csrf_checks=True))
    response = strict.post(f"/api/v1/patients/{clinic['patient'].pk}/trigger-points",
                           {"muscle": "upper-trapezius", "side": "right", "region": "neck.angle", "region_side": "right"},
                           user=nurse)
    assert response.status_code == 201, response.content


# ------------------------------------------------------------------ expiry, rotation, audit


def test_tokens_expire_after_api_token_days_with_a_clear_401(api, clinic, clinician, settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.API_TOKEN_DAYS = 30
    token, raw = ApiToken.issue(clinician, "sync")
    assert timedelta(days=29, hours=23) < token.expires - timezone.now() <= timedelta(days=30)
    headers = {"Authorization": f"Bearer {raw}"}
    assert api.get("/api/v1/patients", headers=headers).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires=timezone.now() - timedelta(seconds=1))
    body = problem(api.get("/api/v1/patients", headers=headers), 401)
    assert "expired on" in body["detail"] and token.prefix in body["detail"] and "--rotate" in body["detail"]
    fhir = api.get(f"/fhir/Patient/{clinic['patient'].pk}/$everything", headers=headers)
    assert fhir.status_code == 401


def test_rotating_a_token_revokes_the_old_one_and_prints_a_new_one(api, clinic, nurse, capsys):
    call_command("api_token", "nurse", "--name", "ward tablet")
    old = capsys.readouterr().out.strip()
    call_command("api_token", "nurse", "--name", "ward tablet", "--rotate", "--days", "7")
    out, err = capsys.readouterr()
    new = out.strip()
    assert new.startswith("tpc_") and new != old and "revoked 1" in err
    problem(api.get("/api/v1/patients", headers={"Authorization": f"Bearer {old}"}), 401)
    assert api.get("/api/v1/patients", headers={"Authorization": f"Bearer {new}"}).status_code == 200
    working = ApiToken.objects.get(user=nurse, revoked=False)
    assert working.name == "ward tablet" and (working.expires - working.created).days == 6


def test_refused_and_missing_tokens_are_audited(api, clinic, clinician):
    from audit.models import AuditEvent

    token, raw = ApiToken.issue(clinician, "old")
    token.revoked = True
    token.save()
    api.get("/api/v1/patients")
    api.get("/api/v1/patients", headers={"Authorization": "Bearer nonsense"})
    api.get("/api/v1/patients", headers={"Authorization": f"Bearer {raw}"})
    api.get("/api/v1/specialists")  # public: nothing to note
    denied = AuditEvent.objects.filter(action="token-denied").order_by("pk")
    assert [(e.username, e.detail, e.status) for e in denied] == [
        ("", "no token", 401), ("", "unknown token", 401), ("clinician", "revoked token", 401)]
