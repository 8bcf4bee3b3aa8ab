"""RFC 9457 problem details: every API error is `application/problem+json` a person can act on.

One exception type (Problem) carries status, title and detail from wherever the error is found;
the API's exception handlers and the catch-all URL turn it, ninja's own errors and Django's 404
into the same body shape, so clients parse one format.
"""
from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from http import HTTPStatus

from django.http import HttpResponse

from tpclinic.versioning import StaleVersion

CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "https://tpclinic.org/problems/"  # documented in interop/README.md


class Problem(Exception):
    """Raise anywhere in an API view to answer with a problem+json body."""

    def __init__(self, status: int, detail: str, *, title: str | None = None, kind: str | None = None,
                 errors: list[dict] | None = None, headers: dict | None = None, extra: dict | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or HTTPStatus(status).phrase
        self.kind = kind
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra or {}  # RFC 9457 extension members, e.g. a conflict's current version

    def body(self) -> dict:
        body = {
            "type": TYPE_BASE + self.kind if self.kind else "about:blank",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if self.errors:
            body["errors"] = self.errors
        body.update(self.extra)
        return body

    def response(self) -> HttpResponse:
        response = HttpResponse(json.dumps(self.body()), status=self.status, content_type=CONTENT_TYPE)
        for name, value in self.headers.items():
            response[name] = value
        return response


def unauthorized(detail: str | None = None) -> Problem:
    return Problem(
        401, detail or "Send a valid API token as 'Authorization: Bearer <token>'. An administrator creates one "
        "with `tpclinic api_token USERNAME`; a revoked or expired token, or one whose user is deactivated, no "
        "longer works.",
        kind="unauthorized", headers={"WWW-Authenticate": 'Bearer realm="tpclinic"'},
    )


def forbidden(detail: str) -> Problem:
    return Problem(403, detail, kind="forbidden")


def not_found(what: str, ident) -> Problem:
    return Problem(404, f"There is no {what} with id {ident} that you can see. Check the id.", kind="not-found")


def invalid(errors: list[dict], detail: str | None = None) -> Problem:
    """422 with one entry per field: {"field": ..., "message": ...}."""
    if detail is None:
        detail = "Nothing was saved. Correct these fields: " + "; ".join(
            f"{e['field']}: {e['message']}" if e.get("field") else e["message"] for e in errors
        )
    return Problem(422, detail, title="Invalid input", kind="invalid-input", errors=errors)


def conflict(detail: str) -> Problem:
    return Problem(409, detail, kind="conflict")


def json_value(value):
    """A model value as the API writes it: decimals as numbers, dates ISO, records by id."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def stale(error: StaleVersion) -> Problem:
    """409 for a write based on an old version: the version now, and each field that differs from what was sent."""
    record = error.current
    what = record._meta.verbose_name
    found = getattr(error, "changes", [])
    differs = [{"field": c.field, "now": json_value(c.now), "sent": json_value(c.yours)} for c in found]
    detail = (f"This {what} was changed by someone else since you read it: it is at version {record.version}, "
              f"you sent version {error.sent_version}. Nothing was saved. ")
    if differs:
        detail += "Stored now: " + "; ".join(f"{d['field']} = {d['now']} (you sent {d['sent']})" for d in differs) + ". "
    detail += f"Read the {what} again, check your changes against it and send them with version {record.version}."
    return Problem(409, detail, title="Stale version", kind="stale-version",
                   extra={"current_version": record.version, "changes": differs})


def form_errors(form, prefix: str = "") -> list[dict]:
    """A Django form's errors as problem entries, field names as the API spells them."""
    errors = []
    for field, messages in form.errors.get_json_data().items():
        name = "" if field == "__all__" else prefix + field
        errors.extend({"field": name, "message": message["message"]} for message in messages)
    return errors
