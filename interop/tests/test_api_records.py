"""The JSON API's records: search and paginate, create and update, and bad input that changes nothing."""
from datetime import timedelta

import pytest
from django.utils import timezone

from interop.tests.conftest import problem
from patients.models import Patient
from treatment.models import Course, Injection, Session

pytestmark = pytest.mark.django_db

NEW_PATIENT = {
    "mrn": "tp0200", "given_name": "Ana", "family_name": "Silva", "birth_date": "1985-03-04", "sex": "female",
    "height_cm": 160.5, "weight_kg": 55, "preferred_language": "pt-BR",
    "allergies": [{"substance": "Lidocaine", "anaesthetic_class": "amide", "reaction": "Rash"}],
    "medications": [{"name": "Clopidogrel", "kind": "antiplatelet"}],
}


def counts():
    return (Patient.objects.count(), Course.objects.count(), Session.objects.count(), Injection.objects.count())


# ------------------------------------------------------------------ patients


def test_search_filters_and_paginates_with_a_total(api, clinic, clinician):
    for n in range(5):
        Patient.objects.create(mrn=f"X{n}", given_name="Pat", family_name=f"Lopez{n}", birth_date="1970-01-01")
    response = api.get("/api/v1/patients", user=clinician, q="lopez", limit=2, offset=2)
    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 6 and body["limit"] == 2 and body["offset"] == 2 and len(body["items"]) == 2
    assert api.get("/api/v1/patients", user=clinician, q="tp0002").json()["items"][0]["family_name"] == "Haddad"
    assert api.get("/api/v1/patients", user=clinician, sex="male").json()["count"] == 1


def test_patient_detail_has_allergies_medications_and_risks(api, clinic, clinician):
    body = api.get(f"/api/v1/patients/{clinic['patient'].pk}", user=clinician).json()
    assert body["copd"] is True and body["payer"] == "medicare-uniform-tpi-2024"
    assert {a["substance"] for a in body["allergies"]} == {"Procaine", "Latex"}
    assert body["medications"] == [{"id": body["medications"][0]["id"], "name": "Apixaban", "kind": "anticoagulant"}]


def test_create_and_update_a_patient(api, clinic, nurse):
    response = api.post("/api/v1/patients", NEW_PATIENT, user=nurse)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["mrn"] == "TP0200" and created["height_cm"] == 160.5
    assert created["allergies"][0]["anaesthetic_class"] == "amide"
    response = api.patch(f"/api/v1/patients/{created['id']}", {"version": created["version"], "weight_kg": 57.5, "allergies": []},
                         user=nurse)
    assert response.status_code == 200, response.content
    assert response.json()["weight_kg"] == 57.5 and response.json()["allergies"] == []
    assert response.json()["medications"][0]["name"] == "Clopidogrel"  # not sent, so kept


def test_invalid_patient_names_every_field_and_saves_nothing(api, clinic, clinician):
    before = counts()
    bad = {**NEW_PATIENT, "mrn": "TP0001", "birth_date": "2999-01-01", "preferred_language": "not a tag",
           "allergies": [{"substance": "", "anaesthetic_class": "amide"}]}
    body = problem(api.post("/api/v1/patients", bad, user=clinician), 422)
    fields = {e["field"] for e in body["errors"]}
    assert {"mrn", "birth_date", "preferred_language", "allergies.0.substance"} <= fields
    assert "Nothing was saved" in body["detail"]
    assert counts() == before


def test_pregnancy_and_sex_are_checked_like_the_web_form(api, clinic, clinician):
    body = problem(api.patch(f"/api/v1/patients/{clinic['other'].pk}", {"pregnant": True, "version": 1}, user=clinician), 422)
    assert body["errors"][0]["field"] == "pregnant"


def test_json_type_errors_are_422_with_field_names(api, clinic, clinician):
    body = problem(api.post("/api/v1/patients", {"mrn": 5, "given_name": "A", "family_name": "B",
                                                 "birth_date": "yesterday", "height_cm": "tall"}, user=clinician), 422)
    assert {"birth_date", "height_cm"} <= {e["field"] for e in body["errors"]}


