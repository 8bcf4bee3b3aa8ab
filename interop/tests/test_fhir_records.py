"""FHIR R4 for consent, adverse events, pain drawings, the pain diary and amendments: their shape in
`$everything`, and import back (own export, another installation's copy, foreign resources)."""
import copy
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.models import Amendment
from interop import fhir_codes as codes
from interop.fhir_import import import_bundle
from interop.tests.conftest import schema_errors
from interop.tests.test_fhir_export import by_type, everything
from portal.models import DiaryEntry
from referral.models import PainDrawing
from safety.models import AdverseEvent, ConsentRecord
from treatment.models import Session

pytestmark = pytest.mark.django_db
FHIR = "application/fhir+json"


def codings(concept, system):
    return [c["code"] for c in (concept or {}).get("coding", []) if c["system"] == system]


def issues(result) -> str:
    return " ".join(i[2] for i in result.issues)


def as_another_installation(bundle: dict, number: int = 1) -> dict:
    """The same Bundle as if another tpclinic installation had exported it (its ids mean other rows)."""
    other = copy.deepcopy(bundle)
    for entry in other["entry"]:
        entry["resource"]["meta"]["source"] = f"urn:uuid:00000000-0000-4000-8000-{number:012d}"
    return other


def test_everything_is_self_contained_and_valid(api, clinic, amendment, clinician):
    bundle = everything(api, clinician, clinic["patient"])
    present = {f"{e['resource']['resourceType']}/{e['resource']['id']}" for e in bundle["entry"]}
    references = set()

    def walk(value):
        if isinstance(value, dict):
            if isinstance(value.get("reference"), str) and not value["reference"].startswith("#"):
                references.add(value["reference"])  # "#id" names a resource contained in the same one
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk([e["resource"] for e in bundle["entry"]])
    assert references - present == set()  # every recorder, session and drawing named is in the Bundle
    assert [p for e in bundle["entry"] for p in schema_errors(e["resource"])] == []
    found = by_type(bundle)
    assert len(found["Consent"]) == 1  # the portal consent of the draft stays home with the draft
    assert len(found["AdverseEvent"]) == 2 and len(found["Provenance"]) == 1


def test_adverse_events(api, clinic, clinician):
    found = by_type(everything(api, clinician, clinic["patient"]))
    events = {r["id"]: r for r in found["AdverseEvent"]}
    flare, faint = events[str(clinic["flare"].pk)], events[str(clinic["faint"].pk)]
    assert flare["actuality"] == "actual" and codings(flare["event"], codes.ADVERSE_EVENT_KIND) == ["flare"]
    assert flare["event"]["coding"][0]["display"] == "Post-injection flare"
    assert flare["date"].startswith(str(timezone.localdate(clinic["flare"].onset_at)))
    assert flare["suspectEntity"] == [
        {"instance": {"reference": f"MedicationAdministration/{clinic['flare'].injection_id}"}},
        {"instance": {"reference": f"Procedure/{clinic['signed'].pk}"}}]
    assert flare["recorder"]["reference"] == f"Practitioner/{clinic['clinician'].pk}"
    assert codings(flare["severity"], codes.AE_SEVERITY) == ["moderate"]
    assert codings(flare["outcome"], codes.AE_OUTCOME) == ["resolvedWithSequelae"]
    action = {e["url"]: e["valueString"] for e in flare["extension"][0]["extension"]}
    assert action == {"action": "Ice and paracetamol", "followUp": "Phone call in two days"}
    assert "seriousness" not in flare
    assert codings(faint["seriousness"], codes.AE_SERIOUSNESS) == ["SeriousIsLifeThreatening"]
    assert codings(faint["severity"], codes.AE_SEVERITY) == ["severe"]  # R4 has no life-threatening grade...
    assert codings(faint["severity"], codes.ADVERSE_EVENT_SEVERITY_OURS) == ["life-threatening"]  # ...we keep it
    assert faint["suspectEntity"] == [{"instance": {"reference": f"Procedure/{clinic['signed'].pk}"}}]


