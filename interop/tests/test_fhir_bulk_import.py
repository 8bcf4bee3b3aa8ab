"""Import writes its bookkeeping in bulk and audits itself explicitly (issue 16: import speed).

One IMPORT event names every patient whose records were stored (the accounting of disclosures), with
no per-row backstop events; FhirLinks are written once per import and re-import finds them."""
from decimal import Decimal

import pytest
from django.core.management import call_command

from audit.models import Action, AuditEvent
from interop.fhir_import import BundleError, import_bundle
from interop.management.commands.fhir_import import read_ndjson
from interop.models import FhirLink
from interop.tests.test_fhir_import import examples_bundle, outcome, post
from interop.tests.test_fhir_roundtrip import MODELS, snapshot, wipe
from patients.models import Patient
from treatment.models import Course, Injection, InjectionAgent, Session

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



# ------------------------------------------------------------------ bulk writes (validate all, then write per model)


def exported_clinic(tmp_path, patients: int = 6) -> dict:
    """A synthetic clinic as one collection Bundle (every record, drafts too), then emptied from the database."""
    call_command("synth", patients=patients, seed=3, no_refresh=True, verbosity=0)
    call_command("fhir_export", "--out", str(tmp_path / "export"))
    bundle = read_ndjson(tmp_path / "export")
    wipe()  # also forgets the Installation: the Bundle now comes from another installation
    return bundle


def counts() -> dict:
    return {model._meta.label: model.objects.count() for model in [*MODELS, FhirLink]}


@pytest.mark.parametrize("bad", [
    {"resourceType": "Patient", "gender": "sometimes"},  # R4B models accept it, HL7's JSON schema does not
    {"resourceType": "Observation", "status": "final"},  # no code: the R4B model refuses it
])
def test_a_bad_entry_in_the_middle_of_a_big_bundle_changes_nothing(tmp_path, bad):
    bundle = exported_clinic(tmp_path)
    middle = len(bundle["entry"]) // 2
    assert middle > 100
    bundle["entry"].insert(middle, {"resource": bad})
    before = counts()
    with pytest.raises(BundleError) as refused:
        import_bundle(bundle)
    assert [where for _, where in refused.value.problems] == [f"Bundle.entry[{middle}].resource"]
    assert "Nothing was imported" in refused.value.outcome()["issue"][-1]["diagnostics"]
    assert counts() == before and not any(before[m._meta.label] for m in [Patient, Session, FhirLink])


def test_a_transaction_failing_late_leaves_no_row_written_in_bulk(tmp_path):
    """Rows of earlier entries are collected for the bulk insert; the failure rolls them back with the rest."""
    bundle = exported_clinic(tmp_path)
    bundle["type"] = "transaction"
    for entry in bundle["entry"]:
        entry["request"] = {"method": "POST", "url": entry["resource"]["resourceType"]}
    procedure = next(e for e in bundle["entry"] if e["resource"]["resourceType"] == "Procedure")
    orphan = {**procedure["resource"], "id": "orphan", "basedOn": [{"reference": "CarePlan/nowhere"}]}
    bundle["entry"].append({"resource": orphan, "request": {"method": "POST", "url": "Procedure"}})
    before = counts()
    result = import_bundle(bundle)
    assert result.rolled_back and result.failed == [len(bundle["entry"])]
    assert result.counts["created"] > 100  # the others were read and stored before the failure undid them
    assert counts() == before


def test_reimporting_the_same_bundle_is_idempotent(tmp_path):
    bundle = exported_clinic(tmp_path)
    first = import_bundle(bundle)
    assert first.counts["created"] > 100 and not first.skipped, first.issues[:5]
    stored, rows = counts(), snapshot()
    again = import_bundle(bundle)
    assert not again.counts["created"] and not again.skipped
    assert counts() == stored and snapshot() == rows


def test_keys_taken_for_the_bulk_insert_leave_the_tables_usable(tmp_path):
    """New rows after an import get fresh keys (the tables' sequences moved past the imported rows)."""
    bundle = exported_clinic(tmp_path, patients=2)
    import_bundle(bundle)
    course = Course.objects.order_by("pk").last()
    highest = Session.objects.order_by("pk").last().pk
    session = Session.objects.create(course=course, clinician=course.clinician)
    assert session.pk > highest
    course.refresh_from_db()
    assert course.sessions_done == course.sessions.filter(status="signed").count()  # refreshed once at the end


def test_a_mixture_with_lots_and_a_steroid_round_trips(clinic, tmp_path, capsys):
    """The clinic's signed session: lidocaine (lot LID-2291) with bupivacaine and epinephrine (lot BUP-17)
    and triamcinolone 20 mg in one syringe."""
    call_command("fhir_export", "--out", str(tmp_path / "export"))
    bundle = read_ndjson(tmp_path / "export")
    mixture = Injection.objects.get(lot_number="LID-2291")
    want = ([(a.agent, a.concentration_pct, a.with_epinephrine, a.volume_ml, a.dose_mg, a.lot_number, a.lot_expiry)
             for a in mixture.mixed_agents.order_by("pk")],
            (mixture.agent, mixture.volume_ml, mixture.lot_expiry, mixture.session.performed_at))
    wipe()
    result = import_bundle(bundle)
    assert not result.skipped, result.issues
    [imported] = Injection.objects.filter(lot_number="LID-2291")
    got = ([(a.agent, a.concentration_pct, a.with_epinephrine, a.volume_ml, a.dose_mg, a.lot_number, a.lot_expiry)
            for a in imported.mixed_agents.order_by("pk")],
           (imported.agent, imported.volume_ml, imported.lot_expiry, imported.session.performed_at))
    assert got == want
    assert [row[0] for row in got[0]] == ["bupivacaine", "triamcinolone"]
    assert got[0][1][4] == Decimal("20.00") and got[0][0][5] == "BUP-17"
    assert InjectionAgent.objects.count() == 2


def test_a_skipped_entry_leaves_no_value_on_a_row_still_to_be_written(clinic, tmp_path):
    """A score outside 0-10 for a session created by the same import is refused, and the session's insert
    (written at the end, in bulk) carries the score it was checked with, not the refused one."""
    call_command("fhir_export", "--out", str(tmp_path / "export"))
    bundle = read_ndjson(tmp_path / "export")
    before = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation"
                  and e["resource"].get("partOf") and e["resource"].get("valueInteger") == 7)
    bundle["entry"].append({"resource": {**before, "id": "too-high", "valueInteger": 11}})
    wipe()
    result = import_bundle(bundle)
    [skipped] = [i for i in result.issues if i[0] == "warning" and "too-high" in i[2]]
    assert "skipped" in skipped[2]
    assert list(Session.objects.filter(status="signed").values_list("pain_before", flat=True)) == [7]
