"""The database refuses UPDATE and DELETE on signed procedure notes, as it does on the audit tables."""
from django.db import migrations

from audit import db as audit_db

TABLE = "treatment_procedurenote"


def install(apps, schema_editor):
    audit_db.install(schema_editor.connection, [TABLE])


def uninstall(apps, schema_editor):
    audit_db.uninstall(schema_editor.connection, [TABLE])


class Migration(migrations.Migration):
    dependencies = [("treatment", "0009_procedure_note"), ("audit", "0002_append_only_triggers")]
    operations = [migrations.RunPython(install, uninstall, elidable=False)]
