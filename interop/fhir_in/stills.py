"""Import of ultrasound stills (Media, as fhir_out/stills.py writes them) onto their injection.

The still must say which injection it belongs to (partOf its MedicationAdministration, in this
Bundle or imported before) and name that injection's patient as its subject, be an image, carry
its bytes inline (a `url` is never fetched: import reads nothing from outside the Bundle), and
pass the upload's own check (PNG or JPEG by content, at most 5 MB, only on an ultrasound-guided row). When the attachment gives a size or a SHA-1 hash,
the bytes must match them. A session signed before the import keeps its still.
"""
from __future__ import annotations

import base64
import binascii
import hashlib

from django.core.files.base import ContentFile

from interop import fhir_codes as codes
from interop.fhir_import import Entry, Importer, Skip, codes_in, handler
from treatment.models import Injection, still_kind, validate_ultrasound_still


def _bytes(content: dict) -> bytes:
    if not content.get("data"):
        raise Skip("its content has no inline data (tpclinic never fetches content.url): send the image as "
                   "base64 data.", "required")
    try:
        data = base64.b64decode(content["data"], validate=True)
    except (binascii.Error, ValueError):
        raise Skip("its content.data is not base64.", "invalid") from None
    if content.get("size") is not None and content["size"] != len(data):
        raise Skip(f"its content.size says {content['size']} bytes but the data holds {len(data)}.", "invalid")
    if content.get("hash") and base64.b64decode(content["hash"]) != hashlib.sha1(data).digest():
        raise Skip("its content.hash is not the SHA-1 of its data: the image did not arrive whole.", "invalid")
    return data


@handler("Media")
def import_still(ctx: Importer, entry: Entry):
    resource = entry.resource
    media_type = codes_in(resource.get("type"), codes.MEDIA_TYPE)
    if media_type and codes.MEDIA_IMAGE[0] not in media_type:
        raise Skip("tpclinic keeps images only (Media.type image): the ultrasound stills of its injections.",
                   "not-supported")
    injection = next((i for i in (ctx.resolve(p, Injection, entry) for p in resource.get("partOf", [])) if i), None)
    if injection is None:
        raise Skip("it is not an ultrasound still of a tpclinic injection: partOf must reference its "
                   "MedicationAdministration (in this Bundle or imported before).", "not-supported")
    session = injection.session
    if ctx.patient_of(entry, resource.get("subject")).pk != session.course.patient_id:
        raise Skip("its subject is not the patient of the injection it is part of.", "conflict")
    if not ctx.writable(session):
        return ctx.signed(entry, session, injection, "ultrasound still")
    data = _bytes(resource.get("content") or {})
    kind = still_kind(data[:8])
    upload = ContentFile(data, name=f"ultrasound-{injection.pk}.{'png' if kind == 'png' else 'jpg'}")
    validate_ultrasound_still(upload)
    if injection.ultrasound_image:
        with injection.ultrasound_image.open("rb") as handle:
            if handle.read() == data:
                return "unchanged", injection, f"ultrasound still of injection {injection.pk} already here."
    injection.ultrasound_image = upload
    ctx.clean(injection)  # the upload's own checks, before anything is stored
    injection.ultrasound_image.save(upload.name, upload, save=False)  # the bytes into storage: a bulk write stores no file
    ctx.update(injection, ["ultrasound_image"])  # an injection of this Bundle is written with the rest
    return "updated", injection, f"ultrasound still of injection {injection.pk} in session {session.pk}."
