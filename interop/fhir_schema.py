"""Incoming resources checked against HL7's official R4 JSON schema, when jsonschema is installed.

Why besides fhir.resources: its R4B models accept codes outside required bindings (a Patient with
gender "sometimes") and strings HL7 forbids; the official schema does not. Validators are built
once per resource type against the schema's definitions (draft-06, as the schema declares).

Speed (issue 16): jsonschema walks the schema's $refs in Python (about 0.8 ms per resource, most of an
import's checking). jsonschema-rs compiles the same schema once and answers "valid?" in microseconds; only
a resource it does not call valid, or one holding control characters (the schema's string patterns use
the class \\s, which in Python's re includes U+001C-U+001F and in Rust's regex does not), is checked by
jsonschema, whose verdict and messages count. The fast check only ever passes a resource on to it.
"""
from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path

import jsonschema
import jsonschema_rs
import orjson

SCHEMA = Path(__file__).resolve().parent / "data" / "fhir.schema.json.gz"


@cache
def _schema() -> dict | None:
    if not SCHEMA.exists():
        return None
    with gzip.open(SCHEMA, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def _definitions() -> dict | None:
    schema = _schema()
    return schema["definitions"] if schema is not None else None


@cache
def _validator(resource_type: str):
    definitions = _definitions()
    if definitions is None or resource_type not in definitions:
        return None
    return jsonschema.Draft6Validator({"$ref": f"#/definitions/{resource_type}", "definitions": definitions})


@cache
def _fast():
    """One compiled validator of the whole R4 schema (its oneOf over every resource type)."""
    schema = _schema()
    return jsonschema_rs.Draft6Validator(schema) if schema is not None else None


def _surely_valid(resource: dict) -> bool:
    fast = _fast()
    if fast is None or not fast.is_valid(resource):
        return False
    try:
        return b"\\u00" not in orjson.dumps(resource)  # a control character is escaped as \u00XX
    except orjson.JSONEncodeError:
        return False


def available() -> bool:
    return _validator("Patient") is not None


def errors(resource: dict, limit: int = 3) -> list[str]:
    """Up to `limit` readable schema errors (path: message); [] when valid or when no validator is available."""
    validator = _validator(resource.get("resourceType", ""))
    if validator is None or _surely_valid(resource):
        return []
    found = []
    for error in validator.iter_errors(resource):
        path = ".".join(str(p) for p in error.absolute_path) or "(resource)"
        found.append(f"{path}: {error.message[:200]}")
        if len(found) >= limit:
            break
    return found
