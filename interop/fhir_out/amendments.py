"""Exporter for amendments to signed sessions (audit.Amendment) as Provenance.

Provenance says who appended what to which record, when and why: target = the session's
Procedure, recorded = when it was written, activity = v3 DataOperation APPEND, reason = the
stated reason, agent = its author. Provenance has no element for the words themselves, so the
amendment's text travels in our extension `amendment` (sub-extension text).
"""
from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from audit.models import Amendment
from interop import fhir_codes as codes
from interop.fhir_export import CHUNK, Scope, concept, exporter, extension, instant, person_name, ref, sub
from treatment.models import Session


@exporter("Provenance")
def amendments(scope: Scope):
    found = Amendment.objects.filter(content_type=ContentType.objects.get_for_model(Session),
                                     object_id__in=scope.session_ids())
    for amendment in found.select_related("author").order_by("pk").iterator(chunk_size=CHUNK):
        yield {
            "resourceType": "Provenance",
            "id": str(amendment.pk),
            "extension": [extension(codes.EXT_AMENDMENT, [sub("text", "String", amendment.text)])],
            "target": [ref("Procedure", amendment.object_id)],
            "recorded": instant(amendment.created_at),
            "activity": concept(codes.DATA_OPERATION, "APPEND", "append", "Amendment to a signed note"),
            "reason": [{"text": amendment.reason}],
            "agent": [{
                "type": concept(codes.PROVENANCE_AGENT, "author", "Author"),
                "who": ref("Practitioner", amendment.author_id, person_name(amendment.author)),
            }],
        }
