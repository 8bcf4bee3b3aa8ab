"""The JSON API's safety screen, adverse events, pain drawings, pain diary and specialists directory:
same results and rules as the web UI, the same roles, problem+json for every refusal."""
from datetime import timedelta

import pytest
from django.utils import timezone

from interop.tests.conftest import problem
from portal.models import DiaryEntry
from referral.models import PainDrawing
from safety.models import AdverseEvent
from treatment.forms import MIXED_SLOTS
from treatment.models import Injection, Session

pytestmark = pytest.mark.django_db


def counts():
    return (Session.objects.count(), Injection.objects.count(), AdverseEvent.objects.count(),
            PainDrawing.objects.count(), DiaryEntry.objects.count())


def _number(value):
    return None if value is None else float(value)


def plan_of(session) -> list[dict]:
    """The session's rows as a plan: each row's muscle, side, agent fields and its mixture."""
    return [{"muscle": i.trigger_point.muscle, "side": i.trigger_point.side, "agent": i.agent,
             "concentration_pct": float(i.concentration_pct), "with_epinephrine": i.with_epinephrine,
             "volume_ml": float(i.volume_ml), "guidance": i.guidance,
             "mixed_agents": [{"agent": a.agent, "concentration_pct": _number(a.concentration_pct),
                               "with_epinephrine": a.with_epinephrine, "volume_ml": _number(a.volume_ml),
                               "dose_mg": _number(a.dose_mg)} for a in i.mixed_agents.all()]}
            for i in session.injections.select_related("trigger_point").prefetch_related("mixed_agents")]


# ------------------------------------------------------------------ the screen


def test_session_screen_is_the_web_check(api, clinic, nurse):
    from safety import present
    from treatment import workflow

    session = clinic["signed"]
    response = api.get(f"/api/v1/sessions/{session.pk}/screen", user=nurse)
    assert response.status_code == 200, response.content
    body = response.json()
    expected = workflow.check(session)
    assert [f["rule"] for f in body["findings"]] == [f.rule for f in expected.screen.findings]
    assert body["can_sign"] == expected.can_sign
    assert body["dose"]["status"] == expected.screen.dose.status
    assert body["dose"]["total_percent"] == present.english(present.dose_percent, expected.screen.dose)
    assert body["dose"]["total_percent"].endswith("%")
    assert body["dose"]["dosing_weight_kg"] == float(expected.screen.dose.dosing_weight_kg)
    names = [row["name"] for row in body["dose"]["rows"]]
    assert names == [present.english(present.agent_name, row.params) for row in expected.screen.dose.rows]
    assert names[:2] == ["Lidocaine", "Bupivacaine with epinephrine"]  # the fixture's mixture, agent by agent
    assert [f["message"] for f in body["findings"]] == [
        present.english(present.finding_message, f) for f in expected.screen.findings]
    assert body["cpt"]["codes"] == ["20552"] and body["cpt"]["muscle_count"] == 2
    assert [f["rule"] for f in body["payer"]] == [f.rule for f in expected.payer]
    assert body["at_signing"] == session.screen_snapshot and body["session"] == session.pk
    named = [f for f in body["findings"] if f["muscle"] == "upper-trapezius"]
    assert named and all(f["muscle_name"] == "Trapezius (upper fibres)" for f in named)


def test_planned_screen_gives_the_same_result_and_saves_nothing(api, clinic, nurse):
    draft = clinic["draft"]
    saved = api.get(f"/api/v1/sessions/{draft.pk}/screen", user=nurse).json()
    before = counts()
    response = api.post("/api/v1/safety/screen", {
        "patient": clinic["patient"].pk, "injections": plan_of(draft),
        "performed_on": str(timezone.localdate(draft.performed_at)),
    }, user=nurse)
    assert response.status_code == 200, response.content
    planned = response.json()
    assert planned["session"] is None and planned["at_signing"] is None
    for key in ("findings", "dose", "cpt", "payer", "can_sign", "performed_on", "patient"):
        assert planned[key] == saved[key], key
    assert counts() == before


