import csv
import dataclasses
import re
import subprocess
import sys
import tomllib

import pytest

from anatomy import vocabulary
from referral import knowledge
from referral.knowledge import KnowledgeError, knowledge_base, parse

BILATERAL_EXCEPTIONS = {"rectus-abdominis", "scm-clavicular"}


def shipped() -> dict:
    with open(knowledge.PATTERNS_FILE, "rb") as handle:
        return tomllib.load(handle)


def test_every_muscle_in_the_vocabulary_has_a_pattern_and_nothing_else():
    with open(vocabulary.DATA_DIR / "muscles.csv", encoding="utf-8") as handle:
        codes = {row["code"] for row in csv.DictReader(handle)}
    tables = set(shipped()) - {"version"}
    assert tables == codes
    assert set(knowledge_base().patterns) == codes


def test_every_zone_code_is_a_known_region():
    regions = vocabulary.regions()
    for pattern in knowledge_base():
        for field in knowledge.ZONE_LISTS:
            for code in getattr(pattern, field):
                assert code in regions, (pattern.muscle, field, code)


def test_version_header_and_sources_are_present():
    text = knowledge.PATTERNS_FILE.read_text(encoding="utf-8")
    assert text.startswith("#"), "the file opens with a comment explaining its structure"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}\.\d+", knowledge_base().version)
    for pattern in knowledge_base():
        assert pattern.sources and all(source.strip() for source in pattern.sources)
        assert pattern.essential, pattern.muscle
        assert pattern.confidence in ("confirmed", "recalled")


def test_recalled_patterns_are_flagged_for_verification():
    recalled = [p for p in knowledge_base() if p.confidence == "recalled"]
    assert recalled, "the research notes mark many patterns as recalled"
    for pattern in recalled:
        assert pattern.needs_verification
        assert any("recalled, needs verification" in s for s in pattern.sources), pattern.muscle
    # Patterns confirmed in the research notes name a source other than memory.
    for code in ("upper-trapezius", "levator-scapulae", "piriformis", "gluteus-medius", "infraspinatus"):
        pattern = knowledge_base()[code]
        assert pattern.confidence == "confirmed"
        assert any("recalled" not in s for s in pattern.sources)


def test_only_the_known_bilateral_patterns_cross_the_midline():
    crossing = {p.muscle for p in knowledge_base() if p.contralateral}
    assert crossing == BILATERAL_EXCEPTIONS
    rectus = knowledge_base()["rectus-abdominis"]
    assert {"back.lumbar", "back.mid", "back.sacroiliac"} <= set(rectus.contralateral)
    assert "back.sacrum" in rectus.essential
    assert "head.forehead" in knowledge_base()["scm-clavicular"].contralateral
    # Midline reach of gluteus medius (over the sacrum) and the multifidi.
    assert "back.sacrum" in knowledge_base()["gluteus-medius"].essential
    assert "back.sacrum" in knowledge_base()["multifidi"].essential


def test_patterns_are_frozen_and_cached():
    pattern = knowledge_base()["upper-trapezius"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        pattern.essential = ()
    with pytest.raises(TypeError):
        knowledge_base().patterns["upper-trapezius"] = pattern
    assert knowledge_base() is knowledge_base()
    assert pattern.name == "Trapezius (upper fibres)"


def test_the_core_modules_do_not_import_django():
    code = (
        "import sys, referral.knowledge, referral.ranking, referral.evaluation;"
        "print(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


# -- validation: a wrong file fails loudly, naming the muscle and the code --------------------


def edited(muscle: str, **fields) -> dict:
    data = shipped()
    data[muscle] = {**data[muscle], **fields}
    return data


def test_unknown_region_names_the_muscle_and_the_code():
    with pytest.raises(KnowledgeError, match=r"\[masseter\].*essential.*'face\.chin'"):
        parse(edited("masseter", essential=["face.chin"]))


def test_unknown_and_missing_muscles_are_rejected():
    data = shipped()
    data["biceps-femoralis"] = data.pop("biceps-femoris")
    with pytest.raises(KnowledgeError, match="biceps-femoralis"):
        parse(data)
    data = shipped()
    del data["popliteus"]
    with pytest.raises(KnowledgeError, match="no pattern for muscle.*popliteus"):
        parse(data)


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"midline": ["back.lumbar"]}, r"\[soleus\] midline lists 'back.lumbar', which is a paired region"),
        ({"contralateral": ["back.sacrum"]}, r"\[soleus\] contralateral lists 'back.sacrum', which is a midline"),
        ({"spillover": ["foot.heel"]}, r"\[soleus\] foot.heel listed in both essential and spillover"),
        ({"confidence": "probable"}, r"\[soleus\] confidence must be one of"),
        ({"essential": []}, r"\[soleus\] essential must name at least one region"),
        ({"sources": []}, r"\[soleus\] sources must name at least one source"),
        ({"essential": "foot.heel"}, r"\[soleus\] essential must be a list"),
        ({"essential": ["foot.heel", "foot.heel"]}, r"\[soleus\] essential repeats a code"),
        ({"colour": "red"}, r"\[soleus\] unknown field"),
        (
            {"confidence": "recalled", "sources": ["Travell & Simons vol. 2"]},
            r"\[soleus\] a recalled pattern must say .* needs verification",
        ),
    ],
)
def test_bad_fields_are_rejected_with_a_clear_message(fields, message):
    with pytest.raises(KnowledgeError, match=message):
        parse(edited("soleus", **fields))


def test_missing_field_and_bad_version_are_rejected():
    data = shipped()
    del data["soleus"]["spillover"]
    with pytest.raises(KnowledgeError, match=r"\[soleus\] missing field.*spillover"):
        parse(data)
    data = shipped()
    data["version"] = "June"
    with pytest.raises(KnowledgeError, match="version"):
        parse(data)


def test_load_reports_broken_toml(tmp_path):
    broken = tmp_path / "patterns.toml"
    broken.write_text("version = \n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="not valid TOML"):
        knowledge.load(broken)
