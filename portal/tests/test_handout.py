import re

import pytest
from django.urls import reverse

from portal import handout

pytestmark = pytest.mark.django_db

ENGLISH_HEADINGS = [handout.data()["texts"]["en"][key] for key in (
    "title", "treatment_heading", "aftercare_heading", "call_heading", "points_heading", "next_heading",
    "exercises_heading", "sources_heading",
)]


def keys(table, prefix=""):
    found = set()
    for key, value in table.items():
        found.add(prefix + key)
        if isinstance(value, dict):
            found |= keys(value, f"{prefix}{key}.")
    return found


def test_every_language_has_every_text():
    texts = handout.data()["texts"]
    assert {"en", "es", "ar"} <= set(texts)
    for lang, table in texts.items():
        assert keys(table) == keys(texts["en"]), lang
    sets = set(handout.data()["exercise_sets"].values())
    assert sets == set(texts["en"]["exercises"])
    from anatomy import vocabulary

    assert {m.group for m in vocabulary.muscles().values()} <= set(handout.data()["exercise_sets"])
    assert {m.group for m in vocabulary.muscles().values()} <= set(texts["en"]["groups"])


def test_sources_and_notice():
    names = " ".join(source["name"] for source in handout.data()["sources"])
    assert "Medscape" in names and "Patient Care Online" in names and "AAFP" in names and "2023" in names
    assert "not a substitute for professional care" in handout.data()["texts"]["en"]["notice"]


def visible_text(html: str) -> str:
    html = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture
def no_library(monkeypatch):
    import library.articles

    monkeypatch.setattr(library.articles, "articles_for_muscles", lambda muscles, lang: [], raising=False)


def test_spanish_handout_is_all_spanish(patient, trigger_points, upcoming, no_library):
    html = handout.render_html(patient)
    es = handout.data()["texts"]["es"]
    assert '<html lang="es" dir="ltr">' in html
    for key in ("title", "treatment_heading", "aftercare_heading", "points_heading", "next_heading",
                "exercises_heading", "notice"):
        assert es[key] in html, key
    text = visible_text(html)
    for heading in ENGLISH_HEADINGS:
        assert heading not in text, heading
    assert "fallback-notice" not in html
    assert es["groups"]["neck-shoulder"] in text and es["left"] in text       # the trigger points, in Spanish
    assert es["exercises"]["neck"]["title"] in text and es["exercises"]["back"]["title"] in text
    assert "<svg" in html and html.count("<circle") == 2                       # both points on the body map
    assert 'cx="100.0" cy="100.0"' in html                                      # not localized to "100,0"
    for english in ("Upper trapezius", "Trapezius", "Gluteus", "left", "right", "Front", "Back"):
        assert english not in text, english
    # The next session's date is written with Spanish month names.
    assert es["next_heading"] in text and " de " in text


def test_arabic_handout_is_right_to_left_with_an_arabic_font(patient, trigger_points):
    patient.preferred_language = "ar"
    patient.save()
    html = handout.render_html(patient)
    assert '<html lang="ar" dir="rtl">' in html
    assert "Noto Sans Arabic" in html
    assert handout.data()["texts"]["ar"]["title"] in html
    for heading in ENGLISH_HEADINGS:
        assert heading not in visible_text(html)


def test_missing_language_is_all_english_with_a_notice(patient):
    patient.preferred_language = "fr-CA"
    patient.save()
    html = handout.render_html(patient)
    en = handout.data()["texts"]["en"]
    assert '<html lang="en"' in html and 'id="fallback-notice"' in html and en["fallback_notice"] in html
    assert handout.data()["texts"]["es"]["title"] not in html
    assert en["no_points"] in html and en["next_none"] in html


def test_regional_tag_uses_the_primary_language(patient):
    patient.preferred_language = "es-MX"
    patient.save()
    assert '<html lang="es"' in handout.render_html(patient)


def test_handout_pdf_for_the_patient(patient_client, trigger_points, upcoming):
    response = patient_client.get(reverse("portal:handout"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_staff_can_print_a_patients_handout(clinician_client, patient):
    response = clinician_client.get(reverse("portal:staff_handout", args=[patient.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert clinician_client.get(reverse("portal:staff_handout", args=[999999])).status_code == 404


def test_library_articles_only_in_the_handout_language(patient, trigger_points, monkeypatch):
    from types import SimpleNamespace

    article = SimpleNamespace(lang="en", title="Neck stretches (library)", html="<p>stretch</p>",
                              muscles=("upper-trapezius",))
    shown = [SimpleNamespace(article=article, is_fallback=True)]
    import library.articles

    monkeypatch.setattr(library.articles, "articles_for_muscles", lambda muscles, lang: shown, raising=False)
    assert "Neck stretches (library)" not in handout.render_html(patient)     # English in a Spanish handout: no
    article.lang = "es"
    shown[0] = SimpleNamespace(article=article, is_fallback=False)
    html = handout.render_html(patient)
    assert "Neck stretches (library)" in html
    # The library covers the neck; the built-in list still covers the hip.
    es = handout.data()["texts"]["es"]["exercises"]
    assert es["neck"]["title"] not in visible_text(html) and es["back"]["title"] in visible_text(html)


def test_real_library_exercises_are_in_the_patients_language(patient, trigger_points):
    html = handout.render_html(patient)
    for lang in re.findall(r'class="article" lang="([a-z-]+)"', html):
        assert lang == "es"


def test_a_broken_library_does_not_stop_the_handout(patient, trigger_points, monkeypatch):
    import library.articles

    def broken(*args, **kwargs):
        raise RuntimeError("library down")

    monkeypatch.setattr(library.articles, "articles_for_muscles", broken, raising=False)
    assert handout.data()["texts"]["es"]["exercises"]["neck"]["title"] in handout.render_html(patient)
