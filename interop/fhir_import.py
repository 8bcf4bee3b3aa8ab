"""Read a FHIR R4 Bundle back into tpclinic: create or update records, report everything else.

Why it is built this way:
- A Bundle that is not
  valid FHIR (checked entry by entry with fhir.resources' R4B models and HL7's R4 JSON schema,
  see fhir_schema.py) is refused with a 400 and an OperationOutcome before anything is written.
- Bundle types keep their FHIR meaning: a `transaction` is all or nothing (one database transaction; any
  entry that cannot be stored rolls every entry back) and is answered by a `transaction-response` Bundle;
  a `batch` stores what it can and is answered by a `batch-response` Bundle; each entry there has its own
  status (201 created, 200 updated or already there, 409 conflict, 412 ambiguous `ifNoneExist`, 422
  unusable) and OperationOutcome. Any other Bundle (a `collection`, our export) is one transaction
  answered by one OperationOutcome, as before.
- Nothing is silently dropped: every entry gets an issue: information when stored or used,
  warning when skipped, with the reason and the entry's position.
- Re-import updates: each stored resource is remembered in FhirLink by (meta.source, type, id);
  patients are also matched by MRN, staff by username. A file exported by this same installation
  (meta.source = Installation.source_uri()) finds its records by id.
- Safety: import never changes an existing staff account (no role or password can be set this
  way) nor a session that was already signed before the import.
Handlers (interop/fhir_in/) run in ORDER, dependencies first, so references point backwards.
Adding a resource type is one decorated function there; fhir_export is the mirror image.
"""
from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Callable
from urllib.parse import parse_qsl

import orjson
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from pydantic import ValidationError as PydanticError

from audit import events
from interop import fhir_schema
from interop import fhir_search as search
from interop.fhir_export import Scope, iter_type, model_class
from interop.models import FhirLink, Installation
from interop.text import clean_text
from patients.models import Patient
from tpclinic.limits import parse_id
from treatment.models import Course, Session

logger = logging.getLogger(__name__)
FHIR_JSON = "application/fhir+json"


# ------------------------------------------------------------------ responses


def fhir_response(data: dict, status: int = 200) -> HttpResponse:
    try:
        body = orjson.dumps(data)  # compact UTF-8, several times faster than json for a large Bundle
    except orjson.JSONEncodeError:  # what orjson refuses (an integer past 64 bits) the json module still writes
        body = json.dumps(data, ensure_ascii=False)
    return HttpResponse(body, status=status, content_type=FHIR_JSON)


def operation_outcome(issues) -> dict:
    """issues: (severity, code, text, expression or None)."""
    out = []
    for severity, code, text, expression in issues:
        issue = {"severity": severity, "code": code, "diagnostics": text}
        if expression:
            issue["expression"] = [expression]
        out.append(issue)
    if not out:
        out = [{"severity": "information", "code": "informational", "diagnostics": "The Bundle was empty."}]
    return {"resourceType": "OperationOutcome", "issue": out}


class BundleError(Exception):
    """The Bundle is not valid FHIR (or not a Bundle): nothing was imported."""

    def __init__(self, problems: list[tuple[str, str | None]]):
        super().__init__("; ".join(text for text, _ in problems))
        self.problems = problems

    def outcome(self) -> dict:
        issues = [("error", "structure", text, where) for text, where in self.problems]
        issues.append(("information", "informational", "Nothing was imported: correct the Bundle and send it again.",
                       None))
        return operation_outcome(issues)


class Skip(Exception):
    """This resource cannot be used; the message says why (and what would make it usable)."""

    def __init__(self, reason: str, code: str = "business-rule"):
        super().__init__(reason)
        self.reason = reason
        self.code = code


# ------------------------------------------------------------------ reading the Bundle


@dataclass
class Entry:
    index: int
    resource: dict
    full_url: str | None
    source: str
    method: str | None = None  # Bundle.entry.request.method, for transaction/batch Bundles
    if_none_exist: str | None = None  # Bundle.entry.request.ifNoneExist: conditional create

    @property
    def type(self) -> str:
        return self.resource["resourceType"]

    @property
    def id(self) -> str | None:
        return self.resource.get("id")

    @property
    def label(self) -> str:
        return f"{self.type}/{self.id}" if self.id else f"{self.type} (entry {self.index + 1})"

    @property
    def expression(self) -> str:
        return f"Bundle.entry[{self.index}].resource"

    @property
    def link_id(self) -> str | None:
        ident = self.id or self.full_url
        return ident if ident and len(ident) <= 64 else None


