"""Translated muscle and region labels (data/labels/<lang>.csv) and their use by the body map."""
import csv
import re

import pytest
from django.template import Context, Template
from django.utils import translation

from anatomy import vocabulary
from anatomy.vocabulary import Place

LANGS = ("es", "ar")
ARABIC = re.compile(r"[\u0600-\u06FF]")


def rows(lang):
    with open(vocabulary.LABELS_DIR / f"{lang}.csv", newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == ["kind", "code", "label"]
        return list(reader)


@pytest.mark.parametrize("lang", LANGS)
def test_every_code_has_exactly_one_label(lang):
    found = rows(lang)
    muscles = [row["code"] for row in found if row["kind"] == "muscle"]
    regions = [row["code"] for row in found if row["kind"] == "region"]
    assert {row["kind"] for row in found} == {"muscle", "region"}
    assert sorted(muscles) == sorted(vocabulary.muscles()) and len(muscles) == len(set(muscles))
    assert sorted(regions) == sorted(vocabulary.regions()) and len(regions) == len(set(regions))
    assert all(row["label"].strip() == row["label"] and row["label"] for row in found)


@pytest.mark.parametrize("lang", LANGS)
def test_labels_are_translated(lang):
    for code, muscle in vocabulary.muscles().items():
        label = vocabulary.muscle_label(code, lang)
        assert label and (ARABIC.search(label) if lang == "ar" else True), (code, label)
    for code, region in vocabulary.regions().items():
        label = vocabulary.region_label(code, lang)
        assert label and (ARABIC.search(label) if lang == "ar" else True), (code, label)
    # Spanish differs from English for nearly all (a few Latin names are the same in both).
    same = [c for c, m in vocabulary.muscles().items() if vocabulary.muscle_label(c, lang) == m.name]
    assert len(same) <= 3, same


def test_labels_and_fallbacks():
    assert vocabulary.muscle_label("upper-trapezius") == "Trapezius (upper fibres)"
    assert vocabulary.muscle_label("upper-trapezius", "es") == "Trapecio (fibras superiores)"
    assert vocabulary.muscle_label("upper-trapezius", "es-mx") == "Trapecio (fibras superiores)"
    assert vocabulary.muscle_label("upper-trapezius", "ar") == "العضلة شبه المنحرفة (الألياف العلوية)"
    assert vocabulary.muscle_label("upper-trapezius", "fr") == "Trapezius (upper fibres)"  # no labels: English
    assert vocabulary.muscle_label("upper-trapezius", None) == "Trapezius (upper fibres)"
    assert vocabulary.muscle_label("no-such-muscle", "es") == "no-such-muscle"
    assert vocabulary.region_label("head.temple", "es") == "Sien"
    assert vocabulary.region_label("head.temple", "ar") == "الصدغ"
    assert vocabulary.region_label("head.temple", "pt-BR") == "Temple"


def test_place_label_keeps_its_old_signature_and_translates_the_side():
    angle, sacrum = Place("neck.angle", "left"), Place("back.sacrum")
    assert vocabulary.place_label(angle) == "Angle of neck, left"
    assert vocabulary.place_label(sacrum) == "Sacrum"
    assert vocabulary.place_label(angle, "es") == "Ángulo del cuello, lado izquierdo"
    assert vocabulary.place_label(Place("head.temple", "right"), "es") == "Sien, lado derecho"
    assert vocabulary.place_label(angle, "ar") == "زاوية الرقبة، الجانب الأيسر"
    assert vocabulary.place_label(sacrum, "ar") == "العجز"


def test_choices_follow_the_language():
    assert dict(vocabulary.region_choices("es"))["head.temple"] == "Sien"
    assert dict(vocabulary.muscle_choices("ar"))["masseter"] == "العضلة الماضغة"
    assert dict(vocabulary.muscle_choices())["masseter"] == "Masseter"


def test_vocabulary_module_stays_free_of_django():
    source = (vocabulary.DATA_DIR.parent / "vocabulary.py").read_text(encoding="utf-8")
    assert not re.search(r"^\s*(import|from)\s+django", source, re.MULTILINE)


def test_body_map_tag_speaks_the_active_language():
    template = Template('{% load bodymap %}{% body_map id="m" mode="select" %}')
    with translation.override("es"):
        spanish = template.render(Context())
    with translation.override("ar"):
        arabic = template.render(Context())
    english = template.render(Context())
    assert 'aria-label="Ángulo del cuello, lado izquierdo"' in spanish and ">Anterior<" in spanish
    assert 'aria-label="زاوية الرقبة، الجانب الأيسر"' in arabic
    assert 'aria-label="Angle of neck, left"' in english and ">Front<" in english
    # The codes in data- attributes never change with the language.
    assert spanish.count('data-key="neck.angle:left"') == english.count('data-key="neck.angle:left"')
