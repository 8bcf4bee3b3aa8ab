"""tpclinic records as FHIR R4 resources: one patient's `$everything` Bundle, or the whole clinic.

Each `@exporter("Type")` generator (in interop/fhir_out/) turns one kind of record into resources for
a Scope (one patient, or everyone); adding a kind of record is one more decorated function. Every
resource is built in English (interop.text.LANGUAGE) and then goes through `finish`: text cleaned
(interop.text), `meta.source` set to this installation, and checked with fhir.resources' R4B model
(R4, not the package's default R5) when settings.FHIR_VALIDATE_EXPORT is on. The check costs about
a millisecond a resource, twenty times what building one does, so it is off in production and on in
the test suite: every resource a test exports is checked, and interop/tests/test_fhir_fast_export.py
checks a sample of a synthetic clinic against the same models. The mapping is tabled in
interop/README.md; fhir_import reads the same shapes back. Querysets are streamed with
`.iterator()` so a large clinic never sits in memory at once; `ndjson_line` serialises with orjson.
"""
from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from functools import cache
from typing import Callable, Iterator

import orjson
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone, translation

from anatomy import vocabulary
from interop import fhir_codes as codes
from interop.models import Installation
from interop.text import LANGUAGE, clean, clean_text
from patients.models import Patient
from safety.coding import check_diagnosis
from treatment.models import Session

CHUNK = 500


@dataclass
class Scope:
    """What to export: some patients (a queryset) and whether draft sessions go too."""

    patients: QuerySet
    include_drafts: bool = False
    whole_clinic: bool = False
    source: str = ""

    def sessions(self) -> QuerySet:
        sessions = Session.objects.filter(course__patient__in=self.patients)
        return sessions if self.include_drafts else sessions.filter(status=Session.Status.SIGNED)


@dataclass(frozen=True)
class Exporter:
    resource_type: str
    produce: Callable[[Scope], Iterator[dict]]


EXPORTERS: list[Exporter] = []


def exporter(resource_type: str):
    def register(function):
        EXPORTERS.append(Exporter(resource_type, function))
        return function

    return register


def resource_types() -> list[str]:
    return list(dict.fromkeys(e.resource_type for e in EXPORTERS))


# ------------------------------------------------------------------ helpers


def ref(resource_type: str, ident, display: str | None = None) -> dict:
    out = {"reference": f"{resource_type}/{ident}"}
    if display:
        out["display"] = display
    return out


def coding(system: str, code: str, display: str | None = None) -> dict:
    out = {"system": system, "code": code}
    if display:
        out["display"] = str(display)
    return out


def concept(system: str, code: str, display: str | None = None, text: str | None = None) -> dict:
    out = {"coding": [coding(system, code, display)]}
    if text:
        out["text"] = text
    return out


def sub(url: str, kind: str, value) -> dict | None:
    """A sub-extension; None (left out) when there is no value, blank text included."""
    if isinstance(value, str):
        value = clean_text(value)
    if value is None:
        return None
    return {"url": url, f"value{kind}": value}


def extension(url: str, parts: list) -> dict | None:
    """A complex extension of the sub-extensions that have a value; None when none has."""
    parts = [p for p in parts if p is not None]
    return {"url": url, "extension": parts} if parts else None


def instant(value) -> str:
    return timezone.localtime(value).isoformat()


def person_name(user) -> str:
    return user.get_full_name() or user.username


def muscle_site(muscle: str, side: str) -> dict:
    """A muscle (and side) as a coded body site; the display is English whatever the request's language."""
    name = vocabulary.muscle_label(muscle)
    site = concept(codes.MUSCLE, muscle, name, f"{name}, {side}" if side else name)
    laterality = codes.LATERALITY.get(side)
    if laterality:  # the side as SNOMED CT, beside our muscle code (Procedure.bodySite, dosage.site)
        site = {"extension": [{"url": codes.EXT_LATERALITY, "valueCodeableConcept": concept(codes.SNOMED,
                                                                                         *laterality)}], **site}
    return site


def region_coding(region: str) -> dict:
    """A body region in our body-region code system, with its English label (an unknown code keeps no display)."""
    return coding(codes.REGION, region, vocabulary.region_label(region) if region in vocabulary.regions() else None)


def place_text(region: str, side: str | None) -> str:
    """"Angle of neck, left" in English: FHIR displays never follow the request's language."""
    return vocabulary.place_label(vocabulary.Place(region, side or None), vocabulary.DEFAULT_LANGUAGE)


def icd_display(code: str) -> str | None:
    result = check_diagnosis(code)
    return result.description if result.ok else None


@cache
def model_class(resource_type: str):
    module = importlib.import_module(f"fhir.resources.R4B.{resource_type.lower()}")
    return getattr(module, resource_type)


