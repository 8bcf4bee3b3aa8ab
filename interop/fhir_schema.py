"""Incoming resources checked against HL7's official R4 JSON schema, when jsonschema is installed.

Why besides fhir.resources: its R4B models accept codes outside required bindings (a Patient with
gender "sometimes") and strings HL7 forbids; the official schema does not. Validators are built
once per resource type against the schema's definitions (draft-06, as the schema declares).
"""
from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path

import jsonschema

SCHEMA = Path(__file__).resolve().parent / "data" / "fhir.schema.json.gz"


@cache
def _definitions() -> dict | None:
    if not SCHEMA.exists():
        return None
    with gzip.open(SCHEMA, "rt", encoding="utf-8") as handle:
        return json.load(handle)["definitions"]


@cache
def _validator(resource_type: str):
    definitions = _definitions()
    if definitions is None or resource_type not in definitions:
        return None
    return jsonschema.Draft6Validator({"$ref": f"#/definitions/{resource_type}", "definitions": definitions})


def available() -> bool:
    return _validator("Patient") is not None


def errors(resource: dict, limit: int = 3) -> list[str]:
    """Up to `limit` readable schema errors (path: message); [] when valid or when no validator is available."""
    validator = _validator(resource.get("resourceType", ""))
    if validator is None:
        return []
    found = []
    for error in validator.iter_errors(resource):
        path = ".".join(str(p) for p in error.absolute_path) or "(resource)"
        found.append(f"{path}: {error.message[:200]}")
        if len(found) >= limit:
            break
    return found
