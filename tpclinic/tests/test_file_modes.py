"""Patients' records on disk are readable by the server's own user only: the data directory is
0700, and the database, the secret key and backups are 0600 (issue 11, finding 10)."""
import os
import stat
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_installation_keeps_its_files_private(tmp_path):
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(TPCLINIC_DATA_DIR=str(data), DJANGO_SETTINGS_MODULE="tpclinic.settings")
    script = ("import django; django.setup(); from django.db import connection; "
              "connection.ensure_connection(); connection.cursor().execute('CREATE TABLE t (x int)')")
    # a permissive umask, as a service manager may leave it
    subprocess.run([sys.executable, "-c", f"import os; os.umask(0o022); {script}"], cwd=ROOT, env=env,
                   check=True, timeout=120)
    assert mode(data) == 0o700
    assert mode(data / "secret_key") == 0o600
    database = data / "tpclinic.sqlite3"
    assert database.exists() and mode(database) == 0o600
    for extra in ("tpclinic.sqlite3-wal", "tpclinic.sqlite3-shm"):
        if (data / extra).exists():
            assert mode(data / extra) == 0o600, extra


@pytest.mark.django_db(transaction=True)
def test_restore_leaves_the_database_file_private(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("a SQLite file only")
    database = Path(connection.settings_dict["NAME"])
    backup = tmp_path / "clinic.sqlite3"
    call_command("backup", out=str(backup), stdout=StringIO())
    database.chmod(0o644)
    call_command("restore", str(backup), yes=True, stdout=StringIO())
    assert mode(database) == 0o600