# What `clean` would change, found in a resource's compact JSON: a control character (escaped C0, or
# DEL, C1 and the BOM as UTF-8), an odd Unicode space, a string that starts or ends with white space,
# an empty string, list or object, or a null. A match sends the resource through `clean`; no match
# means `clean` would return it unchanged (false alarms only cost the slow path).
_NEEDS_CLEANING = re.compile(
    rb'\\u00[01]|\\[bf]|\x7f|\xc2[\x80-\xa0]|\xef\xbb\xbf|\xe1\x9a\x80|\xe2\x80[\x80-\x8a\xa8\xa9\xaf]'
    rb'|\xe2\x81\x9f|\xe3\x80\x80|" |"\\[tnr]| "|\\[tnr]"|""|\[\]|\{\}|[:,\[]null\b'
)


def _cleaned(resource: dict) -> dict:
    """`clean(resource)`, skipping the walk when the compact JSON shows nothing to clean."""
    try:
        data = orjson.dumps(resource)
    except TypeError:  # e.g. a lone surrogate, which clean removes
        return clean(resource)
    return clean(resource) if _may_need_cleaning(data) else resource


# Bytes that start every escape and multi-byte character _NEEDS_CLEANING looks for: one scan for them
# is much cheaper than the full pattern, which runs only where one is found.
_SUSPECT_BYTE = re.compile(rb"[\\\x7f\xc2\xe1\xe2\xe3\xef]")


def _may_need_cleaning(data: bytes) -> bool:
    return (b'""' in data or b"[]" in data or b"{}" in data or b'" ' in data or b' "' in data or b"null" in data
            or (_SUSPECT_BYTE.search(data) is not None and _NEEDS_CLEANING.search(data) is not None))


def finish(resource: dict, source: str = "") -> dict:
    """Clean, stamp and (when settings.FHIR_VALIDATE_EXPORT) check one resource; returns plain JSON-ready FHIR R4.

    The R4B model is the check, not the serializer: our dict is already JSON-ready, and emitting it
    as is keeps a large export fast (re-serializing through the model costs more than validating).
    """
    resource = _cleaned(resource)
    if source:
        resource.setdefault("meta", {}).setdefault("source", source)  # an imported Patient keeps its own
    if settings.FHIR_VALIDATE_EXPORT:
        validate(resource)
    return resource


def validate(resource: dict) -> None:
    """Raise pydantic's ValidationError unless the resource is valid FHIR R4 (fhir.resources' R4B models)."""
    model_class(resource["resourceType"]).model_validate(resource)


def ndjson_line(resource: dict) -> bytes:
    """One finished resource as a line of NDJSON: compact UTF-8 JSON, as `json.dumps(ensure_ascii=False,
    separators=(",", ":"))` writes it, about ten times faster."""
    return orjson.dumps(resource) + b"\n"


def iter_resources(scope: Scope) -> Iterator[tuple[str, dict]]:
    """(resource type, finished resource) for everything in scope, exporter by exporter.

    Each resource is built in English (LANGUAGE): choice labels and gettext strings in displays and
    texts are then the same whoever asks and in whatever language their browser or client prefers.
    The override is held only while a resource is built, never across a `yield`.
    """
    for item in EXPORTERS:
        for finished in _produce(item, scope):
            yield item.resource_type, finished


def iter_type(scope: Scope, resource_type: str) -> Iterator[dict]:
    """Finished resources of one type in scope (what a FHIR read or search looks through)."""
    for item in EXPORTERS:
        if item.resource_type == resource_type:
            yield from _produce(item, scope)


def _produce(item: Exporter, scope: Scope) -> Iterator[dict]:
    """Finished resources, built CHUNK at a time under one language override (switching the language
    per resource cost more than building it); the override is released before the chunk is yielded."""
    produced = item.produce(scope)
    done = False
    while not done:
        chunk = []
        with translation.override(LANGUAGE):
            for resource in produced:
                chunk.append(finish(resource, scope.source))
                if len(chunk) == CHUNK:
                    break
            else:
                done = True
        yield from chunk


def patient_everything(patient: Patient, base_url: str = "") -> dict:
    """The `Patient/{id}/$everything` searchset: the patient and everything tpclinic holds about them.

    Draft sessions are left out: only signed notes leave the clinic this way.
    """
    scope = Scope(Patient.objects.filter(pk=patient.pk), source=Installation.source_uri())
    entries = []
    for resource_type, resource in iter_resources(scope):
        entry = {"resource": resource, "search": {"mode": "match" if resource_type == "Patient" else "include"}}
        if base_url:
            entry["fullUrl"] = f"{base_url.rstrip('/')}/{resource_type}/{resource['id']}"
        entries.append(entry)
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "timestamp": instant(timezone.now()),
        "total": len(entries),
        "entry": entries,
    }
    return bundle  # each resource was checked by finish(); the envelope is fixed


from interop import fhir_out  # noqa: E402,F401  (registers the exporters, in order)
