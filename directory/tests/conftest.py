"""Compile this app's translations when the .mo files are missing or stale, so the tests see them.

`make test` compiles every catalogue first; this keeps `pytest directory` alone working too.
"""
import shutil
import subprocess
from pathlib import Path

import pytest

APP_DIR = Path(__file__).resolve().parent.parent


def compile_messages(app_dir: Path) -> None:
    msgfmt = shutil.which("msgfmt")
    changed = False
    for po in app_dir.glob("locale/*/LC_MESSAGES/django.po"):
        mo = po.with_suffix(".mo")
        if msgfmt and (not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime):
            subprocess.run([msgfmt, "--check-format", "-o", str(mo), str(po)], check=True)
            changed = True
    if changed:
        from django.utils.translation import trans_real
        from asgiref.local import Local

        trans_real._translations = {}
        trans_real._default = None
        trans_real._active = Local()


@pytest.fixture(autouse=True, scope="session")
def _compiled_translations():
    compile_messages(APP_DIR)
