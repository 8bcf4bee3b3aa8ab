"""Helpers shared by the routers: declared responses, pagination, and feeding the web UI's forms.

The API validates writes with the same Django forms as the web UI, so both give the same answers
and the same messages; `form_data` turns typed JSON values into what a form expects.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from ninja import Field, Schema

from audit import events
from interop.problems import form_errors, not_found
from interop.schemas import MAX_ID, Problem


def responses(ok: dict, *codes: int) -> dict:
    """`{200: Out}` plus a Problem schema for each error status the operation can return."""
    return {**ok, **{code: Problem for code in codes}}


class PageQuery(Schema):
    limit: int = Field(50, ge=1, le=200, description="Page size, 1-200.")
    offset: int = Field(0, ge=0, le=10**9, description="Records to skip.")


def paginate(queryset, page: PageQuery, serialize, *, request=None, patient_of=None) -> dict:
    """One page. With `request` and `patient_of(obj)`, the patients on the page are recorded as shown
    (audit disclosure accounting: one `list` event naming each patient)."""
    count = queryset.count()
    objs = list(queryset[page.offset:page.offset + page.limit])
    if request is not None and patient_of is not None:
        events.shown(request, {patient_of(obj) for obj in objs}, what=f"API list {request.path}"[:255])
    items = [serialize(obj) for obj in objs]
    return {"count": count, "limit": page.limit, "offset": page.offset, "items": items}


def filter_by(queryset, query, lookups: dict[str, str]):
    """Narrow `queryset` by each query field that was given: `{"field": "orm__lookup"}`; empty values are skipped."""
    for name, lookup in lookups.items():
        value = getattr(query, name)
        if value:
            queryset = queryset.filter(**{lookup: value})
    return queryset


def get_or_404(queryset, pk: int, what: str):
    """The record, or a 404 problem; ids beyond the database's integer range are simply not found."""
    obj = queryset.filter(pk=pk).first() if 0 < pk <= MAX_ID else None
    if obj is None:
        raise not_found(what, pk)
    return obj


def form_value(value):
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, bool):
        return value
    return str(value)


def form_data(values: dict) -> dict:
    """JSON values as a bound form's data: None -> "", dates ISO, numbers as text, booleans kept."""
    return {key: form_value(value) for key, value in values.items()}


def instance_data(instance, fields) -> dict:
    """The current values of a record's form fields, so a partial update starts from them."""
    from django.forms.models import model_to_dict

    return model_to_dict(instance, fields=fields)


def check_form(form, prefix: str = "") -> list[dict]:
    """The form's errors as problem entries; a versioned form that found its version stale raises StaleVersion (409)."""
    if form.is_valid():
        return []
    if getattr(form, "stale", None) is not None:
        raise form.stale
    return form_errors(form, prefix)


def optional(value) -> Optional[float]:
    return None if value is None else float(value)

