"""The audit trail as one hash chain, so a changed, deleted or forged row is noticed.

Every event stores `seq` (its place), `prev_hash` (the previous event's hash) and `hash`, an
HMAC-SHA256 over its own content, the patients it disclosed, and `prev_hash`. The key is
settings.AUDIT_CHAIN_KEY (by default derived from SECRET_KEY), so someone who can write to the
database but does not hold the key cannot forge a row or re-chain the rows after one they
edited. Keep the key when you rotate SECRET_KEY (set AUDIT_CHAIN_KEY to the old value) or older
rows no longer verify; SECRET_KEY_FALLBACKS are tried too.

Writers take a lock on the single ChainHead row (SELECT ... FOR UPDATE; on SQLite the IMMEDIATE
transaction already serialises writers), so concurrent writers keep one chain. The head also
holds the last link, so deleting the newest rows is noticed as well.
"""
from __future__ import annotations

import datetime
import hashlib
import hmac
import json
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, models, transaction

FIELDS = ("seq", "at", "user_id", "username", "role", "remote_addr", "action", "object_type", "object_id",
          "patient_id", "path", "method", "status", "detail", "before", "after")


def _keys() -> list[bytes]:
    explicit = getattr(settings, "AUDIT_CHAIN_KEY", "")
    secrets = [explicit] if explicit else [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [hashlib.sha256(b"tpclinic.audit.chain\0" + str(secret).encode()).digest() for secret in secrets]


def _moment(value) -> str:
    if value is None:
        return ""
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds")


def content(event, patient_ids) -> bytes:
    """The canonical bytes an event's hash covers."""
    data = {name: getattr(event, name) for name in FIELDS}
    data["at"] = _moment(event.at)
    data["patients"] = sorted(int(p) for p in patient_ids)
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def digest(event, patient_ids, prev_hash: str, key: bytes | None = None) -> str:
    key = key if key is not None else _keys()[0]
    return hmac.new(key, prev_hash.encode() + b"\n" + content(event, patient_ids), hashlib.sha256).hexdigest()


def _locked_head():
    from audit.models import AuditEvent, ChainHead

    head = ChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        # First event of a new database (or after a test flush): start from the newest row, if any.
        last = AuditEvent.objects.exclude(seq=None).order_by("-seq").values_list("seq", "hash").first()
        try:
            with transaction.atomic():
                ChainHead.objects.create(pk=1, seq=last[0] if last else 0, hash=last[1] if last else "")
        except IntegrityError:
            pass  # another writer created it first
        head = ChainHead.objects.select_for_update().get(pk=1)
    return head


def append(event, patient_ids=()) -> None:
    """Give `event` its place at the end of the chain and insert it with its disclosure rows."""
    from audit.models import AuditDisclosure, ChainHead

    ids = sorted({int(p) for p in patient_ids if p is not None})
    with transaction.atomic():
        head = _locked_head()
        event.seq = head.seq + 1
        event.prev_hash = head.hash
        event.hash = digest(event, ids, event.prev_hash)
        models.Model.save(event, force_insert=True)
        AuditDisclosure.objects.bulk_create([AuditDisclosure(event=event, patient_id=p) for p in ids])
        ChainHead.objects.filter(pk=1).update(seq=event.seq, hash=event.hash)


@dataclass
class Break:
    """The first place where the chain does not hold."""

    event_id: int | None
    seq: int | None
    reason: str

    def __str__(self) -> str:
        where = f"audit event id {self.event_id} (seq {self.seq})" if self.event_id else f"seq {self.seq}"
        return f"{where}: {self.reason}"


def verify(batch: int = 2000) -> list[Break]:
    """Walk the chain in order; every break found, the first one first."""
    from audit.models import AuditDisclosure, AuditEvent, ChainHead

    keys = _keys()
    breaks: list[Break] = []
    loose = AuditEvent.objects.filter(seq=None).order_by("id").values_list("id", flat=True)
    for event_id in loose[:10]:
        breaks.append(Break(event_id, None, "not part of the chain (inserted outside tpclinic)"))
    expected_seq, prev_hash, last = 1, "", None
    queryset = AuditEvent.objects.exclude(seq=None).order_by("seq")
    after = 0
    while True:
        rows = list(queryset.filter(seq__gt=after)[:batch])
        if not rows:
            break
        disclosed: dict[int, list[int]] = {}
        for event_id, patient_id in AuditDisclosure.objects.filter(event_id__in=[r.pk for r in rows]).values_list(
                "event_id", "patient_id"):
            disclosed.setdefault(event_id, []).append(patient_id)
        for event in rows:
            if event.seq != expected_seq:
                missing = f"{expected_seq}" if event.seq == expected_seq + 1 else f"{expected_seq}-{event.seq - 1}"
                breaks.append(Break(event.pk, event.seq, f"the row(s) before it are missing (seq {missing} deleted)"))
            elif event.prev_hash != prev_hash:
                breaks.append(Break(event.pk, event.seq, "its link to the previous row does not match"))
            if not any(hmac.compare_digest(digest(event, disclosed.get(event.pk, ()), event.prev_hash, key),
                                           event.hash) for key in keys):
                breaks.append(Break(event.pk, event.seq, "its content does not match its hash (changed or forged)"))
            expected_seq, prev_hash, last = event.seq + 1, event.hash, event
        after = rows[-1].seq
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and last is not None and (head.seq, head.hash) != (last.seq, last.hash):
        breaks.append(Break(None, head.seq, f"the chain should end at seq {head.seq} but ends at seq {last.seq} "
                                            "(the newest rows were deleted or the head was changed)"))
    elif head is not None and last is None and head.seq:
        breaks.append(Break(None, head.seq, "the chain should hold rows but the table is empty"))
    orphans = AuditDisclosure.objects.exclude(event_id__in=AuditEvent.objects.values("pk")).values_list(
        "event_id", flat=True)[:10]
    for event_id in orphans:
        breaks.append(Break(event_id, None, "a disclosure row names an event that does not exist"))
    return breaks
