"""Fixtures for the interop tests: API tokens, an API client, and a small clinic with every kind of record."""
from __future__ import annotations

import gzip
import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import Role, StaffProfile

DATA = Path(__file__).resolve().parent / "data"
# The smallest valid PNG (1x1 transparent): the ultrasound still of the clinic's guided injection.
PNG_1PX = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


@cache
def fhir_schema() -> dict:
    with gzip.open(DATA / "fhir.schema.json.gz", "rt", encoding="utf-8") as handle:
        return json.load(handle)


@pytest.fixture
def administrator(django_user_model):
    user = django_user_model.objects.create_user("admin1", password="x" * 12, first_name="Ada", last_name="Min")
    StaffProfile.objects.create(user=user, role=Role.ADMIN)
    return user


@pytest.fixture
def patient_user(django_user_model, patient):
    user = django_user_model.objects.create_user("maria", password="x" * 12)
    patient.user = user
    patient.save()
    return user


class Api:
    """A test client that sends `Authorization: Bearer <token>` for the user it is asked to act as."""

    def __init__(self, client):
        self.client = client
        self.tokens = {}

    def token(self, user) -> str:
        from interop.models import ApiToken

        if user.pk not in self.tokens:
            self.tokens[user.pk] = ApiToken.issue(user, "tests")[1]
        return self.tokens[user.pk]

    def _headers(self, user, headers):
        out = dict(headers or {})
        if user is not None:
            out["Authorization"] = f"Bearer {self.token(user)}"
        return out

    def get(self, path, user=None, headers=None, **params):
        return self.client.get(path, params, headers=self._headers(user, headers))

    def send(self, method, path, body=None, user=None, headers=None, raw=None, content_type="application/json"):
        data = raw if raw is not None else (json.dumps(body) if body is not None else "")
        return self.client.generic(method.upper(), path, data, content_type=content_type,
                                   headers=self._headers(user, headers))

    def post(self, path, body=None, user=None, **kw):
        return self.send("POST", path, body, user, **kw)

    def patch(self, path, body=None, user=None, **kw):
        return self.send("PATCH", path, body, user, **kw)


@pytest.fixture
def api(client):
    return Api(client)


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, 30, 15, 123456))


