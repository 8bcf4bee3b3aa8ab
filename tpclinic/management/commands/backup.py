"""`tpclinic backup [--out FILE]`: a consistent snapshot of the database while the clinic runs.

SQLite: the online backup API (sqlite3.Connection.backup) copies the database as of one moment,
while other connections go on reading and writing. PostgreSQL: `pg_dump -Fc`, which reads inside
one repeatable-read transaction. The file holds patients' records: it is written readable by
its owner only; keep it encrypted and off the server (see README, Backups).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
# Rows that `migrate` itself writes: a database holding only these has no clinic data yet.
SCHEMA_TABLES = {"django_migrations", "django_content_type", "auth_permission", "sqlite_sequence"}


def pg_environment(settings_dict: dict) -> dict:
    """libpq variables for pg_dump/pg_restore from Django's DATABASES entry (password not on the command line)."""
    env = dict(os.environ)
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD"),
                          ("NAME", "PGDATABASE")):
        value = settings_dict.get(key)
        if value:
            env[variable] = str(value)
    options = settings_dict.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    return env


def tables_with_rows(connection) -> dict[str, int]:
    """Tables holding rows, other than the ones `migrate` fills."""
    found = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table in SCHEMA_TABLES:
                continue
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            count = cursor.fetchone()[0]
            if count:
                found[table] = count
    return found


def fingerprint(connection) -> tuple[dict[str, int], str]:
    """Row counts per table and one digest over every row of every table (order-independent)."""
    counts, digest = {}, hashlib.sha256()
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table == "sqlite_sequence":
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows = sorted(repr(tuple(row)) for row in cursor.fetchall())
            counts[table] = len(rows)
            digest.update(table.encode())
            for row in rows:
                digest.update(row.encode())
    return counts, digest.hexdigest()


def file_kind(path: Path) -> str:
    with open(path, "rb") as handle:
        head = handle.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise CommandError(f"{path} is neither a SQLite database nor a pg_dump custom-format file.")


def check_sqlite_file(path: Path) -> None:
    target = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        result = target.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise CommandError(f"{path} fails SQLite's integrity check: {result}")
        names = {row[0] for row in target.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "django_migrations" not in names:
            raise CommandError(f"{path} is a SQLite database but not a tpclinic one (no django_migrations table).")
    finally:
        target.close()


class Command(BaseCommand):
    help = "Write a consistent snapshot of the database while the clinic is running."

    def add_arguments(self, parser):
        parser.add_argument("--out", help="File to write (default: BACKUP_DIR/tpclinic-YYYYmmdd-HHMMSS.<ext>).")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, out=None, database=DEFAULT_DB_ALIAS, **options):
        connection = connections[database]
        vendor = connection.vendor
        if vendor not in {"sqlite", "postgresql"}:
            raise CommandError(f"Backups of {vendor} databases are not supported; use the database's own tools.")
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        extension = "sqlite3" if vendor == "sqlite" else "pgdump"
        path = Path(out) if out else Path(settings.BACKUP_DIR) / f"tpclinic-{stamp}.{extension}"
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            raise CommandError(f"{path} exists already; choose another --out.")
        partial = Path(tempfile.mkstemp(prefix=".backup-", dir=path.parent)[1])
        try:
            partial.chmod(0o600)
            if vendor == "sqlite":
                self._sqlite(connection, partial)
            else:
                self._postgresql(connection, partial)
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)
        path.chmod(0o600)
        self.stdout.write(self.style.SUCCESS(f"Backup written: {path} ({path.stat().st_size:,} bytes)."))
        self.stdout.write("It holds patients' records: keep it encrypted, off this server, and test a restore.")
        return None

    def _sqlite(self, connection, partial: Path) -> None:
        if connection.is_in_memory_db():
            raise CommandError("An in-memory SQLite database cannot be backed up.")
        connection.ensure_connection()
        target = sqlite3.connect(partial)  # the empty 0600 file made above
        try:
            # One step (pages=-1): the copy is of one moment; writers elsewhere simply wait or go on in the WAL.
            connection.connection.backup(target, pages=-1)
            target.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        finally:
            target.close()
        check_sqlite_file(partial)

    def _postgresql(self, connection, partial: Path) -> None:
        if not shutil.which("pg_dump"):
            raise CommandError("pg_dump was not found: install the PostgreSQL client (Debian: postgresql-client).")
        result = subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"],
            env=pg_environment(connection.settings_dict), capture_output=True, text=True,
        )
        if result.returncode != 0:
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
