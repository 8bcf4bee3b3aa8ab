"""FHIR R4 in: the official examples, reports of what was skipped, malformed Bundles, and who may import."""
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from accounts.models import Role
from interop.models import FhirLink, PatientDemographics
from patients.models import Patient
from treatment.models import Session

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parent / "data" / "fhir-examples"
FHIR = "application/fhir+json"


def examples_bundle() -> dict:
    entries = [{"fullUrl": f"http://hl7.org/fhir/{p.stem.replace('-', '/', 1)}", "resource": json.loads(p.read_text())}
               for p in sorted(EXAMPLES.glob("*.json"))]
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def post(api, bundle, user, **kw):
    raw = bundle if isinstance(bundle, str) else json.dumps(bundle)
    return api.post("/fhir/", user=user, raw=raw, content_type=kw.pop("content_type", FHIR), **kw)


def outcome(response, status):
    assert response.status_code == status, response.content[:800]
    assert response["Content-Type"].startswith(FHIR)
    body = response.json()
    assert body["resourceType"] == "OperationOutcome" and body["issue"]
    return body


def state():
    return (Patient.objects.count(), Session.objects.count(), FhirLink.objects.count(),
            list(Patient.objects.order_by("pk").values_list("mrn", "given_name", "family_name", "birth_date")))


def test_official_examples_keep_what_tpclinic_can_use_and_report_the_rest(api, administrator):
    bundle = examples_bundle()
    body = outcome(post(api, bundle, administrator), 200)
    foreign = {i.get("value") for kept in PatientDemographics.objects.all() for i in kept.identifiers}
    assert {"123458", "12345", "MRN7465676978"} <= foreign  # pat4, xcda, f001: kept beside an MRN assigned here
    per_entry = {}
    for issue in body["issue"]:
        for expression in issue.get("expression", []):
            if expression.endswith(".resource"):  # an element's own warning ends in the element's name
                per_entry.setdefault(expression, []).append(issue)
    assert len(per_entry) == len(bundle["entry"])  # every resource is accounted for, none silently dropped
    assert all(len(issues) == 1 for issues in per_entry.values())
    skipped = [i for i in body["issue"] if i["severity"] == "warning" and i["expression"][0].endswith(".resource")]
    assert all(i["diagnostics"].split(" skipped: ")[1] for i in skipped)  # each with its reason
    text = " ".join(i["diagnostics"] for i in body["issue"])
    assert "Patient/animal skipped: it describes an animal" in text
    assert "Patient/pat2 skipped: it has no birth date" in text
    assert "Patient/f001: created patient" in text  # a foreign Patient needs no MRN here
    assert "Consent/consent-example-basic skipped: tpclinic keeps consent to a trigger point injection session" in text
    assert "AdverseEvent/example skipped: its event is not one of tpclinic's kinds" in text
    assert "Practitioner/example skipped: it has no tpclinic username identifier" in text
    assert not [i for i in body["issue"] if i["code"] == "exception"]
    f001 = Patient.objects.get(fhir_demographics__original__id="infant-twin-2")
    assert (f001.given_name, f001.family_name, f001.sex) == ("Jacen", "Solo", "male")


def test_examples_import_twice_without_duplicates(api, administrator):
    post(api, examples_bundle(), administrator)
    first = state()
    body = outcome(post(api, examples_bundle(), administrator), 200)
    assert state() == first
    assert any("updated patient" in i["diagnostics"] for i in body["issue"])