@pytest.fixture
def clinic(clinician, nurse, patient, django_user_model, settings, tmp_path):
    """Every kind of record tpclinic holds, with odd values where export could trip."""
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = tmp_path / "media"  # the still is written through the storage API, never to the real one

    from charting.models import TriggerPoint
    from patients.models import Allergy, Medication, Patient
    from treatment.models import Course, Injection, Session

    clinician.staff_profile.credentials = "MD"
    clinician.staff_profile.save()
    clinician.email = "alice.ward@clinic.example"
    clinician.save()
    nurse.staff_profile.credentials = "RN"
    nurse.staff_profile.preferred_interval_days = 21
    nurse.staff_profile.save()
    former = django_user_model.objects.create_user("former", first_name="Fay", last_name="Gone", is_active=False)
    StaffProfile.objects.create(user=former, role=Role.FRONT_DESK)
    patient.payer, patient.payer_name = "medicare-uniform-tpi-2024", "Medicare Part B"
    patient.copd = patient.cardiac_disease = patient.pregnant = patient.diabetes = True
    patient.save()
    Allergy.objects.create(patient=patient, substance="Procaine", anaesthetic_class="ester", reaction="Hives")
    Allergy.objects.create(patient=patient, substance="Latex", reaction="")
    Medication.objects.create(patient=patient, name="Apixaban", kind="anticoagulant")
    today = timezone.localdate()
    neck = TriggerPoint.objects.create(
        patient=patient, muscle="upper-trapezius", side="left", region="neck.angle", region_side="left",
        view="back", map_x=412.5, map_y=180.25, taut_band=True, local_twitch_response=True, activity="active",
        found_on=today - timedelta(days=40), notes="Worse when typing",
    )
    levator = TriggerPoint.objects.create(
        patient=patient, muscle="levator-scapulae", side="right", region="neck.back-lower", region_side="right",
        view="back", map_x=520.0, map_y=170.0, jump_sign=True, palpable_nodule=True, referred_pain_reproduced=True,
        activity="latent", found_on=today - timedelta(days=40),
        resolved_on=today - timedelta(days=5),
    )
    course = Course.objects.create(
        patient=patient, diagnosis_code="M79.12", clinician=clinician, interval_days=14, planned_sessions=4,
        goals="Sleep through the night\nReturn to work", status="active", started_on=today - timedelta(days=30),
    )
    signed = Session.objects.create(
        course=course, clinician=clinician, performed_at=at(today - timedelta(days=28)), pain_before=7, pain_after=2,
        immediate_relief_pct=71, consent_recorded=True, notes="Tolerated well.", status="signed",
        signed_at=at(today - timedelta(days=28), 11), signed_by=clinician,
    )
    # Screen inputs as recorded (odd for a signed session, but every field must hold a non-default value).
    extra = {"cpt_codes": "20552", "screen_snapshot": {"findings": [], "dose": {"status": "ok"}},
             "site_infection": True, "systemic_infection": True, "dose_override_reason": "Agreed with anaesthetist"}
    for name, value in extra.items():
        if hasattr(signed, name):
            setattr(signed, name, value)
    signed.save()
    mixture = Injection.objects.create(
        session=signed, trigger_point=neck, agent="lidocaine", concentration_pct=Decimal("1.00"),
        volume_ml=Decimal("2.50"), needle_gauge=27, needle_length_mm=25, technique="fanning", twitch_elicited=True,
        guidance="ultrasound", lot_number="LID-2291", lot_expiry=today + timedelta(days=200),
        ultrasound_image=ContentFile(PNG_1PX, name="still.png"))
    # a mixture: bupivacaine with epinephrine and a corticosteroid in the same syringe, each with its lot
    mixture.mixed_agents.create(agent="bupivacaine", concentration_pct=Decimal("0.25"), with_epinephrine=True,
                                volume_ml=Decimal("2.00"), lot_number="BUP-17", lot_expiry=today + timedelta(days=90))
    mixture.mixed_agents.create(agent="triamcinolone", dose_mg=Decimal("20.00"), volume_ml=Decimal("0.50"))
    Injection.objects.create(session=signed, trigger_point=levator, agent="saline", concentration_pct=Decimal("0"),
                             volume_ml=Decimal("1.00"), technique="single")
    draft = Session.objects.create(course=course, clinician=clinician, performed_at=at(today - timedelta(days=1)),
                                   pain_before=5, notes="   ")
    Injection.objects.create(session=draft, trigger_point=neck, agent="bupivacaine", concentration_pct=Decimal("0.25"),
                             with_epinephrine=True, volume_ml=Decimal("3.00"))
    planned = Course.objects.create(patient=patient, diagnosis_code="M79.18", clinician=clinician, interval_days=7,
                                    planned_sessions=2, status="planned", started_on=today + timedelta(days=3))
    for each in (course, planned):  # the stored schedule, kept as the web UI keeps it after signing
        getattr(each, "refresh_schedule", lambda: None)()
    other = Patient.objects.create(mrn="TP0002", given_name="Ahmed", family_name="Haddad", birth_date=date(1975, 1, 2),
                                   sex="male", preferred_language="ar", bleeding_disorder=True, renal_disease=True,
                                   hepatic_disease=True)
    records = {"patient": patient, "other": other, "course": course, "planned": planned, "signed": signed,
               "draft": draft, "neck": neck, "levator": levator, "clinician": clinician, "nurse": nurse}
    records.update(_safety_and_diary(patient, signed, clinician, nurse, today))
    return records


def _safety_and_diary(patient, signed, clinician, nurse, today) -> dict:
    """Consent, adverse events, pain drawings and diary entries, every field set to something non-default."""
    from portal.models import DiaryEntry
    from referral.models import PainDrawing
    from safety.models import AdverseEvent, ConsentRecord

    consent = ConsentRecord.objects.create(session=signed, form_version="2025.1", language="es",
                                           flags=["pregnancy", "bleeding"], method="in-clinic", recorded_by=nurse)
    ConsentRecord.objects.filter(pk=consent.pk).update(recorded_at=at(today - timedelta(days=28), 9))
    # Given in the portal for the draft (recorded by staff here: the fixture has no patient login, which
    # is not exported; test_fhir_records covers a consent recorded by the patient's own login).
    draft = signed.course.sessions.get(status="draft")
    ConsentRecord.objects.create(session=draft, form_version="2025.1", language="es", method="portal",
                                 recorded_by=clinician)
    lidocaine = signed.injections.get(agent="lidocaine")
    flare = AdverseEvent.objects.create(
        session=signed, injection=lidocaine, kind="flare", onset_at=at(today - timedelta(days=27), 8),
        severity="moderate", action="Ice and paracetamol", outcome="sequelae", follow_up="Phone call in two days",
        recorded_by=clinician)
    faint = AdverseEvent.objects.create(
        session=signed, kind="vasovagal", onset_at=at(today - timedelta(days=28), 11), severity="life-threatening",
        action="Supine, legs raised; ambulance", outcome="hospitalised", recorded_by=nurse)
    for event, hours in ((flare, 2), (faint, 12)):
        AdverseEvent.objects.filter(pk=event.pk).update(recorded_at=at(today - timedelta(days=27), hours))
    in_clinic = PainDrawing.objects.create(
        patient=patient, drawn_on=today - timedelta(days=30), source="clinician", recorded_by=clinician,
        marks=[{"place": "neck.angle:left", "intensity": 7}, {"place": "chest.sternum", "intensity": 3},
               {"place": "head.temple:right"}])
    at_home = PainDrawing.objects.create(patient=patient, drawn_on=today - timedelta(days=2), source="patient",
                                         marks=[{"place": "head.temple:left", "intensity": 4}])
    diary = DiaryEntry.objects.create(patient=patient, day=today - timedelta(days=2), pain=4,
                                      note="Better after a walk", drawing=at_home)
    plain = DiaryEntry.objects.create(patient=patient, day=today - timedelta(days=1), pain=0)
    return {"consent": consent, "flare": flare, "faint": faint, "drawing": in_clinic, "home_drawing": at_home,
            "diary": diary, "plain_diary": plain}


