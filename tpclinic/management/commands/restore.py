"""`tpclinic restore FILE [--yes]`: bring back a backup made by `tpclinic backup`.

The whole database is replaced by the backup's content. When the database already holds data
(patients, users, audit events...) it refuses unless --yes is given. Stop the web server first:
a restore replaces what running requests read and write.
"""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from tpclinic.files import make_private
from tpclinic.management.commands.backup import check_sqlite_file, file_kind, pg_environment, tables_with_rows


class Command(BaseCommand):
    help = "Replace the database with a backup made by `tpclinic backup`."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup file (.sqlite3 from a SQLite database, .pgdump from PostgreSQL).")
        parser.add_argument("--yes", action="store_true",
                            help="Replace a database that already holds data (it is overwritten entirely).")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, file, yes=False, database=DEFAULT_DB_ALIAS, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{path} does not exist.")
        connection = connections[database]
        kind = file_kind(path)
        if kind != connection.vendor:
            raise CommandError(f"{path} is a {kind} backup but the database is {connection.vendor}.")
        if connection.in_atomic_block:
            raise CommandError("Restore cannot run inside a transaction.")
        if self._has_tables(connection):
            holding = tables_with_rows(connection)
            if holding and not yes:
                sample = ", ".join(f"{table} ({count})" for table, count in sorted(holding.items())[:6])
                raise CommandError(
                    f"The database already holds data: {sample}{' ...' if len(holding) > 6 else ''}. "
                    "A restore replaces all of it. Run again with --yes to go ahead (make a backup first)."
                )
        if kind == "sqlite":
            self._sqlite(connection, path)
        else:
            self._postgresql(connection, path)
        connection.close()
        self.stdout.write(self.style.SUCCESS(f"Restored {path}."))
        pending = self._pending_migrations(connection)
        if pending:
            self.stdout.write(f"The backup predates {pending} migration(s) of this version: "
                              "run `tpclinic migrate` now.")

    @staticmethod
    def _has_tables(connection) -> bool:
        with connection.cursor() as cursor:
            return bool(connection.introspection.table_names(cursor))

    def _sqlite(self, connection, path: Path) -> None:
        check_sqlite_file(path)
        connection.ensure_connection()
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.backup(connection.connection, pages=-1)
        finally:
            source.close()
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            result = cursor.fetchone()[0]
        if result != "ok":
            raise CommandError(f"The restored database fails SQLite's integrity check: {result}")
        make_private(connection.settings_dict["NAME"])  # patients' records: the server's user only

    def _postgresql(self, connection, path: Path) -> None:
        if not shutil.which("pg_restore"):
            raise CommandError("pg_restore was not found: install the PostgreSQL client (Debian: postgresql-client).")
        connection.close()  # our own session must not hold locks on the tables pg_restore replaces
        env = pg_environment(connection.settings_dict)
        result = subprocess.run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
             "--exit-on-error", f"--dbname={env.get('PGDATABASE', '')}", str(path)],
            env=env, capture_output=True, text=True,
        )
        if result.returncode != 0:
            raise CommandError(f"pg_restore failed (nothing was changed): {result.stderr.strip()}")

    @staticmethod
    def _pending_migrations(connection) -> int:
        executor = MigrationExecutor(connection)
        return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