def test_a_planned_mixture_screens_as_the_same_saved_mixture(api, clinic, nurse):
    """A plan carries a syringe's further agents as the session form does, and gets the saved row's screen."""
    from decimal import Decimal

    draft = clinic["draft"]
    row = draft.injections.get()
    row.mixed_agents.create(agent="lidocaine", concentration_pct=Decimal("1.00"), volume_ml=Decimal("4.00"))
    row.mixed_agents.create(agent="methylprednisolone", dose_mg=Decimal("40.00"), volume_ml=Decimal("1.00"))
    saved = api.get(f"/api/v1/sessions/{draft.pk}/screen", user=nurse).json()
    assert [r["agent"] for r in saved["dose"]["rows"]] == ["bupivacaine", "lidocaine"]  # the fixture's plan mixes
    plan = plan_of(draft)
    assert len(plan[0]["mixed_agents"]) == 2
    planned = api.post("/api/v1/safety/screen", {"patient": clinic["patient"].pk, "injections": plan,
                                                 "performed_on": str(timezone.localdate(draft.performed_at))},
                       user=nurse).json()
    for key in ("findings", "dose", "cpt", "payer", "can_sign"):
        assert planned[key] == saved[key], key


@pytest.mark.parametrize("guidance, addon", [("ultrasound", True), ("none", False), (None, False)])
def test_a_planned_guided_injection_gets_the_imaging_add_on_as_a_saved_one_does(api, clinic, clinician,
                                                                                 guidance, addon):
    """The plan says how each needle is guided, as the session row does: ultrasound brings CPT's imaging
    add-on note; landmarks (or nothing said) do not."""
    site = {"muscle": "infraspinatus", "side": "left", "agent": "lidocaine", "concentration_pct": 1, "volume_ml": 2}
    if guidance is not None:
        site["guidance"] = guidance
    body = api.post("/api/v1/safety/screen", {"patient": clinic["other"].pk, "injections": [site]}, user=clinician)
    assert body.status_code == 200, body.content
    notes = " ".join(body.json()["cpt"]["notes"])
    assert ("76942" in notes) is addon


def test_a_planned_guidance_outside_the_choices_is_refused(api, clinic, clinician):
    site = {"muscle": "infraspinatus", "side": "left", "agent": "lidocaine", "concentration_pct": 1, "volume_ml": 2,
            "guidance": "fluoroscopy"}
    body = api.post("/api/v1/safety/screen", {"patient": clinic["other"].pk, "injections": [site]}, user=clinician)
    assert body.status_code in (400, 422) and "guidance" in body.content.decode()


def test_a_planned_mixture_adds_every_agent_to_the_dose_total(api, clinic, clinician):
    """Each agent of a syringe counts toward the dose with every other row's: the mixture's total is the sum of
    its agents planned as separate rows, and more of one agent in a mixture raises the total."""
    patient = clinic["other"]
    patient.weight_kg = 70
    patient.save()

    def total(injections):
        body = api.post("/api/v1/safety/screen", {"patient": patient.pk, "injections": injections}, user=clinician)
        assert body.status_code == 200, body.content
        return body.json()["dose"]

    lidocaine = {"muscle": "infraspinatus", "side": "left", "agent": "lidocaine", "concentration_pct": 1,
                 "volume_ml": 5}
    bupivacaine = {"agent": "bupivacaine", "concentration_pct": 0.25, "volume_ml": 5}
    mixed = total([{**lidocaine, "mixed_agents": [bupivacaine]}])
    apart = total([lidocaine, {"muscle": "infraspinatus", "side": "left", **bupivacaine}])
    alone = total([lidocaine])
    assert [r["agent"] for r in mixed["rows"]] == ["lidocaine", "bupivacaine"]
    assert mixed["total_fraction"] == pytest.approx(apart["total_fraction"])
    assert mixed["total_fraction"] > alone["total_fraction"] > 0
    more = total([{**lidocaine, "mixed_agents": [{**bupivacaine, "volume_ml": 10}]}])
    assert more["total_fraction"] > mixed["total_fraction"]


