"""Ultrasound stills as FHIR R4 Media: in `$everything` and the bulk export, linked to the session's
Procedure and the injection's MedicationAdministration, valid against HL7's R4 schema, and read back
onto their injection (or refused, changing nothing, with the reason). The lossless round trip between
two installations is test_fhir_roundtrip.py, which compares each still by its bytes."""
import base64
import hashlib
import json

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from interop import fhir_codes as codes
from interop.fhir_export import Scope, iter_type
from interop.models import Installation
from interop.tests.conftest import PNG_1PX, schema_errors
from interop.tests.test_fhir_import import outcome, post
from patients.models import Patient
from treatment.models import Injection

pytestmark = pytest.mark.django_db

JPEG_HEAD = b"\xff\xd8\xff\xe0" + b"\x00" * 60  # a JPEG by its first bytes, as the upload check reads them


def guided(clinic) -> Injection:
    return clinic["signed"].injections.get(guidance="ultrasound")


def test_everything_carries_the_still_as_media_linked_to_its_procedure_and_injection(api, clinic, clinician):
    response = api.get(f"/fhir/Patient/{clinic['patient'].pk}/$everything", user=clinician)
    media = [e["resource"] for e in response.json()["entry"] if e["resource"]["resourceType"] == "Media"]
    injection = guided(clinic)
    assert [m["id"] for m in media] == [f"still-{injection.pk}"]
    [still] = media
    assert still["partOf"] == [{"reference": f"Procedure/{clinic['signed'].pk}"},
                               {"reference": f"MedicationAdministration/{injection.pk}"}]
    assert still["status"] == "completed"
    assert still["modality"]["coding"][0] == {"system": codes.DICOM, "code": "US", "display": "Ultrasound"}
    assert still["type"]["coding"][0]["code"] == "image"
    assert still["subject"] == {"reference": f"Patient/{clinic['patient'].pk}"}
    assert still["bodySite"]["coding"][0]["code"] == "upper-trapezius"
    content = still["content"]
    assert content["contentType"] == "image/png" and base64.b64decode(content["data"]) == PNG_1PX
    assert content["size"] == len(PNG_1PX)
    assert base64.b64decode(content["hash"]) == hashlib.sha1(PNG_1PX).digest()
    assert schema_errors(still) == []


def test_a_drafts_still_is_in_the_bulk_export_only(api, clinic, clinician, tmp_path):
    draft_row = clinic["draft"].injections.get()
    draft_row.guidance = "ultrasound"
    draft_row.ultrasound_image = ContentFile(JPEG_HEAD, name="draft.jpg")
    draft_row.save()
    response = api.get(f"/fhir/Patient/{clinic['patient'].pk}/$everything", user=clinician)
    assert f"still-{draft_row.pk}" not in {e["resource"]["id"] for e in response.json()["entry"]}
    call_command("fhir_export", "--out", str(tmp_path))
    lines = [json.loads(line) for line in (tmp_path / "Media.ndjson").read_text().splitlines()]
    draft_still = next(m for m in lines if m["id"] == f"still-{draft_row.pk}")
    assert draft_still["status"] == "preparation" and draft_still["content"]["contentType"] == "image/jpeg"
    assert [p for m in lines for p in schema_errors(m)] == []


def media_for(clinic, row: Injection, **content) -> dict:
    """The signed still's Media, pointed at another row of this installation and with `content` changed."""
    scope = Scope(Patient.objects.filter(pk=clinic["patient"].pk))
    media = next(iter_type(scope, "Media"))
    media["id"] = f"still-{row.pk}"
    media["meta"] = {"source": Installation.source_uri()}
    media["partOf"] = [{"reference": f"Procedure/{row.session_id}"}, {"reference": f"MedicationAdministration/{row.pk}"}]
    media["content"] = {**media["content"], **content}
    return {k: v for k, v in media.items()}


@pytest.fixture
def draft_row(clinic):
    row = clinic["draft"].injections.get()
    row.guidance = "ultrasound"
    row.save()
    return row


