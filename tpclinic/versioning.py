"""Optimistic locking for editable clinical records: no save overwrites a change it did not see.

Every editable record carries a ``version``. A writer says which version it read; the save is a
conditional ``UPDATE … WHERE version = <read>`` that also bumps it, so of two writers who read
version 3 only the first succeeds and the second gets :class:`StaleVersion`, which knows the
record as it is now and words what changed. A write that names no version is refused (there is
no "no version means current" fallback).

How to use it (one mechanism for every record and every entry point):

* **Model**: inherit :class:`Versioned` (adds ``version``; abstract). Edits from a user go
  through ``record.save_if_current(version_the_user_read)``. Any other ``save()`` of an existing
  row (a status change by the system, say) still bumps the version in the database, so a form
  opened before it is stale too. ``QuerySet.update()`` of a field a user edits must add
  ``version=F("version") + 1`` itself.
* **Web form**: put :class:`VersionedForm` first in the bases of the ModelForm. For an existing
  record it adds two hidden fields: ``version`` (required, 1..2**63-1) and ``base`` (the values
  the form was opened with). A missing, zero, malformed or stale version makes the form invalid
  with a message naming each field changed since it was opened ("Weight (kg): 70.0 → now 48.0"),
  keeps what the user typed, and moves the hidden version on, so saving again after reading the
  message is a deliberate choice. ``form.save()`` does the conditional update; it raises
  :class:`StaleVersion` only when another save lands between validation and saving. The view
  catches it and calls ``form.refuse_stale(error)``, which turns it into the same message.
* **JSON API**: send ``version`` with every update. The API answers :class:`StaleVersion` with
  409 ``application/problem+json`` listing ``changes`` (field, value now, value sent) and the
  ``current_version`` (see ``interop/api.py``).
* **A write that is more than one form** (a draft session with its injections, an adverse event
  followed up from the API): ``record.save_if_current(version, within=..., changes=...)``:
  ``within`` adds conditions the row must still meet (a session must still be a draft),
  ``changes(current)`` lists what differs for the refusal, and :attr:`StaleVersion.message` words it.
  Read a version from a form or query with :func:`parse_version`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django import forms
from django.db import models, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tpclinic import dates

MAX_VERSION = 2**63 - 1  # the largest value a database integer column holds


class StaleVersion(Exception):
    """The record changed since the writer read it (or the writer named no version); nothing was saved."""

    def __init__(self, current: models.Model, sent_version, changes: list[Change] | None = None):
        self.current = current
        self.sent_version = sent_version
        # What differs: given by the writer (save_if_current's `changes`), or filled in by the form refused.
        self.changes: list[Change] = list(changes or [])
        super().__init__(f"{current._meta.label} {current.pk} is at version {current.version}, not {sent_version}")

    @property
    def missing(self) -> bool:
        """The write named no usable version (missing, empty, 0, not a whole number, out of range)."""
        sent = self.sent_version
        return not (isinstance(sent, int) and not isinstance(sent, bool) and 1 <= sent <= MAX_VERSION)

    @property
    def message(self) -> str:
        """One paragraph for a write made without a VersionedForm (a session with its injections,
        signing, the JSON API): what happened, the versions, and what the record now holds."""
        values = {"record": self.current._meta.verbose_name, "current": self.current.version}
        if self.missing:
            text = gettext(
                "Nothing was saved: the change did not say which version of the %(record)s it was made on. "
                "Read the %(record)s again (it is now version %(current)s) and send that version with "
                "your change.") % values
        else:
            text = gettext("Nothing was saved: the %(record)s changed since you read it (it is now version "
                           "%(current)s, you read version %(sent)s).") % {**values, "sent": self.sent_version}
        if self.changes:
            text += " " + gettext("It now differs from what you sent in: %(changes)s.") % {
                "changes": "; ".join(gettext("%(field)s is “%(now)s” (you sent “%(sent)s”)") % {
                    "field": c.label, "now": shown(c.now), "sent": shown(c.yours)} for c in self.changes)}
        return text


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    was: object      # the value the writer's form was opened with (None when unknown)
    now: object      # the value saved meanwhile
    yours: object    # the value the writer sent


def shown(value) -> str:
    """A value in a refusal message: "—" for nothing, local time for a moment, a record by its id."""
    if value is None or value == "":
        return "—"
    if isinstance(value, models.Model):
        value = value.pk
    if isinstance(value, datetime):
        return dates.date_time(value)
    if isinstance(value, date):
        return dates.long_date(value)
    return str(value)


def parse_version(value) -> int | None:
    """A version from a form or query: a positive whole number (ASCII digits) the column holds, else None."""
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 0 < number <= MAX_VERSION else None


class Versioned(models.Model):
    """A record that is edited by people: every save of an existing row bumps ``version``."""

    version = models.PositiveBigIntegerField(
        default=1, db_default=1, editable=False,  # db_default: rows inserted outside Django start at 1 too
        help_text="Bumped on every save; a write must name the version it read (tpclinic.versioning).",
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._state.adding or self.pk is None or getattr(self, "_version_checked", False):
            return super().save(*args, **kwargs)
        # Bump first (the UPDATE holds the row until the transaction ends), then save with the new
        # number: the audit trail reads the same version before and after the save (a save that
        # changes nothing records nothing), and no F() expression is left on the instance.
        rows = type(self)._base_manager.filter(pk=self.pk)
        with transaction.atomic():
            rows.update(version=models.F("version") + 1)
            self.version = rows.values_list("version", flat=True).first() or self.version
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
            super().save(*args, **kwargs)

    def save_if_current(self, expected_version, *, within: models.QuerySet | None = None,
                        changes=None, **kwargs) -> None:
        """Save only if the stored row is still at ``expected_version``; raise StaleVersion otherwise.

        ``within`` (a queryset of this model) adds conditions the row must still meet, e.g. a session
        that is still a draft. ``changes(current)`` gives the differences a refusal lists.
        Call inside the transaction that writes the rest (a session's injections), so a refusal
        after the claim rolls everything back.
        """
        model = type(self)
        if self._state.adding or self.pk is None:
            raise ValueError("save_if_current() is for existing records; create new ones with save().")
        valid = isinstance(expected_version, int) and 1 <= expected_version <= MAX_VERSION
        rows = within if within is not None else model._base_manager
        with transaction.atomic():
            claimed = valid and rows.filter(pk=self.pk, version=expected_version).update(
                version=expected_version + 1)
            if claimed:
                self.version = expected_version + 1
                self._version_checked = True
                try:
                    self.save(**kwargs)
                finally:
                    del self._version_checked
                return
        current = model._base_manager.get(pk=self.pk)
        raise StaleVersion(current, expected_version, changes(current) if changes and valid else [])


def _python(field: models.Field, value):
    """A stored or submitted value in the model field's Python type, so 70 and 70.0 compare equal."""
    if value in (None, ""):
        return None if not isinstance(field, (models.CharField, models.TextField)) else ""
    try:
        return field.to_python(value)
    except Exception:  # noqa: BLE001 - an unreadable base value just counts as changed
        return value


def display(instance: models.Model, name: str, value) -> str:
    """A value as a person reads it: choice labels, yes/no, "empty"."""
    field = instance._meta.get_field(name)
    if value in (None, ""):
        return gettext("empty")
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.DecimalField) and isinstance(value, (Decimal, int, float)):
        return str(Decimal(value).quantize(Decimal(1).scaleb(-field.decimal_places)))
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


