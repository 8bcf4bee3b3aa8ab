"""The one presenter (safety/present.py, safety/templatetags/safety_text.py) and rules without prose.

The rule modules give rule ids and facts; the presenter words every rule id, in English and in
every language with a catalog, from the facts alone. Each rule had its Spanish and Arabic wording
before the move, so each must be worded in them, not fall back to the English msgid.
"""
import dataclasses
import json
import re
from datetime import date
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from safety import coding, dose, findings, payer, present
from safety.coding import check_diagnosis, cpt_for_session
from safety.data_files import muscle_risks
from safety.payer import PastSession, check_session
from safety.risk_texts import NOTES, RISK_TEXTS, STRUCTURES
from safety.screen import screen
from safety.session_check import SessionCheck
from safety.tests import helpers
from safety.tests.helpers import bupi, lido
from safety.tests.test_properties import FAST, histories, patients, plans, sites

SAFETY = Path(__file__).resolve().parent.parent
ARABIC = re.compile(r"[\u0600-\u06FF]")
RULE_MODULES = ("screen.py", "payer.py", "dose.py", "coding.py", "steroids.py")
LANGUAGES = ("es", "ar")


def emitted_rule_ids() -> set[str]:
    """Every rule id a rule module can put in a Finding or Note (their first argument)."""
    ids = set(dose.STATUS_NOTES.values())
    for module in RULE_MODULES:
        source = (SAFETY / module).read_text(encoding="utf-8")
        literal = re.findall(r'\b(?:Finding|Note)\(\s*"([a-z0-9-]+)"', source)
        computed = re.findall(r"\bNote\(STATUS_NOTES\[", source)
        calls = re.findall(r"\b(?:Finding|Note)\((?!\)|rule)", source)
        assert len(literal) + len(computed) == len(calls), f"{module}: a rule id that is not a literal"
        ids |= set(literal)
    return ids


def test_every_rule_id_the_rules_emit_has_a_wording():
    ids = emitted_rule_ids()
    assert ids == set(present.MESSAGES)  # a new rule: add its wording to safety/present.py MESSAGES
    assert set(present.SUGGESTIONS) <= ids


# Fields of the rules' results that may hold text: ids, codes, sources (citations are never
# translated), the code set's own ICD-10-CM descriptions. Anything else would be prose.
TEXT_FIELDS = {"rule", "level", "source", "sources", "muscle", "muscles", "codes", "agent", "condition", "age", "age_from", "status", "data_version",
               "code", "description"}


@pytest.mark.parametrize("result", [findings.Finding, findings.Note, dose.AgentRow, dose.DoseReport, dose.Reduction,
                                    coding.CptResult, coding.DiagnosisCheck, coding.DiagnosisSuggestion,
                                    payer.ScheduleConflict],
                         ids=lambda r: r.__name__)
def test_rule_results_carry_no_prose(result):
    texts = {f.name for f in dataclasses.fields(result) if "str" in str(f.type) and "dict" not in str(f.type)}
    assert texts <= TEXT_FIELDS, f"{result.__name__}: {texts - TEXT_FIELDS} looks like a message; word it in present.py"
    assert not {"message", "suggestion", "text", "explanation", "reason", "messages", "label"} & (
        {f.name for f in dataclasses.fields(result)} | set(dir(result)))


