"""The FHIR R4 server under `/fhir`: CapabilityStatement, read, vread, history and search.

Every answer is built from the exporters' resources (interop.fhir_out), so a read, a search, a
`$everything` and a bulk export say the same thing. Who sees what is the web's rule (access.py):
staff see every patient, a patient's login only their own records (another patient's answer 404,
as on the web), anyone else 403. What the clinic serves here is the signed record, as
`$everything` serves it; draft sessions are in the bulk export only. Each answer writes one
audit event per patient it shows (`audit_shown`).
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import http_date, parse_http_date_safe

from accounts import roles
from audit import events
from audit.models import Action
from audit.resolve import patient_of
from interop import fhir_search as search
from interop import fhir_versions as versions
from interop.access import PATIENT_ROLE
from interop.fhir_export import Scope, instant, iter_type, resource_types
from interop.fhir_import import fhir_response, operation_outcome
from interop.models import Installation
from patients.models import Patient
from tpclinic.limits import parse_id

FHIR_VERSION = "4.0.1"
JSON_TYPES = {"application/fhir+json", "application/json", "application/json+fhir", "application/*", "*/*",
              "text/json"}
JSON_FORMATS = {"json", "application/json", "application/fhir+json", "application/json+fhir"}
PATIENT_TYPES = {"Patient", "Coverage", "Condition", "Observation", "Procedure", "MedicationAdministration",
                 "BodyStructure", "Consent", "AdverseEvent", "Appointment", "CarePlan", "AllergyIntolerance",
                 "MedicationStatement", "Provenance", "Media"}
STAFF_TYPES = {"Practitioner", "PractitionerRole"}

# Which record (model label, for audit.resolve.patient_of) stands behind an id of each type.
ID_RECORDS = [
    ("Patient", r"(\d+)", "patients.patient"), ("Coverage", r"(\d+)", "patients.patient"),
    ("AllergyIntolerance", r"(\d+)", "patients.allergy"), ("MedicationStatement", r"(\d+)", "patients.medication"),
    ("BodyStructure", r"(\d+)", "charting.triggerpoint"), ("CarePlan", r"(\d+)", "treatment.course"),
    ("Condition", r"course-(\d+)", "treatment.course"), ("Condition", r"risk-(\d+)-[a-z-]+", "patients.patient"),
    ("Appointment", r"next-(\d+)", "treatment.course"), ("Procedure", r"(\d+)", "treatment.session"),
    ("MedicationAdministration", r"(\d+)", "treatment.injection"), ("Media", r"still-(\d+)", "treatment.injection"),
    ("Observation", r"(?:height|weight)-(\d+)", "patients.patient"),
    ("Observation", r"(?:pain-before|pain-after|relief)-(\d+)", "treatment.session"),
    ("Observation", r"drawing-(\d+)", "referral.paindrawing"), ("Observation", r"diary-(\d+)", "portal.diaryentry"),
    ("Consent", r"(\d+)", "safety.consentrecord"), ("AdverseEvent", r"(\d+)", "safety.adverseevent"),
    ("Provenance", r"(\d+)", "audit.amendment"),
]
MAX_ID = 2**63 - 1


def served_types() -> list[str]:
    return [t for t in resource_types() if t in PATIENT_TYPES | STAFF_TYPES]


class Refusal(Exception):
    def __init__(self, status: int, code: str, text: str, headers: dict | None = None):
        super().__init__(text)
        self.status, self.code, self.text, self.headers = status, code, text, headers or {}

    def response(self):
        response = fhir_response(operation_outcome([("error", self.code, self.text, None)]), self.status)
        for name, value in self.headers.items():
            response[name] = value
        return response


def not_found(resource_type: str, ident: str) -> Refusal:
    return Refusal(404, "not-found", f"There is no {resource_type}/{ident} here.")


# ------------------------------------------------------------------ who may see what


@dataclass
class Reader:
    """The caller and the patients they may see (None: every patient)."""

    user: object
    own_patient: int | None = None
    grant: object = None  # interop.smart.Grant of a SMART access token, None for an API token or session

    @classmethod
    def of(cls, user, grant=None) -> "Reader":
        role = roles.role_of(user)
        if role == PATIENT_ROLE:
            own = getattr(user, "patient_record", None)
            if own is None:
                raise Refusal(403, "forbidden", "This login has no patient record.")
            return cls(user, own.pk, grant)
        if not roles.can_read_clinical(user):
            raise Refusal(403, "forbidden", "Only clinical staff (minimum necessary: not the front desk), or a "
                          "patient for their own record, can read FHIR data.")
        return cls(user, None, grant)

    def allowed(self, resource_type: str, action: str) -> bool:
        return self.grant is None or self.grant.allows(resource_type, action)[0]

    def to(self, resource_type: str, action: str) -> "Reader":
        """This reader narrowed by the token's scopes for one action (r read, s search, u update): a type
        outside them is 403; a `patient/` scope reaches only the patient in context."""
        if self.grant is None:
            return self
        allowed, patient_only = self.grant.allows(resource_type, action)
        if not allowed:
            raise Refusal(403, "forbidden", f"This token's scopes do not allow this on {resource_type} "
                          f"(scopes: {' '.join(sorted(self.grant.scopes))}).")
        if not patient_only:
            return self
        if self.grant.patient_id is None or self.own_patient not in {None, self.grant.patient_id}:
            raise Refusal(403, "forbidden", "This token has patient scopes but no patient in context.")
        return Reader(self.user, self.grant.patient_id, self.grant)

    def scoped(self, resource_type: str, action: str) -> "Reader | None":
        """As `to`, but None where `to` refuses: for what an answer adds beside what was asked (included
        resources, the parts of $everything), which the token's scopes must allow each on its own."""
        try:
            return self.to(resource_type, action)
        except Refusal:
            return None

    def may_show(self, resource: dict, action: str = "r") -> bool:
        """Whether this resource may be in an answer: its type allowed, and a `patient/` scope's type only
        for the patient in context (reading every patient under `user/Patient.rs` widens no other scope)."""
        narrowed = self.scoped(resource["resourceType"], action)
        return narrowed is not None and narrowed.may_see(patient_in(resource), resource["resourceType"])

    def may_see(self, patient_id: int | None, resource_type: str) -> bool:
        if self.own_patient is None:
            return True
        if resource_type in STAFF_TYPES:
            return True  # judged by the scope: only staff named in the patient's own records
        return patient_id == self.own_patient

    def patients(self, wanted: list[str] | None = None):
        """The patients a search may cover, narrowed by `patient=` values when given."""
        chosen = Patient.objects.all()
        if self.own_patient is not None:
            chosen = chosen.filter(pk=self.own_patient)
        if wanted:
            ids = {parse_id(w.rsplit("/", 1)[-1]) for w in wanted} - {None}
            chosen = chosen.filter(pk__in=ids)
        return chosen

    def scope(self, patients=None) -> Scope:
        patients = self.patients() if patients is None else patients
        return Scope(patients, whole_clinic=self.own_patient is None, source=Installation.source_uri())


