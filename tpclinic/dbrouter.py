"""Send read-heavy work (analytics, exports) to a read replica when the clinic runs one.

Only code that opts in reads from the replica, inside `reading_from_replica()`: a page that has just
written must read its own write back, which a lagging replica would not show. Every write, and
every read outside the block, goes to the primary ("default"). With no replica configured the
block changes nothing.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
_use_replica: ContextVar[bool] = ContextVar("use_replica", default=False)


def replica_enabled() -> bool:
    return getattr(settings, "REPLICA_READS", False) and REPLICA in settings.DATABASES


@contextmanager
def reading_from_replica():
    """Reads inside the block go to the replica (when there is one)."""
    token = _use_replica.set(True)
    try:
        yield
    finally:
        _use_replica.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _use_replica.get() and replica_enabled():
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: objects from either relate freely

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"  # the replica follows the primary's schema by replication
