"""Versions of served FHIR resources: `meta.versionId`, `meta.lastUpdated`, ETags and history.

One function, `stamp`, decides a resource's version. A resource is compared (without `meta`) with
the last version kept in ResourceVersion; when it differs, the next version is stored with its
content and time. So a version number changes exactly when what a client would read changes,
whichever of the records behind it changed (a Procedure changes with its injections), and older
versions stay readable (vread, `_history`). `lastUpdated` is the record's own timestamp where the
exporter states one (Patient), else the moment tpclinic first served the changed content.
When the records carry their own version counters, this is the one place to read them.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from interop.models import ResourceVersion


_DIGEST_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False)  # json.dumps(sort_keys=True, ensure_ascii=False)


def digest(resource: dict) -> str:
    body = {key: value for key, value in resource.items() if key != "meta"}
    return hashlib.sha256(_DIGEST_JSON.encode(body).encode()).hexdigest()


def _stated_time(resource: dict) -> datetime | None:
    value = (resource.get("meta") or {}).get("lastUpdated")
    return parse_datetime(value) if value else None


def _apply(resource: dict, row: ResourceVersion | Kept, zone=None) -> dict:
    meta = dict(resource.get("meta") or {})
    meta["versionId"] = str(row.version)
    meta["lastUpdated"] = timezone.localtime(row.last_updated, zone).isoformat()
    out = {"resourceType": resource["resourceType"], "id": resource["id"], "meta": meta}
    out.update((key, value) for key, value in resource.items() if key not in out)
    return out


class Kept(NamedTuple):
    """What stamping reads of a kept version (a ResourceVersion row without its JSON)."""

    version: int
    digest: str
    last_updated: datetime


def latest_of(resources: list[dict]) -> dict[tuple[str, str], Kept]:
    """The latest kept version of each resource, keyed by (type, id): one query for up to 500 resources,
    whatever their types (a `$everything` has a dozen)."""
    pairs = list(dict.fromkeys((resource["resourceType"], resource["id"]) for resource in resources))
    found: dict[tuple[str, str], Kept] = {}
    for start in range(0, len(pairs), 500):
        chosen: dict[str, list[str]] = {}
        for resource_type, ident in pairs[start:start + 500]:
            chosen.setdefault(resource_type, []).append(ident)
        either = Q()
        for resource_type, ids in chosen.items():
            either |= Q(resource_type=resource_type, resource_id__in=ids)
        rows = (ResourceVersion.objects.filter(either).order_by("resource_type", "resource_id", "-version")
                .values_list("resource_type", "resource_id", "version", "digest", "last_updated"))  # not the JSON
        for resource_type, ident, *kept in rows:
            found.setdefault((resource_type, ident), Kept(*kept))
    return found


def stamp(resources: list[dict], patient_of=lambda resource: None) -> list[dict]:
    """The resources with `meta.versionId`/`meta.lastUpdated`, recording new versions where content changed."""
    known = latest_of(resources)
    rows: dict[tuple[str, str], ResourceVersion | Kept] = {}
    for resource in resources:
        key = (resource["resourceType"], resource["id"])
        row = known.get(key)
        sha = digest(resource)
        if row is None or row.digest != sha:
            row = _record(resource, sha, row, patient_of(resource))
        rows[key] = row
    zone = timezone.get_current_timezone()
    return [_apply(r, rows[(r["resourceType"], r["id"])], zone) for r in resources]


def _record(resource: dict, sha: str, previous: ResourceVersion | Kept | None, patient_id) -> ResourceVersion | Kept:
    now = timezone.now()
    stated = _stated_time(resource)
    when = stated if stated and (previous is None or stated > previous.last_updated) else now
    if previous is not None and when <= previous.last_updated:
        when = now
    number = previous.version + 1 if previous else 1
    stored = _apply(resource, ResourceVersion(version=number, last_updated=when))
    try:
        with transaction.atomic():
            return ResourceVersion.objects.create(
                resource_type=resource["resourceType"], resource_id=resource["id"], version=number, digest=sha,
                last_updated=when, patient_id=patient_id, resource=stored)
    except IntegrityError:  # another request recorded this version first: use theirs
        return latest_of([resource])[(resource["resourceType"], resource["id"])]


def history(resource_type: str, resource_id: str) -> list[ResourceVersion]:
    """Every kept version, newest first."""
    return list(ResourceVersion.objects.filter(resource_type=resource_type, resource_id=resource_id)
                .order_by("-version"))


def version(resource_type: str, resource_id: str, number: int) -> ResourceVersion | None:
    return ResourceVersion.objects.filter(resource_type=resource_type, resource_id=resource_id,
                                          version=number).first()


def etag(resource: dict) -> str:
    return f'W/"{resource["meta"]["versionId"]}"'


def etag_matches(header: str, version_id: str) -> bool:
    """Weak comparison (RFC 9110 8.8.3.2): `W/"3"` and `"3"` both match version 3; `*` matches any."""
    for candidate in (header or "").split(","):
        candidate = candidate.strip()
        if candidate == "*":
            return True
        if candidate.startswith("W/"):
            candidate = candidate[2:]
        if candidate.strip('"') == version_id and candidate.startswith('"') and candidate.endswith('"'):
            return True
    return False


def datetime_of(resource: dict) -> datetime:
    """A stamped resource's lastUpdated as an aware datetime."""
    return datetime.fromisoformat(resource["meta"]["lastUpdated"])