def _pydantic_problems(error: PydanticError, limit: int = 3) -> str:
    parts = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()[:limit]]
    more = len(error.errors()) - limit
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def bundle_kind(data) -> str:
    """"transaction", "batch" or "collection" (every other type is imported like a collection)."""
    kind = data.get("type") if isinstance(data, dict) else None
    return kind if kind in {"transaction", "batch"} else "collection"


def read_bundle(data) -> list[Entry]:
    """Check the envelope and every resource against R4; BundleError lists everything wrong at once."""
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        raise BundleError([("Send a FHIR Bundle: a JSON object with \"resourceType\": \"Bundle\".", None)])
    raw_entries = data.get("entry", [])
    if not isinstance(raw_entries, list):
        raise BundleError([("Bundle.entry must be a list of entries.", "Bundle.entry")])
    problems = []
    bundle_source = (data.get("meta") or {}).get("source", "") if isinstance(data.get("meta"), dict) else ""
    try:
        envelope = {k: v for k, v in data.items() if k != "entry"}
        model_class("Bundle").model_validate(envelope)
    except PydanticError as error:
        problems.append((f"The Bundle is not valid FHIR R4: {_pydantic_problems(error)}", "Bundle"))
    entries, seen = [], {}
    for index, raw in enumerate(raw_entries):
        where = f"Bundle.entry[{index}]"
        resource = raw.get("resource") if isinstance(raw, dict) else None
        if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
            problems.append(("Each entry needs a resource: a JSON object with a resourceType.", where))
            continue
        resource_type = resource["resourceType"]
        try:
            model = model_class(resource_type)
        except (ImportError, AttributeError):
            problems.append((f"{resource_type} is not a FHIR R4 resource type.", where + ".resource"))
            continue
        try:
            model.model_validate(resource)
        except PydanticError as error:
            problems.append((f"{resource_type} is not valid FHIR R4: {_pydantic_problems(error)}", where + ".resource"))
            continue
        schema_errors = fhir_schema.errors(resource)
        if schema_errors:
            problems.append((f"{resource_type} does not match the FHIR R4 JSON schema: {'; '.join(schema_errors)}",
                             where + ".resource"))
            continue
        full_url = raw.get("fullUrl") if isinstance(raw.get("fullUrl"), str) else None
        source = ((resource.get("meta") or {}).get("source") or bundle_source or "")[:255]
        request = raw.get("request") if isinstance(raw.get("request"), dict) else {}
        method = request.get("method").upper() if isinstance(request.get("method"), str) else None
        if_none_exist = request.get("ifNoneExist") if isinstance(request.get("ifNoneExist"), str) else None
        entry = Entry(index, resource, full_url, source, method, if_none_exist)
        if entry.id:
            key = (entry.type, entry.id, source)
            if key in seen:
                problems.append((f"{entry.label} appears twice (entries {seen[key] + 1} and {index + 1}).", where))
            seen[key] = index
        entries.append(entry)
    if problems:
        raise BundleError(problems)
    return entries


# ------------------------------------------------------------------ the import


@dataclass(frozen=True)
class Handler:
    function: Callable[["Importer", Entry], tuple[str, object, str]]
    when: Callable[[dict], bool] | None = None  # None: the type's fallback, tried after the others
    phase: int = 0  # within a resource type, lower phases run first (a drawing before the diary entry using it)


HANDLERS: dict[str, list[Handler]] = {}
ORDER = [  # referenced before referring: staff, patient, charting, courses, sessions, their details
    "Practitioner", "PractitionerRole", "Patient", "Coverage", "AllergyIntolerance", "MedicationStatement",
    "BodyStructure", "Condition", "CarePlan", "Procedure", "MedicationAdministration", "Media", "Observation", "Appointment",
    "Consent", "AdverseEvent", "Provenance",
]


def handler(resource_type: str, when: Callable[[dict], bool] | None = None, phase: int = 0):
    """Register an import function for a resource type (types run in ORDER, unlisted types last).

    Several functions may share a type, each for the resources its `when(resource)` accepts (e.g.
    Observation: body measurements and session scores, pain drawings, diary entries); the one
    without `when` takes the rest.
    """

    def register(function):
        handlers = HANDLERS.setdefault(resource_type, [])
        handlers.append(Handler(function, when, phase))
        handlers.sort(key=lambda h: h.when is None)  # specific ones first, the fallback last
        return function

    return register


def handler_for(resource: dict) -> Handler | None:
    for candidate in HANDLERS.get(resource.get("resourceType"), []):
        if candidate.when is None or candidate.when(resource):
            return candidate
    return None


