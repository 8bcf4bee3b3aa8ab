"""The imaging-guidance add-on code: suggested beside the injection code when a counted site was
ultrasound-guided, with the payer's word on it; the code and the payer's note come from
payer_policies.toml, and one presenter words it in every language."""
from dataclasses import replace

import pytest
from django.utils import translation

from safety import data_files, present
from safety.coding import cpt_for_session
from safety.facts import PlannedInjection
from safety.tests.helpers import lido

MEDICARE = "medicare-uniform-tpi-2024"


def guided(muscle="upper-trapezius", side="left", agent="lidocaine") -> PlannedInjection:
    return replace(lido(1, muscle=muscle, side=side), agent=agent, guidance="ultrasound")


def addon(result):
    return [n.params for n in result.notes if n.rule == "cpt-imaging-addon"]


@pytest.mark.parametrize("plans, payer, expected", [
    ([lido(1)], MEDICARE, []),  # landmark-guided: no add-on
    ([guided()], MEDICARE, [("76942", [["upper-trapezius", "left"]], False)]),
    ([guided(), guided(side="right"), lido(1, muscle="rhomboids")], MEDICARE,
     [("76942", [["upper-trapezius", "left"], ["upper-trapezius", "right"]], False)]),
    ([guided(), guided()], "none", [("76942", [["upper-trapezius", "left"]], None)]),  # each site once
    ([guided()], None, [("76942", [["upper-trapezius", "left"]], None)]),  # payer not known
    ([guided(agent="dry-needling")], MEDICARE, [("76942", [["upper-trapezius", "left"]], False)]),
])
def test_an_ultrasound_guided_site_brings_the_add_on_with_the_payers_word(plans, payer, expected):
    result = cpt_for_session(plans, payer)
    assert [(p["code"], p["sites"], p["covered"]) for p in addon(result)] == expected
    assert len(result.codes) == 1  # the add-on is a suggestion beside the code, never one of the billed codes


def test_the_code_and_the_payers_word_are_read_from_the_payer_file(tmp_path, monkeypatch):
    text = (data_files.DATA_DIR / "payer_policies.toml").read_text(encoding="utf-8")
    assert 'ultrasound = "76942"' in text and "imaging_guidance_covered = false" in text
    (tmp_path / "payer_policies.toml").write_text(
        text.replace('ultrasound = "76942"', 'ultrasound = "76999"').replace(
            "imaging_guidance_covered = false", "imaging_guidance_covered = true"), "utf-8")
    monkeypatch.setattr(data_files, "DATA_DIR", tmp_path)
    data_files.payer_policies.cache_clear(), data_files.imaging_guidance.cache_clear()
    try:
        [params] = addon(cpt_for_session([guided()], MEDICARE))
        assert (params["code"], params["covered"]) == ("76999", True)
        with translation.override("en"):
            assert "covers it" in present.note_text(cpt_for_session([guided()], MEDICARE).notes[-1])
    finally:
        monkeypatch.undo()
        data_files.payer_policies.cache_clear(), data_files.imaging_guidance.cache_clear()
    [params] = addon(cpt_for_session([guided()], MEDICARE))
    assert (params["code"], params["covered"]) == ("76942", False)


def test_the_medicare_policy_names_its_sources_for_not_covering_imaging_guidance():
    policy = data_files.payer_policy(MEDICARE)
    assert policy.imaging_guidance_covered is False
    assert any("L36859" in s and "https://" in s for s in policy.imaging_guidance_sources)
    assert any("https://" in s for s in data_files.imaging_guidance().sources)


@pytest.mark.parametrize("language, covered, words", [
    ("en", False, ["76942", "Trapezius (upper fibres), left", "does not cover imaging guidance", "ABN"]),
    ("en", None, ["76942", "Check that the patient's payer covers"]),
    ("es", False, ["76942", "no cubre la guía por imagen", "ABN"]),
    ("ar", False, ["76942", "لا تغطي", "ABN"]),
    ("ar", None, ["76942", "تحقق من أن جهة الدفع"]),
])
def test_the_presenter_words_the_add_on_in_each_language(language, covered, words):
    result = cpt_for_session([guided()], MEDICARE if covered is False else None)
    with translation.override(language):
        text = present.note_text(addon_note(result))
    assert all(w in text for w in words), text


def addon_note(result):
    return next(n for n in result.notes if n.rule == "cpt-imaging-addon")

