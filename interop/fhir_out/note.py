"""Exporter for the procedure note of a signed session (treatment.ProcedureNote) as a DocumentReference.

type = LOINC 28570-0 Procedure note; two attachments of the same note, text/plain (for pasting into
another record) and application/pdf, both base64 and both with the session's amendments beneath
the signed text; docStatus "amended" once an amendment exists. The PDF is the stored one
(treatment.note.stored_pdf), rendered once per state of the note, never once per export.
context.related points at the session's Procedure, whose `note` carries the same text
(`procedure_note_annotations`).
"""
from __future__ import annotations

import base64

from interop import fhir_codes as codes
from interop.fhir_export import CHUNK, Scope, concept, exporter, instant, person_name, ref
from treatment import note
from treatment.models import ProcedureNote

PROCEDURE_NOTE = ("28570-0", "Procedure note")  # LOINC


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def procedure_note_annotations(written: ProcedureNote, author_id: int, amendments=None) -> list[dict]:
    """The Procedure.note entry for a session's procedure note (author: who signed it, else the clinician;
    `amendments`: the session's, when the caller read them already)."""
    return [{"authorReference": ref("Practitioner", author_id),
             "time": instant(written.created_at), "text": note.with_amendments(written, amendments)}]


@exporter("DocumentReference")
def procedure_notes(scope: Scope):
    found = ProcedureNote.objects.filter(session__in=scope.session_ids()).select_related(
        "session__course", "session__clinician", "session__signed_by").order_by("pk")
    for written in found.iterator(chunk_size=CHUNK):
        session = written.session
        amendments = list(note.amendments_of(session))  # read once: the status, the text and the PDF show them
        text = note.with_amendments(written, amendments)
        title = f"Procedure note {session.performed_at:%Y-%m-%d}"
        yield {
            "resourceType": "DocumentReference",
            "id": f"note-{session.pk}",
            "status": "current",
            "docStatus": "amended" if amendments else "final",
            "type": concept(codes.LOINC, *PROCEDURE_NOTE),
            "subject": ref("Patient", session.course.patient_id),
            "date": instant(written.created_at),
            "author": [ref("Practitioner", session.clinician_id, person_name(session.clinician))],
            "authenticator": ref("Practitioner", session.signed_by_id or session.clinician_id),
            "description": title,
            "content": [
                {"attachment": {"contentType": "text/plain; charset=utf-8", "language": written.language,
                                "data": _b64(text.encode("utf-8")), "title": title}},
                {"attachment": {"contentType": "application/pdf", "language": written.language,
                                "data": _b64(note.stored_pdf(written, amendments)), "title": title}},
            ],
            "context": {"period": {"start": instant(session.performed_at)},
                        "related": [ref("Procedure", session.pk)]},
        }