def test_consent(api, clinic, clinician):
    consent = by_type(everything(api, clinician, clinic["patient"]))["Consent"][0]
    assert consent["status"] == "active" and codings(consent["scope"], codes.CONSENT_SCOPE) == ["treatment"]
    assert codings(consent["category"][0], codes.LOINC) == ["59284-0"]
    assert codings(consent["policyRule"], codes.CONSENT_FORM) == ["2025.1"]
    assert consent["sourceAttachment"]["language"] == "es"
    assert consent["provision"]["data"] == [{"meaning": "related",
                                             "reference": {"reference": f"Procedure/{clinic['signed'].pk}"}}]
    assert consent["performer"] == [{"reference": f"Patient/{clinic['patient'].pk}"}]
    parts = consent["extension"][0]["extension"]
    assert [p.get("valueCode") for p in parts if p["url"] == "flag"] == ["pregnancy", "bleeding"]
    recorded_by = next(p["valueReference"] for p in parts if p["url"] == "recordedBy")
    assert recorded_by["reference"] == f"Practitioner/{clinic['nurse'].pk}"


def test_pain_drawings_and_diary_entries(api, clinic, clinician):
    found = by_type(everything(api, clinician, clinic["patient"]))
    observations = {r["id"]: r for r in found["Observation"]}
    drawing = observations[f"drawing-{clinic['drawing'].pk}"]
    assert codings(drawing["code"], codes.OBSERVATION) == ["pain-drawing"]
    assert drawing["effectiveDateTime"] == str(clinic["drawing"].drawn_on)
    neck, sternum, temple = drawing["component"]
    assert neck["code"] == {"coding": [{"system": codes.REGION, "code": "neck.angle", "display": "Angle of neck"}],
                            "text": "Angle of neck, left"}
    assert codings(neck["extension"][0]["valueCodeableConcept"], codes.SNOMED) == ["7771000"]
    assert neck["valueInteger"] == 7 and "extension" not in sternum and "valueInteger" not in temple
    assert drawing["performer"] == [{"reference": f"Practitioner/{clinician.pk}", "display": "Alice Ward"}]
    diary = observations[f"diary-{clinic['diary'].pk}"]
    assert codings(diary["code"], codes.LOINC) == ["72514-3"] and diary["valueInteger"] == 4
    assert diary["effectiveDateTime"] == str(clinic["diary"].day) and diary["note"] == [{"text": "Better after a walk"}]
    assert [c for cat in diary["category"] for c in codings(cat, codes.OBSERVATION)] == ["pain-diary"]
    assert diary["derivedFrom"] == [{"reference": f"Observation/drawing-{clinic['home_drawing'].pk}"}]
    assert diary["component"][0]["code"]["text"] == "Temple, left"  # where it hurt, on the entry itself
    home = observations[f"drawing-{clinic['home_drawing'].pk}"]
    assert home["performer"] == [{"reference": f"Patient/{clinic['patient'].pk}"}]
    plain = observations[f"diary-{clinic['plain_diary'].pk}"]
    assert plain["valueInteger"] == 0 and "component" not in plain and "derivedFrom" not in plain


def test_displays_are_english_whatever_the_request_language(api, clinic, clinician):
    from django.test import Client

    browser = Client(HTTP_ACCEPT_LANGUAGE="es")
    browser.force_login(clinician)
    browser.cookies["django_language"] = "es"
    response = browser.get(f"/fhir/Patient/{clinic['patient'].pk}/$everything")
    assert response["Content-Language"] == "en"
    found = by_type(response.json())
    neck = next(r for r in found["BodyStructure"] if r["id"] == str(clinic["neck"].pk))
    assert neck["location"]["coding"][0]["display"] == "Trapezius (upper fibres)"
    assert neck["description"].startswith("Trapezius (upper fibres), left; Active")
    assert "taut band" in neck["description"]
    flare = next(r for r in found["AdverseEvent"] if r["id"] == str(clinic["flare"].pk))
    assert flare["event"]["text"] == "Post-injection flare"


# ------------------------------------------------------------------ import


def test_own_export_reimported_changes_nothing(clinic, amendment):
    from interop.fhir_export import patient_everything

    before = (ConsentRecord.objects.count(), AdverseEvent.objects.count(), PainDrawing.objects.count(),
              DiaryEntry.objects.count(), Amendment.objects.count())
    result = import_bundle(patient_everything(clinic["patient"]))
    assert not [i for i in result.issues if i[0] != "information"]
    assert "amendments never change" in issues(result) and "stays as it is" in issues(result)
    assert (ConsentRecord.objects.count(), AdverseEvent.objects.count(), PainDrawing.objects.count(),
            DiaryEntry.objects.count(), Amendment.objects.count()) == before


