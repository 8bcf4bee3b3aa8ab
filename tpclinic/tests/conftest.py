"""Compile the project catalog (locale/) when its .mo files are missing or stale, so these tests see it.

`make test` compiles every catalog first; this keeps `pytest tpclinic` alone working too.
"""
import shutil
import subprocess
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def compile_messages(locale_dir: Path) -> None:
    msgfmt = shutil.which("msgfmt")
    changed = False
    for po in locale_dir.glob("*/LC_MESSAGES/django.po"):
        mo = po.with_suffix(".mo")
        if msgfmt and (not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime):
            subprocess.run([msgfmt, "--check-format", "-o", str(mo), str(po)], check=True)
            changed = True
    if changed:
        from asgiref.local import Local
        from django.utils.translation import trans_real

        trans_real._translations = {}
        trans_real._default = None
        trans_real._active = Local()


@pytest.fixture(autouse=True, scope="session")
def _compiled_project_translations():
    compile_messages(BASE_DIR / "locale")