def _params_strings(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in {"override_reason", "note", "avoid", "policy_name"}:  # typed by a person / data-file text
                yield from _params_strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _params_strings(item)
    elif isinstance(value, str):
        yield value


FACT = re.compile(r"^[A-Za-z0-9.:_-]*$")  # codes, numbers, ISO dates


def _worded(result, cpt, payer_findings=()):
    """Everything the live check shows, worded by the presenter: (rule id, text) pairs."""
    out = []
    for finding in (*result.findings, *payer_findings, *result.dose.notes, *cpt.notes):
        out.append((finding.rule, present.finding_message(finding)))
        suggestion = present.finding_suggestion(finding)
        if suggestion:
            out.append((finding.rule + " suggestion", suggestion))
    out += [("dose-row", present.dose_row_text(row)) for row in result.dose.rows]
    out += [("limit-basis", present.limit_basis(row.limit_basis_params)) for row in result.dose.rows]
    out.append(("weight-basis", present.weight_basis_text(result.dose)))
    out.append(("cpt", present.cpt_text(cpt)))
    return out


@FAST
@given(patients(), plans, st.none() | st.text(max_size=20), histories, st.booleans())
def test_every_finding_is_facts_and_every_language_words_it_without_falling_back(facts, plan, reason, history, relief):
    result, cpt = screen(facts, plan, dose_override_reason=reason), cpt_for_session(plan)
    sites_planned = {(p.muscle, p.side) for p in plan}
    payer_findings = check_session("medicare-uniform-tpi-2024", history, date(2026, 6, 1), sites_planned, relief)
    for finding in (*result.findings, *payer_findings, *result.dose.notes, *cpt.notes):
        assert finding.rule in present.MESSAGES
        assert all(FACT.match(text) for text in _params_strings(finding.params)), finding.params
        json.dumps(finding.params)  # plain JSON values, as a snapshot keeps them
    with translation.override("en"):
        english = _worded(result, cpt, payer_findings)
    assert all(text for _, text in english)
    for lang in LANGUAGES:
        with translation.override(lang):
            worded = _worded(result, cpt, payer_findings)
        same = [(rule, text) for (rule, text), (_, en) in zip(worded, english) if text == en]
        assert not same, f"{lang}: worded as the English msgid: {same}"
    # what a snapshot keeps (JSON) words the same as the live findings, and keeps the English text
    kept = json.loads(json.dumps(present.snapshot(SessionCheck(result, cpt, tuple(payer_findings)))))
    assert [f["message"] for f in kept["findings"]] == [
        present.english(present.finding_message, f) for f in result.findings]
    with translation.override("es"):
        assert [present.finding_message(f) for f in kept["findings"]] == [
            present.finding_message(f) for f in result.findings]
        assert [present.finding_suggestion(f) for f in kept["findings"]] == [
            present.finding_suggestion(f) for f in result.findings]
        assert present.weight_basis_text(kept["dose"]) == present.weight_basis_text(result.dose)


@pytest.mark.parametrize("code", ["M79.18", "M79.1", "M79", "Z99.999", "M54.2"])
def test_diagnosis_verdicts_are_worded_in_every_language(code):
    check = check_diagnosis(code)
    english = present.english(present.diagnosis_message, check)
    for lang in LANGUAGES:
        with translation.override(lang):
            assert present.diagnosis_message(check) != english


def test_every_note_and_structure_in_the_risk_data_is_marked_for_translation():
    data = set()
    for risk in muscle_risks().values():
        data |= set(risk.avoid) | ({risk.note} if risk.note else set())
    assert data == RISK_TEXTS, (
        f"add to safety/risk_texts.py: {sorted(data - RISK_TEXTS)}; no longer in the data: {sorted(RISK_TEXTS - data)}"
    )
    assert len(NOTES) == len(set(NOTES)) and len(STRUCTURES) == len(set(STRUCTURES))


def _all_texts(result, cpt):
    """Everything the live check shows, worded by the presenter."""
    return [text for _, text in _worded(result, cpt)]


def test_spanish_and_arabic_wording_with_localised_names_and_numbers():
    result = screen(helpers.patient(allergy_classes={"amide"}, copd=True, height_cm=180, weight_kg=55),
                    [lido(5), bupi(5, muscle="piriformis")])
    with translation.override("es"):
        texts = _all_texts(result, cpt_for_session([lido(5)]))
        joined = "\n".join(texts)
    assert "Lidocaína: es una amida, y el paciente es alérgico a los anestésicos de tipo amida." in texts
    assert "Trapecio (fibras superiores): riesgo alto de neumotórax" in joined
    assert "levante el músculo sujetándolo en pinza" in joined  # the data file's note, translated
    assert "Riesgo mayor en este paciente: EPOC, IMC 17,0 (inferior a 18,5)." in joined
    assert "Bupivacaína: 12,5 mg de un límite de 110 mg (aprox. 11,4 %)" in texts  # decimal comma
    assert "Piriforme: cuidado con el nervio ciático; los vasos glúteos superiores e inferiores." in texts
    assert "peso real 55 kg, no superior al peso ideal de 75,1 kg" in texts
    assert "20552: infiltración de puntos gatillo, 1 o 2 músculos. 1 músculo contado" in joined
    with translation.override("ar"):
        texts = _all_texts(result, cpt_for_session([lido(5)]))
    assert all(ARABIC.search(text) for text in texts), [t for t in texts if not ARABIC.search(t)]
    assert any("العضلة شبه المنحرفة (الألياف العلوية)" in text for text in texts)


def test_payer_wording_uses_the_plural_the_language_needs():
    history = [PastSession(date(2026, 1, 1), {"upper-trapezius:left"})]
    gap, relief = check_session("medicare-uniform-tpi-2024", history, date(2026, 1, 2), {"upper-trapezius:left"},
                                False)
    assert present.finding_message(gap).startswith("Trapezius (upper fibres), left was treated on 2026-01-01, 1 day before 2026-01-02;")
    with translation.override("es"):
        assert present.finding_message(gap).startswith(
            "Se trató Trapecio (fibras superiores), izquierdo el 2026-01-01, 1 día antes del 2026-01-02; ")
        assert "exige 42 días: se permite a partir del 2026-02-12." in present.finding_message(gap)
        assert "al menos un 50 % de alivio que dure al menos 6 semanas" in present.finding_message(relief)
    with translation.override("ar"):
        assert "قبل يوم واحد من 2026-01-02" in present.finding_message(gap)
        assert "مرور 42 يومًا" in present.finding_message(gap)


def test_unknown_rules_and_old_snapshots_fall_back_to_the_english_message():
    old = [  # a snapshot kept before params existed
        {"rule": "pneumothorax", "level": "warn", "message": "Trapezius (upper fibres): high pneumothorax risk.",
         "suggestion": "Lift the muscle."},
        {"rule": "pregnancy", "level": "warn", "message": "The patient is pregnant: prefer no steroid; lidocaine is "
         "generally considered acceptable; the anaesthetic limit is lowered."},
        {"rule": "a-future-rule", "level": "info", "message": "Something new.", "params": {"x": 1}},
        {"rule": "dose-ok", "level": "info", "message": "Local anaesthetic is 5%.", "params": {"pct": "5"}},
    ]
    with translation.override("es"):
        worded = [present.finding_message(f) for f in old]
        assert worded[0] == old[0]["message"]  # its wording needs the muscle: English
        assert present.finding_suggestion(old[0]).startswith("Separe el músculo")  # a fixed text: worded
        assert worded[1].startswith("La paciente está embarazada")  # no facts needed: worded anyway
        assert worded[2] == "Something new." and worded[3] == "Local anaesthetic is 5%."  # params incomplete
        assert present.weight_basis_text({"weight_basis": "weight not recorded"}) == "weight not recorded"
        with pytest.raises(KeyError):
            present.finding_message(old[2], strict=True)


def test_template_filters_escape_and_word_findings():
    result = screen(helpers.patient(), [lido(5)])
    template = Template("{% load safety_text %}{% for f in findings %}{{ f|finding_text }}|{% endfor %}")
    with translation.override("es"):
        html = template.render(Context({"findings": result.findings}))
    assert "Anestésico local: " in html and "Trapecio (fibras superiores): cuidado con" in html


# ------------------------------------------------------------------------------ pages