# What each local model is exported as (resource type, id prefix), so a reference in our own export
# finds its row by id, and only in the table it names (Procedure/7 is never Injection 7).
OWN_IDS = {
    settings.AUTH_USER_MODEL.lower(): ("Practitioner", ""), "patients.patient": ("Patient", ""),
    "patients.allergy": ("AllergyIntolerance", ""), "patients.medication": ("MedicationStatement", ""),
    "charting.triggerpoint": ("BodyStructure", ""), "treatment.course": ("CarePlan", ""),
    "treatment.session": ("Procedure", ""), "treatment.injection": ("MedicationAdministration", ""),
    "referral.paindrawing": ("Observation", "drawing-"), "portal.diaryentry": ("Observation", "diary-"),
    "safety.consentrecord": ("Consent", ""), "safety.adverseevent": ("AdverseEvent", ""),
    "audit.amendment": ("Provenance", ""),
}


def own_pk(resource_type: str, ident: str, model) -> int | None:
    """The primary key our own export wrote as `resource_type/ident` for a `model` row, or None."""
    expected, prefix = OWN_IDS.get(model._meta.label_lower, (resource_type, ""))
    if resource_type != expected or not ident.startswith(prefix):
        return None
    digits = ident[len(prefix):]
    return parse_id(digits)


def _comparable(value):
    """A resource's clinical content: without meta, ids and references (ids differ between installations)."""
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items() if k not in {"meta", "id", "reference", "text"}
                or (k == "text" and isinstance(v, str))}
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    return value


def signed_difference(incoming: dict, current: list[dict]) -> list[str]:
    """Top-level elements where `incoming` differs from the closest of `current`; [] when it equals one."""
    wanted = _comparable(incoming)
    best = None
    for resource in current:
        have = _comparable(resource)
        differing = sorted(k for k in set(wanted) | set(have) if wanted.get(k) != have.get(k))
        if best is None or len(differing) < len(best):
            best = differing
    return best if best is not None else ["(a record the signed session does not have)"]


# The HTTP status of an entry in a transaction-response or batch-response, by what happened to it.
ACTION_STATUS = {"created": 201, "updated": 200, "matched": 200, "unchanged": 200, "used": 200, "derived": 200,
                 "refused": 409}
SKIP_STATUS = {"conflict": 409, "multiple-matches": 412, "processing": 400}  # any other reason: 422
STATUS_TEXT = {200: "200 OK", 201: "201 Created", 400: "400 Bad Request", 409: "409 Conflict",
               412: "412 Precondition Failed", 422: "422 Unprocessable Entity", 424: "424 Failed Dependency"}


@dataclass
class EntryResult:
    status: int
    issues: list  # (severity, code, text, expression)
    location: str | None = None

    @property
    def failed(self) -> bool:
        return self.status >= 400


@dataclass
class ImportResult:
    kind: str = "collection"
    counts: Counter = field(default_factory=Counter)
    issues: list = field(default_factory=list)
    entries: dict = field(default_factory=dict)  # entry index -> EntryResult
    size: int = 0  # entries in the Bundle
    patients: set = field(default_factory=set)  # ids of the patients whose records were stored (audit disclosures)

    def outcome(self) -> dict:
        summary = ", ".join(f"{n} {action}" for action, n in sorted(self.counts.items())) or "nothing"
        if self.rolled_back:
            summary = f"nothing stored: the transaction failed at entries {', '.join(map(str, self.failed))}"
        return operation_outcome(self.issues + [("information", "informational", f"Import finished: {summary}.", None)])

    @property
    def skipped(self) -> int:
        return self.counts["skipped"]

    @property
    def failed(self) -> list[int]:
        """Positions (from 1) of the entries that could not be stored."""
        return [index + 1 for index, found in sorted(self.entries.items()) if found.failed]

    @property
    def rolled_back(self) -> bool:
        return self.kind == "transaction" and bool(self.failed)

    @property
    def http_status(self) -> int:
        """200, or for a failed transaction the status of its first failing entry."""
        if not self.rolled_back:
            return 200
        return next(found.status for _, found in sorted(self.entries.items()) if found.failed)

    def response_bundle(self) -> dict:
        """The transaction-response or batch-response: one entry per request entry, in its order."""
        entries = []
        for index in range(self.size):
            found = self.entries[index]
            status, issues, location = found.status, found.issues, found.location
            if self.rolled_back and not found.failed:
                status, location = 424, None
                issues = [("information", "processing", "Not stored: the transaction was rolled back because entry "
                           f"{', '.join(map(str, self.failed))} failed.", f"Bundle.entry[{index}]")] + issues
            response = {"status": STATUS_TEXT[status], "outcome": operation_outcome(issues)}
            if location:
                response["location"] = location
            entries.append({"response": response})
        return {"resourceType": "Bundle", "type": f"{self.kind}-response", "entry": entries}