def test_a_planned_mixture_is_checked_as_the_session_form_checks_it(api, clinic, nurse):
    before = counts()
    row = {"muscle": "infraspinatus", "side": "left", "agent": "lidocaine", "concentration_pct": 1, "volume_ml": 2}
    body = problem(api.post("/api/v1/safety/screen", {"patient": clinic["patient"].pk, "injections": [
        {**row, "mixed_agents": [{"agent": "triamcinolone"}, {"agent": "bupivacaine", "volume_ml": 1}]},
    ]}, user=nurse), 422)
    assert [e["field"] for e in body["errors"]] == ["injections.0.mixed_agents.0.dose_mg",
                                                    "injections.0.mixed_agents.1.concentration_pct"]
    too_many = [{"agent": "saline", "volume_ml": 1}] * (MIXED_SLOTS + 1)  # one more than the form's slots
    problem(api.post("/api/v1/safety/screen", {"patient": clinic["patient"].pk, "injections": [
        {**row, "mixed_agents": too_many}]}, user=nurse), 422)
    not_mixable = [{"agent": "dry-needling"}]
    problem(api.post("/api/v1/safety/screen", {"patient": clinic["patient"].pk, "injections": [
        {**row, "mixed_agents": not_mixable}]}, user=nurse), 422)
    assert counts() == before


def test_planned_screen_blocks_an_allergy_and_unknown_weight(api, clinic, clinician):
    patient = clinic["other"]  # no weight recorded
    patient.allergies.create(substance="Lidocaine", anaesthetic_class="amide")
    body = api.post("/api/v1/safety/screen", {"patient": patient.pk, "injections": [
        {"muscle": "infraspinatus", "side": "left", "agent": "lidocaine", "concentration_pct": 1, "volume_ml": 2},
        {"muscle": "infraspinatus", "side": "right", "agent": "saline", "concentration_pct": 1,
         "with_epinephrine": True, "volume_ml": 1},
    ]}, user=clinician).json()
    assert body["can_sign"] is False
    blocks = {f["rule"] for f in body["findings"] if f["level"] == "block"}
    assert {"allergy", "dose-unknown"} <= blocks
    assert body["dose"]["status"] == "unknown" and body["dose"]["dosing_weight_kg"] is None
    assert [row["agent"] for row in body["dose"]["rows"]] == ["lidocaine"]  # saline carries no anaesthetic
    assert body["cpt"]["codes"] == ["20552"]


def test_planned_screen_names_every_bad_field(api, clinic, nurse):
    before = counts()
    body = problem(api.post("/api/v1/safety/screen", {"patient": 999999, "injections": [
        {"muscle": "upper-trapezius", "side": "left", "agent": "lidocaine", "volume_ml": 0},
        {"muscle": "not-a-muscle", "side": "left"},
    ]}, user=nurse), 422)
    assert [e["field"] for e in body["errors"]] == ["patient", "injections.0.volume_ml", "injections.1.muscle"]
    born = clinic["patient"].birth_date
    body = problem(api.post("/api/v1/safety/screen", {"patient": clinic["patient"].pk, "injections": [],
                                                      "performed_on": str(born - timedelta(days=1))}, user=nurse), 422)
    assert body["errors"][0]["field"] == "performed_on"
    assert counts() == before


def test_screen_roles_are_judged_before_the_body(api, clinic, front_desk, patient_user):
    for body in ({}, {"patient": "x"}, None):
        assert problem(api.post("/api/v1/safety/screen", body, user=front_desk), 403)["type"].endswith("forbidden")
    problem(api.post("/api/v1/safety/screen", {}, user=patient_user), 403)
    problem(api.post("/api/v1/safety/screen", {}), 401)
    problem(api.get(f"/api/v1/sessions/{clinic['signed'].pk}/screen", user=patient_user), 403)
    problem(api.get("/api/v1/sessions/999999/screen", user=front_desk), 403)  # the role first: minimum necessary


def test_planned_screen_is_audited_once_against_its_patient(api, clinic, nurse):
    from audit.models import AuditEvent

    before = AuditEvent.objects.count()
    api.post("/api/v1/safety/screen", {"patient": clinic["patient"].pk, "injections": plan_of(clinic["signed"])},
             user=nurse)
    events = list(AuditEvent.objects.order_by("pk")[before:])
    request_events = [e for e in events if e.path.startswith("/api/v1/safety/screen") and e.action != "token-used"]
    assert [(e.action, e.patient_id, e.username) for e in request_events] == [
        ("read", clinic["patient"].pk, nurse.username)]