def test_control_characters_in_input_are_refused(api, clinic, clinician):
    body = problem(api.patch(f"/api/v1/patients/{clinic['other'].pk}", {"given_name": "Ah\x00med", "version": 1},
                             user=clinician),
                   422)
    assert "U+0000" in body["detail"]
    assert Patient.objects.get(pk=clinic["other"].pk).given_name == "Ahmed"


# ------------------------------------------------------------------ trigger points


def test_chart_a_trigger_point_at_the_regions_centre(api, clinic, nurse):
    patient = clinic["patient"]
    response = api.post(f"/api/v1/patients/{patient.pk}/trigger-points",
                        {"muscle": "levator-scapulae", "side": "left", "region": "neck.angle",
                         "region_side": "left", "taut_band": True}, user=nurse)
    assert response.status_code == 201, response.content
    point = response.json()
    assert point["view"] and 0 <= point["map_x"] <= 1000 and point["findings"] == ["taut band"]
    listed = api.get(f"/api/v1/patients/{patient.pk}/trigger-points", user=nurse, active="true").json()
    assert point["id"] in [p["id"] for p in listed["items"]]
    assert clinic["levator"].pk not in [p["id"] for p in listed["items"]]  # resolved


def test_trigger_point_needs_a_known_muscle_and_place(api, clinic, nurse):
    patient = clinic["patient"]
    body = problem(api.post(f"/api/v1/patients/{patient.pk}/trigger-points",
                            {"muscle": "biceps-brachii-x", "side": "left", "region": "neck.angle"}, user=nurse), 422)
    assert {"muscle", "region_side"} & {e["field"] for e in body["errors"]}
    problem(api.post("/api/v1/patients/999999/trigger-points",
                     {"muscle": "upper-trapezius", "side": "left", "region": "neck.angle"}, user=nurse), 404)


# ------------------------------------------------------------------ courses


def test_plan_a_course_defaults_to_the_clinician_and_their_interval(api, clinic, clinician):
    clinician.staff_profile.preferred_interval_days = 10
    clinician.staff_profile.save()
    response = api.post("/api/v1/courses", {"patient": clinic["other"].pk, "diagnosis_code": "m7912"}, user=clinician)
    assert response.status_code == 201, response.content
    course = response.json()
    assert course["clinician"] == clinician.pk and course["interval_days"] == 10 and course["diagnosis_code"] == "M79.12"
    listed = api.get("/api/v1/courses", user=clinician, patient=clinic["other"].pk).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == course["id"]


def test_course_needs_a_billable_code_a_patient_and_a_clinician(api, clinic, nurse):
    body = problem(api.post("/api/v1/courses", {"patient": 999999, "diagnosis_code": "M79.1"}, user=nurse), 422)
    fields = {e["field"] for e in body["errors"]}
    assert {"patient", "diagnosis_code", "clinician"} <= fields
    assert "billable" in body["detail"]


# ------------------------------------------------------------------ sessions


def test_sessions_filter_by_patient_course_and_date(api, clinic, clinician):
    today = timezone.localdate()
    everything = api.get("/api/v1/sessions", user=clinician, patient=clinic["patient"].pk).json()
    assert everything["count"] == 2
    recent = api.get("/api/v1/sessions", user=clinician, course=clinic["course"].pk,
                     performed_from=str(today - timedelta(days=7)), performed_to=str(today)).json()
    assert [s["id"] for s in recent["items"]] == [clinic["draft"].pk]
    signed = api.get("/api/v1/sessions", user=clinician, status="signed").json()
    assert [s["id"] for s in signed["items"]] == [clinic["signed"].pk]
    first = signed["items"][0]["injections"][0]  # the whole syringe, and each agent mixed in it
    assert first["description"] == ("Lidocaine 1%, 2.50 mL + Bupivacaine 0.25% with epinephrine, 2.00 mL"
                                    " + Triamcinolone acetonide 20 mg")
    assert [(a["agent"], a["dose_mg"]) for a in first["mixed_agents"]] == [("bupivacaine", None), ("triamcinolone", 20.0)]