class PendingRows:
    """New rows the import inserts with one bulk_create per model instead of one save each (issue 16).

    Each row gets its primary key when it is handed over (from the table's sequence on PostgreSQL; on
    SQLite, whose import holds the write lock from BEGIN, the next free number), so messages, FhirLinks,
    children and later entries name it at once; flush() writes them, at the end of the import and before
    a search (ifNoneExist) reads the database. Until then the importer finds its own rows in memory
    (Importer.records, diary_days). Foreign keys are checked by the database at commit (Django makes them
    deferrable), and every row has been through full_clean (Importer.clean) before it is handed over.
    """

    BLOCK = 128  # keys taken from a PostgreSQL sequence at a time

    def __init__(self):
        self.rows: dict[type, list] = {}  # model -> rows not yet written, in the order handed over
        self.ids: set[int] = set()  # id() of each row not yet written
        self.keys: dict[type, list[int]] = {}  # model -> keys taken and not yet used

    @staticmethod
    def supported() -> bool:
        return connection.vendor in {"postgresql", "sqlite"}

    def holds(self, record) -> bool:
        return id(record) in self.ids

    def _next_key(self, model) -> int:
        free = self.keys.setdefault(model, [])
        if not free:
            table, column = model._meta.db_table, model._meta.pk.column
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                                   [connection.ops.quote_name(table), column, self.BLOCK])
                    free.extend(row[0] for row in cursor.fetchall())
                else:  # AUTOINCREMENT: never below the highest key ever used (sqlite_sequence)
                    cursor.execute(f"SELECT MAX({connection.ops.quote_name(column)}) FROM "
                                   f"{connection.ops.quote_name(table)}")
                    top = cursor.fetchone()[0] or 0
                    cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                    used = cursor.fetchone()
                    free.append(max(top, used[0] if used else 0) + 1)
            free.reverse()
        key = free.pop()
        if connection.vendor == "sqlite" and not free:
            free.append(key + 1)  # the lock is ours: the following numbers stay free
        return key

    def add(self, record) -> None:
        model = type(record)
        record.pk = self._next_key(model)
        self.rows.setdefault(model, []).append(record)
        self.ids.add(id(record))

    def mark(self) -> dict:
        return {model: len(rows) for model, rows in self.rows.items()}

    def undo(self, mark: dict) -> None:
        """Forget the rows handed over since `mark` (the entry that made them was skipped)."""
        for model, rows in self.rows.items():
            for record in rows[mark.get(model, 0):]:
                self.ids.discard(id(record))
                record.pk = None
            del rows[mark.get(model, 0):]

    def flush(self) -> None:
        for model, rows in self.rows.items():
            if rows:
                model._base_manager.bulk_create(rows, batch_size=500)
        self.rows, self.ids = {}, set()