def import_media(api, administrator, media) -> list[str]:
    body = outcome(post(api, {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": media}]},
                        administrator), 200)
    return [i["diagnostics"] for i in body["issue"]]


def test_a_still_is_imported_onto_its_draft_injection(api, clinic, administrator, draft_row):
    texts = import_media(api, administrator, media_for(clinic, draft_row))
    draft_row.refresh_from_db()
    assert draft_row.ultrasound_image.read() == PNG_1PX, texts
    assert any("ultrasound still of injection" in t for t in texts)
    again = import_media(api, administrator, media_for(clinic, draft_row))
    assert any("already here" in t for t in again), again


PDF = b"%PDF-1.4\n%tpclinic\n"


@pytest.mark.parametrize("change, reason", [
    ({"hash": base64.b64encode(hashlib.sha1(b"other").digest()).decode()}, "did not arrive whole"),
    ({"size": 3}, "content.size says 3 bytes"),
    ({"data": base64.b64encode(PDF).decode(), "hash": base64.b64encode(hashlib.sha1(PDF).digest()).decode(),
      "size": len(PDF)}, "must be a PNG or JPEG image"),
    ({"data": None, "url": "https://example.org/still.png"}, "never fetches content.url"),
])
def test_a_bad_still_is_refused_with_its_reason_and_changes_nothing(api, clinic, administrator, draft_row, change,
                                                                    reason):
    media = media_for(clinic, draft_row, **change)
    media["content"] = {k: v for k, v in media["content"].items() if v is not None}
    texts = import_media(api, administrator, media)
    assert any(reason in t for t in texts), texts
    draft_row.refresh_from_db()
    assert not draft_row.ultrasound_image


def test_a_still_whose_subject_is_another_patient_is_refused(api, clinic, administrator, draft_row):
    """As a Procedure whose subject is not its course's patient: the still and its injection must agree."""
    media = media_for(clinic, draft_row)
    media["subject"] = {"reference": f"Patient/{clinic['other'].pk}"}
    texts = import_media(api, administrator, media)
    assert any("not the patient of the injection" in t for t in texts), texts
    draft_row.refresh_from_db()
    assert not draft_row.ultrasound_image


def test_a_still_for_a_row_without_ultrasound_guidance_is_refused(api, clinic, administrator):
    row = clinic["draft"].injections.get()
    texts = import_media(api, administrator, media_for(clinic, row))
    assert any("only when the guidance is ultrasound" in t for t in texts), texts
    row.refresh_from_db()
    assert not row.ultrasound_image


def test_a_still_of_a_session_signed_before_the_import_is_unchanged_or_refused(api, clinic, administrator):
    row = guided(clinic)
    same = import_media(api, administrator, media_for(clinic, row))
    assert any("already as signed" in t for t in same), same
    other = base64.b64encode(JPEG_HEAD).decode()
    changed = import_media(api, administrator, media_for(clinic, row, data=other, contentType="image/jpeg",
                                                         size=len(JPEG_HEAD),
                                                         hash=base64.b64encode(hashlib.sha1(JPEG_HEAD).digest()).decode()))
    assert any("refused" in t and "content" in t for t in changed), changed
    row.refresh_from_db()
    assert row.ultrasound_image.read() == PNG_1PX


def test_media_that_is_not_a_still_of_an_injection_is_reported_not_stored(api, clinic, administrator):
    media = media_for(clinic, guided(clinic))
    media["partOf"] = [{"reference": f"Procedure/{clinic['signed'].pk}"}]
    texts = import_media(api, administrator, media)
    assert any("partOf must reference its MedicationAdministration" in t for t in texts), texts


def test_the_server_reads_and_searches_stills_and_says_so(api, clinic, clinician, patient_user):
    still_id = f"still-{guided(clinic).pk}"
    read = api.get(f"/fhir/Media/{still_id}", user=clinician)
    assert read.status_code == 200 and read.json()["partOf"][1]["reference"].startswith("MedicationAdministration/")
    found = api.get("/fhir/Media", user=clinician, patient=str(clinic["patient"].pk), modality="US").json()
    assert [e["resource"]["id"] for e in found["entry"] if e["search"]["mode"] == "match"] == [still_id]
    assert api.get(f"/fhir/Media/{still_id}", user=patient_user).status_code == 200  # her own record
    media = next(r for r in api.get("/fhir/metadata").json()["rest"][0]["resource"] if r["type"] == "Media")
    assert {"patient", "modality", "created"} <= {p["name"] for p in media["searchParam"]}
