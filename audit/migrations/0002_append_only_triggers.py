"""The database refuses UPDATE and DELETE (and TRUNCATE on PostgreSQL) on the audit tables."""
from django.db import migrations

TABLES = ("audit_auditevent", "audit_amendment", "audit_rejectededit")
MESSAGE = "is append-only: audit records cannot be changed or deleted"


def _sql(vendor, table, create):
    # Kept here (not imported from audit.db) so this migration means the same forever.
    if vendor == "sqlite":
        if not create:
            return [f'DROP TRIGGER IF EXISTS "{table}_no_update";', f'DROP TRIGGER IF EXISTS "{table}_no_delete";']
        return [
            f'CREATE TRIGGER IF NOT EXISTS "{table}_no_update" BEFORE UPDATE ON "{table}" '
            f"BEGIN SELECT RAISE(ABORT, '{table} {MESSAGE}'); END;",
            f'CREATE TRIGGER IF NOT EXISTS "{table}_no_delete" BEFORE DELETE ON "{table}" '
            f"BEGIN SELECT RAISE(ABORT, '{table} {MESSAGE}'); END;",
        ]
    if vendor == "postgresql":
        if not create:
            return [f'DROP TRIGGER IF EXISTS "{table}_no_change" ON "{table}";',
                    f'DROP TRIGGER IF EXISTS "{table}_no_truncate" ON "{table}";']
        return [
            "CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '% {MESSAGE}', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege'; END; $$;",
            f'DROP TRIGGER IF EXISTS "{table}_no_change" ON "{table}";',
            f'CREATE TRIGGER "{table}_no_change" BEFORE UPDATE OR DELETE ON "{table}" '
            "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();",
            f'DROP TRIGGER IF EXISTS "{table}_no_truncate" ON "{table}";',
            f'CREATE TRIGGER "{table}_no_truncate" BEFORE TRUNCATE ON "{table}" '
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();",
        ]
    return []  # other databases: the models' own guard only


def install(apps, schema_editor):
    for table in TABLES:
        for statement in _sql(schema_editor.connection.vendor, table, create=True):
            schema_editor.execute(statement, params=None)


def uninstall(apps, schema_editor):
    for table in TABLES:
        for statement in _sql(schema_editor.connection.vendor, table, create=False):
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(install, uninstall, elidable=False)]