class Importer:
    def __init__(self, entries: list[Entry], user=None, kind: str = "collection"):
        self.entries = entries
        self.user = user
        self.own_source = Installation.source_uri()
        self.result = ImportResult(kind=kind, size=len(entries))
        self.notes: list = []  # warnings a handler adds about the entry it is reading
        self.aliases: dict[str, Entry] = {}
        for entry in entries:
            if entry.id:
                self.aliases.setdefault(f"{entry.type}/{entry.id}", entry)
            if entry.full_url:
                self.aliases[entry.full_url] = entry
        self.stored: dict[int, object] = {}  # entry index -> local record
        self.created: set[tuple[str, int]] = set()
        self.credentials: dict[int, str] = {}  # new user pk -> credentials from Practitioner.qualification
        # FhirLinks to write, (source, type, id) -> (content type, object id), written in bulk by run()
        self.links: dict[tuple[str, str, str], tuple[ContentType, int]] = {}
        self.entry_patients: set[int] = set()  # patients the entry being read belongs to
        self.pending = PendingRows()  # new rows written in bulk (write())
        # id(row) -> (row created here, fields changed since), in the order added (forget() drops the newest)
        self.dirty: dict[int, tuple[object, set[str]]] = {}
        self.checked: dict[int, dict] = {}  # id(row written later) -> its values as last checked
        self.touched: list = []  # rows the entry being read resolved or changed
        self.kept_times: list[tuple[object, str, object]] = []  # (row, field, time recorded at the source)
        self.records: dict[tuple[type, int], object] = {}  # rows this import stored, by (model, pk)
        self.found_links = self._links_of(entries)
        self.handlers: dict[int, Handler | None] = {}  # entry index -> its handler (handler_for, once)
        self.diary_days: dict[tuple[int, date], object] = {}  # (patient, day) -> diary entry stored by this import
        self.diagnoses = {  # entries used as a course diagnosis by some CarePlan
            id(target) for e in entries if e.type == "CarePlan"
            for target in (self.target(a) for a in e.resource.get("addresses", [])) if target
        }

    # ---- references

    def target(self, reference) -> Entry | None:
        """The entry a Reference points to in this Bundle, if any."""
        ref = (reference or {}).get("reference") if isinstance(reference, dict) else None
        if not ref:
            return None
        if ref in self.aliases:
            return self.aliases[ref]
        parts = ref.split("/_history/")[0].rstrip("/").split("/")
        return self.aliases.get("/".join(parts[-2:])) if len(parts) >= 2 else None

    def resolve(self, reference, model, entry: Entry):
        """The local record a Reference means: in this Bundle, else imported before, else ours by id."""
        target = self.target(reference)
        if target is not None:
            found = self.stored.get(target.index)
            if isinstance(found, model):
                self.touched.append(found)
                return found
            return None
        ref = (reference or {}).get("reference") or ""
        parts = ref.split("/_history/")[0].rstrip("/").split("/")
        if len(parts) < 2:
            return None
        found = self.known(parts[-2], parts[-1], entry.source, model)
        if found is not None:
            self.touched.append(found)
        return found

    @staticmethod
    def _links_of(entries: list[Entry]) -> dict[tuple[str, str, str], FhirLink | None]:
        """The FhirLinks of every entry, read once per Bundle (a query per source, type and 500 ids):
        key -> link, or None where there is none."""
        keys = list(dict.fromkeys((e.source, e.type, e.link_id) for e in entries if e.link_id))
        found = dict.fromkeys(keys)
        groups: dict[tuple[str, str], list[str]] = {}
        for source, resource_type, ident in keys:
            groups.setdefault((source, resource_type), []).append(ident)
        for (source, resource_type), idents in groups.items():
            for start in range(0, len(idents), 500):  # within SQLite's limit on variables in one statement
                for link in FhirLink.objects.filter(source=source, resource_type=resource_type,
                                                    resource_id__in=idents[start:start + 500]):
                    found[(link.source, link.resource_type, link.resource_id)] = link
        return found

    def known(self, resource_type: str, ident: str, source: str, model):
        key = (source, resource_type, ident)
        pending = self.links.get(key)
        if pending is not None and pending[0].model_class() is model:
            found = self.records.get((model, pending[1])) or model.objects.filter(pk=pending[1]).first()
            if found is not None:
                return found
        if key not in self.found_links:
            self.found_links[key] = FhirLink.objects.filter(source=source, resource_type=resource_type,
                                                            resource_id=ident).first()
        link = self.found_links[key]
        if link is not None and ContentType.objects.get_for_id(link.content_type_id).model_class() is model:
            found = model.objects.filter(pk=link.object_id).first()
            if found is not None:
                return found
        if source and source == self.own_source:
            pk = own_pk(resource_type, ident, model)
            return model.objects.filter(pk=pk).first() if pk is not None else None
        return None

    def existing(self, entry: Entry, model):
        return self.known(entry.type, entry.link_id, entry.source, model) if entry.link_id else None

    def patient_of(self, entry: Entry, reference, what: str = "subject") -> Patient:
        patient = self.resolve(reference, Patient, entry)
        if patient is None:
            shown = (reference or {}).get("reference", "nothing")
            raise Skip(f"its {what} ({shown}) is not a patient in this Bundle or known here; send the Patient too.",
                       "not-found")
        self.entry_patients.add(patient.pk)
        return patient

    def warn(self, entry: Entry, text: str, element: str, code: str = "informational") -> None:
        """A warning about one element of the entry being imported (e.g. one tpclinic keeps only as read)."""
        self.notes.append(("warning", code, f"{entry.label}: {text}", f"{entry.expression}.{element}"))

    def conditional_match(self, entry: Entry):
        """The local record `ifNoneExist` finds (a search over what a read would show), or None.

        More than one match is a 412, as FHIR says for a conditional create."""
        query = search.parse(entry.type, parse_qsl(entry.if_none_exist, keep_blank_values=True))
        if query.ignored or not query.criteria:
            raise Skip(f"its ifNoneExist ({entry.if_none_exist}) has no search parameter tpclinic knows for "
                       f"{entry.type}" + (f" (not known: {', '.join(query.ignored)})" if query.ignored else "") + ".",
                       "processing")
        scope = Scope(Patient.objects.all(), whole_clinic=True)
        ids = [r["id"] for r in iter_type(scope, entry.type) if query.matches(r)]
        if len(ids) > 1:
            raise Skip(f"its ifNoneExist ({entry.if_none_exist}) matches {len(ids)} records here "
                       f"({', '.join(ids[:5])}); nothing created.", "multiple-matches")
        if not ids:
            return None
        for label in OWN_IDS:  # the model our exporter made that id from
            model = apps.get_model(label)
            pk = own_pk(entry.type, ids[0], model)
            if pk is not None:
                return model.objects.get(pk=pk)
        raise Skip(f"its ifNoneExist matches {entry.type}/{ids[0]}, a record import cannot refer to.", "processing")

    def writable(self, session: Session) -> bool:
        """Import may change drafts and sessions it created itself, never a session signed before."""
        return not session.is_signed or ("session", session.pk) in self.created

    def signed(self, entry: Entry, session: Session, record=None, what: str = "session"):
        """An incoming resource for a session signed before the import: "unchanged" when it says what the
        signed note says, else "refused" (a warning) naming the elements that differ; either way later
        entries may still refer to the session. A signed note changes only
        by an amendment, written by a person on the session page, never by an import."""
        mine = [r for r in iter_type(Scope(Patient.objects.filter(pk=session.course.patient_id)), entry.type)
                if r["id"] == str(session.pk) or {"reference": f"Procedure/{session.pk}"} in r.get("partOf", [])]
        differing = signed_difference(entry.resource, mine)
        if not differing:
            return "unchanged", record, f"{what} of signed session {session.pk} is already as signed."
        return "refused", record, (
            f"refused: session {session.pk} is signed and this differs from its {what} in {', '.join(differing)}. "
            "A signed note is never changed by import; if the incoming values are right, the clinician adds an "
            "amendment on the session page.")

    # ---- writing

    def clean(self, record, exclude=None) -> None:
        """record.full_clean(exclude), without the query per foreign key that checks the row it names exists
        when that row is one this import holds (read from the database or stored by this import)."""
        exclude = set(exclude or ())
        if self.pending.holds(record):
            exclude.add(record._meta.pk.name)  # a key PendingRows took for it: no row has it
        held = set()
        for f in record._meta.concrete_fields:
            if f.many_to_one and f.is_cached(record):
                target = f.get_cached_value(record)
                if target is not None and target.pk is not None and (
                        not target._state.adding or self.pending.holds(target)):
                    held.add(f.name)
        errors = {}
        for check, skip in ((record.clean_fields, exclude | held), (record.clean, None)):
            try:
                check(exclude=skip) if skip is not None else check()
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        exclude |= {name for name in errors if name != "__all__"}
        for check in (record.validate_unique, record.validate_constraints):
            try:
                check(exclude=exclude)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def write(self, record, exclude=None) -> None:
        """Check and store one record: a new one joins the bulk insert, an existing one is saved now."""
        self.clean(record, exclude)
        if record._state.adding and record.pk is None and PendingRows.supported():
            self.pending.add(record)
            self.remember(record)
        else:
            record.save()

    def update(self, record, fields: list[str], exclude=None) -> None:
        """Check and store changed fields of a record; one created by this import is written in bulk at the end."""
        self.touched.append(record)
        self.clean(record, exclude)
        if self.pending.holds(record):
            self.remember(record)
            return  # its insert carries the new values
        if (record._meta.model_name, record.pk) in self.created and PendingRows.supported():
            _, changed = self.dirty.setdefault(id(record), (record, set()))
            changed.update(fields)
            self.remember(record)
            return
        stamped = ["updated_at"] if any(f.name == "updated_at" for f in record._meta.concrete_fields) else []
        record.save(update_fields=[*fields, *stamped])

    def remember(self, record) -> None:
        """The checked values of a row written later, to go back to if a later entry changes it and is skipped."""
        values = vars(record)  # what the row holds, without loading anything (a generated column is not there yet)
        self.checked[id(record)] = {f.attname: values[f.attname] for f in record._meta.concrete_fields
                                    if f.attname in values}

    def add_new(self, record) -> None:
        """A new row already checked (full_clean) joins the bulk insert."""
        if PendingRows.supported():
            self.pending.add(record)
        else:
            record.save()

    def keep_time(self, record, field_name: str, value) -> None:
        """Store an auto_now_add time as it was recorded at the source (an insert would stamp now)."""
        if value is not None:
            setattr(record, field_name, value)
            self.kept_times.append((record, field_name, value))

    def finish_writes(self) -> None:
        """Write what is still pending: new rows, then changed fields and source times per model and field."""
        self.pending.flush()
        now = timezone.now()
        by_fields: dict[tuple[type, frozenset], list] = {}
        for record, fields in self.dirty.values():
            if any(f.name == "updated_at" for f in record._meta.concrete_fields):
                record.updated_at = now
                fields = fields | {"updated_at"}
            by_fields.setdefault((type(record), frozenset(fields)), []).append(record)
        for record, field_name, value in self.kept_times:
            setattr(record, field_name, value)
            by_fields.setdefault((type(record), frozenset([field_name])), []).append(record)
        for (model, fields), records in by_fields.items():
            model._base_manager.bulk_update(records, sorted(fields), batch_size=500)
        self.dirty, self.kept_times = {}, []

    # ---- running

    def run(self) -> ImportResult:
        order = {name: n for n, name in enumerate(ORDER + [t for t in HANDLERS if t not in ORDER])}

        def position(entry: Entry):
            found = self.handler(entry)
            return order.get(entry.type, len(order)), found.phase if found else 0, entry.index

        for entry in sorted(self.entries, key=position):
            self.one(entry)
        self.finish_writes()
        self.write_links()
        courses = {r.course_id for r in self.stored.values() if isinstance(r, Session)}
        courses |= {r.pk for r in self.stored.values() if isinstance(r, Course)}
        for course in Course.objects.filter(pk__in=courses):
            course.refresh_schedule()  # the stored next-due date and count of signed sessions
        return self.result

    def write_links(self) -> None:
        """Remember every stored resource in FhirLink: the links that exist were read with the Bundle
        (found_links), so this is one bulk update and one bulk insert."""
        if not self.links:
            return
        imported_by = self.user if getattr(self.user, "pk", None) else None
        existing = self.found_links
        changed, new = [], []
        now = timezone.now()
        for key, (content_type, object_id) in self.links.items():
            link = existing.get(key)
            if link is None:
                new.append(FhirLink(source=key[0], resource_type=key[1], resource_id=key[2], content_type=content_type,
                                    object_id=object_id, imported_by=imported_by, imported_at=now))
            else:
                link.content_type, link.object_id, link.imported_by, link.imported_at = (
                    content_type, object_id, imported_by, now)
                changed.append(link)
        FhirLink.objects.bulk_update(changed, ["content_type", "object_id", "imported_by", "imported_at"],
                                     batch_size=500)
        FhirLink.objects.bulk_create(new, batch_size=500)

    def forget(self, mark: dict, dirty: int, kept: int) -> None:
        """What a skipped entry handed over is not written (its savepoint undid what it saved)."""
        self.pending.undo(mark)
        for key in list(self.dirty)[dirty:]:
            del self.dirty[key]
        del self.kept_times[kept:]
        for record in self.touched:  # rows still to be written keep the values they were checked with
            if self.pending.holds(record) or id(record) in self.dirty:
                for name, value in self.checked.get(id(record), {}).items():
                    setattr(record, name, value)

    def skipped(self, entry: Entry, code: str, reason: str) -> None:
        self.result.counts["skipped"] += 1
        issue = ("warning", code, f"{entry.label} skipped: {reason}", entry.expression)
        self.result.issues.append(issue)
        self.result.entries[entry.index] = EntryResult(SKIP_STATUS.get(code, 422), [issue])

    def handler(self, entry: Entry) -> Handler | None:
        if entry.index not in self.handlers:
            self.handlers[entry.index] = handler_for(entry.resource)
        return self.handlers[entry.index]

    def one(self, entry: Entry) -> None:
        found = self.handler(entry)
        function = found.function if found else None
        self.notes = []
        self.entry_patients = set()
        self.touched = []
        mark, dirty, kept = self.pending.mark(), len(self.dirty), len(self.kept_times)
        try:
            if entry.method == "DELETE":
                raise Skip("deletions are not applied by import; delete the record in tpclinic.", "not-supported")
            if function is None:
                raise Skip(f"tpclinic does not store {entry.type} resources.", "not-supported")
            if entry.if_none_exist:
                self.pending.flush()  # its search reads the database: earlier entries' rows must be in it
            with transaction.atomic():
                existing = self.conditional_match(entry) if entry.if_none_exist else None
                if existing is not None:
                    action, record, message = "matched", existing, (
                        f"not created: ifNoneExist ({entry.if_none_exist}) found it here; nothing changed.")
                else:
                    action, record, message = function(self, entry)
        except Skip as skip:
            self.forget(mark, dirty, kept)
            return self.skipped(entry, skip.code, skip.reason)
        except ValidationError as error:
            self.forget(mark, dirty, kept)
            return self.skipped(entry, "invalid", describe(error))
        except (ValueError, TypeError, KeyError, AttributeError, ArithmeticError, DatabaseError) as error:
            self.forget(mark, dirty, kept)
            logger.exception("FHIR import could not use %s", entry.label)
            return self.skipped(entry, "exception", f"tpclinic could not read it ({type(error).__name__}: {error}).")
        self.result.counts[action] += 1
        severity, code = ("warning", "business-rule") if action == "refused" else ("information", "informational")
        issues = [(severity, code, f"{entry.label}: {message}", entry.expression)] + self.notes
        self.result.issues.extend(issues)
        self.result.entries[entry.index] = EntryResult(ACTION_STATUS[action], issues, location(entry.type, record))
        if record is not None:
            self.stored[entry.index] = record
            self.records[(type(record), record.pk)] = record
            if isinstance(record, Patient):
                self.entry_patients.add(record.pk)
            if action in {"created", "updated"}:
                self.result.patients |= self.entry_patients
            if action == "created":
                self.created.add((record._meta.model_name, record.pk))
            if entry.link_id and action in {"created", "updated", "matched"}:
                self.links[(entry.source, entry.type, entry.link_id)] = (ContentType.objects.get_for_model(record),
                                                                         record.pk)


