"""The safety messages in the reader's language (safety/present.py, safety/templatetags/safety_text.py).

The rule modules keep their English text; the presenter words the same facts (`params`) again through
the catalog. In English it must give back exactly the rules' text, for any plan; in Spanish and
Arabic it must word every finding without falling back.
"""
import json
import re
from datetime import date
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from safety import present
from safety.coding import cpt_for_session
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


def emitted_rule_ids() -> set[str]:
    """Every rule id a rule module can put in a Finding (the first argument of each Finding(...))."""
    ids = set()
    for module in ("screen.py", "payer.py", "steroids.py"):
        source = (SAFETY / module).read_text(encoding="utf-8")
        literal = re.findall(r'\bFinding\(\s*"([a-z-]+)"', source)
        assert len(literal) == len(re.findall(r"\bFinding\(", source)), f"{module}: a rule id that is not a literal"
        ids |= set(literal)
    return ids


def test_every_rule_id_the_rules_emit_has_a_wording():
    ids = emitted_rule_ids()
    assert len(ids) == 22, sorted(ids)  # a new rule: add its wording to safety/present.py MESSAGES
    assert ids == set(present.MESSAGES)
    assert set(present.SUGGESTIONS) <= ids


def test_every_note_and_structure_in_the_risk_data_is_marked_for_translation():
    data = set()
    for risk in muscle_risks().values():
        data |= set(risk.avoid) | ({risk.note} if risk.note else set())
    assert data == RISK_TEXTS, (
        f"add to safety/risk_texts.py: {sorted(data - RISK_TEXTS)}; no longer in the data: {sorted(RISK_TEXTS - data)}"
    )
    assert len(NOTES) == len(set(NOTES)) and len(STRUCTURES) == len(set(STRUCTURES))


def _all_texts(result, cpt, strict=True):
    """Everything the live check shows, worded by the presenter."""
    texts = []
    for finding in result.findings:
        texts.append(present.finding_message(finding, strict=strict))
        if finding.suggestion:
            texts.append(present.finding_suggestion(finding, strict=strict))
    texts += [present.dose_row_text(row, strict=strict) for row in result.dose.rows]
    texts.append(present.weight_basis_text(result.dose, strict=strict))
    texts.append(present.cpt_text(cpt, strict=strict))
    return texts


def _english(result, cpt):
    texts = []
    for finding in result.findings:
        texts.append(finding.message)
        if finding.suggestion:
            texts.append(finding.suggestion)
    texts += [row.text for row in result.dose.rows]
    texts.append(result.dose.weight_basis)
    texts.append(cpt.explanation)
    return texts


@FAST
@given(patients(), plans, st.none() | st.text(max_size=20))
def test_english_wording_is_exactly_the_rules_text_and_every_language_words_every_finding(facts, plan, reason):
    result, cpt = screen(facts, plan, dose_override_reason=reason), cpt_for_session(plan)
    with translation.override("en"):
        assert _all_texts(result, cpt) == _english(result, cpt)
    for lang in ("es", "ar"):
        with translation.override(lang):
            assert all(_all_texts(result, cpt))  # strict: a missing wording or param raises
    # what a snapshot keeps (JSON) words the same as the live findings
    kept = json.loads(json.dumps(SessionCheck(result, cpt, ()).snapshot()))
    with translation.override("es"):
        assert [present.finding_message(f) for f in kept["findings"]] == [
            present.finding_message(f, strict=True) for f in result.findings]
        assert present.weight_basis_text(kept["dose"]) == present.weight_basis_text(result.dose, strict=True)


@settings(max_examples=80, deadline=None, database=None)
@given(histories, sites, st.dates(date(2025, 6, 1), date(2026, 12, 31)), st.booleans(),
       st.sampled_from(["medicare-uniform-tpi-2024", "none"]))
def test_payer_findings_are_worded_in_every_language(history, planned, day, relief, policy):
    findings = check_session(policy, history, day, planned, relief)
    with translation.override("en"):
        assert [present.finding_message(f, strict=True) for f in findings] == [f.message for f in findings]
        assert [present.finding_suggestion(f, strict=True) for f in findings] == [f.suggestion or "" for f in findings]
    for lang in ("es", "ar"):
        with translation.override(lang):
            assert all(present.finding_message(f, strict=True) for f in findings)


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
    assert gap.message.startswith("Trapezius (upper fibres), left was treated on 2026-01-01, 1 day before 2026-01-02;")
    with translation.override("es"):
        assert present.finding_message(gap, strict=True).startswith(
            "Se trató Trapecio (fibras superiores), izquierdo el 2026-01-01, 1 día antes del 2026-01-02; ")
        assert "exige 42 días: se permite a partir del 2026-02-12." in present.finding_message(gap)
        assert "al menos un 50 % de alivio que dure al menos 6 semanas" in present.finding_message(relief)
    with translation.override("ar"):
        assert "قبل يوم واحد من 2026-01-02" in present.finding_message(gap, strict=True)
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
