"""The article files and the plain functions over them: parsing, checks, related articles, search."""
import shutil
from datetime import date
from pathlib import Path

import pytest
import simple_icd_10_cm as icd

from anatomy.vocabulary import muscles
from library import articles as content
from library.articles import (
    CATEGORIES, CONTENT_DIR, REQUIRED_KEYS, ArticleError, compute_related, load_library, parse_article,
    relatedness, search, split_front_matter,
)

FILES = sorted(CONTENT_DIR.glob("*/*.md"))
REQUIRED_ARTICLES = [
    "trigger-point-injections", "tpi-aftercare", "neck-upper-back-exercises", "shoulder-blade-exercises",
    "low-back-hip-exercises", "myofascial-pain-syndrome", "clavicle-fracture-fixation", "ankle-fractures",
    "plantar-fasciitis", "patellar-dislocation",
]


@pytest.fixture(scope="module")
def library():
    return load_library()


@pytest.fixture
def library_missing_arabic(tmp_path):
    """The shipped library with two Arabic versions taken out, to exercise the English fallback."""
    shutil.copytree(CONTENT_DIR, tmp_path / "content")
    for slug in ("ankle-fractures", "neck-upper-back-exercises", "shoulder-blade-exercises"):
        (tmp_path / "content" / slug / "ar.md").unlink()
    return load_library(tmp_path / "content")


def test_every_article_has_an_arabic_version(library):
    assert all("ar" in library.articles[slug] for slug in library.slugs())


def _write(folder: Path, slug: str, lang: str, text: str) -> None:
    (folder / slug).mkdir(parents=True, exist_ok=True)
    (folder / slug / f"{lang}.md").write_text(text, encoding="utf-8")


def _front(**overrides) -> str:
    meta = {
        "title": '"A title"', "summary": '"A summary."', "category": '"treatment"', "topics": '["neck"]',
        "codes": '["M79.18"]', "muscles": '["upper-trapezius"]', "related": "[]",
        "sources": '[{ name = "A named source", year = 2020 }]', "reviewed_on": "2026-11-28",
        "translation_status": '"draft"', "reviewer": '"A reviewer"',
    }
    meta.update(overrides)
    lines = [f"{key} = {value}" for key, value in meta.items() if value is not None]
    return "+++\n" + "\n".join(lines) + "\n+++\nBody text.\n"


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.name}" for p in FILES])
def test_every_article_file_parses_with_complete_front_matter(path):
    meta, body = split_front_matter(path.read_text(encoding="utf-8"), str(path))
    assert set(REQUIRED_KEYS) <= set(meta)
    article = parse_article(path.read_text(encoding="utf-8"), path.parent.name, path.stem, path)
    assert article.category in CATEGORIES
    assert article.title and article.summary and article.reviewer
    assert isinstance(article.reviewed_on, date)
    assert article.sources and all(source.name and 1900 < source.year <= 2026 for source in article.sources)
    assert article.html.startswith("<") and "<h2>" in article.html


def test_the_library_holds_the_ten_articles_each_in_english_and_spanish(library):
    assert set(REQUIRED_ARTICLES) <= set(library.slugs())
    for slug in library.slugs():
        assert {"en", "es"} <= set(library.articles[slug]), f"{slug} lacks a Spanish version"
    for slug in ("trigger-point-injections", "tpi-aftercare"):
        assert "ar" in library.articles[slug]


def test_related_slugs_exist_and_translations_share_the_english_metadata(library):
    for slug in library.slugs():
        english = library.reference(slug)
        assert all(related in library.articles for related in english.related)
        for version in library.articles[slug].values():
            assert (version.category, version.topics, version.codes, version.muscles, version.related) == (
                english.category, english.topics, english.codes, english.muscles, english.related)


def test_muscles_and_icd_codes_are_real(library):
    known = set(muscles())
    for slug in library.slugs():
        article = library.reference(slug)
        assert set(article.muscles) <= known
        for code in article.codes:
            if not code.isdigit():
                assert icd.is_valid_item(code), f"{slug}: {code} is not an ICD-10-CM code"