def patient_behind(resource_type: str, ident: str) -> tuple[bool, int | None]:
    """(the id has a record behind it, that record's patient) for an id of a served type."""
    if resource_type in STAFF_TYPES:
        return parse_id(ident) is not None, None
    for kind, pattern, label in ID_RECORDS:
        match = re.fullmatch(pattern, ident) if kind == resource_type else None
        if match and int(match.group(1)) <= MAX_ID:
            patient = patient_of(label, int(match.group(1)))
            if patient is not None:
                return True, patient
    return False, None


def patient_in(resource: dict) -> int | None:
    """The patient a served resource is about (for audit and kept versions)."""
    if resource["resourceType"] == "Patient":
        return int(resource["id"])
    params = search.params_of(resource["resourceType"])
    for name in ("patient", "beneficiary"):
        if name in params:
            for value in search.param_values(resource, params[name]):
                reference = value.get("reference", "") if isinstance(value, dict) else ""
                if reference.startswith("Patient/") and parse_id(reference[8:]) is not None:
                    return parse_id(reference[8:])
    if resource["resourceType"] == "Provenance":
        return patient_behind(*resource["target"][0]["reference"].split("/", 1))[1]
    return None


def build(reader: Reader, resource_type: str, patients=None) -> list[dict]:
    """Every resource of a type the reader may see (within `patients`), without versions."""
    scope = reader.scope(patients)
    return [resource for resource in iter_type(scope, resource_type)]