def test_draft_a_session_with_injections(api, clinic, nurse):
    course = clinic["planned"]
    body = {"course": course.pk, "pain_before": 6, "pain_after": 3, "notes": "Left side worse",
            "injections": [{"trigger_point": clinic["neck"].pk, "agent": "lidocaine", "concentration_pct": 1,
                            "volume_ml": 2}]}
    response = api.post("/api/v1/sessions", body, user=nurse)
    assert response.status_code == 201, response.content
    session = response.json()
    assert session["status"] == "draft" and session["clinician"] == course.clinician_id  # a nurse drafts for them
    assert session["immediate_relief_pct"] == 50  # computed like the web form
    assert len(session["injections"]) == 1 and session["version"] == 1
    course.refresh_from_db()
    assert course.status == "active"


def test_draft_an_injection_with_a_mixture(api, clinic, nurse):
    row = {"trigger_point": clinic["neck"].pk, "agent": "lidocaine", "concentration_pct": 1, "volume_ml": 2,
           "lot_number": "L-12", "mixed_agents": [{"agent": "triamcinolone", "dose_mg": 20, "volume_ml": 0.5},
                                                  {"agent": "bupivacaine", "concentration_pct": 0.25, "volume_ml": 1}]}
    response = api.post("/api/v1/sessions", {"course": clinic["planned"].pk, "injections": [row]}, user=nurse)
    assert response.status_code == 201, response.content
    saved = response.json()["injections"][0]
    assert [(a["agent"], a["dose_mg"], a["concentration_pct"]) for a in saved["mixed_agents"]] == [
        ("triamcinolone", 20.0, None), ("bupivacaine", None, 0.25)]
    assert saved["lot_number"] == "L-12"
    assert saved["description"] == "Lidocaine 1%, 2.00 mL + Triamcinolone acetonide 20 mg + Bupivacaine 0.25%, 1.00 mL"
    stored = Injection.objects.get(pk=saved["id"])
    assert [(a.agent, a.dose_mg) for a in stored.mixed_agents.all()] == [("triamcinolone", 20), ("bupivacaine", None)]


def test_a_mixture_is_checked_like_the_web_form_and_saves_nothing(api, clinic, nurse):
    before = counts()
    bad = {"trigger_point": clinic["neck"].pk, "mixed_agents": [
        {"agent": "bupivacaine", "concentration_pct": 0.25, "volume_ml": 1}, {"agent": "dexamethasone"}]}
    body = problem(api.post("/api/v1/sessions", {"course": clinic["planned"].pk, "injections": [bad]}, user=nurse), 422)
    assert [e["field"] for e in body["errors"]] == ["injections.0.mixed_agents.1.dose_mg"]
    assert "mg" in body["errors"][0]["message"]
    for wrong, field in [({"agent": "dry-needling"}, "agent"), ({"agent": "triamcinolone", "dose_mg": 5000}, "dose_mg")]:
        body = problem(api.post("/api/v1/sessions", {"course": clinic["planned"].pk, "injections": [
            {"trigger_point": clinic["neck"].pk, "mixed_agents": [wrong]}]}, user=nurse), 422)
        assert body["errors"][0]["field"].endswith(f"mixed_agents.0.{field}"), body
    from treatment.forms import MIXED_SLOTS

    too_many = [{"agent": "saline", "volume_ml": 1}] * (MIXED_SLOTS + 1)  # one more than a syringe's bound
    problem(api.post("/api/v1/sessions", {"course": clinic["planned"].pk, "injections": [
        {"trigger_point": clinic["neck"].pk, "mixed_agents": too_many}]}, user=nurse), 422)
    assert counts() == before


