"""FHIR R4 out: `$everything` content and access, checked against HL7's official JSON schema."""
import json
from collections import Counter

import pytest
from django.db import connection
from django.core.management import call_command

from interop import fhir_codes as codes
from interop.fhir_export import EXPORTERS
from interop.tests.conftest import control_characters, schema_errors

pytestmark = pytest.mark.django_db


def everything(api, user, patient):
    response = api.get(f"/fhir/Patient/{patient.pk}/$everything", user=user)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/fhir+json")
    return response.json()


def by_type(bundle):
    found = {}
    for entry in bundle["entry"]:
        found.setdefault(entry["resource"]["resourceType"], []).append(entry["resource"])
    return found


def test_everything_is_a_searchset_of_the_patients_record(api, clinic, clinician):
    bundle = everything(api, clinician, clinic["patient"])
    assert bundle["type"] == "searchset" and bundle["total"] == len(bundle["entry"])
    assert all(e["fullUrl"].startswith("http://testserver/fhir/") for e in bundle["entry"])
    kinds = Counter(e["resource"]["resourceType"] for e in bundle["entry"])
    assert kinds["Patient"] == 1 and kinds["Procedure"] == 1  # the draft session stays home
    assert kinds["MedicationAdministration"] == 2 and kinds["BodyStructure"] == 2
    assert all(e["resource"]["meta"]["source"].startswith("urn:uuid:") for e in bundle["entry"])
    mrns = [r["identifier"][0]["value"] for r in by_type(bundle)["Patient"]]
    assert mrns == ["TP0001"]  # the other patient is not included


def test_patient_practitioner_and_conditions(api, clinic, clinician):
    found = by_type(everything(api, clinician, clinic["patient"]))
    patient = found["Patient"][0]
    assert patient["identifier"][0]["type"]["coding"][0]["code"] == "MR"
    assert patient["communication"][0] == {"language": {"coding": [{"system": codes.BCP47, "code": "es"}],
                                                        "text": "es"}, "preferred": True}
    role = found["PractitionerRole"][0]
    assert role["specialty"][0]["coding"][0] == {"system": codes.NUCC, "code": "208VP0000X", "display": "Pain Medicine"}
    icd = [c for r in found["Condition"] for c in r["code"]["coding"] if c["system"] == codes.ICD10CM]
    assert {c["code"] for c in icd} >= {"M79.12", "M79.18", "J44.9", "I51.9"}


def test_trigger_points_procedures_and_injections(api, clinic, clinician):
    found = by_type(everything(api, clinician, clinic["patient"]))
    neck = next(r for r in found["BodyStructure"] if r["id"] == str(clinic["neck"].pk))
    assert neck["location"]["coding"][0] == {"system": codes.MUSCLE, "code": "upper-trapezius",
                                             "display": "Trapezius (upper fibres)"}
    assert neck["locationQualifier"][0]["coding"][0]["code"] == "7771000"  # SNOMED left
    levator = next(r for r in found["BodyStructure"] if r["id"] == str(clinic["levator"].pk))
    assert levator["locationQualifier"][0]["coding"][0]["code"] == "24028007" and levator["active"] is False
    procedure = found["Procedure"][0]
    assert procedure["status"] == "completed"
    assert procedure["code"]["coding"][0]["system"] == codes.CPT and procedure["code"]["coding"][0]["code"] == "20552"
    assert procedure["performer"][0]["actor"]["reference"] == f"Practitioner/{clinic['clinician'].pk}"
    assert {s["coding"][0]["code"] for s in procedure["bodySite"]} == {"upper-trapezius", "levator-scapulae"}
    lidocaine = next(r for r in found["MedicationAdministration"] if first_agent(r) == "lidocaine")
    # a mixture is one administration of a contained compounded Medication, one ingredient per agent
    syringe = next(c for c in lidocaine["contained"] if c["id"] == "syringe")
    assert [i["itemReference"]["reference"] for i in syringe["ingredient"]] == ["#agent-0", "#agent-1", "#agent-2"]
    agents = {c["id"]: c for c in lidocaine["contained"]}
    assert [agents[f"agent-{n}"]["code"]["coding"][0]["code"] for n in range(3)] == [
        "lidocaine", "bupivacaine", "triamcinolone"]
    assert agents["agent-1"]["batch"]["lotNumber"] == "BUP-17"
    assert lidocaine["medicationReference"]["display"] == (
        "Lidocaine 1%, 2.50 mL + Bupivacaine 0.25% with epinephrine, 2.00 mL + Triamcinolone acetonide 20 mg")
    assert lidocaine["partOf"] == [{"reference": f"Procedure/{clinic['signed'].pk}"}]
    assert lidocaine["dosage"]["dose"] == {"value": 2.5, "unit": "mL", "system": codes.UCUM, "code": "mL"}
    assert lidocaine["dosage"]["site"]["text"] == "Trapezius (upper fibres), left"


