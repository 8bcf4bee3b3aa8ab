"""Import of amendments to signed sessions (Provenance, see fhir_out/amendments.py).

Amendments are append-only: one already here (linked, or the same author, time and text on the
same session) is left as it is, and a new one is added beneath the signed note, whoever signed it.
"""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from audit.models import Amendment
from interop import fhir_codes as codes
from interop.fhir_import import (Entry, Importer, Skip, codes_in, concept_text, extensions, handler, one,
                                 parse_instant, text)
from treatment.models import Session


def is_amendment(resource: dict) -> bool:
    return any(e.get("url") == codes.EXT_AMENDMENT for e in resource.get("extension", [])) or \
        "APPEND" in codes_in(resource.get("activity"), codes.DATA_OPERATION)


@handler("Provenance", when=is_amendment)
def import_amendment(ctx: Importer, entry: Entry):
    resource = entry.resource
    session = next((s for s in (ctx.resolve(t, Session, entry) for t in resource.get("target", [])) if s), None)
    if session is None:
        raise Skip("it amends no tpclinic session: target must reference its Procedure.", "not-supported")
    words = text(one(extensions(resource, codes.EXT_AMENDMENT), "text", ""))
    if not words:
        raise Skip(f"it carries no amendment text (sub-extension text of {codes.EXT_AMENDMENT}).", "required")
    author = next((u for u in (ctx.resolve(a.get("who"), get_user_model(), entry) for a in resource.get("agent", []))
                   if u), None)
    if author is None:
        raise Skip("its author (agent.who) is not a staff account in this Bundle or known here; an amendment is "
                   "never put in someone else's name.", "not-found")
    written = parse_instant(resource.get("recorded")) or timezone.now()
    reason = next((concept_text(r) for r in resource.get("reason", []) if concept_text(r)), "")
    kept = ctx.existing(entry, Amendment) or Amendment.objects.filter(
        content_type=ContentType.objects.get_for_model(Session), object_id=session.pk, author=author,
        created_at=written, text=words).first()
    if kept is not None:
        return "unchanged", kept, (f"amendment {kept.pk} is already beneath session {kept.object_id}; "
                                   "amendments never change.")
    amendment = Amendment(record=session, patient=session.course.patient, reason=reason[:200] or "(no reason given)",
                          text=words, author=author, created_at=written)
    amendment.full_clean()
    amendment.save()
    return "created", amendment, f"amendment added beneath session {session.pk}."


@handler("Provenance")
def import_other_provenance(ctx: Importer, entry: Entry):
    raise Skip("tpclinic keeps Provenance only as amendments to its sessions (activity APPEND with our "
               f"extension {codes.EXT_AMENDMENT}).", "not-supported")
