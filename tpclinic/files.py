"""The SQLite database file (and its -wal and -shm companions) readable by the server's user only.

SQLite creates the file with the process's umask (often 0644); every new connection makes sure
it is 0600. Backups are written 0600 (`tpclinic backup`), restores keep the file 0600.
"""
from __future__ import annotations

import os
from pathlib import Path

from django.db.backends.signals import connection_created
from django.dispatch import receiver

PRIVATE = 0o600


def make_private(database: str | os.PathLike) -> None:
    path = Path(database)
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if (candidate.stat().st_mode & 0o777) != PRIVATE:
                candidate.chmod(PRIVATE)
        except FileNotFoundError:
            continue


def sqlite_file(connection) -> str | None:
    """The database's file name, or None for PostgreSQL and in-memory databases."""
    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:") and "mode=memory" in name:
        return None
    return name


@receiver(connection_created, dispatch_uid="tpclinic.private_database_file")
def private_database_file(sender, connection, **kwargs):
    name = sqlite_file(connection)
    if name:
        make_private(name)