def current(reader: Reader, resource_type: str, ident: str) -> dict | None:
    """The resource as it is now, versioned, or None when there is none (or the reader may not see it)."""
    exists, patient_id = patient_behind(resource_type, ident)
    if not exists or not reader.may_see(patient_id, resource_type):
        return None
    patients = Patient.objects.filter(pk=patient_id) if patient_id is not None else None
    if patients is not None and reader.own_patient is not None:
        patients = patients.filter(pk=reader.own_patient)
    if resource_type in STAFF_TYPES and reader.own_patient is None:
        patients = Patient.objects.none()
    for resource in build(reader, resource_type, patients):
        if resource["id"] == ident:
            return versions.stamp([resource], patient_in)[0]
    return None


# ------------------------------------------------------------------ audit


def audit_shown(request, reader: Reader, resource_type: str, resources: list[dict], what: str) -> None:
    """One event per patient whose data an answer showed (the accounting of disclosures): a read, or
    an export for `$everything`, which hands over the whole record."""
    action = Action.EXPORT if what == "$everything" else Action.READ
    shown: dict[int | None, list[str]] = {}
    for resource in resources:
        shown.setdefault(patient_in(resource), []).append(f"{resource['resourceType']}/{resource['id']}")
    for patient_id, refs in shown.items():
        if patient_id is None and resource_type not in STAFF_TYPES:
            continue
        events.record(action, request=request, user=reader.user, object_type=f"fhir.{resource_type}",
                      object_id=refs[0].split("/", 1)[1] if len(refs) == 1 else "", patient=patient_id,
                      status=200, detail=f"FHIR {what}: {len(refs)} resource(s): {', '.join(refs)}"[:255])


# ------------------------------------------------------------------ responses


def base_url(request) -> str:
    return request.build_absolute_uri("/fhir")


def negotiate(request) -> Refusal | None:
    """JSON only: an Accept or _format that rules JSON out is 406."""
    wanted = request.GET.get("_format", "")
    if wanted and wanted not in JSON_FORMATS:
        return Refusal(406, "not-supported", f"tpclinic serves FHIR as JSON only (application/fhir+json), "
                       f"not {wanted}.")
    accept = request.headers.get("Accept", "")
    if not accept:
        return None
    types = {part.split(";")[0].strip().lower() for part in accept.split(",")}
    if types & JSON_TYPES:
        return None
    return Refusal(406, "not-supported", "tpclinic serves FHIR as JSON only: send 'Accept: application/fhir+json'.")


def versioned_response(request, resource: dict, status: int = 200) -> HttpResponse:
    tag = versions.etag(resource)
    stamp_time = datetime.fromisoformat(resource["meta"]["lastUpdated"])
    if versions.etag_matches(request.headers.get("If-None-Match", ""), resource["meta"]["versionId"]):
        response = HttpResponse(status=304)
    else:
        since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
        if since is not None and "If-None-Match" not in request.headers and int(stamp_time.timestamp()) <= since:
            response = HttpResponse(status=304)
        else:
            response = fhir_response(resource, status)
    response["ETag"] = tag
    response["Last-Modified"] = http_date(stamp_time.timestamp())
    return response


def bundle(kind: str, entries: list[dict], total: int | None = None, links: list[dict] | None = None) -> dict:
    out = {"resourceType": "Bundle", "id": _bundle_id(), "meta": {"lastUpdated": instant(timezone.now())},
           "type": kind, "timestamp": instant(timezone.now())}
    if total is not None:
        out["total"] = total
    if links:
        out["link"] = links
    if entries:
        out["entry"] = entries
    return out


def _bundle_id() -> str:
    return str(uuid.uuid4())