# ------------------------------------------------------------------ adverse events


def test_list_adverse_events_by_patient_session_and_kind(api, clinic, nurse):
    everything = api.get("/api/v1/adverse-events", user=nurse, patient=clinic["patient"].pk).json()
    assert everything["count"] == 2
    assert [e["kind"] for e in everything["items"]] == ["vasovagal", "flare"]  # by onset
    flare = api.get("/api/v1/adverse-events", user=nurse, session=clinic["signed"].pk, kind="flare").json()
    assert flare["count"] == 1
    item = flare["items"][0]
    assert item["injection"] == clinic["flare"].injection_id and item["kind_label"] == "Post-injection flare"
    assert item["recorded_by_name"] == "Alice Ward" and item["patient"] == clinic["patient"].pk
    assert api.get("/api/v1/adverse-events", user=nurse, patient=clinic["other"].pk).json()["count"] == 0


def test_record_an_adverse_event(api, clinic, nurse):
    session = clinic["signed"]
    injection = session.injections.get(agent="saline")
    onset = timezone.localtime(session.performed_at + timedelta(hours=2))
    response = api.post("/api/v1/adverse-events", {
        "session": session.pk, "injection": injection.pk, "kind": "bleeding", "onset_at": onset.isoformat(),
        "severity": "mild", "action": "Pressure for five minutes", "follow_up": "None needed"}, user=nurse)
    assert response.status_code == 201, response.content
    event = AdverseEvent.objects.get(pk=response.json()["id"])
    assert (event.recorded_by, event.injection, event.outcome) == (nurse, injection, "ongoing")
    assert event.onset_at == onset.replace(second=0, microsecond=0)  # minute precision, like the web form


def test_adverse_event_is_checked_like_the_web_form(api, clinic, nurse, front_desk):
    before = counts()
    session = clinic["signed"]
    other_injection = clinic["draft"].injections.first()
    body = problem(api.post("/api/v1/adverse-events", {
        "session": session.pk, "injection": other_injection.pk, "kind": "flare", "severity": "mild", "action": "Ice",
        "onset_at": (session.performed_at - timedelta(days=2)).isoformat()}, user=nurse), 422)
    fields = {e["field"]: e["message"] for e in body["errors"]}
    assert "GET /api/v1/sessions/{id}" in fields["injection"] and "before the session" in fields["onset_at"]
    body = problem(api.post("/api/v1/adverse-events", {
        "session": 999999, "kind": "flare", "severity": "mild", "action": "Ice",
        "onset_at": timezone.now().isoformat()}, user=nurse), 422)
    assert body["errors"][0]["field"] == "session"
    problem(api.post("/api/v1/adverse-events", {"kind": "nonsense"}, user=front_desk), 403)  # role first
    assert counts() == before


# ------------------------------------------------------------------ pain drawings


def test_list_and_save_pain_drawings(api, clinic, nurse, front_desk):
    patient = clinic["patient"]
    problem(api.get(f"/api/v1/patients/{patient.pk}/pain-drawings", user=front_desk), 403)  # minimum necessary
    listed = api.get(f"/api/v1/patients/{patient.pk}/pain-drawings", user=nurse).json()
    assert listed["count"] == 2
    first = listed["items"][0]
    assert first["regions"][0] == {"place": "neck.angle:left", "region": "neck.angle", "side": "left",
                                   "label": "Angle of neck, left", "intensity": 7}
    assert first["regions"][1]["side"] is None and first["regions"][2]["intensity"] is None
    home = listed["items"][1]
    assert home["source"] == "patient" and home["diary_entry"] == clinic["diary"].pk
    assert api.get(f"/api/v1/patients/{patient.pk}/pain-drawings", user=nurse,
                   source="clinician").json()["count"] == 1
    response = api.post(f"/api/v1/patients/{patient.pk}/pain-drawings",
                        {"regions": ["head.temple:left@8", "chest.sternum"]}, user=nurse)
    assert response.status_code == 201, response.content
    drawing = PainDrawing.objects.get(pk=response.json()["id"])
    assert drawing.marks == [{"place": "head.temple:left", "intensity": 8}, {"place": "chest.sternum", "intensity": 5}]
    assert (drawing.source, drawing.recorded_by, drawing.drawn_on) == ("clinician", nurse, timezone.localdate())