@pytest.mark.parametrize("payload, message", [
    ("{broken", "not valid JSON"),
    ({"resourceType": "Patient", "id": "x"}, "Send a FHIR Bundle"),
    ({"resourceType": "Bundle", "type": "collection", "entry": {"resource": {}}}, "must be a list"),
    ({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": "Nonsense"}}]},
     "not a FHIR R4 resource type"),
    ({"resourceType": "Bundle", "entry": []}, "not valid FHIR R4"),
])
def test_malformed_bundles_are_400_and_change_nothing(api, clinic, administrator, payload, message):
    before = state()
    body = outcome(post(api, payload, administrator), 400)
    assert message in " ".join(i["diagnostics"] for i in body["issue"])
    assert state() == before


def test_one_invalid_resource_makes_the_whole_bundle_refused(api, clinic, administrator):
    good = json.loads((EXAMPLES / "Patient-pat4.json").read_text())
    bad = {**json.loads((EXAMPLES / "Patient-xcda.json").read_text()), "gender": "sometimes"}
    before = state()
    body = outcome(post(api, {"resourceType": "Bundle", "type": "collection",
                              "entry": [{"resource": good}, {"resource": bad}]}, administrator), 400)
    assert body["issue"][0]["expression"] == ["Bundle.entry[1].resource"]
    assert "gender" in body["issue"][0]["diagnostics"]
    assert state() == before


def test_only_administrators_import(api, clinic, clinician, nurse, front_desk, administrator):
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": []}
    assert outcome(post(api, bundle, None), 401)["issue"][0]["code"] == "login"
    for user in (clinician, nurse, front_desk):
        assert "administrator" in outcome(post(api, bundle, user), 403)["issue"][0]["diagnostics"]
    outcome(post(api, bundle, administrator), 200)
    outcome(post(api, bundle, administrator, content_type="text/plain"), 415)
    assert api.get("/fhir/", user=administrator).status_code == 405


def test_a_web_session_must_pass_the_csrf_check(clinic, administrator):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(administrator)
    body = json.dumps({"resourceType": "Bundle", "type": "collection", "entry": []})
    response = browser.post("/fhir/", body, content_type=FHIR)
    assert response.status_code == 403 and "CSRF" in response.json()["issue"][0]["diagnostics"]


def test_import_never_changes_an_existing_staff_account(api, clinic, nurse, administrator):
    from interop import fhir_codes as codes

    practitioner = {"resourceType": "Practitioner", "id": "n", "identifier": [
        {"system": codes.USERNAME_SYSTEM, "value": nurse.username}], "name": [{"family": nurse.last_name,
                                                                              "given": [nurse.first_name]}]}
    role = {"resourceType": "PractitionerRole", "id": "r", "practitioner": {"reference": "Practitioner/n"},
            "code": [{"coding": [{"system": codes.STAFF_ROLE, "code": "clinician"}]}]}
    body = outcome(post(api, {"resourceType": "Bundle", "type": "collection",
                              "entry": [{"resource": practitioner}, {"resource": role}]}, administrator), 200)
    nurse.staff_profile.refresh_from_db()
    assert nurse.staff_profile.role == Role.NURSE
    assert any("never changes" in i["diagnostics"] for i in body["issue"])


def test_a_foreign_mrn_equal_to_ours_is_kept_apart(api, clinic, administrator):
    """Another system's MR number that happens to equal one of our MRNs is another namespace: a new patient."""
    stranger = json.loads((EXAMPLES / "Patient-pat4.json").read_text())
    stranger["identifier"][0]["value"] = clinic["patient"].mrn
    outcome(post(api, {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": stranger}]},
                 administrator), 200)
    assert Patient.objects.get(pk=clinic["patient"].pk).given_name == "Maria"
    newcomer = Patient.objects.get(fhir_demographics__original__id="pat4")
    assert newcomer.pk != clinic["patient"].pk and newcomer.mrn != clinic["patient"].mrn


def test_deletes_in_a_transaction_bundle_are_not_applied(api, clinic, administrator):
    patient = json.loads((EXAMPLES / "Patient-pat4.json").read_text())
    bundle = {"resourceType": "Bundle", "type": "transaction",
              "entry": [{"resource": patient, "request": {"method": "DELETE", "url": "Patient/pat4"}}]}
    response = post(api, bundle, administrator)
    assert response.status_code == 422
    entry = response.json()["entry"][0]["response"]
    assert entry["status"].startswith("422") and "deletions are not applied" in entry["outcome"]["issue"][0]["diagnostics"]
    assert not PatientDemographics.objects.exists()


def test_import_command_reads_a_bundle_file_and_refuses_a_malformed_one(clinic, tmp_path, capsys):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(examples_bundle()))
    call_command("fhir_import", str(good), "--quiet-information")
    printed = json.loads(capsys.readouterr().out)
    assert printed["resourceType"] == "OperationOutcome"
    assert {i["severity"] for i in printed["issue"]} <= {"warning", "information"}
    assert Patient.objects.filter(fhir_demographics__original__id="pat4").exists()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {
        "resourceType": "Patient", "birthDate": "yesterday"}}]}))
    before = state()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("fhir_import", str(bad))
    assert state() == before
    with pytest.raises(CommandError, match="no file"):
        call_command("fhir_import", str(tmp_path / "missing.json"))


def test_reimport_of_a_signed_session_is_unchanged_or_refused_by_element(api, clinic, administrator, clinician):
    """Issue 11 item 5: a signed note never changes by import; a differing value is refused, naming it."""
    from interop.fhir_export import iter_type
    from interop.fhir_server import Reader

    signed = clinic["signed"]
    procedure = next(r for r in iter_type(Reader(clinician).scope(), "Procedure") if r["id"] == str(signed.pk))
    scores = [r for r in iter_type(Reader(clinician).scope(), "Observation")
              if r["id"] == f"pain-before-{signed.pk}"]
    bundle = {"resourceType": "Bundle", "type": "collection",
              "entry": [{"resource": procedure}, {"resource": scores[0]}]}
    same = outcome(post(api, bundle, administrator), 200)
    assert sum("already as signed" in i["diagnostics"] for i in same["issue"]) == 2
    changed = json.loads(json.dumps(bundle))
    changed["entry"][0]["resource"]["note"] = [{"text": "Rewritten afterwards."}]
    changed["entry"][1]["resource"]["valueInteger"] = 9
    refused = outcome(post(api, changed, administrator), 200)
    warnings = [i["diagnostics"] for i in refused["issue"] if i["severity"] == "warning"]
    assert any("refused" in w and "note" in w and "amendment" in w for w in warnings), warnings
    assert any("refused" in w and "valueInteger" in w for w in warnings), warnings
    signed.refresh_from_db()
    assert signed.notes == "Tolerated well." and signed.pain_before == 7