def location(resource_type: str, record) -> str | None:
    """Where a stored entry can be read: `Type/id` as our exporter names the record."""
    if record is None:
        return None
    if resource_type == "Coverage" and isinstance(record, Patient):
        return f"Coverage/{record.pk}"
    kind, prefix = OWN_IDS.get(record._meta.label_lower, (None, ""))
    return f"{kind}/{prefix}{record.pk}" if kind == resource_type else None


def import_bundle(data, user=None) -> ImportResult:
    """Import a Bundle (dict). Raises BundleError, changing nothing, when it is not valid FHIR R4.

    A transaction Bundle with an entry that cannot be stored is rolled back whole (result.rolled_back).
    The model-change audit backstop stays quiet meanwhile: the caller records the import as one explicit
    event, with result.patients (every patient a record was created or updated for) as its disclosures."""
    entries = read_bundle(data)
    with transaction.atomic(), events.quiet():
        result = Importer(entries, user, bundle_kind(data)).run()
        if result.rolled_back:
            transaction.set_rollback(True)
            result.patients = set()
    return result


def describe(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
                         for name, messages in error.message_dict.items())
    return " ".join(error.messages)


# ------------------------------------------------------------------ small readers


def text(value) -> str:
    return (clean_text(value) or "") if isinstance(value, str) else ""


