import subprocess
import sys
import tomllib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from anatomy import vocabulary
from safety import data_files
from safety.data_files import RECALLED, VERIFIED, dose_limits, muscle_risks, payer_policies

ROOT = Path(__file__).resolve().parents[2]


def test_every_muscle_has_risk_data_and_nothing_else():
    risks = muscle_risks()
    assert list(risks) == list(vocabulary.muscles())
    for risk in risks.values():
        assert risk.pneumothorax in ("none", "moderate", "high")
        assert risk.sources and risk.confidence in (RECALLED, VERIFIED)


def test_chest_wall_and_deep_muscles_are_marked():
    risks = muscle_risks()
    for code in ("upper-trapezius", "middle-trapezius", "lower-trapezius", "rhomboids", "serratus-anterior",
                 "serratus-posterior-superior", "serratus-posterior-inferior", "pectoralis-major",
                 "pectoralis-minor", "scalenes", "iliocostalis-thoracis", "longissimus-thoracis", "latissimus-dorsi"):
        assert risks[code].pneumothorax == "high", code
    for code in ("iliopsoas", "quadratus-lumborum", "piriformis", "gluteus-minimus"):
        assert risks[code].deep_noncompressible, code
    assert risks["biceps-brachii"].pneumothorax == "none" and not risks["biceps-brachii"].deep_noncompressible
    assert "kidney" in risks["quadratus-lumborum"].avoid


def test_dose_limits_match_the_brief():
    limits = dose_limits()
    lido, bupi, chloro = (limits.agents[a] for a in ("lidocaine", "bupivacaine", "chloroprocaine"))
    assert (lido.plain.mg_per_kg, lido.plain.max_mg, lido.with_epinephrine.mg_per_kg) == (Decimal("4.5"), 300, 7)
    assert (bupi.plain.max_mg, bupi.with_epinephrine.max_mg) == (175, 225)
    assert chloro.drug_class == "ester" and lido.drug_class == bupi.drug_class == "amide"
    assert limits.reduction_factor == Decimal("0.8") and limits.reduction_age == 70
    assert (limits.caution_from, limits.over_above) == (Decimal("0.8"), 1)
    assert all(agent.sources for agent in limits.agents.values())


def test_payer_policies():
    medicare = payer_policies()["medicare-uniform-tpi-2024"]
    assert medicare.name == "Medicare uniform TPI LCD (2024)"
    assert (medicare.min_days_same_location, medicare.max_sessions, medicare.window_days) == (42, 3, 365)
    assert any("L34211" in s for s in medicare.sources) and any("A59553" in s for s in medicare.sources)
    assert payer_policies()["none"].name == "No payer limits"


def test_the_medicare_tpi_lcds():
    records = {lcd.number: lcd for lcd in data_files.lcds()}
    uniform = {lcd.contractor.split(",")[0].split(" ")[0]: lcd.number for lcd in records.values()
               if lcd.policy == "medicare-uniform-tpi-2024" and lcd.contractor != "Noridian Healthcare Solutions, LLC"}
    assert uniform == {"CGS": "L39656", "National": "L39662", "Palmetto": "L39671", "WPS": "L39713"}
    assert {n for n, lcd in records.items() if lcd.contractor.startswith("Noridian")} == {"L34211", "L36859"}
    wps = records["L39713"]
    assert (wps.article, wps.status, wps.effective, wps.confirmed) == ("A59553", "active", date(2024, 4, 1), True)
    assert "L37913" not in records  # a WPS MolDX LCD, not a TPI one: a summary transposed L39713
    assert records["L34588"].status == "retired" and records["L34588"].retired == date(2024, 3, 31)
    assert {records[n].policy for n in ("L35010", "L33912")} == {""}  # Novitas, First Coast: rules not encoded
    assert all(lcd.source and lcd.url.startswith("https://") for lcd in records.values())


def _lcds_from(tmp_path, monkeypatch, old, new):
    text = (data_files.DATA_DIR / "payer_policies.toml").read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "payer_policies.toml").write_text(text.replace(old, new, 1), "utf-8")
    monkeypatch.setattr(data_files, "DATA_DIR", tmp_path)
    data_files.lcds.cache_clear()
    data_files.payer_policies.cache_clear()
    try:
        return data_files.lcds()
    finally:
        data_files.lcds.cache_clear()
        data_files.payer_policies.cache_clear()


@pytest.mark.parametrize("old, new, problem", [
    ('number = "L39713"', 'number = "L3971"', "distinct LCD number"),
    ('number = "L39713"', 'number = "L34211"', "distinct LCD number"),
    ('article = "A59553"', 'article = "59553"', "article number"),
    ('policy = "medicare-uniform-tpi-2024"', 'policy = "medicare-2024"', "unknown policy"),
    ('checked = "cms-data"', 'checked = "confirmed"', "checked one of"),
    ('status = "retired"', 'status = "active"', "retirement date"),
    ("retired = 2024-03-31", "retired = 2023-01-01", "retirement date"),
    ('contractor = "WPS Insurance Corporation"', 'contractor = ""', "contractor"),
])
def test_a_bad_lcd_entry_is_refused(tmp_path, monkeypatch, old, new, problem):
    with pytest.raises(data_files.DataFileError, match=problem):
        _lcds_from(tmp_path, monkeypatch, old, new)


