"""Optimistic versions: a write names the version it read, or it is refused and nothing changes.

Used for draft sessions with their injections and for adverse events, by the web views and the
API alike. A save without a version (missing, empty or 0) is refused too: "no version" must never
mean "overwrite whatever is there". The refusal lists what the stored record now holds where it
differs from what was sent, so the person can decide instead of retyping blind.

The shape (claim a version with one conditional UPDATE; compare fields for the message) is meant
to sit on a shared versioning mixin once the project has one; only `claim` and `differences`
would move.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _


@dataclass
class Difference:
    label: str
    now: str
    sent: str


@dataclass
class VersionRefused(Exception):
    """A write refused for its version. `current` is the stored version, `sent` what came with the write."""

    record: str
    current: int
    sent: int | None
    changes: list[Difference] = field(default_factory=list)

    @property
    def missing(self) -> bool:
        return not self.sent

    @property
    def message(self) -> str:
        if self.missing:
            text = _("Nothing was saved: the change did not say which version of the %(record)s it was made on. "
                     "Read the %(record)s again (it is now version %(current)s) and send that version with "
                     "your change.") % {"record": self.record, "current": self.current}
        else:
            text = _("Nothing was saved: the %(record)s changed since you read it (it is now version %(current)s, "
                     "you read version %(sent)s).") % {"record": self.record, "current": self.current, "sent": self.sent}
        if self.changes:
            text += " " + _("It now differs from what you sent in: %(changes)s.") % {
                "changes": "; ".join(_("%(field)s is “%(now)s” (you sent “%(sent)s”)") % {
                    "field": d.label, "now": d.now, "sent": d.sent} for d in self.changes)}
        return text

    def __str__(self) -> str:
        return self.message


def shown(value) -> str:
    if value is None or value == "":
        return "—"
    if hasattr(value, "hour") and timezone.is_aware(value):
        value = timezone.localtime(value)
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def differences(instance, sent: dict, fields) -> list[Difference]:
    """Fields where the stored record differs from the values sent (by the model's verbose names)."""
    out = []
    for name in fields:
        if name not in sent:
            continue
        now, theirs = getattr(instance, name), sent[name]
        if hasattr(now, "pk"):
            now = now.pk
        if hasattr(theirs, "pk"):
            theirs = theirs.pk
        if shown(now) != shown(theirs):
            label = str(instance._meta.get_field(name).verbose_name)
            out.append(Difference(label, shown(now), shown(theirs)))
    return out


def claim(queryset, pk, sent: int | None, record: str, changes=lambda current: []) -> int:
    """Bump the version of row `pk` from `sent` to `sent + 1` in one conditional UPDATE, or refuse.

    `queryset` may carry extra conditions (e.g. still a draft). Call inside the transaction that
    writes the rest, so a refusal after the claim rolls everything back. `changes(current)` gives the
    differences to show when refused (`current` is the stored row).
    """
    if sent and queryset.filter(pk=pk, version=sent).update(version=F("version") + 1):
        return sent + 1
    current = queryset.model._default_manager.get(pk=pk)
    raise VersionRefused(record, current.version, sent or None, changes(current) if sent else [])


def parse(value) -> int | None:
    """A version from a form or query: a positive integer that fits the column, else None."""
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 0 < number < 2**31 else None