def test_pain_drawing_regions_are_checked_one_by_one(api, clinic, nurse, front_desk):
    patient = clinic["patient"]
    before = counts()
    body = problem(api.post(f"/api/v1/patients/{patient.pk}/pain-drawings", {
        "regions": ["neck.angle:left@7", "chest.sternum:left", "nowhere", "neck.angle:left", "head.temple:left@11"],
        "drawn_on": str(timezone.localdate() + timedelta(days=1))}, user=nurse), 422)
    assert [e["field"] for e in body["errors"]] == ["regions.1", "regions.2", "regions.3", "regions.4", "drawn_on"]
    problem(api.post(f"/api/v1/patients/{patient.pk}/pain-drawings", {"regions": []}, user=nurse), 422)
    problem(api.post(f"/api/v1/patients/{patient.pk}/pain-drawings", {"regions": "x"}, user=front_desk), 403)
    problem(api.post("/api/v1/patients/999999/pain-drawings", {"regions": ["chest.sternum"]}, user=nurse), 404)
    assert counts() == before


# ------------------------------------------------------------------ the diary


def test_the_patient_reads_and_writes_their_own_diary(api, clinic, patient_user):
    patient = clinic["patient"]
    url = f"/api/v1/patients/{patient.pk}/diary-entries"
    listed = api.get(url, user=patient_user).json()
    assert [e["pain"] for e in listed["items"]] == [4, 0]
    assert listed["items"][0]["regions"][0]["label"] == "Temple, left"
    today = str(timezone.localdate())
    response = api.post(url, {"day": today, "pain": 6, "note": "Stiff neck", "regions": ["neck.angle:left",
                                                                                         "head.temple:right@3"]},
                        user=patient_user)
    assert response.status_code == 201, response.content
    entry = response.json()
    assert [(r["place"], r["intensity"]) for r in entry["regions"]] == [("neck.angle:left", 6),
                                                                        ("head.temple:right", 3)]
    drawing = PainDrawing.objects.get(pk=entry["drawing"])
    assert (drawing.source, drawing.recorded_by) == ("patient", patient_user)
    again = api.post(url, {"day": today, "pain": 5}, user=patient_user)  # one entry a day: replaced
    assert again.status_code == 200 and again.json()["id"] == entry["id"] and again.json()["regions"] == []
    assert not PainDrawing.objects.filter(pk=drawing.pk).exists()  # as in the portal
    window = api.get(url, user=patient_user, day_from=today, day_to=today).json()
    assert window["count"] == 1 and window["items"][0]["pain"] == 5


def test_diary_permissions_and_errors(api, clinic, patient_user, clinician, front_desk):
    patient, other = clinic["patient"], clinic["other"]
    before = counts()
    assert api.get(f"/api/v1/patients/{patient.pk}/diary-entries", user=clinician).json()["count"] == 2
    problem(api.get(f"/api/v1/patients/{patient.pk}/diary-entries", user=front_desk), 403)  # minimum necessary
    for user in (clinician, front_desk):
        body = problem(api.post(f"/api/v1/patients/{patient.pk}/diary-entries", {}, user=user), 403)
        assert "Only the patient" in body["detail"]
    problem(api.get(f"/api/v1/patients/{other.pk}/diary-entries", user=patient_user), 404)
    problem(api.post(f"/api/v1/patients/{other.pk}/diary-entries", {"pain": 3}, user=patient_user), 404)
    problem(api.post(f"/api/v1/patients/{patient.pk}/diary-entries", {"pain": 3}), 401)
    body = problem(api.post(f"/api/v1/patients/{patient.pk}/diary-entries", {
        "day": str(timezone.localdate() + timedelta(days=1)), "pain": 3, "regions": ["elbow:left"]},
        user=patient_user), 422)
    assert [e["field"] for e in body["errors"]] == ["day", "regions.0"]
    problem(api.post(f"/api/v1/patients/{patient.pk}/diary-entries", {"pain": 11}, user=patient_user), 422)
    assert counts() == before


# ------------------------------------------------------------------ specialists


