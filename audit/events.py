"""Explicit audit events: the code that does a thing says what it did, with before and after.

    from audit import events
    from audit.events import Action

    before = events.snapshot(session)                # the fields as stored now
    ...change and save the session...
    events.record(Action.SIGN, obj=session, before=before, after=events.snapshot(session), request=request)

`record` keeps the changed fields only (see `diff`), finds the patient from the object when not
given, and takes who/where from `request` (or from the request being served). For a list page
or an export that shows several patients, pass `patients=[...]`: each becomes a disclosure row
(AuditDisclosure), so "who saw patient X" is one query. On a page the audit middleware records
anyway (a GET of a clinical page), call `shown(request, patients)` instead of `record`.
"""
from __future__ import annotations

import datetime
import decimal
import getpass
import json
import uuid
from collections.abc import Iterable
from contextlib import contextmanager

from audit import context, record as writer, resolve
from audit.models import DISCLOSING, Action, AuditEvent

__all__ = ["Action", "record", "snapshot", "diff", "change", "shown", "quiet", "command_line_user"]

# Never copied into the trail: credentials and secrets.
SECRET_FIELDS = {"password", "key_hash", "token_hash", "secret", "key"}


def _plain(value):
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _json(value):
    """JSON-safe and stable through a database round trip (so the chain hash stays valid)."""
    if value is None:
        return None
    return json.loads(json.dumps(_plain(value), ensure_ascii=False))


def snapshot(obj, fields: Iterable[str] | None = None, *, stored: bool = True) -> dict:
    """The record's concrete field values as plain JSON: `{attname: value}` (foreign keys as ids).

    `stored=True` reads the row from the database (what is saved, whatever the instance holds);
    an unsaved or deleted row gives {}. Secret fields (password hashes, token hashes) are left out.
    """
    model = type(obj)
    names = [f.attname for f in model._meta.concrete_fields
             if f.name not in SECRET_FIELDS and (fields is None or f.name in fields or f.attname in fields)]
    if stored:
        if obj.pk is None:
            return {}
        row = model._base_manager.filter(pk=obj.pk).values(*names).first()
        return _json(row) if row is not None else {}
    return _json({name: getattr(obj, name) for name in names})


def diff(before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    """Only the fields whose value changed: `({field: old}, {field: new})`. A side that did not
    exist (a creation's before, a deletion's after) stays None."""
    if before is None or after is None:
        return before, after
    before, after = _json(before), _json(after)
    keys = sorted(set(before) | set(after))
    changed = [k for k in keys if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in changed if k in before}, {k: after.get(k) for k in changed if k in after}


def _patient_id(patient):
    if patient is None or isinstance(patient, int):
        return patient
    return getattr(patient, "pk", None)


def record(action: str, *, obj=None, patient=None, patients: Iterable | None = None, before: dict | None = None,
           after: dict | None = None, request=None, user=None, detail: str = "", status: int | None = None,
           object_type: str = "", object_id="", username: str = "") -> AuditEvent:
    """Append one explicit event. `before`/`after` are snapshots (or dicts); only changes are kept.

    obj: the record acted on (its type, id and patient are taken from it).
    patient: a Patient or its id, when the object does not lead to one.
    patients: every patient whose data was shown or handed over (lists, exports).
    username: who, when there is no user (a command run on the server: command_line_user()).
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        if patient is None:
            patient = resolve.patient_of_instance(obj)
    patient_id = _patient_id(patient)
    before, after = diff(before, after)
    shown_ids = {_patient_id(p) for p in (patients or ())} - {None}
    if patient_id is not None and action in (Action.READ, Action.LIST, Action.EXPORT):
        shown_ids.add(patient_id)
    event = writer.write(action, request=request, user=user, object_type=object_type, object_id=object_id,
                         patient_id=patient_id, status=status, detail=detail, before=_json(before),
                         after=_json(after), patients=shown_ids, username=username)
    ctx = context.current()
    if ctx is not None and action in DISCLOSING:
        ctx.object_events += 1  # this request's read is recorded: the middleware adds none
    return event


def command_line_user() -> str:
    """Who ran a management command: the operating-system account, marked as such."""
    try:
        return f"os:{getpass.getuser()}"
    except (KeyError, OSError):  # no name for this uid (a container)
        return "os:unknown"


@contextmanager
def change(action: str, obj, *, request=None, patient=None, detail: str = "", fields=None):
    """Record what the block changed in `obj` (read from the database before and after)."""
    before = snapshot(obj, fields)
    with quiet():
        yield
    after = snapshot(obj, fields) if obj.pk is not None else None
    record(action, obj=obj, patient=patient, before=before or None, after=after, request=request, detail=detail)


def shown(request, patients: Iterable, *, what: str = "") -> None:
    """Tell the audit middleware which patients this page shows (a search, a worklist, a report):
    it writes one LIST event with a disclosure row per patient once the page is answered."""
    ctx = context.current()
    if ctx is None:
        return
    ctx.shown.update(p for p in (_patient_id(p) for p in patients) if p is not None)
    ctx.shown_listed = True
    if what:
        ctx.shown_what = what


@contextmanager
def quiet():
    """Inside, the model-change backstop (audit/signals.py) stays silent: the caller records the
    whole operation itself with an explicit event."""
    token = context.quiet_begin()
    try:
        yield
    finally:
        context.quiet_end(token)
