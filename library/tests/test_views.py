"""The public library pages: no login, the care notice in every language, honest language fallback."""
import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

NOTICE = {
    "en": "This information is not a substitute for professional medical care.",
    "es": "Esta información no sustituye la atención médica profesional.",
    "ar": "هذه المعلومات ليست بديلًا عن الرعاية الطبية المتخصصة.",
}
FALLBACK = {
    "es": "Este artículo todavía no está disponible en su idioma. Se muestra abajo en inglés.",
    "ar": "هذه المقالة غير متوفرة بلغتك بعد، وهي معروضة أدناه باللغة الإنجليزية.",
}


def _article_tag(html: str) -> str:
    match = re.search(r"<article[^>]*>", html)
    assert match, "no <article> element"
    return match.group(0)


def _article_text(html: str) -> str:
    return re.search(r"<article[^>]*>(.*?)</article>", html, re.S).group(1)


def test_library_pages_are_public(client):
    assert client.get(reverse("library:index")).status_code == 200
    assert client.get(reverse("library:article", args=["trigger-point-injections"])).status_code == 200


def test_index_lists_articles_by_category(client):
    html = client.get(reverse("library:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for heading in ["Treatment", "Aftercare", "Home exercises", "Conditions", "Bones and joints"]:
        assert f">{heading}</h2>" in html
    assert "Trigger points and trigger point injections" in html
    assert NOTICE["en"] in html


@pytest.mark.parametrize("lang", ["en", "es", "ar"])
def test_every_article_page_shows_the_care_notice_in_the_reader_language(client, lang):
    from library.articles import get_library

    for slug in get_library().slugs():
        response = client.get(reverse("library:article", args=[slug]), HTTP_ACCEPT_LANGUAGE=lang)
        assert response.status_code == 200
        assert NOTICE[lang] in response.content.decode(), f"{slug} in {lang}"


def test_spanish_reader_gets_the_spanish_article(client):
    response = client.get(reverse("library:article", args=["tpi-aftercare"]), HTTP_ACCEPT_LANGUAGE="es")
    html = response.content.decode()
    assert 'lang="es"' in _article_tag(html) and 'dir="ltr"' in _article_tag(html)
    assert "Cuidados después de una infiltración en puntos gatillo" in html
    assert FALLBACK["es"] not in html
    assert "Fuentes" in html and "Revisado el" in html
    assert "Borrador, aún sin revisión clínica" in html
    assert "Equipo de contenidos de tpclinic" in html


def test_language_cookie_chooses_the_article_language(client):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    html = client.get(reverse("library:article", args=["trigger-point-injections"])).content.decode()
    tag = _article_tag(html)
    assert 'lang="ar"' in tag and 'dir="rtl"' in tag
    assert "نقاط الزناد وحقن نقاط الزناد" in html
    assert NOTICE["ar"] in html


def test_missing_translation_shows_english_marked_as_english(client, tmp_path, monkeypatch):
    import shutil

    from library import articles as content
    shutil.copytree(content.CONTENT_DIR, tmp_path / "content")
    (tmp_path / "content" / "ankle-fractures" / "ar.md").unlink()
    without_arabic = content.load_library(tmp_path / "content")
    monkeypatch.setattr(content, "get_library", lambda *args: without_arabic)
    response = client.get(reverse("library:article", args=["ankle-fractures"]), HTTP_ACCEPT_LANGUAGE="ar")
    html = response.content.decode()
    tag = _article_tag(html)
    assert 'lang="en"' in tag and 'dir="ltr"' in tag
    assert FALLBACK["ar"] in html
    assert NOTICE["ar"] in html
    body = _article_text(html)
    assert "Ankle fractures" in body
    # The whole article body is in one language: no Arabic letters inside the English article.
    assert not re.search(r"[\u0600-\u06ff]", body)


def test_article_page_shows_sources_review_status_and_related(client):
    html = client.get(reverse("library:article", args=["trigger-point-injections"]),
                      HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Alvarez DJ, Rockwell PG" in html
    assert 'datetime="2026-11-28"' in html
    assert "Draft, not yet clinically reviewed" in html
    assert "tpclinic content team" in html
    assert "Related articles" in html
    related = html.split("Related articles", 1)[1]
    assert reverse("library:article", args=["tpi-aftercare"]) in related
    assert "?print=1" in html


def test_print_view_keeps_the_article_and_notice_and_drops_navigation(client):
    url = reverse("library:article", args=["tpi-aftercare"])
    html = client.get(url, {"print": "1"}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert NOTICE["es"] in html
    assert 'lang="es"' in _article_tag(html)
    assert 'id="print-button"' in html and "library/print.js" in html
    assert "Artículos relacionados" not in html
    assert "Impreso desde la biblioteca de salud de tpclinic" in html


def test_search_box_finds_spanish_articles_without_accents(client):
    html = client.get(reverse("library:index"), {"q": "rodilla"}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    results = html.split('id="results-heading"', 1)[1].split("</section>", 1)[0]
    assert "Luxación de rótula" in results
    html = client.get(reverse("library:index"), {"q": "cuello"}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    results = html.split('id="results-heading"', 1)[1].split("</section>", 1)[0]
    assert "Ejercicios en casa para el cuello" in results
    empty = client.get(reverse("library:index"), {"q": "xyzzy"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No article matches these words" in empty


def test_search_query_is_escaped(client):
    html = client.get(reverse("library:index"), {"q": "<script>x</script>"}).content.decode()
    assert "<script>x</script>" not in html


def test_unknown_article_is_404(client):
    assert client.get(reverse("library:article", args=["no-such-article"])).status_code == 404