def test_height_and_weight_are_vital_signs_with_their_date(api, clinic, clinician):
    from datetime import date

    type(clinic["patient"]).objects.filter(pk=clinic["patient"].pk).update(measured_on=date(2026, 5, 4))
    found = by_type(everything(api, clinician, clinic["patient"]))
    vitals = [r for r in found["Observation"]
              if any(c["code"] == "vital-signs" for k in r.get("category", []) for c in k["coding"])]
    assert vitals and all(r["effectiveDateTime"] == "2026-05-04" for r in vitals)


def first_agent(resource: dict) -> str:
    """The row's own agent: the coded medication, or the syringe's first ingredient."""
    if "medicationCodeableConcept" in resource:
        return resource["medicationCodeableConcept"]["coding"][0]["code"]
    return next(c for c in resource["contained"] if c["id"] == "agent-0")["code"]["coding"][0]["code"]


def test_pain_scores_and_next_appointment(api, clinic, clinician):
    found = by_type(everything(api, clinician, clinic["patient"]))
    pain = {r["id"]: r for r in found["Observation"] if r["code"]["coding"][0]["code"] == "72514-3"}
    before = pain[f"pain-before-{clinic['signed'].pk}"]
    assert before["valueInteger"] == 7 and before["code"]["coding"][0]["system"] == codes.LOINC
    assert before["component"][0]["valueCodeableConcept"]["coding"][0]["code"] == "before-injection"
    assert before["effectiveDateTime"].startswith(clinic["signed"].performed_at.date().isoformat())
    assert pain[f"pain-after-{clinic['signed'].pk}"]["valueInteger"] == 2
    appointments = found["Appointment"]
    assert [a["status"] for a in appointments] == ["proposed", "proposed"]  # the active and the planned course
    assert all(a["requestedPeriod"][0]["start"] for a in appointments)


def test_every_exported_resource_is_valid_against_the_official_r4_schema(api, clinic, amendment, clinician, tmp_path):
    bundle = everything(api, clinician, clinic["patient"])
    problems = [p for e in bundle["entry"] for p in schema_errors(e["resource"])]
    envelope = {k: v for k, v in bundle.items() if k != "entry"} | {
        "entry": [{k: v for k, v in e.items() if k != "resource"} for e in bundle["entry"]]}
    problems += schema_errors(envelope)
    call_command("fhir_export", "--out", str(tmp_path))  # the bulk export adds drafts and the whole clinic
    for path in tmp_path.glob("*.ndjson"):
        for line in path.read_text().splitlines():
            problems += schema_errors(json.loads(line))
    assert problems == []
    exported = {p.stem for p in tmp_path.glob("*.ndjson")}
    # Every exporter but the procedure note's: signing writes the note, and this fixture stores its
    # session already signed (interop/tests/test_fhir_note.py checks the DocumentReference the same way).
    assert exported == {e.resource_type for e in EXPORTERS} - {"DocumentReference"}


def test_stored_control_characters_and_blank_text_never_break_the_export(api, clinic, clinician):
    from patients.models import Patient
    from treatment.models import Session

    Patient.objects.filter(pk=clinic["patient"].pk).update(
        given_name=("Ma\x01ria" if connection.vendor == "postgresql" else "Ma\x00ria") + "\u00a0José", family_name="Lo\x1b[31mpez", payer_name="   ")
    Session.objects.filter(pk=clinic["signed"].pk).update(notes=" \n\t ")
    clinic["neck"].notes = "\x07"
    clinic["neck"].save()
    bundle = everything(api, clinician, clinic["patient"])
    assert control_characters(bundle) == []
    assert [p for e in bundle["entry"] for p in schema_errors(e["resource"])] == []
    found = by_type(bundle)
    assert found["Patient"][0]["name"][0] == {"use": "official", "family": "Lo[31mpez", "given": ["Maria José"]}
    assert "note" not in found["Procedure"][0]
    assert "display" not in found["Coverage"][0]["payor"][0]  # blank payer name left out, not ""


def test_access_to_everything(api, clinic, front_desk, patient_user, clinician):
    from django.test import Client

    patient = clinic["patient"]
    url = f"/fhir/Patient/{patient.pk}/$everything"
    response = api.get(url)
    assert response.status_code == 401 and response.json()["resourceType"] == "OperationOutcome"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert api.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert everything(api, clinician, patient)["total"] > 0
    assert api.get(url, user=front_desk).status_code == 403  # minimum necessary: exports are for clinicians, admins
    browser = Client()
    browser.force_login(clinician)
    assert browser.get(url).status_code == 200  # the web session works too
    assert browser.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 401  # a token is judged alone
    assert api.get(url, user=patient_user).status_code == 200  # a patient reads their own record, as on the web
    assert api.get("/fhir/Patient/999999/$everything", user=clinician).status_code == 404
    assert api.get("/fhir/Patient/99999999999999999999999/$everything", user=clinician).status_code == 404
    assert api.get("/fhir/Basic", user=clinician).status_code == 404
    assert api.post(url, {}, user=clinician).status_code == 405