def field_values(instance: models.Model, names) -> dict[str, str]:
    """The record's values as text, as the hidden ``base`` field carries them."""
    fields = [instance._meta.get_field(name) for name in names]
    return {field.name: None if field.value_from_object(instance) is None else field.value_to_string(instance)
            for field in fields}


def changes(current: models.Model, names, yours: dict, base: dict | None) -> list[Change]:
    """Fields changed since the writer read the record (with ``base``); without it, the fields where
    what the writer sent differs from what is stored now."""
    found = []
    for name in names:
        field = current._meta.get_field(name)
        if field.many_to_many:
            continue
        now = getattr(current, field.attname)
        mine = yours.get(name)
        if isinstance(mine, models.Model):
            mine = mine.pk
        if base is not None and name in base:
            was = _python(field, base[name])
            moved = was != _python(field, now)
        else:
            was = None
            moved = name in yours and _python(field, mine) != _python(field, now)
        if moved:
            if field.is_relation:
                now_shown = getattr(current, name)
                was = field.related_model._base_manager.filter(pk=was).first() if was is not None else None
            else:
                now_shown = now
            found.append(Change(name, str(field.verbose_name), was, now_shown, yours.get(name)))
    return found


def stale_message(error: StaleVersion, found: list[Change] | None = None) -> str:
    """One paragraph for the web: what changed and what to do (``found=None``: an action without a form)."""
    record = error.current
    if found is None:
        return " ".join([
            gettext("Someone else saved this record after you opened the page, so nothing was done."),
            gettext("The page now shows the record as it is: check it and try again."),
        ])
    if found:
        listed = "; ".join(
            gettext("%(field)s: %(was)s → now %(now)s") % {
                "field": c.label[:1].upper() + c.label[1:],
                "was": display(record, c.field, c.was) if c.was is not None else gettext("(not known)"),
                "now": display(record, c.field, c.now)}
            for c in found)
        what = gettext("Changed since you opened the form: %(changes)s.") % {"changes": listed}
    else:
        what = gettext("None of the fields on this form differ from what you entered.")
    return " ".join([
        gettext("Someone else saved this record while you were editing it, so nothing was saved."), what,
        gettext("What you typed is kept below: check it against the changes and save again to keep yours."),
    ])


