"""Faithful import of foreign Patients (issue 13): kept as read, MRN assigned here, identity conflicts,
conditional create, transaction and batch responses. Every response is checked against HL7's R4 schema."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from interop import fhir_codes as codes
from interop.models import PatientDemographics
from interop.tests.conftest import schema_errors
from patients.models import Patient

pytestmark = pytest.mark.django_db
EXAMPLES = Path(__file__).resolve().parent / "data" / "fhir-examples"
FHIR = "application/fhir+json"


def example(name: str) -> dict:
    return json.loads((EXAMPLES / f"Patient-{name}.json").read_text())


def valid(body: dict) -> dict:
    errors = schema_errors(body)
    for entry in body.get("entry", []):
        errors += schema_errors(entry["resource"]) if "resource" in entry else []
        errors += schema_errors(entry.get("response", {}).get("outcome", {"resourceType": "OperationOutcome",
                                                                          "issue": [{"severity": "information",
                                                                                     "code": "informational"}]}))
    assert not errors, errors[:5]
    return body


def send(api, user, kind, *resources, requests=None):
    entries = []
    for n, resource in enumerate(resources):
        request = {"method": "POST", "url": resource["resourceType"], **((requests or {}).get(n, {}))}
        entries.append({"fullUrl": f"urn:uuid:00000000-0000-0000-0000-{n:012d}", "resource": resource,
                        "request": request})
    response = api.post("/fhir/", user=user, raw=json.dumps({"resourceType": "Bundle", "type": kind,
                                                                 "entry": entries}), content_type=FHIR)
    assert response["Content-Type"].startswith(FHIR)
    return response, valid(response.json())


def read(api, user, location: str) -> dict:
    response = api.get("/fhir/" + location.split("/_history")[0], user=user, headers={"Accept": FHIR})
    assert response.status_code == 200, response.content[:400]
    return valid(response.json())


def statuses(body) -> list[str]:
    return [e["response"]["status"].split()[0] for e in body["entry"]]


@pytest.mark.parametrize("name", ["f001", "pat4", "xcda", "infant-mom", "genetics-example1"])
def test_an_official_example_reads_back_as_it_came(api, administrator, name):
    incoming = example(name)
    response, body = send(api, administrator, "transaction", incoming)
    assert response.status_code == 200 and statuses(body) == ["201"]
    served = read(api, administrator, body["entry"][0]["response"]["location"])
    mine = [i for i in served["identifier"] if i["system"] == codes.mrn_system()]
    assert len(mine) == 1 and Patient.objects.get(pk=served["id"]).mrn == mine[0]["value"]  # assigned here
    for identifier in incoming.get("identifier", []):
        assert identifier in served["identifier"]
    for name_read in incoming.get("name", []):
        assert name_read in served["name"]  # given names stay separate items
    assert served.get("telecom", []) == [t for t in incoming.get("telecom", []) if t.get("value")]
    assert served.get("address", []) == incoming.get("address", [])
    for key in ("deceasedBoolean", "deceasedDateTime"):
        assert served.get(key) == incoming.get(key)  # an explicit false included (f001)


def test_no_language_is_invented_and_unmapped_elements_are_warned_one_by_one(api, administrator):
    pat4 = example("pat4")  # says no language; has a managingOrganization tpclinic does not keep
    _, body = send(api, administrator, "batch", pat4)
    served = read(api, administrator, body["entry"][0]["response"]["location"])
    assert "communication" not in served
    kept = PatientDemographics.objects.get()
    assert kept.original == pat4 and kept.unmapped == ["text", "managingOrganization"]
    warnings = [i for i in body["entry"][0]["response"]["outcome"]["issue"] if i["severity"] == "warning"]
    assert [w["expression"] for w in warnings] == [["Bundle.entry[0].resource.text"],
                                                   ["Bundle.entry[0].resource.managingOrganization"]]
    f001 = example("f001")
    _, body = send(api, administrator, "batch", f001)
    expressions = {e for i in body["entry"][0]["response"]["outcome"]["issue"] for e in i.get("expression", [])}
    assert {"Bundle.entry[0].resource.maritalStatus", "Bundle.entry[0].resource.contact[0]",
            "Bundle.entry[0].resource.multipleBirthBoolean", "Bundle.entry[0].resource.text"} <= expressions
    assert Patient.objects.get(pk=read(api, administrator, body["entry"][0]["response"]["location"])["id"]
                               ).preferred_language == "nl"


def test_meta_source_comes_back(api, administrator):
    xcda = {**example("xcda"), "meta": {"source": "urn:oid:2.16.840.1.113883.19.5#feed"}}
    _, body = send(api, administrator, "transaction", xcda)
    assert read(api, administrator, body["entry"][0]["response"]["location"])["meta"]["source"] == xcda["meta"]["source"]


def test_a_different_person_under_our_mrn_is_an_identity_conflict(api, administrator, clinic):
    local = clinic["patient"]
    before = Patient.objects.values().get(pk=local.pk)
    stranger = example("pat4")
    stranger["identifier"].append({"system": codes.mrn_system(), "value": local.mrn})
    response, body = send(api, administrator, "batch", stranger)
    assert response.status_code == 200 and statuses(body) == ["409"]
    text = body["entry"][0]["response"]["outcome"]["issue"][0]["diagnostics"]
    assert "identity conflict" in text and "name.family" in text and "birthDate" in text
    assert Patient.objects.values().get(pk=local.pk) == before and not PatientDemographics.objects.exists()
    same = {"resourceType": "Patient", "identifier": [{"system": codes.mrn_system(), "value": local.mrn}],
            "name": [{"family": local.family_name, "given": [local.given_name]}],
            "birthDate": local.birth_date.isoformat()}
    _, body = send(api, administrator, "batch", same)
    assert statuses(body) == ["200"] and body["entry"][0]["response"]["location"] == f"Patient/{local.pk}"


def test_if_none_exist_does_not_create_again(api, administrator):
    xcda = example("xcda")
    condition = {0: {"ifNoneExist": "identifier=urn:oid:2.16.840.1.113883.19.5|12345"}}
    _, first = send(api, administrator, "transaction", xcda, requests=condition)
    _, second = send(api, administrator, "transaction", {**xcda, "id": "another"}, requests=condition)
    assert statuses(first) == ["201"] and statuses(second) == ["200"]
    assert first["entry"][0]["response"]["location"] == second["entry"][0]["response"]["location"]
    assert Patient.objects.count() == 1


def test_a_transaction_is_all_or_nothing(api, administrator, clinic):
    local = clinic["patient"]
    before = Patient.objects.count()
    conflict = {**example("pat4"), "identifier": [{"system": codes.mrn_system(), "value": local.mrn}]}
    response, body = send(api, administrator, "transaction", example("f001"), conflict, example("xcda"))
    assert response.status_code == 409 and body["type"] == "transaction-response"
    assert statuses(body) == ["424", "409", "424"]  # the good ones were rolled back with the failing one
    assert "entry 2 failed" in body["entry"][0]["response"]["outcome"]["issue"][0]["diagnostics"]
    assert Patient.objects.count() == before and not PatientDemographics.objects.exists()


def test_a_batch_answers_each_entry(api, administrator, clinic):
    local = clinic["patient"]
    before = Patient.objects.count()
    conflict = {**example("pat4"), "identifier": [{"system": codes.mrn_system(), "value": local.mrn}]}
    response, body = send(api, administrator, "batch", example("f001"), conflict, example("animal"), example("xcda"))
    assert response.status_code == 200 and body["type"] == "batch-response"
    assert statuses(body) == ["201", "409", "422", "201"]
    assert Patient.objects.count() == before + 2


def test_if_none_exist_that_is_ambiguous_or_unreadable_creates_nothing(api, administrator):
    twins = [{**example("xcda"), "id": f"twin-{n}", "identifier": [{"system": "urn:oid:1.2.3", "value": f"T{n}"}]}
             for n in (1, 2)]
    send(api, administrator, "batch", *twins)
    response, body = send(api, administrator, "batch", example("pat4"), example("f001"),
                          requests={0: {"ifNoneExist": "family=Levin"}, 1: {"ifNoneExist": "colour=blue"}})
    assert statuses(body) == ["412", "400"] and Patient.objects.count() == 2
    assert "matches 2 records" in body["entry"][0]["response"]["outcome"]["issue"][0]["diagnostics"]
    assert "colour" in body["entry"][1]["response"]["outcome"]["issue"][0]["diagnostics"]


def test_the_command_line_refuses_a_failed_transaction(tmp_path, clinic):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    conflict = {**example("pat4"), "identifier": [{"system": codes.mrn_system(), "value": clinic["patient"].mrn}]}
    path = tmp_path / "transaction.json"
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "transaction", "entry": [
        {"resource": example("f001"), "request": {"method": "POST", "url": "Patient"}},
        {"resource": conflict, "request": {"method": "POST", "url": "Patient"}}]}))
    before = Patient.objects.count()
    with pytest.raises(CommandError, match="failed at entries 2"):
        call_command("fhir_import", str(path))
    assert Patient.objects.count() == before


def test_reimporting_our_own_read_keeps_what_the_first_import_said(api, administrator):
    f001 = example("f001")
    _, body = send(api, administrator, "batch", f001)
    served = read(api, administrator, body["entry"][0]["response"]["location"])
    served.pop("meta")
    _, again = send(api, administrator, "batch", served)
    assert statuses(again) == ["200"] and Patient.objects.count() == 1
    kept = PatientDemographics.objects.get()
    assert kept.earlier == [f001] and kept.original["id"] == served["id"]  # the contact, marital status... kept
    assert read(api, administrator, body["entry"][0]["response"]["location"])["telecom"] == f001["telecom"]


def test_a_language_in_words_only_is_kept_as_read_not_guessed(api, administrator):
    spoken = {**example("xcda"), "communication": [{"language": {"text": "Nederlands"}, "preferred": True}]}
    _, body = send(api, administrator, "batch", spoken)
    assert statuses(body) == ["201"]
    assert Patient.objects.get().preferred_language == ""
    expressions = [e for i in body["entry"][0]["response"]["outcome"]["issue"] for e in i.get("expression", [])]
    assert "Bundle.entry[0].resource.communication[0]" in expressions


def test_a_modifier_extension_is_not_ignored(api, administrator):
    odd = {**example("xcda"), "modifierExtension": [{"url": "http://example.org/not-really", "valueBoolean": True}]}
    _, body = send(api, administrator, "batch", odd)
    assert statuses(body) == ["422"] and not Patient.objects.exists()
