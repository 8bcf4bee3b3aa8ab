"""Database-level append-only guard: triggers that refuse UPDATE and DELETE on the audit tables.

The models refuse too (audit.models.AppendOnlyModel), but the triggers also stop raw SQL and any
other program that shares the database. SQLite and PostgreSQL are supported (the databases
tpclinic runs on); on another database only the model-level guard applies.
"""
APPEND_ONLY_TABLES = ("audit_auditevent", "audit_amendment", "audit_rejectededit", "audit_auditdisclosure")
APPEND_ONLY_TABLES += ("treatment_procedurenote",)  # the signed procedure note (treatment migration 0010)
MESSAGE = "is append-only: audit records cannot be changed or deleted"


def create_sql(vendor: str, table: str) -> list[str]:
    if vendor == "sqlite":
        return [
            f'CREATE TRIGGER IF NOT EXISTS "{table}_no_update" BEFORE UPDATE ON "{table}" '
            f"BEGIN SELECT RAISE(ABORT, '{table} {MESSAGE}'); END;",
            f'CREATE TRIGGER IF NOT EXISTS "{table}_no_delete" BEFORE DELETE ON "{table}" '
            f"BEGIN SELECT RAISE(ABORT, '{table} {MESSAGE}'); END;",
        ]
    if vendor == "postgresql":
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
    return []


def drop_sql(vendor: str, table: str) -> list[str]:
    if vendor == "sqlite":
        return [f'DROP TRIGGER IF EXISTS "{table}_no_update";', f'DROP TRIGGER IF EXISTS "{table}_no_delete";']
    if vendor == "postgresql":
        return [f'DROP TRIGGER IF EXISTS "{table}_no_change" ON "{table}";',
                f'DROP TRIGGER IF EXISTS "{table}_no_truncate" ON "{table}";']
    return []


def install(connection, tables=APPEND_ONLY_TABLES) -> None:
    with connection.cursor() as cursor:
        for table in tables:
            for statement in create_sql(connection.vendor, table):
                cursor.execute(statement)


def uninstall(connection, tables=APPEND_ONLY_TABLES) -> None:
    with connection.cursor() as cursor:
        for table in tables:
            for statement in drop_sql(connection.vendor, table):
                cursor.execute(statement)


def installed(connection, table: str = "audit_auditevent") -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
        elif connection.vendor == "postgresql":
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [table])
        else:
            return False
        return cursor.fetchone()[0] > 0