def codes_in(concept, system: str) -> list[str]:
    if not isinstance(concept, dict):
        return []
    return [c.get("code") for c in concept.get("coding", []) if c.get("system") == system and c.get("code")]


def first_code(concept, system: str) -> str | None:
    found = codes_in(concept, system)
    return found[0] if found else None


def concept_text(concept) -> str:
    if not isinstance(concept, dict):
        return ""
    if text(concept.get("text")):
        return text(concept["text"])
    for c in concept.get("coding", []):
        if text(c.get("display")):
            return text(c["display"])
    for c in concept.get("coding", []):
        if text(c.get("code")):
            return text(c["code"])
    return ""


def extensions(resource: dict, url: str) -> dict[str, list]:
    """Sub-extensions of our complex extension `url`, by name -> list of values."""
    found: dict[str, list] = {}
    for ext in resource.get("extension", []):
        if ext.get("url") != url:
            continue
        for part in ext.get("extension", []):
            value = next((v for k, v in part.items() if k.startswith("value")), None)
            found.setdefault(part.get("url"), []).append(value)
    return found


def one(found: dict, name: str, default=None):
    values = found.get(name)
    return values[0] if values else default


def parse_instant(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = parse_datetime(value.replace("Z", "+00:00"))
    if parsed is None and len(value) == 10:
        parsed = datetime.combine(date.fromisoformat(value), time())
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def parse_day(value: str | None) -> date | None:
    if not value or len(value) < 10:
        return None
    return date.fromisoformat(value[:10])


def decimal(value) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


from interop import fhir_in  # noqa: E402,F401  (registers the handlers)