@pytest.fixture
def amendment(clinic):
    """An amendment beneath the signed session (append-only: the database will not delete it)."""
    from audit.models import Amendment

    return Amendment.objects.create(record=clinic["signed"], patient=clinic["patient"], reason="Dose typed wrongly",
                                    text="The bupivacaine was 0.25%, not 0.5%.", author=clinic["nurse"],
                                    created_at=at(timezone.localdate() - timedelta(days=20)))


@cache
def _validator(resource_type: str):
    import jsonschema

    definitions = fhir_schema()["definitions"]
    return jsonschema.Draft6Validator({"$ref": f"#/definitions/{resource_type}", "definitions": definitions})


def schema_errors(resource: dict) -> list[str]:
    """Errors of one resource against HL7's official R4 JSON schema (draft-06), readable."""
    validator = _validator(resource["resourceType"])
    return [f"{resource['resourceType']}/{resource.get('id')} at {'/'.join(map(str, e.absolute_path))}: "
            f"{e.message[:300]}" for e in validator.iter_errors(resource)]


def fhir_errors(data: dict) -> list[str]:
    """Schema errors of a FHIR response body: a Bundle's envelope, then each entry's resource and outcome on its
    own (each against its own type, which is as strict as the Bundle's oneOf and far faster)."""
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        return schema_errors(data)
    entries = data.get("entry", [])
    shell = {**data, "entry": [{k: v for k, v in e.items() if k != "resource"} for e in entries]} if entries else data
    for entry in shell.get("entry", []):
        if "outcome" in entry.get("response", {}):
            entry["response"] = {k: v for k, v in entry["response"].items() if k != "outcome"}
    errors = schema_errors(shell)
    for entry in entries:
        if "resource" in entry:
            errors += fhir_errors(entry["resource"])
        if "outcome" in entry.get("response", {}):
            errors += schema_errors(entry["response"]["outcome"])
    return errors


@pytest.fixture(autouse=True)
def every_fhir_response_is_schema_valid(monkeypatch):
    """Every FHIR body tpclinic answers in an interop test (reads, searches, history, $everything, metadata,
    imports' answers, OperationOutcomes of refusals; the live server of the fhirclient test too) validates
    against HL7's R4 JSON schema, or the test fails at teardown naming each error. interop.fhir_import's
    fhir_response is the one place such a body is built; it is wrapped wherever a module holds it."""
    import sys

    from interop import fhir_import

    original = fhir_import.fhir_response
    errors: list[str] = []

    def checked(data, status=200):
        errors.extend(fhir_errors(data))
        return original(data, status)

    for name, module in list(sys.modules.items()):
        if name.startswith("interop.") and getattr(module, "fhir_response", None) is original:
            monkeypatch.setattr(module, "fhir_response", checked)
    yield errors
    assert errors == [], errors[:20]


def control_characters(value, path="") -> list[str]:
    """Paths of strings holding control characters other than tab, CR and LF (forbidden in FHIR strings)."""
    import re

    if isinstance(value, str):
        return [path] if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", value) else []
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in control_characters(v, f"{path}/{k}")]
    if isinstance(value, list):
        return [p for n, v in enumerate(value) for p in control_characters(v, f"{path}/{n}")]
    return []


def problem(response, status: int) -> dict:
    """Assert an RFC 9457 problem response with this status; return its body."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/problem+json"), response["Content-Type"]
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body), body
    assert body["status"] == status and body["detail"].strip()
    return body
