"""Arabic patient texts use one term per concept (issue 15's terminology review).

Myofascial pain is الألم العضلي اللفافي (الألم العضلي الليفي is fibromyalgia, a different
condition); a collapsed lung is استرواح الصدر (انخماص الرئة is atelectasis); a steroid is
الكورتيكوستيرويد everywhere. Every Arabic text a patient can read is scanned.
"""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARABIC_TEXTS = sorted(ROOT.glob("library/content/*/ar.md")) + [
    ROOT / "safety/data/consent_forms.toml",
    ROOT / "portal/data/handout.toml",
    ROOT / "locale/ar/LC_MESSAGES/django.po",
    ROOT / "directory/data/complaints.toml",
]
WRONG = {
    "انخماص": "atelectasis: use استرواح الصدر for a collapsed lung",
    "الستيرويد": "use الكورتيكوستيرويد",
}


def patient_text(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


@pytest.mark.parametrize("path", ARABIC_TEXTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_wrong_terms(path):
    text = patient_text(path)
    for term, why in WRONG.items():
        assert term not in text, f"{path.name}: {term} ({why})"
    # الألم العضلي الليفي may only appear to say that it is a different condition (fibromyalgia)
    for match in re.finditer("الألم العضلي الليفي", text):
        contrast = text.startswith("غير ", max(0, match.start() - 4))
        named = text.startswith(" (الفيبروميالجيا)", match.end())
        assert contrast or named, path.name


def test_handout_and_consent_carry_the_new_warnings():
    import tomllib
    handout = tomllib.loads((ROOT / "portal/data/handout.toml").read_text(encoding="utf-8"))["texts"]
    consent = tomllib.loads((ROOT / "safety/data/consent_forms.toml").read_text(encoding="utf-8"))["forms"]
    for lang in ("en", "es", "ar"):
        assert len(handout[lang]["call"]) == 5, lang  # fever, spreading redness or pus, numbness, face, breathing
        assert any("diabet" in line or "السكري" in line for line in handout[lang]["aftercare"]), lang
        assert any("diabet" in line or "السكري" in line for line in consent[lang]["risks"]), lang
    assert "pus" in handout["en"]["call"][1] and "breathing in" in handout["en"]["call"][4]
    assert "clinic's experience" in consent["en"]["intro"]
    assert "عدوى" in consent["ar"]["risks"][2]