def test_bad_muscle_code_in_risk_file_is_refused(tmp_path, monkeypatch):
    text = (data_files.DATA_DIR / "muscle_risks.toml").read_text(encoding="utf-8")
    (tmp_path / "muscle_risks.toml").write_text(text.replace("[muscles.scalenes]", "[muscles.scalene]"), "utf-8")
    monkeypatch.setattr(data_files, "DATA_DIR", tmp_path)
    data_files.muscle_risks.cache_clear()
    try:
        try:
            data_files.muscle_risks()
        except data_files.DataFileError as error:
            assert "scalene" in str(error)
        else:
            raise AssertionError("a renamed muscle code must be refused")
    finally:
        data_files.muscle_risks.cache_clear()


def test_rule_modules_import_no_django():
    code = (
        "import sys; import safety.dose, safety.screen, safety.coding, safety.payer, safety.data_files; "
        "print(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _risks_from(tmp_path, monkeypatch, text):
    (tmp_path / "muscle_risks.toml").write_text(text, "utf-8")
    monkeypatch.setattr(data_files, "DATA_DIR", tmp_path)
    data_files.muscle_risks.cache_clear()
    try:
        return data_files.muscle_risks()
    finally:
        data_files.muscle_risks.cache_clear()


def test_verified_risk_fields_must_be_real_fields_backed_by_an_opened_source(tmp_path, monkeypatch):
    text = (data_files.DATA_DIR / "muscle_risks.toml").read_text(encoding="utf-8")
    scalenes = text.index("[muscles.scalenes]")
    block_end = text.index("\n\n", scalenes)
    block = text[scalenes:block_end]
    verified_line = next(line for line in block.splitlines() if line.startswith("verified = "))
    assert '"avoid"' in verified_line

    misspelt_block = block.replace(verified_line, verified_line.replace('"avoid"', '"avoids"'))
    misspelt = text[:scalenes] + misspelt_block + text[block_end:]
    with pytest.raises(data_files.DataFileError, match=r"scalenes.*unknown field.*avoids"):
        _risks_from(tmp_path, monkeypatch, misspelt)

    only_recalled = block.replace(block[block.index("sources = "):block.index("\n", block.index("sources = "))],
                                  'sources = ["anatomy"]')
    with pytest.raises(data_files.DataFileError, match=r"scalenes.*opened"):
        _risks_from(tmp_path, monkeypatch, text[:scalenes] + only_recalled + text[block_end:])

    # The same entry with nothing claimed as verified may rest on recalled anatomy alone.
    unclaimed = only_recalled.replace(verified_line + "\n", "").replace('"verified"', f'"{RECALLED}"')
    assert _risks_from(tmp_path, monkeypatch, text[:scalenes] + unclaimed + text[block_end:])["scalenes"].recalled


def test_high_risk_sites_have_their_nerves_and_vessels_checked_against_opened_sources():
    raw = tomllib.loads((data_files.DATA_DIR / "muscle_risks.toml").read_text(encoding="utf-8"))["muscles"]
    for code in ("upper-trapezius", "middle-trapezius", "lower-trapezius", "rhomboids", "serratus-anterior",
                 "pectoralis-minor", "scalenes", "scm-sternal", "scm-clavicular", "piriformis", "quadratus-lumborum"):
        assert "avoid" in raw[code].get("verified", ()), code


def test_an_entry_is_verified_exactly_when_every_field_it_carries_is(tmp_path, monkeypatch):
    text = (data_files.DATA_DIR / "muscle_risks.toml").read_text(encoding="utf-8")
    start = text.index("[muscles.gastrocnemius]")
    end = text.index("\n\n", start)
    block = text[start:end]
    assert 'confidence = "verified"' in block and not muscle_risks()["gastrocnemius"].recalled

    one_field_recalled = block.replace('"deep_noncompressible", ', "")
    with pytest.raises(data_files.DataFileError, match=r"gastrocnemius.*still recalled: deep_noncompressible"):
        _risks_from(tmp_path, monkeypatch, text[:start] + one_field_recalled + text[end:])

    # Flagging it recalled again is refused while every field is checked: the flag would be false.
    flagged = block.replace('confidence = "verified"', f'confidence = "{RECALLED}"')
    with pytest.raises(data_files.DataFileError, match=r"gastrocnemius.*every field is verified"):
        _risks_from(tmp_path, monkeypatch, text[:start] + flagged + text[end:])

    # A note is a field too: adding an unchecked note takes the entry back to recalled.
    noted = block.replace("confidence =", 'note = "Stay off the popliteal fossa."\nconfidence =')
    with pytest.raises(data_files.DataFileError, match=r"gastrocnemius.*still recalled: note"):
        _risks_from(tmp_path, monkeypatch, text[:start] + noted + text[end:])
    both = noted.replace('confidence = "verified"', f'confidence = "{RECALLED}"')
    assert _risks_from(tmp_path, monkeypatch, text[:start] + both + text[end:])["gastrocnemius"].recalled