def test_amendments_travel_as_provenance(clinic, amendment):
    """The wipe-and-reimport test cannot empty the append-only amendments table; here another
    installation's copy of the record is imported, and its sessions get the same amendment."""
    from interop.fhir_export import patient_everything

    bundle = as_another_installation(patient_everything(clinic["patient"]))
    result = import_bundle(bundle)
    assert not [i for i in result.issues if i[0] != "information"], issues(result)
    copy_of_signed = Session.objects.exclude(pk=clinic["signed"].pk).get(status="signed")
    added = Amendment.objects.exclude(pk=amendment.pk).get()
    assert added.record == copy_of_signed and added.patient == clinic["patient"]
    assert (added.reason, added.text, added.author, added.created_at) == (
        amendment.reason, amendment.text, amendment.author, amendment.created_at)
    # and the consent, adverse events, drawings and diary came along with it
    assert ConsentRecord.objects.filter(session=copy_of_signed).get().flags == ["pregnancy", "bleeding"]
    copies = AdverseEvent.objects.filter(session=copy_of_signed).order_by("onset_at")
    assert [(e.kind, e.recorded_at) for e in copies] == [(e.kind, e.recorded_at) for e in
                                                         AdverseEvent.objects.filter(session=clinic["signed"])
                                                         .order_by("onset_at")]
    assert DiaryEntry.objects.count() == 2  # one entry a day: the copy's entries updated the same days
    import_bundle(bundle)  # again: nothing more
    assert Amendment.objects.count() == 2 and AdverseEvent.objects.count() == 4


def test_what_a_patient_recorded_with_their_own_login(api, clinic, patient_user, administrator):
    from interop.fhir_export import patient_everything

    draft = clinic["draft"]
    Session.objects.filter(pk=draft.pk).update(status="signed", signed_at=timezone.now(), signed_by=clinic["clinician"])
    mine = ConsentRecord.objects.create(session=draft, form_version="2025.1", language="es", method="portal",
                                        recorded_by=patient_user)
    PainDrawing.objects.filter(pk=clinic["home_drawing"].pk).update(recorded_by=patient_user)
    bundle = patient_everything(clinic["patient"])
    found = by_type(bundle)
    consent = next(r for r in found["Consent"] if r["id"] == str(mine.pk))
    recorded_by = next(p["valueReference"] for p in consent["extension"][0]["extension"] if p["url"] == "recordedBy")
    assert recorded_by == {"reference": f"Patient/{clinic['patient'].pk}"}
    assert patient_user.pk not in {int(r["id"]) for r in found["Practitioner"]}  # a login is not staff

    import_bundle(as_another_installation(bundle))
    copied = ConsentRecord.objects.filter(method="portal", session__status="signed").exclude(session=draft)
    assert {c.recorded_by for c in copied} == {patient_user, clinic["clinician"]}  # the patient's login here
    assert PainDrawing.objects.filter(source="patient").exclude(pk=clinic["home_drawing"].pk).get().recorded_by \
        == patient_user

    clinic["patient"].user = None  # without a login here, the importing administrator stands in, and says so
    clinic["patient"].save()
    response = api.post("/fhir/", user=administrator, raw=json.dumps(as_another_installation(bundle, 2)),
                        content_type=FHIR)
    assert response.status_code == 200, response.content[:300]
    said = [i["diagnostics"] for i in response.json()["issue"] if i["diagnostics"].startswith("Consent/")]
    assert any("Recorded by 'admin1': the patient's portal login is not carried by FHIR" in t for t in said), said
    assert ConsentRecord.objects.filter(recorded_by=administrator, method="portal").count() == 1