def page_links(request, resource_type: str, query: search.Query, total: int, path: str = "") -> list[dict]:
    """self/first/next/previous/last: the parameters used, and `_offset` for the page (stable sort)."""
    base = f"{base_url(request)}/{path or resource_type}"
    kept = [(name, value) for name, value in query.used if name not in {"_count", "_offset"}]

    def url(offset: int) -> str:
        return f"{base}?{urlencode(kept + [('_count', query.count), ('_offset', offset)])}"

    links = [{"relation": "self", "url": url(query.offset)}, {"relation": "first", "url": url(0)}]
    if query.count and query.offset + query.count < total:
        links.append({"relation": "next", "url": url(query.offset + query.count)})
    if query.count and query.offset > 0:
        links.append({"relation": "previous", "url": url(max(0, query.offset - query.count))})
    if query.count:
        links.append({"relation": "last", "url": url(max(0, (total - 1) // query.count * query.count))})
    return links


def elements_only(resource: dict, elements: list[str]) -> dict:
    """`_elements`: the named top-level elements, plus what every resource keeps, marked SUBSETTED."""
    keep = {"resourceType", "id", "meta", *elements}
    out = {key: value for key, value in resource.items() if key in keep}
    meta = dict(out.get("meta") or {})
    meta["tag"] = [*meta.get("tag", []), {"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
                                          "code": "SUBSETTED", "display": "subsetted"}]
    out["meta"] = meta
    return out


def ignored_outcome(ignored: list[str]) -> dict | None:
    if not ignored:
        return None
    return {"resource": operation_outcome([
        ("warning", "not-supported", f"The parameter '{name}' is not supported here and was ignored.", None)
        for name in ignored]), "search": {"mode": "outcome"}}


# ------------------------------------------------------------------ search


@dataclass
class Found:
    bundle: dict
    shown: list[dict]


def run_search(request, reader: Reader, query: search.Query, strict: bool) -> Found:
    if query.ignored and strict:
        raise Refusal(400, "not-supported", "Not supported here (Prefer: handling=strict): "
                      + ", ".join(query.ignored) + ".")
    resource_type = query.resource_type
    reader = reader.to(resource_type, "s")
    patients = None
    if resource_type in PATIENT_TYPES:
        narrowing = query.references("patient") + query.references("subject") + query.references("beneficiary")
        if resource_type == "Patient":
            narrowing += [alt for c in query.criteria if c.param.name == "_id" and not c.modifier
                          for alt in c.alternatives]
        patients = reader.patients(narrowing or None)
    needs_versions = any(c.param.name == "_lastUpdated" for c in query.criteria) or any(
        name == "_lastUpdated" for name, _ in query.sort)
    paged = paged_in_database(reader, query, patients)
    if paged is not None:  # nothing to match on content: count and page the rows, build only the page
        total, page_of = paged
    else:
        candidates = build(reader, resource_type, patients)
        if needs_versions:
            candidates = versions.stamp(candidates, patient_in)
        matched = _sorted([r for r in candidates if query.matches(r)], query)
        total = len(matched)

        def page_of(offset: int, count: int) -> list[dict]:
            return matched[offset:offset + count]
    links = page_links(request, resource_type, query, total)
    if query.summary == "count" or query.count == 0:
        entries = [e for e in [ignored_outcome(query.ignored)] if e]
        return Found(bundle("searchset", entries, total, links), [])
    page = page_of(query.offset, query.count)
    if not needs_versions:
        page = versions.stamp(page, patient_in)
    included = _included(reader, query, page)
    base = base_url(request)
    entries = [{"fullUrl": f"{base}/{r['resourceType']}/{r['id']}",
                "resource": elements_only(r, query.elements) if query.elements else r,
                "search": {"mode": "match"}} for r in page]
    entries += [{"fullUrl": f"{base}/{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": "include"}}
                for r in included]
    outcome = ignored_outcome(query.ignored)
    if outcome:
        entries.append(outcome)
    return Found(bundle("searchset", entries, total, links), page + included)


# Types whose resources are one per row of a model, with the row's primary key as id, so the database can
# count and page them in the order a search answers (by id): the rows in scope, ordered by primary key.
ROWS_IN_SCOPE = {"Patient": lambda patients: patients.order_by("pk").values_list("pk", flat=True)}


def paged_in_database(reader: Reader, query: search.Query, patients):
    """(total, page function) when a search has no criterion and no sort, so no resource's content decides
    what matches or where it goes; None sends the search down the content-matching path. Only the page's
    rows are built: a whole-clinic search no longer builds every resource to show fifty."""
    rows_of = ROWS_IN_SCOPE.get(query.resource_type)
    if rows_of is None or query.criteria or query.sort:
        return None
    rows = rows_of(reader.patients() if patients is None else patients)
    total = rows.count()

    def page_of(offset: int, count: int) -> list[dict]:
        if offset >= total:  # also keeps an offset past the database's integers out of the query
            return []
        wanted = list(rows[offset:offset + count])
        return build(reader, query.resource_type, Patient.objects.filter(pk__in=wanted)) if wanted else []
    return total, page_of


def _sorted(resources: list[dict], query: search.Query) -> list[dict]:
    """By the `_sort` keys (missing values last), then type and id, so pages are stable."""
    resources = sorted(resources, key=lambda r: (r["resourceType"], _id_key(r["id"])))
    params = search.params_of(query.resource_type)
    for name, descending in reversed(query.sort):
        present = [r for r in resources if search.sort_key(r, params[name]) is not None]
        absent = [r for r in resources if search.sort_key(r, params[name]) is None]
        present.sort(key=lambda r: search.sort_key(r, params[name]), reverse=descending)
        resources = present + absent
    return resources


def _id_key(ident: str):
    parts = re.split(r"(\d+)", ident)
    return [(0, int(p), "") if p.isdecimal() else (1, 0, p) for p in parts if p]


def _included(reader: Reader, query: search.Query, page: list[dict]) -> list[dict]:
    seen = {(r["resourceType"], r["id"]) for r in page}
    out = []
    for source, param in query.include:
        if source != query.resource_type:
            continue
        for resource in page:
            for value in search.param_values(resource, param):
                reference = value.get("reference", "") if isinstance(value, dict) else ""
                kind, _, ident = reference.partition("/")
                narrowed = reader.scoped(kind, "r") if kind == param.target else None
                if narrowed is None or (kind, ident) in seen:
                    continue
                found = current(narrowed, kind, ident)
                if found is not None:
                    seen.add((kind, ident))
                    out.append(found)
    for source, param in query.revinclude:
        targets = {f"{r['resourceType']}/{r['id']}" for r in page if r["resourceType"] == param.target}
        narrowed = reader.scoped(source, "s") if source in served_types() else None
        if not targets or narrowed is None:
            continue
        patients = narrowed.patients([t for t in targets if t.startswith("Patient/")]) \
            if param.target == "Patient" else None
        for resource in build(narrowed, source, patients):
            refs = {v.get("reference") for v in search.param_values(resource, param) if isinstance(v, dict)}
            if refs & targets and (source, resource["id"]) not in seen:
                seen.add((source, resource["id"]))
                out.append(resource)
    return versions.stamp(out, patient_in) if out else out


# ------------------------------------------------------------------ CapabilityStatement


def smart_endpoints(request) -> dict[str, str]:
    """The OAuth endpoints this server offers, by URL name; empty until the SMART routes are installed."""
    from django.urls import NoReverseMatch, reverse

    found = {}
    for key, name in (("authorize", "smart-authorize"), ("token", "smart-token"),
                      ("introspect", "smart-introspect"), ("revoke", "smart-revoke")):
        try:
            found[key] = request.build_absolute_uri(reverse(f"interop:{name}"))
        except NoReverseMatch:
            continue
    return found


BULK_DATA = "http://hl7.org/fhir/uv/bulkdata"  # Bulk Data Access IG: its CapabilityStatement and export operations


def capability_statement(request) -> dict:
    base = base_url(request)
    resources = []
    for resource_type in sorted(served_types()):
        interactions = ["read", "vread", "history-instance", "search-type"]
        if resource_type == "Patient":
            interactions.append("update")
        entry = {
            "type": resource_type,
            "profile": f"http://hl7.org/fhir/StructureDefinition/{resource_type}",
            "interaction": [{"code": code} for code in interactions],
            "versioning": "versioned",
            "readHistory": True,
            "updateCreate": False,
            "conditionalRead": "full-support",
            "searchInclude": sorted({f"{resource_type}:{p.name}" for p in search.PARAMS.get(resource_type, [])
                                     if p.kind == "reference" and p.target}),
            "searchRevInclude": sorted({f"{source}:{p.name}" for source, params in search.PARAMS.items()
                                        if source in served_types()
                                        for p in params if p.target == resource_type}),
            "searchParam": [
                {"name": p.name, **_definition(p), "type": p.kind,
                 **({"documentation": p.doc} if p.doc else {})}
                for p in search.COMMON + search.PARAMS.get(resource_type, [])
            ],
        }
        if resource_type == "Patient":
            entry["operation"] = [{"name": "everything",
                                   "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything"},
                                  {"name": "export", "definition": f"{BULK_DATA}/OperationDefinition/patient-export"}]
        resources.append({k: v for k, v in entry.items() if v != []})
    # Group/{clinician's user id}/$export: a Group is a clinician's panel, exported only (interop/bulk.py).
    resources.append({"type": "Group", "profile": "http://hl7.org/fhir/StructureDefinition/Group",
                      "documentation": "Only $export: Group/{id} is the panel of the clinician whose user id is {id}.",
                      "operation": [{"name": "export", "definition": f"{BULK_DATA}/OperationDefinition/group-export"}]})
    resources.sort(key=lambda entry: entry["type"])
    security = {
        "cors": False,
        "description": "Send 'Authorization: Bearer <token>' (an API token from `tpclinic api_token`), or use a "
                       "logged-in tpclinic session. Staff read every patient; a patient's login reads only "
                       "their own records.",
    }
    oauth = smart_endpoints(request)
    if oauth:
        security["cors"] = True
        security["service"] = [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                            "code": "SMART-on-FHIR"}], "text": "SMART on FHIR (OAuth 2.0)"}]
        security["description"] += (" SMART on FHIR apps: see /.well-known/smart-configuration (authorisation code with "
                                    "PKCE S256; openid fhirUser id_tokens signed RS256, keys at its jwks_uri; backend "
                                    "services with client credentials and an RS384/ES384 client assertion for "
                                    "system/ read scopes).")
        security["extension"] = [{"url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                                  "extension": [{"url": key, "valueUri": url} for key, url in oauth.items()]}]
    return {
        "resourceType": "CapabilityStatement",
        "id": "tpclinic",
        "url": f"{base}/metadata",
        "name": "TpclinicFhirServer",
        "title": "tpclinic FHIR R4 server",
        "status": "active",
        "date": instant(timezone.now()),
        "publisher": "tpclinic",
        "kind": "instance",
        "instantiates": [f"{BULK_DATA}/CapabilityStatement/bulk-data"],
        "software": {"name": "tpclinic"},
        "implementation": {"description": "tpclinic: trigger point injection care", "url": base},
        "fhirVersion": FHIR_VERSION,
        "format": ["application/fhir+json", "json"],
        "rest": [{
            "mode": "server",
            "documentation": "Read, vread, history and search of the signed record; Patient update (demographics); "
                             "Patient/$everything; bulk $export (system, Patient, Group) with Prefer: respond-async. Search: GET or POST _search, _count (default "
                             f"{search.DEFAULT_COUNT}, at most {search.MAX_COUNT}), _sort, _include, _revinclude, "
                             "_summary=count, _elements; unknown parameters are reported, or refused with "
                             "'Prefer: handling=strict'.",
            "security": security,
            "resource": resources,
            "operation": [{"name": "export", "definition": f"{BULK_DATA}/OperationDefinition/export"}],
        }],
    }


def _definition(param: search.Param) -> dict:
    """The canonical definition where it is certain (the common parameters); R4's own for the rest by name."""
    if param.name.startswith("_"):
        return {"definition": f"http://hl7.org/fhir/SearchParameter/Resource-{param.name[1:]}"}
    return {}
