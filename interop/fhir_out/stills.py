"""Exporter for the ultrasound stills of injections (Injection.ultrasound_image) as R4 Media.

One Media per still: type `image` (HL7 media-type), modality DICOM `US` (ultrasound), the patient,
the operator (the session's clinician), the muscle as bodySite, createdDateTime = the session's
time, partOf = the session's Procedure and the injection's MedicationAdministration (which row the
image guided), and the image itself as a base64 attachment with its size and SHA-1 hash (as R4's
Attachment.hash defines it), so the importing side can check it arrived whole. Media follows its
session: a draft's still is in the bulk export only, like the draft itself.
"""
from __future__ import annotations

import base64
import hashlib

from django.db.models import QuerySet

from interop import fhir_codes as codes
from interop.fhir_export import CHUNK, Scope, concept, exporter, instant, muscle_site, person_name, ref
from treatment.models import Injection, still_kind


def stills(scope: Scope) -> QuerySet:
    return (Injection.objects.filter(session__in=scope.sessions()).exclude(ultrasound_image="")
            .select_related("session__course", "session__clinician", "trigger_point").order_by("pk"))


def read_still(injection: Injection) -> tuple[bytes, str]:
    """The still's bytes and its MIME type, judged by the bytes (as the upload check judged them)."""
    with injection.ultrasound_image.open("rb") as handle:
        data = handle.read()
    return data, f"image/{still_kind(data[:8]) or 'jpeg'}"


@exporter("Media")
def ultrasound_stills(scope: Scope):
    for injection in stills(scope).iterator(chunk_size=CHUNK):
        session, point = injection.session, injection.trigger_point
        data, content_type = read_still(injection)
        yield {
            "resourceType": "Media",
            "id": f"still-{injection.pk}",
            "partOf": [ref("Procedure", session.pk), ref("MedicationAdministration", injection.pk)],
            "status": "completed" if session.is_signed else "preparation",
            "type": concept(codes.MEDIA_TYPE, *codes.MEDIA_IMAGE),
            "modality": concept(codes.DICOM, *codes.ULTRASOUND),
            "subject": ref("Patient", session.course.patient_id),
            "createdDateTime": instant(session.performed_at),
            "operator": ref("Practitioner", session.clinician_id, person_name(session.clinician)),
            "reasonCode": [{"text": "Ultrasound guidance for trigger point injection"}],
            "bodySite": muscle_site(point.muscle, point.side),
            "content": {
                "contentType": content_type,
                "data": base64.b64encode(data).decode("ascii"),
                "size": len(data),
                "hash": base64.b64encode(hashlib.sha1(data).digest()).decode("ascii"),
                "title": f"Ultrasound still, {point.muscle_name}, {session.performed_at:%Y-%m-%d}",
                "creation": instant(session.performed_at),
            },
        }