def test_foreign_resources_of_these_kinds_are_skipped_with_a_reason(clinic):
    patient = {"resourceType": "Patient", "id": "p", "identifier": [{"system": codes.mrn_system(), "value": "TP0001"}],
               "name": [{"family": "Lopez", "given": ["Maria"]}], "birthDate": "1980-05-17"}
    subject = {"reference": "Patient/p"}
    resources = [
        patient,
        {"resourceType": "Observation", "id": "score", "status": "final", "subject": subject,
         "code": {"coding": [{"system": codes.LOINC, "code": "72514-3"}]}, "valueInteger": 3,
         "effectiveDateTime": "2024-01-01"},
        {"resourceType": "Observation", "id": "map", "status": "final", "subject": subject,
         "effectiveDateTime": "2024-01-01", "code": {"coding": [{"system": codes.OBSERVATION, "code": "pain-drawing"}]},
         "component": [{"code": {"coding": [{"system": codes.REGION, "code": "neck.angle"}]}, "valueInteger": 3}]},
        {"resourceType": "AdverseEvent", "id": "ae", "actuality": "actual", "subject": subject,
         "event": {"coding": [{"system": codes.ADVERSE_EVENT_KIND, "code": "flare"}]}},
        {"resourceType": "Provenance", "id": "prov", "target": [{"reference": "Patient/p"}],
         "recorded": "2024-01-01T10:00:00Z", "agent": [{"who": {"reference": "Practitioner/x"}}]},
        {"resourceType": "Consent", "id": "c", "status": "active", "patient": subject,
         "scope": {"coding": [{"system": codes.CONSENT_SCOPE, "code": "treatment"}]},
         "category": [{"coding": [{"system": codes.LOINC, "code": "59284-0"}]}],
         "policyRule": {"coding": [{"system": codes.CONSENT_FORM, "code": "2025.1"}]},
         "provision": {"data": [{"meaning": "related", "reference": {"reference": f"Procedure/{clinic['signed'].pk}"}}]}},
    ]
    result = import_bundle({"resourceType": "Bundle", "type": "collection",
                            "meta": {"source": "urn:uuid:00000000-0000-4000-8000-000000000002"},
                            "entry": [{"resource": r} for r in resources]})
    text = issues(result)
    assert "Observation/score skipped: it is not part of a tpclinic session" in text and "pain-diary" in text
    assert "Observation/map skipped: its region 1 cannot be read: Angle of neck (neck.angle) needs a side" in text
    assert "AdverseEvent/ae skipped: it does not follow a tpclinic session" in text
    assert "Provenance/prov skipped: tpclinic keeps Provenance only as amendments" in text
    assert "Consent/c skipped: tpclinic keeps consent to a trigger point injection session" in text  # foreign ids
    assert result.counts["skipped"] == 5 and PainDrawing.objects.count() == 2


def test_consent_is_not_added_to_a_session_signed_before_the_import(clinic):
    from interop.fhir_export import patient_everything

    bundle = patient_everything(clinic["patient"])
    consent = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Consent")
    ConsentRecord.objects.all().delete()
    result = import_bundle({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": consent}]})
    assert "was signed before this import; consent is not added to a signed session" in issues(result)
    assert ConsentRecord.objects.count() == 0


def test_a_diary_entry_is_found_after_its_drawing_whatever_the_order(clinic):
    from interop.fhir_export import patient_everything

    bundle = as_another_installation(patient_everything(clinic["patient"]))
    bundle["entry"].reverse()  # diary entries now come before the drawings they derive from
    DiaryEntry.objects.all().delete()
    result = import_bundle(bundle)
    assert not [i for i in result.issues if i[0] != "information"], issues(result)
    entry = DiaryEntry.objects.get(day=clinic["diary"].day)
    assert entry.drawing.marks == clinic["home_drawing"].marks and entry.drawing.source == "patient"
    assert entry.drawing_id != clinic["home_drawing"].pk  # the copy's drawing, imported in the same Bundle


def test_bulk_export_carries_the_new_types(clinic, amendment, tmp_path):
    call_command("fhir_export", "--out", str(tmp_path))
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    counts = {item["type"]: item["count"] for item in manifest["output"]}
    assert counts["Consent"] == 2 and counts["AdverseEvent"] == 2 and counts["Provenance"] == 1  # drafts included
    ids = [json.loads(line)["id"] for line in (tmp_path / "Observation.ndjson").read_text().splitlines()]
    assert ids.index(f"drawing-{clinic['home_drawing'].pk}") < ids.index(f"diary-{clinic['diary'].pk}")
