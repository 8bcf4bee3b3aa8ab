"""FHIR Bulk Data Access: kick-off, polling on the task queue, the manifest, files for the requester only."""
from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.management import call_command

from interop.tests.conftest import schema_errors

pytestmark = pytest.mark.django_db
ASYNC = {"Prefer": "respond-async", "Accept": "application/fhir+json"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def kick_off(api, path, user, headers=ASYNC, **params):
    return api.get(path, user=user, headers=headers, **params)


def poll(api, url, user):
    return api.client.get(url.replace("http://testserver", ""), headers=api._headers(user, {}))


def files(api, manifest, user) -> dict:
    out = {}
    for item in manifest["output"]:
        response = poll(api, item["url"], user)
        assert response.status_code == 200 and response["Content-Type"] == "application/fhir+ndjson"
        lines = b"".join(response.streaming_content).decode().splitlines()
        assert len(lines) == item["count"]
        out[item["type"]] = [json.loads(line) for line in lines]
        # each line is a FHIR resource a client receives: it validates against HL7's R4 schema like any response
        assert [error for resource in out[item["type"]] for error in schema_errors(resource)] == []
        assert {resource["resourceType"] for resource in out[item["type"]]} == {item["type"]}
    return out


def test_bulk_export_of_the_demo_clinic_equals_fhir_export(api, administrator, tmp_path, task_worker):
    from tpclinic.demo import build_demo_clinic

    build_demo_clinic(today=date(2026, 3, 2))
    started = kick_off(api, "/fhir/$export", administrator)
    assert started.status_code == 202, started.content
    status_url = started["Content-Location"]
    waiting = poll(api, status_url, administrator)
    assert waiting.status_code == 202 and waiting["X-Progress"]
    assert task_worker() == 1
    done = poll(api, status_url, administrator)
    assert done.status_code == 200
    manifest = done.json()
    assert manifest["requiresAccessToken"] is True and manifest["transactionTime"]
    assert manifest["request"].endswith("/fhir/$export")
    exported = files(api, manifest, administrator)

    call_command("fhir_export", "--out", str(tmp_path / "cli"))
    cli = {}
    for item in json.loads((tmp_path / "cli" / "manifest.json").read_text())["output"]:
        lines = (tmp_path / "cli" / item["url"]).read_text().splitlines()
        cli[item["type"]] = [json.loads(line) for line in lines]
    assert exported == cli and sum(map(len, cli.values())) > 100
    from audit.models import AuditEvent
    from patients.models import Patient

    from audit.reports import disclosures_of

    done = AuditEvent.objects.get(action="export", object_type="fhir.$export", username="admin1", status=200)
    for patient_id in Patient.objects.values_list("pk", flat=True):  # each patient's accounting of disclosures
        assert done in disclosures_of(patient_id, exports_only=True)


def test_types_group_cancel_and_who_may_export(api, clinic, administrator, clinician, nurse, task_worker):
    other_admin = type(administrator).objects.create_user("admin2")
    from accounts.models import Role, StaffProfile

    StaffProfile.objects.create(user=other_admin, role=Role.ADMIN)
    assert kick_off(api, "/fhir/$export", nurse).status_code == 403
    assert kick_off(api, "/fhir/$export", administrator, headers={}).status_code == 400  # respond-async needed
    assert kick_off(api, "/fhir/$export", administrator, _type="Basic").status_code == 400
    assert kick_off(api, "/fhir/$export", administrator, _outputFormat="text/csv").status_code == 400
    assert kick_off(api, "/fhir/Group/999999/$export", administrator).status_code == 404

    group = kick_off(api, f"/fhir/Group/{clinician.pk}/$export", clinician, _type="Patient,Procedure")
    assert group.status_code == 202
    task_worker()
    manifest = poll(api, group["Content-Location"], clinician).json()
    got = files(api, manifest, clinician)
    assert set(got) == {"Patient", "Procedure"}
    assert [p["id"] for p in got["Patient"]] == [str(clinic["patient"].pk)]  # only the clinician's panel
    assert poll(api, group["Content-Location"], other_admin).status_code == 404  # another token
    assert poll(api, manifest["output"][0]["url"], other_admin).status_code == 404

    cancelled = kick_off(api, "/fhir/Patient/$export", administrator)
    url = cancelled["Content-Location"]
    deleted = api.send("DELETE", url.replace("http://testserver", ""), user=administrator)
    assert deleted.status_code == 202
    task_worker()
    assert poll(api, url, administrator).status_code == 404


def test_since_leaves_out_what_did_not_change(api, clinic, administrator, task_worker):
    everything = kick_off(api, "/fhir/Patient/$export", administrator, _since="2000-01-01T00:00:00Z")
    later = kick_off(api, "/fhir/Patient/$export", administrator, _since="2999-01-01T00:00:00Z")
    task_worker()
    assert poll(api, later["Content-Location"], administrator).json()["output"] == []
    counts = {i["type"]: i["count"] for i in poll(api, everything["Content-Location"], administrator).json()["output"]}
    assert counts["Patient"] == 2 and "Practitioner" in counts


def test_since_keeps_each_new_version_with_its_patient(api, clinic, administrator, task_worker):
    """`_since` versions what it compares; each version it records names its patient, as a FHIR read's does, so
    a reader's access to a later-deleted record's history is judged by the patient, whoever versioned it first."""
    from interop.models import ResourceVersion

    kick_off(api, "/fhir/Patient/$export", administrator, _since="2000-01-01T00:00:00Z")
    task_worker()
    patient = clinic["patient"]
    kept = ResourceVersion.objects.filter(resource_type="Patient", resource_id=str(patient.pk)).get()
    assert kept.patient_id == patient.pk
    signed = ResourceVersion.objects.get(resource_type="Procedure", resource_id=str(clinic["signed"].pk))
    assert signed.patient_id == patient.pk
    staff = ResourceVersion.objects.filter(resource_type="Practitioner")
    assert staff.exists() and set(staff.values_list("patient_id", flat=True)) == {None}
