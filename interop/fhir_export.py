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
from dataclasses import dataclass, field
from functools import cache
from typing import Callable, Iterable, Iterator

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
    one_patient: bool = False  # one patient's record ($everything): small enough for exporters to share rows
    memo: dict = field(default_factory=dict, repr=False, compare=False)  # what its exporters share

    def held(self, key, fetch: Callable[[], Iterable]) -> Iterable:
        """Rows several exporters read (sessions, their injections, courses): for one patient's record,
        fetched once and held for the others; for anything larger, `fetch()` afresh, streamed."""
        if not self.one_patient:
            return fetch()
        if key not in self.memo:
            self.memo[key] = list(fetch())
        return self.memo[key]

    def patient_ids(self):
        """What `patient__in=` filters take for the patients in scope: for one patient's record, their id (read
        once; an id list compiles and runs faster than the subquery), else the patients queryset itself."""
        if not self.one_patient:
            return self.patients
        return self.held("patient ids", lambda: self.patients.values_list("pk", flat=True))

    def sessions(self) -> QuerySet:
        sessions = Session.objects.filter(course__patient__in=self.patient_ids())
        return sessions if self.include_drafts else sessions.filter(status=Session.Status.SIGNED)

    def session_ids(self):
        """What `session__in=` / `object_id__in=` filters take for the sessions in scope: for one patient's
        record, their ids (a short list, read once; simpler SQL than the nested subquery), else the subquery."""
        if not self.one_patient:
            return self.sessions().values("pk")
        return self.held("session ids", lambda: self.sessions().values_list("pk", flat=True))


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


def instant(value, zone=None) -> str:
    """A datetime as FHIR instant text in the current time zone; an exporter passes `zone` (read once at its
    start) where it writes many, since looking the current zone up costs more than the conversion."""
    return timezone.localtime(value, zone).isoformat()


def person_name(user) -> str:
    return display_name(user.first_name, user.last_name, user.username)


def display_name(first_name: str, last_name: str, username: str) -> str:
    """A user's name as `User.get_full_name() or username` words it, from a `values()` row's fields."""
    return f"{first_name} {last_name}".strip() or username


@cache
def person_fields(relation: str) -> tuple[str, str, str]:
    """The `values()` fields `display_name` needs for the user behind `relation` (a join, not a query per row)."""
    return f"{relation}__first_name", f"{relation}__last_name", f"{relation}__username"


def person_ref(row: dict, relation: str) -> dict:
    """`ref("Practitioner", ...)` with the name display, for the user behind `relation` in a `values()` row."""
    first_name, last_name, username = person_fields(relation)
    return ref("Practitioner", row[f"{relation}_id"], display_name(row[first_name], row[last_name], row[username]))


def labels(model, field_name: str) -> dict:
    """A choice field's labels, worked out once per export: `get_FOO_display` (gettext) per row cost more
    than building the resource. Call it while the export's language (LANGUAGE) is active, i.e. inside an
    exporter, which `_produce` runs under the override."""
    return {value: str(label) for value, label in model._meta.get_field(field_name).flatchoices}


def rows(queryset: QuerySet, *fields: str) -> Iterator[dict]:
    """The queryset as `values()` rows, streamed CHUNK at a time: no model instances are built."""
    return queryset.values(*fields).iterator(chunk_size=CHUNK)


def in_chunks(items, size: int = CHUNK) -> Iterator[list]:
    """Lists of up to `size` items: an exporter fetches a chunk's children in one query per kind."""
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


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


@cache
def icd_display(code: str) -> str | None:
    """The code's ICD-10-CM description (the code set is fixed for the process, so each code is looked up once)."""
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
    return _cleaned_json(resource)[0]


def _cleaned_json(resource: dict) -> tuple[dict, bytes | None]:
    """`clean(resource)` and, when cleaning changed nothing, the compact JSON that showed it (else None)."""
    try:
        data = orjson.dumps(resource)
    except TypeError:  # e.g. a lone surrogate, which clean removes
        return clean(resource), None
    return (clean(resource), None) if _may_need_cleaning(data) else (resource, data)


# Every byte but those that start an escape or a multi-byte character _NEEDS_CLEANING looks for:
# deleting them (bytes.translate, at C speed) leaves nothing when none of those is there, so the full
# pattern runs only where one is found. Plain and accented text (UTF-8 lead bytes \xc3, \xc5...) passes.
_SUSPECT = b"\\\x7f\xc2\xe1\xe2\xe3\xef"
_NOT_SUSPECT = bytes(b for b in range(256) if b not in _SUSPECT)