def test_injection_into_another_patients_trigger_point_saves_nothing(api, clinic, nurse):
    from charting.models import TriggerPoint

    elsewhere = TriggerPoint.objects.create(patient=clinic["other"], muscle="upper-trapezius", side="right",
                                            region="neck.angle", region_side="right", view="back", map_x=1, map_y=1,
                                            found_on=timezone.localdate())
    before = counts()
    body = problem(api.post("/api/v1/sessions", {"course": clinic["course"].pk, "injections": [
        {"trigger_point": clinic["neck"].pk}, {"trigger_point": elsewhere.pk}]}, user=nurse), 422)
    assert body["errors"][0]["field"] == "injections.1.trigger_point"
    assert "trigger-points" in body["errors"][0]["message"]
    assert counts() == before


def test_closed_course_takes_no_new_session(api, clinic, nurse):
    Course.objects.filter(pk=clinic["course"].pk).update(status="completed")
    body = problem(api.post("/api/v1/sessions", {"course": clinic["course"].pk}, user=nurse), 409)
    assert "reopen" in body["detail"]


def test_update_a_draft_with_its_version_and_refuse_a_stale_one(api, clinic, nurse):
    draft = clinic["draft"]
    response = api.patch(f"/api/v1/sessions/{draft.pk}", {"version": 1, "pain_after": 2, "injections": []}, user=nurse)
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2 and response.json()["injections"] == []
    body = problem(api.patch(f"/api/v1/sessions/{draft.pk}", {"version": 1, "pain_after": 9}, user=nurse), 409)
    assert "version 2" in body["detail"]
    draft.refresh_from_db()
    assert draft.pain_after == 2


def test_signing_an_incomplete_session_says_what_is_missing(api, clinic, clinician):
    body = problem(api.post(f"/api/v1/sessions/{clinic['draft'].pk}/sign", {"version": clinic['draft'].version},
                            user=clinician), 422)
    assert "pain score after" in body["detail"] and "consent" in body["detail"]
    problem(api.post(f"/api/v1/sessions/{clinic['draft'].pk}/sign", {"version": 7}, user=clinician), 409)


def test_sign_keeps_the_cpt_code_and_refreshes_the_course(api, clinic, clinician):
    draft = clinic["draft"]
    Session.objects.filter(pk=draft.pk).update(pain_after=1, consent_recorded=True)
    response = api.post(f"/api/v1/sessions/{draft.pk}/sign", {"version": draft.version}, user=clinician)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "signed" and body["signed_by"] == clinician.pk
    course = Course.objects.get(pk=clinic["course"].pk)
    if hasattr(course, "sessions_done"):
        assert course.sessions_done == 2
    if hasattr(Session, "cpt_codes"):
        assert body["cpt_codes"] == ["20552"]


def test_the_risk_screen_can_block_signing(api, clinic, clinician):
    pytest.importorskip("safety.session_check")
    draft = clinic["draft"]
    Session.objects.filter(pk=draft.pk).update(pain_after=1, consent_recorded=True)
    clinic["patient"].allergies.create(substance="Bupivacaine", anaesthetic_class="amide")
    body = problem(api.post(f"/api/v1/sessions/{draft.pk}/sign", {"version": draft.version}, user=clinician), 422)
    assert "risk screen blocks" in body["detail"]
    assert Session.objects.get(pk=draft.pk).status == "draft"


# ------------------------------------------------------------------ referral


def test_referral_ranking(api, clinic, nurse):
    pytest.importorskip("referral.ranking")
    response = api.post("/api/v1/referral/rank", {"drawing": ["head.temple:left", "neck.angle:left"], "top": 3},
                        user=nurse)
    assert response.status_code == 200, response.content
    candidates = response.json()["candidates"]
    assert len(candidates) == 3 and candidates[0]["rank"] == 1
    body = problem(api.post("/api/v1/referral/rank", {"drawing": ["nowhere:left"]}, user=nurse), 422)
    assert body["errors"][0]["field"] == "drawing"
