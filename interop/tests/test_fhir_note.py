"""FHIR R4 out: the procedure note as a DocumentReference (text and PDF) and as Procedure.note."""
import base64
from datetime import timedelta
import io

import pytest
from pypdf import PdfReader

from interop.fhir_export import Scope
from interop.fhir_out.note import procedure_notes
from interop.fhir_out.treatment import procedures
from interop.tests.conftest import schema_errors
from patients.models import Patient
from treatment import note

pytestmark = pytest.mark.django_db


def _exported(clinic, exporter):
    return list(exporter(Scope(patients=Patient.objects.filter(pk=clinic["patient"].pk))))


def test_the_note_is_a_valid_document_reference_with_text_and_pdf(clinic, amendment):
    written = note.write_for(clinic["signed"])
    [document] = _exported(clinic, procedure_notes)
    assert schema_errors(document) == []
    assert document["type"]["coding"][0]["code"] == "28570-0"
    assert document["docStatus"] == "amended"  # an amendment is on record
    assert document["context"]["related"] == [{"reference": f"Procedure/{clinic['signed'].pk}"}]
    text, pdf = (c["attachment"] for c in document["content"])
    assert text["contentType"].startswith("text/plain") and pdf["contentType"] == "application/pdf"
    plain = base64.b64decode(text["data"]).decode("utf-8")
    assert plain.startswith(written.text.rstrip("\n")) and "Dose typed wrongly" in plain
    pdf_text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(base64.b64decode(pdf["data"]))).pages)
    assert "PROCEDURE NOTE" in pdf_text and "Dose typed wrongly" in pdf_text


def test_the_procedure_carries_the_note_and_drafts_have_none(clinic):
    assert _exported(clinic, procedure_notes) == []  # no note written yet: nothing exported
    written = note.write_for(clinic["signed"])
    [procedure] = [p for p in _exported(clinic, procedures) if p["id"] == str(clinic["signed"].pk)]
    assert schema_errors(procedure) == []
    assert [n["text"] for n in procedure["note"]] == ["Tolerated well.", note.with_amendments(written)]


def test_the_second_export_sends_the_stored_pdf_without_rendering_it_again(clinic, amendment, monkeypatch):
    """Notes do not change once signed: the PDF is rendered on its first export (or download) and kept,
    so a clinic's export costs a storage read per note, not a WeasyPrint rendering."""
    written = note.write_for(clinic["signed"])
    renders, real = [], note.pdf
    monkeypatch.setattr(note, "pdf", lambda *args, **kwargs: renders.append(args[0].pk) or real(*args, **kwargs))

    def exported_pdf() -> bytes:
        [document] = _exported(clinic, procedure_notes)
        return base64.b64decode(document["content"][1]["attachment"]["data"])

    first, second = exported_pdf(), exported_pdf()
    assert renders == [written.pk]
    assert first == second and first.startswith(b"%PDF")
    assert note.stored_pdf(written) == first  # what a download serves
    assert renders == [written.pk]


def test_procedures_read_the_amendments_of_all_noted_sessions_at_once(clinic, amendment):
    """Every signed session has a note in a working clinic: the Procedure export reads their amendments with one
    query per chunk of sessions, so more amended notes cost no more queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from audit.models import Amendment
    from treatment.models import Session

    def queries() -> tuple[list, int]:
        with CaptureQueriesContext(connection) as captured:
            exported = _exported(clinic, procedures)
        return exported, len(captured)

    note.write_for(clinic["signed"])
    _, one = queries()
    for day in (30, 44):
        more = Session.objects.create(course=clinic["course"], clinician=clinic["clinician"], status="signed",
                                      performed_at=clinic["signed"].performed_at - timedelta(days=day))
        note.write_for(more)
        Amendment.objects.create(record=more, patient=clinic["patient"], reason=f"Corrected {day}", text="Left side.",
                                 author=clinic["nurse"])
    exported, three = queries()
    assert three == one
    texts = {p["id"]: p["note"][-1]["text"] for p in exported if p.get("note")}
    assert "Dose typed wrongly" in texts[str(clinic["signed"].pk)]
    assert sum("Corrected" in text for text in texts.values()) == 2