def _may_need_cleaning(data: bytes) -> bool:
    # rfind, not `in`: on Python 3.11 the reverse search of these two-byte needles through JSON (full of
    # quotes and brackets) measured about twice as fast, and this check runs on every exported resource.
    return (data.rfind(b'""') >= 0 or data.rfind(b"[]") >= 0 or data.rfind(b"{}") >= 0 or data.rfind(b'" ') >= 0
            or data.rfind(b' "') >= 0 or data.rfind(b"null") >= 0
            or (bool(data.translate(None, _NOT_SUSPECT)) and _NEEDS_CLEANING.search(data) is not None))


def _finished(resource: dict, source: str = "") -> tuple[dict, bytes | None]:
    """The cleaned, stamped resource and, when cleaning changed nothing, its compact JSON (else None).

    The JSON that shows whether `clean` must walk the resource is the JSON an NDJSON line writes, so a
    bulk export serialises each resource once. `meta.source` is set first: it is a clean URI, so setting
    it before or after cleaning gives the same resource.
    """
    if source:
        resource.setdefault("meta", {}).setdefault("source", source)  # an imported Patient keeps its own
    resource, data = _cleaned_json(resource)
    if settings.FHIR_VALIDATE_EXPORT:
        validate(resource)
    return resource, data


def finish(resource: dict, source: str = "") -> dict:
    """Clean, stamp and (when settings.FHIR_VALIDATE_EXPORT) check one resource; returns plain JSON-ready FHIR R4.

    The R4B model is the check, not the serializer: our dict is already JSON-ready, and emitting it
    as is keeps a large export fast (re-serializing through the model costs more than validating).
    """
    return _finished(resource, source)[0]


def validate(resource: dict) -> None:
    """Raise pydantic's ValidationError unless the resource is valid FHIR R4 (fhir.resources' R4B models)."""
    model_class(resource["resourceType"]).model_validate(resource)


def ndjson_line(resource: dict) -> bytes:
    """One finished resource as a line of NDJSON: compact UTF-8 JSON, as `json.dumps(ensure_ascii=False,
    separators=(",", ":"))` writes it, about ten times faster."""
    return orjson.dumps(resource) + b"\n"


def iter_resources(scope: Scope, types=None) -> Iterator[tuple[str, dict]]:
    """(resource type, finished resource) for everything in scope, exporter by exporter.

    Each resource is built in English (LANGUAGE): choice labels and gettext strings in displays and
    texts are then the same whoever asks and in whatever language their browser or client prefers.
    The override is held only while a resource is built, never across a `yield`. With `types`, only the
    exporters of those resource types run.
    """
    for item in EXPORTERS:
        if types and item.resource_type not in types:
            continue
        for finished in _produce(item, scope):
            yield item.resource_type, finished


def iter_lines(scope: Scope, types=None) -> Iterator[tuple[str, bytes]]:
    """(resource type, NDJSON line) for everything in scope (or of `types`): what a bulk export writes, each
    resource serialised once (the JSON that checked it needs no cleaning is the line)."""
    for item in EXPORTERS:
        if types and item.resource_type not in types:
            continue
        for resource, data in _produce(item, scope, _finished):
            yield item.resource_type, (data + b"\n") if data is not None else ndjson_line(resource)


def iter_type(scope: Scope, resource_type: str) -> Iterator[dict]:
    """Finished resources of one type in scope (what a FHIR read or search looks through)."""
    for item in EXPORTERS:
        if item.resource_type == resource_type:
            yield from _produce(item, scope)


def _produce(item: Exporter, scope: Scope, finishing: Callable | None = None) -> Iterator:
    """Finished resources (what `finishing` makes of each), built CHUNK at a time under one language
    override (switching the language per resource cost more than building it); the override is released
    before the chunk is yielded."""
    finishing = finishing or finish  # looked up per call: a test may count what `finish` is given
    produced = item.produce(scope)
    done = False
    while not done:
        chunk = []
        with translation.override(LANGUAGE):
            for resource in produced:
                chunk.append(finishing(resource, scope.source))
                if len(chunk) == CHUNK:
                    break
            else:
                done = True
        yield from chunk


def patient_everything(patient: Patient, base_url: str = "") -> dict:
    """The `Patient/{id}/$everything` searchset: the patient and everything tpclinic holds about them.

    Draft sessions are left out: only signed notes leave the clinic this way.
    """
    scope = Scope(Patient.objects.filter(pk=patient.pk), source=Installation.source_uri(), one_patient=True)
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