class VersionField(forms.IntegerField):
    """A record version (or database id) from a form: a whole number 1..2**63-1, ASCII digits only."""

    default_error_messages = {
        "required": _("This form is missing the record's version; reload the page and enter your changes again."),
        "invalid": _("The record's version on this form is not valid; reload the page."),
        "min_value": _("The record's version on this form is not valid; reload the page."),
        "max_value": _("The record's version on this form is not valid; reload the page."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.HiddenInput)
        super().__init__(min_value=1, max_value=MAX_VERSION, **kwargs)

    def to_python(self, value):
        if isinstance(value, str) and value.strip() and not (value.strip().isascii() and value.strip().isdecimal()):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class VersionedForm(forms.ModelForm):
    """ModelForm base for a Versioned model: carries the version it was opened at and refuses stale saves."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stale: StaleVersion | None = None
        if self.instance.pk is not None:
            self.fields["version"] = VersionField()
            self.fields["base"] = forms.CharField(widget=forms.HiddenInput, required=False)
            self.initial.setdefault("version", self.instance.version)
            self.initial.setdefault("base", json.dumps(field_values(self.instance, self._versioned_fields())))

    def _versioned_fields(self) -> list[str]:
        names = {f.name for f in self._meta.model._meta.get_fields() if getattr(f, "concrete", False)}
        return [name for name in self._meta.fields if name in names]

    def _base(self) -> dict | None:
        try:
            base = json.loads(self.data.get(self.add_prefix("base")) or "null")
        except (TypeError, ValueError):
            return None
        return base if isinstance(base, dict) else None

    def full_clean(self):
        """Errors of the hidden fields are shown at the top of the form, where a person sees them."""
        super().full_clean()
        for name in ("version", "base"):
            if self._errors and name in self._errors:
                self._errors.setdefault(forms.forms.NON_FIELD_ERRORS, self.error_class(error_class="nonfield"))
                self._errors[forms.forms.NON_FIELD_ERRORS].extend(self._errors.pop(name))

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None or "version" not in cleaned:
            return cleaned
        now = type(self.instance)._base_manager.filter(pk=self.instance.pk).values_list("version", flat=True).first()
        if now != cleaned["version"]:
            self.refuse_stale(StaleVersion(type(self.instance)._base_manager.get(pk=self.instance.pk),
                                           cleaned["version"]))
        return cleaned

    def refuse_stale(self, error: StaleVersion) -> None:
        """Mark the form invalid with what changed, keep the user's input, and move the hidden
        version and base on so that saving again is a deliberate overwrite of what they now saw."""
        self.stale = error
        yours = {name: self.cleaned_data.get(name) for name in self._versioned_fields()
                 if name in getattr(self, "cleaned_data", {})}
        found = changes(error.current, self._versioned_fields(), yours, self._base())
        error.changes = found
        self.add_error(None, forms.ValidationError(stale_message(error, found), code="stale"))
        for change in found:
            if change.field in self.fields and change.field not in self.errors:
                self.add_error(change.field, forms.ValidationError(
                    gettext("Saved meanwhile as: %(now)s.") % {"now": display(error.current, change.field, change.now)},
                    code="stale"))
        data = self.data.copy()
        data[self.add_prefix("version")] = str(error.current.version)
        data[self.add_prefix("base")] = json.dumps(field_values(error.current, self._versioned_fields()))
        self.data = data

    def save(self, commit=True):
        instance = super().save(commit=False)
        if commit:
            if instance.pk is not None and not instance._state.adding:
                instance.save_if_current(self.cleaned_data["version"])
            else:
                instance.save()
            self._save_m2m()
        return instance
