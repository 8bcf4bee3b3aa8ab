"""`tpclinic backup` and `tpclinic restore`: a round trip loses nothing.

On SQLite always; on PostgreSQL too when DATABASE_URL points at one (the test database is then
a PostgreSQL database and pg_dump/pg_restore are used).
"""
import sqlite3
import stat
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from patients.models import Patient
from tpclinic.demo import build_demo_clinic
from tpclinic.management.commands.backup import fingerprint, tables_with_rows
from treatment.models import Injection, Session

pytestmark = pytest.mark.django_db(transaction=True)

EXTENSION = {"sqlite": "sqlite3", "postgresql": "pgdump"}


@pytest.fixture
def demo_clinic():
    build_demo_clinic(today=date(2026, 3, 2))
    from django.contrib.contenttypes.models import ContentType

    from audit.models import Amendment

    signed = Session.objects.filter(status=Session.Status.SIGNED).first()
    Amendment.objects.create(content_type=ContentType.objects.get_for_model(Session), object_id=signed.pk,
                             patient=signed.course.patient, reason="Late entry", text="Phoned: fine.",
                             author=signed.clinician)


def backup_file(tmp_path):
    return tmp_path / f"clinic.{EXTENSION[connection.vendor]}"


def test_backup_wipe_restore_loses_nothing(demo_clinic, tmp_path):
    counts, digest = fingerprint(connection)
    assert counts["patients_patient"] >= 30 and counts["audit_auditevent"] > 0 and counts["audit_amendment"] == 1
    path = backup_file(tmp_path)
    out = StringIO()
    call_command("backup", out=str(path), stdout=out)
    assert path.exists() and "Backup written" in out.getvalue()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600, "a backup holds patients' records: owner only"

    call_command("flush", interactive=False, verbosity=0)  # the test settings allow emptying the audit trail
    assert Patient.objects.count() == 0 and not tables_with_rows(connection)

    call_command("restore", str(path), stdout=StringIO())
    assert fingerprint(connection) == (counts, digest)
    assert Injection.objects.count() == counts["treatment_injection"]
    # the restored audit tables are still append-only
    from audit import db as audit_db

    assert audit_db.installed(connection)


def test_restore_refuses_a_database_with_data_unless_told(demo_clinic, tmp_path):
    path = backup_file(tmp_path)
    call_command("backup", out=str(path), stdout=StringIO())
    Patient.objects.filter(mrn="TP10001").update(given_name="Changed after the backup")
    with pytest.raises(CommandError, match="already holds data.*--yes"):
        call_command("restore", str(path), stdout=StringIO())
    assert Patient.objects.get(mrn="TP10001").given_name == "Changed after the backup"
    call_command("restore", str(path), yes=True, stdout=StringIO())
    assert Patient.objects.get(mrn="TP10001").given_name != "Changed after the backup"


def test_restore_refuses_files_that_are_not_backups(tmp_path, db):
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database")
    with pytest.raises(CommandError, match="neither"):
        call_command("restore", str(junk))
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore", str(tmp_path / "missing.sqlite3"))


def test_backup_does_not_overwrite(tmp_path, db):
    path = tmp_path / "exists.sqlite3"
    path.write_bytes(b"")
    with pytest.raises(CommandError, match="exists"):
        call_command("backup", out=str(path))


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's online backup")
def test_backup_is_consistent_while_another_connection_writes(demo_clinic, tmp_path):
    """A write in progress elsewhere (not yet committed) is not in the snapshot, and does not block it."""
    patients = Patient.objects.count()
    writer = sqlite3.connect(connection.settings_dict["NAME"], timeout=5)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO patients_patient (mrn, given_name, family_name, birth_date, sex, preferred_language,"
                       " payer, payer_name, bleeding_disorder, copd, pregnant, renal_disease, hepatic_disease,"
                       " cardiac_disease, diabetes, created_at, updated_at, version) VALUES ('TPW1', 'W', 'W', '1990-01-01',"
                       " 'unknown', 'en', 'none', '', 0, 0, 0, 0, 0, 0, 0, '2026-01-01', '2026-01-01', 1)")
        path = tmp_path / "during-write.sqlite3"
        call_command("backup", out=str(path), stdout=StringIO())
        writer.commit()
    finally:
        writer.close()
    copy = sqlite3.connect(path)
    try:
        assert copy.execute("SELECT count(*) FROM patients_patient").fetchone()[0] == patients
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        copy.close()
    assert Patient.objects.count() == patients + 1
