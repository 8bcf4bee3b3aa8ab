"""`flush` that respects the append-only audit tables.

Django's flush empties every table. The audit trail refuses that (database triggers), so a plain
flush would stop halfway. This command refuses with a clear message while the audit tables hold
rows, unless settings.AUDIT_ALLOW_FLUSH is set: the test suite sets it, because every browser
test empties the test database afterwards. There the triggers are lifted for the flush and put
back straight after.
"""
from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.flush import Command as DjangoFlush
from django.db import DEFAULT_DB_ALIAS, connections

from audit import db as audit_db


class Command(DjangoFlush):
    help = DjangoFlush.help + " The audit trail is append-only: refused outside the test suite while it has rows."

    def handle(self, **options):
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        tables = set(connection.introspection.table_names())
        audited = [t for t in audit_db.APPEND_ONLY_TABLES if t in tables]
        if not audited:
            return super().handle(**options)
        if not getattr(settings, "AUDIT_ALLOW_FLUSH", False):
            with connection.cursor() as cursor:
                rows = 0
                for table in audited:
                    cursor.execute(f'SELECT count(*) FROM "{table}"')
                    rows += cursor.fetchone()[0]
            if rows:
                raise CommandError(
                    "The audit trail is append-only and holds records, so the database cannot be flushed. "
                    "To start again, create a new database (or restore a backup into an empty one)."
                )
            return super().handle(**options)
        audit_db.uninstall(connection, audited)
        try:
            return super().handle(**options)
        finally:
            audit_db.install(connection, audited)