def test_each_language_version_is_written_in_that_language(library):
    # A crude check that nobody pasted English into a translation: common English words are absent.
    english_words = {" the ", " and ", " with ", " your "}
    for slug in library.slugs():
        for lang, version in library.articles[slug].items():
            if lang != "en":
                body = f" {version.body.lower()} "
                assert not [word for word in english_words if word in body], f"{slug}/{lang} has English text"
    arabic = library.articles["trigger-point-injections"]["ar"]
    assert sum("\u0600" <= char <= "\u06ff" for char in arabic.body) > 1000


def test_the_tpi_article_says_what_to_expect_and_names_the_rare_risks(library):
    body = library.reference("trigger-point-injections").body.lower()
    for phrase in ["two weeks apart", "third session", "several small injections", "strengthening",
                   "infection", "bleeding", "pneumothorax", "nerve damage", "allergic reaction"]:
        assert phrase in body, phrase


def test_raw_html_in_an_article_is_escaped_and_unsafe_links_dropped():
    html = content.render_markdown(
        "Hello <script>alert(1)</script> and <b>bold</b>.\n\n<div onclick=x>block</div>\n\n"
        "[bad](javascript:alert(1)) [good](https://example.org) [inner](../tpi-aftercare/)"
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>" not in html and "&lt;div" in html
    assert "javascript:" not in html
    assert 'href="https://example.org"' in html and 'href="../tpi-aftercare/"' in html


@pytest.mark.parametrize("overrides, message", [
    ({"title": None}, "lacks title"),
    ({"category": '"gossip"'}, "unknown category"),
    ({"translation_status": '"machine"'}, "translation_status"),
    ({"codes": '["knee"]'}, "not ICD-10-CM or CPT"),
    ({"sources": '[{ name = "No year" }]'}, "needs a 'year'"),
    ({"reviewed_on": '"last week"'}, "TOML date"),
    ({"extra": '"x"'}, "unknown front matter keys"),
])
def test_bad_front_matter_is_refused_with_a_clear_message(overrides, message):
    with pytest.raises(ArticleError, match=message):
        parse_article(_front(**overrides), "an-article", "en")


def test_front_matter_must_be_closed():
    with pytest.raises(ArticleError, match="no closing"):
        parse_article("+++\ntitle = 'x'\nBody", "an-article", "en")


def test_library_checks_links_languages_and_shared_metadata(tmp_path):
    _write(tmp_path, "one", "en", _front(related='["missing"]'))
    _write(tmp_path, "one", "es", _front(category='"aftercare"'))
    _write(tmp_path, "two", "es", _front())
    _write(tmp_path, "three", "en", _front(muscles='["no-such-muscle"]'))
    with pytest.raises(ArticleError) as error:
        load_library(tmp_path)
    text = str(error.value)
    assert "related article 'missing' does not exist" in text
    assert "one/es.md: 'category' differs from the English version" in text
    assert "two: there is no English version" in text
    assert "no-such-muscle" in text


def test_related_articles_put_curated_first_then_the_most_similar(library):
    aftercare = library.reference("tpi-aftercare")
    found = [item.slug for item in compute_related(
        aftercare, [library.reference(slug) for slug in library.slugs()], limit=6)]
    assert found[:4] == list(aftercare.related)
    assert "tpi-aftercare" not in found
    # Not curated, but shares trigger-point topics and codes with the aftercare article.
    assert "myofascial-pain-syndrome" in found

    plantar = library.reference("plantar-fasciitis")
    ankle = library.reference("ankle-fractures")
    exercises = library.reference("neck-upper-back-exercises")
    assert relatedness(plantar, ankle) > relatedness(plantar, exercises)
    shoulder = library.reference("shoulder-blade-exercises")
    assert relatedness(exercises, shoulder) > relatedness(exercises, ankle)


def test_relatedness_is_symmetric_and_zero_without_shared_tags(library):
    slugs = library.slugs()
    for first in slugs:
        for second in slugs:
            a, b = library.reference(first), library.reference(second)
            assert relatedness(a, b) == relatedness(b, a)
    clavicle = library.reference("clavicle-fracture-fixation")
    plantar = library.reference("plantar-fasciitis")
    assert relatedness(clavicle, plantar) == 0 or set(clavicle.topics) & set(plantar.topics)


def test_related_articles_follow_the_reader_language(library_missing_arabic):
    library = library_missing_arabic
    related = content.related_articles("tpi-aftercare", "ar", library=library)
    by_slug = {shown.slug: shown for shown in related}
    assert by_slug["trigger-point-injections"].article.lang == "ar"
    assert by_slug["neck-upper-back-exercises"].article.lang == "en"
    assert by_slug["neck-upper-back-exercises"].is_fallback


def test_search_is_accent_insensitive_and_in_the_reader_language(library):
    hits = search("cuello", "es", library=library)
    assert hits and hits[0].shown.slug == "neck-upper-back-exercises"
    assert all(hit.shown.article.lang == "es" for hit in hits)
    # The accented and plain spellings find the same articles.
    assert [h.shown.slug for h in search("rodílla", "es", library=library)] == \
        [h.shown.slug for h in search("rodilla", "es", library=library)]
    assert search("rodilla", "es", library=library)[0].shown.slug == "patellar-dislocation"
    assert search("CLAVÍCULA", "es", library=library)[0].shown.slug == "clavicle-fracture-fixation"
    # English words do not find Spanish text, and the reverse.
    assert not search("cuello", "en", library=library)


def test_search_ranks_titles_above_passing_mentions(library):
    hits = search("heel pain", "en", library=library)
    assert hits[0].shown.slug == "plantar-fasciitis"
    hits = search("aftercare injection", "en", library=library)
    assert hits[0].shown.slug == "tpi-aftercare"
    assert not search("zzzz qqqq", "en", library=library)
    assert not search("the and of", "en", library=library)


def test_search_by_code_and_arabic_with_fallback(library_missing_arabic):
    library = library_missing_arabic
    assert search("M72.2", "en", library=library)[0].shown.slug == "plantar-fasciitis"
    hits = search("الزناد", "ar", library=library)
    assert {hit.shown.slug for hit in hits} >= {"trigger-point-injections", "tpi-aftercare"}
    # An Arabic reader searching in English finds the English fallbacks, marked as such.
    hits = search("ankle", "ar", library=library)
    assert hits[0].shown.slug == "ankle-fractures" and hits[0].shown.is_fallback


def test_articles_for_muscles_gives_exercise_articles_for_treated_muscles(library_missing_arabic):
    library = library_missing_arabic
    found = content.articles_for_muscles(["piriformis", "upper-trapezius", "gluteus-medius"], "es",
                                         library=library)
    slugs = [shown.slug for shown in found]
    assert slugs == ["low-back-hip-exercises", "neck-upper-back-exercises"]
    assert all(shown.article.lang == "es" and not shown.is_fallback for shown in found)
    arabic = content.articles_for_muscles(["infraspinatus"], "ar", library=library)
    assert [shown.slug for shown in arabic] == ["shoulder-blade-exercises"] and arabic[0].is_fallback
    assert content.articles_for_muscles(["masseter"], "en", library=library) == []


def test_articles_for_codes_matches_exact_codes_and_categories(library):
    assert content.articles_for_codes(["S42.02"], "en", library=library)[0].slug == "clavicle-fracture-fixation"
    slugs = [shown.slug for shown in content.articles_for_codes(["20552"], "en", library=library)]
    assert set(slugs) == {"trigger-point-injections", "tpi-aftercare"}


def test_the_cached_library_is_loaded_once_and_reloaded_when_a_file_changes(tmp_path):
    content.clear_cache()
    assert content.get_library() is content.get_library()
    _write(tmp_path, "one", "en", _front())
    first = content.get_library(tmp_path)
    assert first is content.get_library(tmp_path)
    _write(tmp_path, "two", "en", _front(title='"Second"'))
    second = content.get_library(tmp_path)
    assert second is not first and second.slugs() == ["one", "two"]
