"""FHIR search parameters: which each served type has, and how a value matches a resource.

Parameters are defined once here, as (type, paths into the resource's JSON); the
CapabilityStatement lists exactly these, and the search evaluates them on the resources the
exporters build (interop.fhir_out), so a search answers from the same JSON a read returns.
Names and meanings are R4's (e.g. `date` of Observation is `effective[x]`); the README tables them.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone as dt_timezone

from django.utils import timezone


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # token, reference, date, string
    paths: tuple[str, ...]
    target: str = ""  # reference parameters: the type they point at (for _include)
    doc: str = ""


def _p(name, kind, *paths, target="", doc=""):
    return Param(name, kind, paths, target, doc)


COMMON = [_p("_id", "token", "id", doc="Logical id"),
          _p("_lastUpdated", "date", "meta.lastUpdated", doc="When this version was recorded")]


def _patient(*paths):
    return [_p("patient", "reference", *paths, target="Patient", doc="The patient the record is about"),
            _p("subject", "reference", *paths, target="Patient", doc="The patient the record is about")]


PARAMS: dict[str, list[Param]] = {
    "Patient": [
        _p("identifier", "token", "identifier", doc="system|value, e.g. the MRN"),
        _p("name", "string", "name.family", "name.given", "name.text", doc="Any part of a name (starts with)"),
        _p("family", "string", "name.family"), _p("given", "string", "name.given"),
        _p("birthdate", "date", "birthDate"), _p("gender", "token", "gender"),
    ],
    "Practitioner": [_p("identifier", "token", "identifier"),
                     _p("name", "string", "name.family", "name.given", "name.text"),
                     _p("family", "string", "name.family"), _p("given", "string", "name.given"),
                     _p("active", "token", "active")],
    "PractitionerRole": [_p("practitioner", "reference", "practitioner", target="Practitioner"),
                         _p("role", "token", "code"), _p("specialty", "token", "specialty"),
                         _p("active", "token", "active")],
    "Coverage": [_p("patient", "reference", "beneficiary", target="Patient"),
                 _p("beneficiary", "reference", "beneficiary", target="Patient"),
                 _p("type", "token", "type"), _p("status", "token", "status")],
    "Condition": [*_patient("subject"), _p("code", "token", "code"), _p("category", "token", "category"),
                  _p("clinical-status", "token", "clinicalStatus"), _p("recorded-date", "date", "recordedDate")],
    "Observation": [*_patient("subject"), _p("code", "token", "code"), _p("category", "token", "category"),
                    _p("status", "token", "status"), _p("date", "date", "effectiveDateTime", "effectivePeriod")],
    "Procedure": [*_patient("subject"), _p("code", "token", "code"), _p("status", "token", "status"),
                  _p("date", "date", "performedDateTime", "performedPeriod")],
    "MedicationAdministration": [*_patient("subject"), _p("code", "token", "medicationCodeableConcept", "contained.code"),
                                 _p("status", "token", "status"),
                                 _p("effective-time", "date", "effectiveDateTime", "effectivePeriod")],
    "BodyStructure": [_p("patient", "reference", "patient", target="Patient"), _p("location", "token", "location"),
                      _p("morphology", "token", "morphology")],
    "Consent": [_p("patient", "reference", "patient", target="Patient"), _p("status", "token", "status"),
                _p("category", "token", "category"), _p("date", "date", "dateTime")],
    "AdverseEvent": [*_patient("subject"), _p("event", "token", "event"), _p("severity", "token", "severity"),
                     _p("date", "date", "date")],
    "Appointment": [_p("patient", "reference", "participant.actor", target="Patient"),
                    _p("status", "token", "status"),
                    _p("date", "date", "start", "requestedPeriod", doc="start, or the requested period")],
    "CarePlan": [*_patient("subject"), _p("category", "token", "category"), _p("status", "token", "status"),
                 _p("date", "date", "period")],
    "AllergyIntolerance": [_p("patient", "reference", "patient", target="Patient"), _p("code", "token", "code"),
                           _p("category", "token", "category"),
                           _p("clinical-status", "token", "clinicalStatus")],
    "MedicationStatement": [*_patient("subject"), _p("code", "token", "medicationCodeableConcept", "contained.code"),
                            _p("category", "token", "category"), _p("status", "token", "status")],
    "Provenance": [_p("target", "reference", "target"), _p("recorded", "date", "recorded")],
    "Media": [*_patient("subject"), _p("status", "token", "status"), _p("type", "token", "type"),
              _p("modality", "token", "modality"), _p("created", "date", "createdDateTime")],
}

# Result parameters the server understands (besides the search parameters above).
RESULT_PARAMS = {"_count", "_offset", "_sort", "_include", "_revinclude", "_summary", "_elements", "_format"}
DEFAULT_COUNT, MAX_COUNT = 50, 1000
PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap")


def params_of(resource_type: str) -> dict[str, Param]:
    return {p.name: p for p in COMMON + PARAMS.get(resource_type, [])}


class SearchError(ValueError):
    """A value the server cannot read: 400 with this message."""


# ------------------------------------------------------------------ values in a resource


def values(resource: dict, path: str) -> list:
    """All values at a dotted path, lists flattened ("name.given" of every name)."""
    found = [resource]
    for step in path.split("."):
        nxt = []
        for item in found:
            value = item.get(step) if isinstance(item, dict) else None
            if isinstance(value, list):
                nxt.extend(value)
            elif value is not None:
                nxt.append(value)
        found = nxt
    return found


def param_values(resource: dict, param: Param) -> list:
    return [v for path in param.paths for v in values(resource, path)]


# ------------------------------------------------------------------ dates as ranges


def _range_of_text(text: str) -> tuple[datetime, datetime]:
    """A FHIR date/dateTime/instant as a half-open range [start, end) of aware datetimes."""
    text = text.strip()
    zone = timezone.get_current_timezone()
    try:
        if re.fullmatch(r"\d{4}", text):
            start = datetime(int(text), 1, 1, tzinfo=zone)
            return start, datetime(int(text) + 1, 1, 1, tzinfo=zone)
        if re.fullmatch(r"\d{4}-\d{2}", text):
            year, month = map(int, text.split("-"))
            start = datetime(year, month, 1, tzinfo=zone)
            end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=zone)
            return start, end
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = date.fromisoformat(text)
            start = datetime.combine(day, time(), tzinfo=zone)
            return start, start + timedelta(days=1)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as error:
        raise SearchError(f"'{text}' is not a FHIR date or dateTime ({error}).") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    precision = timedelta(seconds=1) if moment.microsecond == 0 else timedelta(microseconds=1)
    return moment, moment + precision


def ranges(value) -> list[tuple[datetime, datetime]]:
    """The time ranges of a resource value: a date/dateTime string or a Period."""
    if isinstance(value, str):
        try:
            return [_range_of_text(value)]
        except SearchError:
            return []
    if isinstance(value, dict) and ("start" in value or "end" in value):
        low = _range_of_text(value["start"])[0] if value.get("start") else datetime.min.replace(tzinfo=dt_timezone.utc)
        high = _range_of_text(value["end"])[1] if value.get("end") else datetime.max.replace(tzinfo=dt_timezone.utc)
        return [(low, high)]
    return []


def date_matches(prefix: str, wanted: tuple[datetime, datetime], have: tuple[datetime, datetime]) -> bool:
    (lo, hi), (a, b) = wanted, have
    return {
        "eq": lo <= a and b <= hi, "ap": a < hi and b > lo, "ne": not (lo <= a and b <= hi),
        "gt": b > hi, "lt": a < lo, "ge": b > lo, "le": a < hi,
        "sa": a >= hi, "eb": b <= lo,
    }[prefix]


def sort_key(resource: dict, param: Param):
    found = [r for v in param_values(resource, param) for r in ranges(v)] if param.kind == "date" else []
    if param.kind == "date":
        return min(found)[0] if found else None
    texts = [_text(v) for v in param_values(resource, param)]
    return min(texts) if texts else None


# ------------------------------------------------------------------ matching


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


def _text(value) -> str:
    if isinstance(value, dict):
        return value.get("value") or value.get("code") or value.get("text") or ""
    return str(value)


def _codings(value) -> list[tuple[str | None, str, str | None]]:
    """(system, code, text) pairs a token parameter can match in one value."""
    if isinstance(value, bool):
        return [(None, "true" if value else "false", None)]
    if isinstance(value, str):
        return [(None, value, None)]
    if not isinstance(value, dict):
        return []
    if "coding" in value or "text" in value and "value" not in value:
        codings = value.get("coding") or [{}]
        return [(c.get("system"), c.get("code", ""), value.get("text") or c.get("display")) for c in codings]
    if "value" in value:  # Identifier
        return [(value.get("system"), value["value"], None)]
    if "code" in value:  # Coding
        return [(value.get("system"), value["code"], value.get("display"))]
    return []


def token_matches(text: str, value, modifier: str = "") -> bool:
    if modifier == "text":
        return any(t and _fold(t).startswith(_fold(text)) for _, _, t in _codings(value))
    if modifier == "not":
        return not token_matches(text, value)
    if "|" in text:
        system, _, code = text.partition("|")
        return any((s or "") == system and (code == "" or c == code) for s, c, _ in _codings(value))
    return any(c == text for _, c, _ in _codings(value))


def reference_matches(text: str, value, target: str) -> bool:
    reference = value.get("reference", "") if isinstance(value, dict) else ""
    if "/" not in text and target:
        text = f"{target}/{text}"
    return reference == text or reference.endswith("/" + text) or text.endswith("/" + reference)


def string_matches(text: str, value, modifier: str = "") -> bool:
    have, want = _fold(_text(value)), _fold(text)
    if modifier == "exact":
        return _text(value) == text
    if modifier == "contains":
        return want in have
    return have.startswith(want)


@dataclass
class Criterion:
    param: Param
    modifier: str
    alternatives: list  # OR'ed values (comma-separated in one parameter)
    raw_name: str = ""
    raw_value: str = ""

    def matches(self, resource: dict) -> bool:
        found = param_values(resource, self.param)
        return any(self._one(alternative, found) for alternative in self.alternatives)

    def _one(self, alternative, found) -> bool:
        kind = self.param.kind
        if kind == "token":
            if self.modifier == "not":
                return not any(token_matches(alternative, v) for v in found)
            return any(token_matches(alternative, v, self.modifier) for v in found)
        if kind == "reference":
            return any(reference_matches(alternative, v, self.param.target) for v in found)
        if kind == "string":
            return any(string_matches(alternative, v, self.modifier) for v in found)
        prefix, wanted = alternative
        return any(date_matches(prefix, wanted, have) for v in found for have in ranges(v))


MODIFIERS = {"token": {"", "not", "text"}, "reference": {""}, "string": {"", "exact", "contains"}, "date": {""}}


def criterion(resource_type: str, raw_name: str, raw_value: str) -> Criterion | None:
    """The criterion for one query parameter, None when the server does not know it (reported, or strict 400)."""
    name, _, modifier = raw_name.partition(":")
    param = params_of(resource_type).get(name)
    if param is None or modifier not in MODIFIERS[param.kind]:
        return None
    alternatives = []
    for part in raw_value.split(","):
        part = part.replace("\\,", ",")
        if param.kind == "date":
            prefix = part[:2] if part[:2] in PREFIXES else "eq"
            alternatives.append((prefix, _range_of_text(part[2:] if part[:2] in PREFIXES else part)))
        elif part:
            alternatives.append(part)
    if not alternatives:
        raise SearchError(f"The parameter '{raw_name}' has no value.")
    return Criterion(param, modifier, alternatives, raw_name, raw_value)


@dataclass
class Query:
    """A search request read: criteria, paging, sorting, includes, and what was not understood."""

    resource_type: str
    criteria: list[Criterion] = field(default_factory=list)
    count: int = DEFAULT_COUNT
    offset: int = 0
    sort: list[tuple[str, bool]] = field(default_factory=list)  # (param name, descending)
    include: list[tuple[str, Param]] = field(default_factory=list)
    revinclude: list[tuple[str, Param]] = field(default_factory=list)
    summary: str = ""
    elements: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    used: list[tuple[str, str]] = field(default_factory=list)

    def matches(self, resource: dict) -> bool:
        return all(c.matches(resource) for c in self.criteria)

    def references(self, name: str) -> list[str]:
        """Values of the reference criteria named `name` (to narrow patients before building resources)."""
        return [alt for c in self.criteria if c.param.name == name and c.param.kind == "reference"
                for alt in c.alternatives]


def _integer(name: str, text: str) -> int:
    if not (text.isascii() and text.isdecimal()):
        raise SearchError(f"'{name}' must be a whole number, not '{text}'.")
    return int(text)


def parse(resource_type: str, pairs: list[tuple[str, str]]) -> Query:
    query = Query(resource_type)
    known = params_of(resource_type)
    for name, value in pairs:
        if name == "_count":
            query.count = min(_integer(name, value), MAX_COUNT)
        elif name == "_offset":
            query.offset = _integer(name, value)
        elif name == "_format":
            continue  # judged by content negotiation
        elif name == "_sort":
            for part in filter(None, value.split(",")):
                key = part.lstrip("-")
                if key not in known or known[key].kind not in {"date", "string", "token"}:
                    query.ignored.append(f"_sort={part}")
                    continue
                query.sort.append((key, part.startswith("-")))
        elif name in {"_include", "_revinclude"}:
            included = _include(value)
            if included is None:
                query.ignored.append(f"{name}={value}")
                continue
            (query.include if name == "_include" else query.revinclude).append(included)
        elif name == "_summary":
            if value not in {"count", "false"}:
                query.ignored.append(f"_summary={value}")
                continue
            query.summary = value
        elif name == "_elements":
            query.elements += [e.strip() for e in value.split(",") if e.strip()]
        else:
            found = criterion(resource_type, name, value)
            if found is None:
                query.ignored.append(name)
                continue
            query.criteria.append(found)
        query.used.append((name, value))
    return query


def _include(value: str) -> tuple[str, Param] | None:
    source, _, name = value.partition(":")
    param = params_of(source).get(name.split(":")[0])
    if param is None or param.kind != "reference" or not param.target:
        return None
    return source, param
