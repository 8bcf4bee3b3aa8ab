"""Every interface string of the library and the directory is translated into Spanish and Arabic."""
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = sorted(ROOT.glob("library/locale/*/LC_MESSAGES/django.po")) + sorted(
    ROOT.glob("directory/locale/*/LC_MESSAGES/django.po"))


def entries(path: Path):
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        if not any(line.startswith("msgid ") for line in lines):
            continue
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        current, parts = None, {}
        for line in lines:
            if line.startswith("#"):
                continue
            if line.startswith(("msgid", "msgstr")):
                current, _, rest = line.partition(" ")
                parts[current] = json.loads(rest)
            elif line.startswith('"') and current:
                parts[current] += json.loads(line)
        yield parts, fuzzy


def test_catalogs_exist_for_spanish_and_arabic():
    langs = {(path.parts[-5], path.parts[-3]) for path in CATALOGS}
    assert langs == {(app, lang) for app in ("library", "directory") for lang in ("es", "ar")}


@pytest.mark.parametrize("path", CATALOGS, ids=[f"{p.parts[-5]}-{p.parts[-3]}" for p in CATALOGS])
def test_every_string_is_translated(path):
    untranslated = []
    for parts, fuzzy in entries(path):
        if parts.get("msgid") == "":
            assert not fuzzy, "the header must not be fuzzy"
            continue
        strings = [value for key, value in parts.items() if key.startswith("msgstr")]
        if fuzzy or not strings or not all(strings):
            untranslated.append(parts.get("msgid"))
    assert not untranslated