@pytest.fixture
def directory(db):
    from directory.models import Location, Specialist

    clinic = Location.objects.create(name="Riverside", address="1 River Rd", city="Springfield", phone="555-0100")
    knee = Specialist.objects.create(slug="dr-knee", name="Dr Knee", credentials="MD", taxonomy_code="207X00000X",
                                     languages="en,es-MX", accepting_new_patients=True)
    knee.locations.add(clinic)
    Specialist.objects.create(slug="pt-ana", name="Ana PT", credentials="DPT", taxonomy_code="2251X0800X",
                              languages="es", accepting_new_patients=False)
    Specialist.objects.create(slug="dr-pain", name="Dr Pain", taxonomy_code="208VP0000X", languages="ar,en",
                              performs_trigger_point_injections=True, bio="Myofascial pain.")
    return knee


def test_specialists_are_public_with_filters(api, directory):
    everyone = api.get("/api/v1/specialists").json()  # no token: public, like the web directory
    assert everyone["count"] == 3 and everyone["complaints"] == []
    knee = next(s for s in everyone["items"] if s["slug"] == "dr-knee")
    assert knee["specialty"] == "Orthopaedic surgery" and knee["languages"] == ["en", "es-MX"]
    assert knee["locations"][0]["city"] == "Springfield" and knee["match_score"] is None
    assert {s["slug"] for s in api.get("/api/v1/specialists", language="es").json()["items"]} == {"dr-knee", "pt-ana"}
    assert [s["slug"] for s in api.get("/api/v1/specialists", specialty="225100000X").json()["items"]] == ["pt-ana"]
    assert [s["slug"] for s in api.get("/api/v1/specialists", tpi="true").json()["items"]] == ["dr-pain"]
    assert {s["slug"] for s in api.get("/api/v1/specialists", accepting="false").json()["items"]} == {"pt-ana"}
    problem(api.get("/api/v1/specialists", language="not a tag"), 422)
    problem(api.get("/api/v1/specialists", specialty="knee"), 422)


def test_specialists_search_by_complaint(api, directory, clinician):
    found = api.get("/api/v1/specialists", q="dolor de rodilla", headers={"Authorization": "Bearer wrong"}).json()
    assert found["complaints"] == ["Knee pain"] and found["specialties"][0] == "207X00000X"
    assert [s["slug"] for s in found["items"]] == ["dr-knee", "pt-ana"]  # best fit first
    assert found["items"][0]["match_score"] > found["items"][1]["match_score"]
    nothing = api.get("/api/v1/specialists", q="xyzzy").json()
    assert nothing == {"count": 0, "limit": 50, "offset": 0, "complaints": [], "specialties": [], "items": []}


def test_one_specialist_by_slug(api, directory):
    assert api.get("/api/v1/specialists/dr-pain").json()["bio"] == "Myofascial pain."
    assert "specialist" in problem(api.get("/api/v1/specialists/nobody"), 404)["detail"]


# ------------------------------------------------------------------ language


def test_labels_are_english_whatever_the_request_language(api, clinic, clinician):
    from anatomy import vocabulary

    assert vocabulary.muscle_label("upper-trapezius", "es") == "Trapecio (fibras superiores)"  # Spanish exists
    spanish = {"Accept-Language": "es"}
    api.client.cookies["django_language"] = "es"
    response = api.get(f"/api/v1/patients/{clinic['patient'].pk}/trigger-points", user=clinician, headers=spanish)
    assert response["Content-Language"] == "en"
    point = next(p for p in response.json()["items"] if p["muscle"] == "upper-trapezius")
    assert (point["muscle_name"], point["region_name"]) == ("Trapezius (upper fibres)", "Angle of neck, left")
    assert point["findings"] == ["taut band", "local twitch response"]
    session = api.get(f"/api/v1/sessions/{clinic['signed'].pk}", user=clinician, headers=spanish).json()
    assert session["injections"][0]["muscle_name"] == "Trapezius (upper fibres)"
    body = problem(api.post("/api/v1/adverse-events", {
        "session": clinic["signed"].pk, "kind": "flare", "severity": "mild", "action": "Ice",
        "onset_at": (timezone.now() + timedelta(days=1)).isoformat()}, user=clinician, headers=spanish), 422)
    assert body["errors"][0]["message"] == "The onset cannot be in the future."  # messages too (es exists)
