"""Import writes its bookkeeping in bulk and audits itself explicitly (issue 16: import speed).

One IMPORT event names every patient whose records were stored (the accounting of disclosures), with
no per-row backstop events; FhirLinks are written once per import and re-import finds them."""
import pytest

from audit.models import Action, AuditEvent
from interop.models import FhirLink
from patients.models import Patient

from interop.tests.test_fhir_import import examples_bundle, outcome, post

pytestmark = pytest.mark.django_db


def test_an_import_is_one_explicit_event_naming_each_stored_patient(api, administrator):
    before = AuditEvent.objects.count()
    outcome(post(api, examples_bundle(), administrator), 200)
    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert [e.action for e in events if e.action != Action.TOKEN_USE] == [Action.IMPORT]
    [event] = [e for e in events if e.action == Action.IMPORT]
    imported = set(FhirLink.objects.filter(resource_type="Patient").values_list("object_id", flat=True))
    assert imported and set(event.disclosures.values_list("patient_id", flat=True)) == imported


def test_a_rolled_back_transaction_discloses_no_patient(api, administrator):
    bundle = examples_bundle()
    bundle["type"] = "transaction"
    for entry in bundle["entry"]:
        entry["request"] = {"method": "POST", "url": entry["resource"]["resourceType"]}
    bundle["entry"].append({"resource": {"resourceType": "Basic", "code": {"text": "x"}},
                            "request": {"method": "POST", "url": "Basic"}})  # tpclinic stores no Basic: 422
    response = post(api, bundle, administrator)
    assert response.status_code == 422, response.content[:500]
    [event] = AuditEvent.objects.filter(action=Action.IMPORT)
    assert not event.disclosures.exists()
    assert not FhirLink.objects.exists() and not Patient.objects.exists()


def test_links_are_written_once_and_found_again_on_reimport(api, administrator):
    outcome(post(api, examples_bundle(), administrator), 200)
    links = sorted(FhirLink.objects.values_list("source", "resource_type", "resource_id", "object_id"))
    assert links
    body = outcome(post(api, examples_bundle(), administrator), 200)
    assert sorted(FhirLink.objects.values_list("source", "resource_type", "resource_id", "object_id")) == links
    assert not any("created" in i["diagnostics"] and i["severity"] == "information"
                   and i["diagnostics"].startswith("Patient/") for i in body["issue"])


