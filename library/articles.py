"""The health library: patient-education articles kept as versioned Markdown files.

Each article is a folder `content/<slug>/` with one file per language, `<lang>.md`. A file starts
with a TOML front matter block between two `+++` lines, then the body in Markdown:

    +++
    title = "Trigger points and trigger point injections"
    summary = "One or two plain sentences."
    category = "treatment"            # one of CATEGORIES
    topics = ["trigger-point", "injection"]
    codes = ["M79.18", "20552"]       # ICD-10-CM and CPT codes the article relates to
    muscles = ["upper-trapezius"]     # codes from anatomy/data/muscles.csv
    related = ["tpi-aftercare"]       # curated slugs, shown first
    sources = [{ name = "Travell & Simons, Trigger Point Manual", year = 1999 }]
    reviewed_on = 2026-11-28
    translation_status = "draft"      # or "clinically-reviewed"
    reviewer = "Name or role"
    +++
    Body in Markdown...

English (`en.md`) is the reference version: every article has one, and its category, topics,
codes, muscles and related slugs are the article's. A translation must carry the same ones, so
a reader gets the same related articles in every language.

Plain Python (no Django), so a command line, a handout builder or a test can use it directly.
"""
from __future__ import annotations

import math
import re
import tomllib
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Iterable
from xml.etree import ElementTree

import markdown
from markdown.treeprocessors import Treeprocessor

from tpclinic import language

CONTENT_DIR = Path(__file__).resolve().parent / "content"
REFERENCE_LANGUAGE = "en"
LANGUAGES = ("en", "es", "ar")
CATEGORIES = ("treatment", "aftercare", "exercises", "conditions", "orthopaedics")
TRANSLATION_STATUSES = ("clinically-reviewed", "draft")
REQUIRED_KEYS = (
    "title", "summary", "category", "topics", "codes", "muscles", "related", "sources",
    "reviewed_on", "translation_status", "reviewer",
)
# Fields that belong to the article, not to one language: every translation repeats English's.
SHARED_KEYS = ("category", "topics", "codes", "muscles", "related")

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TOPIC = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ICD10CM = re.compile(r"^[A-TV-Z][0-9][0-9AB](?:\.[0-9A-Z]{1,4})?$")
CPT = re.compile(r"^[0-9]{4}[0-9FTU]$")


class ArticleError(ValueError):
    """An article file that cannot be served, with the file and the reason."""


@dataclass(frozen=True)
class Source:
    name: str
    year: int
    url: str = ""
    lang: str = "en"  # language of the cited work itself


@dataclass(frozen=True)
class Article:
    slug: str
    lang: str
    title: str
    summary: str
    category: str
    topics: tuple[str, ...]
    codes: tuple[str, ...]
    muscles: tuple[str, ...]
    related: tuple[str, ...]
    sources: tuple[Source, ...]
    reviewed_on: date
    translation_status: str
    reviewer: str
    body: str = field(repr=False)
    html: str = field(repr=False)
    path: Path | None = field(default=None, repr=False, compare=False)

    @property
    def direction(self) -> str:
        return language.direction(self.lang)

    @property
    def is_reviewed(self) -> bool:
        return self.translation_status == "clinically-reviewed"


@dataclass(frozen=True)
class Shown:
    """The article a reader gets: their language when it exists, otherwise English, marked as such."""

    article: Article
    requested: str

    @property
    def is_fallback(self) -> bool:
        return self.article.lang != self.requested

    @property
    def slug(self) -> str:
        return self.article.slug


# --- Parsing ------------------------------------------------------------------------------------

def split_front_matter(text: str, where: str = "article") -> tuple[dict, str]:
    """Split `+++`-delimited TOML front matter from the Markdown body."""
    text = text.lstrip("\ufeff")
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "+++":
        raise ArticleError(f"{where}: the file must start with a '+++' line opening the front matter.")
    for number, line in enumerate(lines[1:], start=1):
        if line.strip() == "+++":
            header = "".join(lines[1:number])
            body = "".join(lines[number + 1:])
            break
    else:
        raise ArticleError(f"{where}: the front matter has no closing '+++' line.")
    try:
        meta = tomllib.loads(header)
    except tomllib.TOMLDecodeError as error:
        raise ArticleError(f"{where}: the front matter is not valid TOML: {error}.") from None
    return meta, body


def _string_list(meta: dict, key: str, where: str, pattern: re.Pattern | None = None) -> tuple[str, ...]:
    value = meta[key]
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise ArticleError(f"{where}: '{key}' must be a list of non-empty strings.")
    if pattern is not None:
        bad = [item for item in value if not pattern.match(item)]
        if bad:
            raise ArticleError(f"{where}: '{key}' has badly formed entries: {', '.join(bad)}.")
    if len(set(value)) != len(value):
        raise ArticleError(f"{where}: '{key}' lists the same entry twice.")
    return tuple(value)


def _sources(meta: dict, where: str) -> tuple[Source, ...]:
    value = meta["sources"]
    if not isinstance(value, list) or not value:
        raise ArticleError(f"{where}: 'sources' must name at least one source.")
    sources = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"].strip():
            raise ArticleError(f"{where}: each source needs a 'name'.")
        year = item.get("year")
        if not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= 2100:
            raise ArticleError(f"{where}: source {item['name']!r} needs a 'year' (a number such as 2023).")
        url = item.get("url", "")
        if url and not re.match(r"^https?://", url):
            raise ArticleError(f"{where}: source {item['name']!r} has a URL that is not http(s).")
        unknown = set(item) - {"name", "year", "url", "lang"}
        if unknown:
            raise ArticleError(f"{where}: source {item['name']!r} has unknown keys: {', '.join(sorted(unknown))}.")
        sources.append(Source(name=item["name"].strip(), year=year, url=url, lang=item.get("lang", "en")))
    return tuple(sources)


def check_code(code: str) -> bool:
    """An ICD-10-CM code (M79.18, S42.0) or a CPT code (20552), by form."""
    return bool(ICD10CM.match(code) or CPT.match(code))


def parse_article(text: str, slug: str, lang: str, path: Path | None = None) -> Article:
    """Parse and check one file on its own (links between articles are checked by `load_library`)."""
    where = str(path) if path else f"{slug}/{lang}.md"
    if not SLUG.match(slug):
        raise ArticleError(f"{where}: {slug!r} is not a slug (lower-case letters, digits and hyphens).")
    meta, body = split_front_matter(text, where)
    missing = [key for key in REQUIRED_KEYS if key not in meta]
    if missing:
        raise ArticleError(f"{where}: the front matter lacks {', '.join(missing)}.")
    unknown = sorted(set(meta) - set(REQUIRED_KEYS))
    if unknown:
        raise ArticleError(f"{where}: unknown front matter keys: {', '.join(unknown)}.")
    for key in ("title", "summary", "reviewer"):
        if not isinstance(meta[key], str) or not meta[key].strip():
            raise ArticleError(f"{where}: '{key}' must be a non-empty string.")
    if meta["category"] not in CATEGORIES:
        raise ArticleError(f"{where}: unknown category {meta['category']!r}; use one of {', '.join(CATEGORIES)}.")
    if meta["translation_status"] not in TRANSLATION_STATUSES:
        raise ArticleError(
            f"{where}: translation_status must be one of {', '.join(TRANSLATION_STATUSES)}, "
            f"not {meta['translation_status']!r}."
        )
    reviewed_on = meta["reviewed_on"]
    if not isinstance(reviewed_on, date) or hasattr(reviewed_on, "hour"):
        raise ArticleError(f"{where}: 'reviewed_on' must be a TOML date such as 2026-11-28.")
    codes = _string_list(meta, "codes", where)
    bad_codes = [code for code in codes if not check_code(code)]
    if bad_codes:
        raise ArticleError(f"{where}: not ICD-10-CM or CPT codes: {', '.join(bad_codes)}.")
    if not body.strip():
        raise ArticleError(f"{where}: the article has no body.")
    return Article(
        slug=slug,
        lang=lang,
        title=meta["title"].strip(),
        summary=meta["summary"].strip(),
        category=meta["category"],
        topics=_string_list(meta, "topics", where, TOPIC),
        codes=codes,
        muscles=_string_list(meta, "muscles", where),
        related=_string_list(meta, "related", where, SLUG),
        sources=_sources(meta, where),
        reviewed_on=reviewed_on,
        translation_status=meta["translation_status"],
        reviewer=meta["reviewer"].strip(),
        body=body,
        html=render_markdown(body),
        path=path,
    )


# --- Markdown, safely ---------------------------------------------------------------------------

SAFE_URL = re.compile(r"^(?:https?://|mailto:|/|#|\.{0,2}/?[a-z0-9-]+/?(?:#[\w-]*)?$)", re.IGNORECASE)


class _SafeLinks(Treeprocessor):
    """Drop href/src values that are not http(s), mailto, or a relative or fragment link."""

    def run(self, root: ElementTree.Element) -> None:
        for element in root.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value is not None and not SAFE_URL.match(value.strip()):
                    del element.attrib[attribute]
            if element.tag == "a" and (element.get("href") or "").startswith("http"):
                element.set("rel", "noopener noreferrer")


def _markdown() -> markdown.Markdown:
    md = markdown.Markdown(extensions=["sane_lists", "tables"], output_format="html")
    # Raw HTML in an article is shown as text, never passed through.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    md.treeprocessors.register(_SafeLinks(md), "safe_links", 0)
    return md


def render_markdown(text: str) -> str:
    md = _markdown()
    return md.convert(text)


# --- The library --------------------------------------------------------------------------------

class Library:
    """All articles, checked together: `articles[slug][lang]`."""

    def __init__(self, articles: dict[str, dict[str, Article]]):
        self.articles = articles
        self._index: dict[tuple[str, str], dict[str, Counter]] = {}

    def slugs(self) -> list[str]:
        return sorted(self.articles)

    def languages(self, slug: str) -> list[str]:
        return sorted(self.articles[slug], key=lambda lang: (lang != REFERENCE_LANGUAGE, lang))

    def reference(self, slug: str) -> Article:
        return self.articles[slug][REFERENCE_LANGUAGE]

    def show(self, slug: str, lang: str) -> Shown:
        """The article in `lang`, or in English (marked as a fallback) when it has no such version."""
        lang = normalise_language(lang)
        versions = self.articles[slug]
        return Shown(versions.get(lang) or versions[REFERENCE_LANGUAGE], lang)

    def all_shown(self, lang: str) -> list[Shown]:
        return [self.show(slug, lang) for slug in self.slugs()]


def normalise_language(lang: str | None) -> str:
    """`es-MX` -> `es`; anything unknown or empty -> English."""
    return language.supported(lang or REFERENCE_LANGUAGE)


def _known_muscles() -> set[str] | None:
    try:
        from anatomy.vocabulary import muscles
    except ImportError:  # the loader also works outside the project
        return None
    return set(muscles())


def load_library(content_dir: Path | str = CONTENT_DIR) -> Library:
    """Read and check every article under `content_dir`; raise ArticleError listing every problem."""
    content_dir = Path(content_dir)
    articles: dict[str, dict[str, Article]] = {}
    problems: list[str] = []
    for folder in sorted(path for path in content_dir.iterdir() if path.is_dir()):
        versions = {}
        for file in sorted(folder.glob("*.md")):
            lang = file.stem
            if lang not in LANGUAGES:
                problems.append(f"{file}: {lang!r} is not a language of the library ({', '.join(LANGUAGES)}).")
                continue
            try:
                versions[lang] = parse_article(file.read_text(encoding="utf-8"), folder.name, lang, file)
            except ArticleError as error:
                problems.append(str(error))
        if versions:
            articles[folder.name] = versions
    muscles = _known_muscles()
    for slug, versions in articles.items():
        if REFERENCE_LANGUAGE not in versions:
            problems.append(f"{slug}: there is no English version ({REFERENCE_LANGUAGE}.md).")
            continue
        english = versions[REFERENCE_LANGUAGE]
        for related in english.related:
            if related == slug:
                problems.append(f"{slug}: an article cannot list itself as related.")
            elif related not in articles:
                problems.append(f"{slug}: related article {related!r} does not exist.")
        if muscles is not None:
            unknown = [code for code in english.muscles if code not in muscles]
            if unknown:
                problems.append(f"{slug}: muscles not in anatomy/data/muscles.csv: {', '.join(unknown)}.")
        for lang, version in versions.items():
            for key in SHARED_KEYS:
                if getattr(version, key) != getattr(english, key):
                    problems.append(f"{slug}/{lang}.md: '{key}' differs from the English version.")
    if problems:
        raise ArticleError("The health library has problems:\n" + "\n".join(problems))
    return Library(articles)


@lru_cache(maxsize=4)
def _cached(content_dir: str, signature: tuple) -> Library:
    return load_library(content_dir)


def _signature(content_dir: Path) -> tuple:
    """The files and their modification times: an edited, added or removed file reloads the library."""
    return tuple(sorted((str(path), path.stat().st_mtime_ns) for path in content_dir.glob("*/*.md")))


def get_library(content_dir: Path | str = CONTENT_DIR) -> Library:
    """The checked library, parsed once and kept until one of its files changes."""
    content_dir = Path(content_dir).resolve()
    return _cached(str(content_dir), _signature(content_dir))


def clear_cache() -> None:
    _cached.cache_clear()


# --- Related articles ---------------------------------------------------------------------------

def features(article: Article) -> set[str]:
    """What an article is about, as comparable tags: topics, codes (with their ICD-10 category), muscles."""
    found = {f"topic:{topic}" for topic in article.topics}
    found |= {f"muscle:{muscle}" for muscle in article.muscles}
    for code in article.codes:
        found.add(f"code:{code}")
        if ICD10CM.match(code):
            found.add(f"code:{code[:3]}")  # S42.0 and S42.02 share S42
    return found


def relatedness(first: Article, second: Article) -> float:
    """Jaccard similarity of the two articles' tags, with a small bonus for the same category."""
    a, b = features(first), features(second)
    if not a or not b:
        return 0.0
    shared = len(a & b)
    if not shared:
        return 0.0
    score = shared / len(a | b)
    if first.category == second.category:
        score += 0.05
    return round(score, 6)


def compute_related(article: Article, candidates: Iterable[Article], limit: int = 5) -> list[Article]:
    """Curated related articles first (in their order), then the most similar others by `relatedness`."""
    by_slug = {candidate.slug: candidate for candidate in candidates if candidate.slug != article.slug}
    chosen = [by_slug[slug] for slug in article.related if slug in by_slug]
    taken = {item.slug for item in chosen}
    scored = sorted(
        ((relatedness(article, candidate), candidate.slug) for candidate in by_slug.values()
         if candidate.slug not in taken),
        key=lambda pair: (-pair[0], pair[1]),
    )
    chosen += [by_slug[slug] for score, slug in scored if score > 0]
    return chosen[:limit]


def related_articles(slug: str, lang: str, limit: int = 5, library: Library | None = None) -> list[Shown]:
    """Related articles as the reader will see them (their language, or English marked as such)."""
    library = library or get_library()
    references = [library.reference(other) for other in library.slugs()]
    found = compute_related(library.reference(slug), references, limit)
    return [library.show(item.slug, lang) for item in found]


# --- Search -------------------------------------------------------------------------------------

STOPWORDS = frozenset(
    # English
    "a an and are as at be by can do for from how i if in is it its me my of on or that the this to "
    "what when where which who why will with you your after before about".split()
    # Spanish
    + "a al con de del el en es la las lo los mi mis o para por que se su sus un una uno unos y "
      "como cuando donde qué cómo tras sobre".split()
    # Arabic
    + "في من على الى إلى عن مع هذا هذه ما ماذا كيف متى او أو و ثم".split()
)
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ـ": None})
WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case, accent-free, Arabic letters unified: 'Rodílla' -> 'rodilla'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unicodedata.normalize("NFC", stripped).translate(_ARABIC_FOLD)


def tokenize(text: str, drop_stopwords: bool = False) -> list[str]:
    tokens = []
    for token in WORD.findall(fold(text)):
        if token.startswith("ال") and len(token) > 4:  # Arabic definite article
            token = token[2:]
        if drop_stopwords and token in STOPWORDS:
            continue
        tokens.append(token)
    return tokens


FIELD_WEIGHTS = {"title": 6.0, "summary": 3.0, "tags": 3.0, "body": 1.0}


def _fields(article: Article) -> dict[str, Counter]:
    tags = " ".join(topic.replace("-", " ") for topic in article.topics)
    tags += " " + " ".join(muscle.replace("-", " ") for muscle in article.muscles)
    body = re.sub(r"[#*_>`\[\]()|-]", " ", article.body)
    return {
        "title": Counter(tokenize(article.title)),
        "summary": Counter(tokenize(article.summary)),
        "tags": Counter(tokenize(tags)),
        "body": Counter(tokenize(body)),
    }


def _term_score(term: str, fields: dict[str, Counter]) -> float:
    score = 0.0
    for name, counts in fields.items():
        count = counts.get(term, 0)
        # Prefixes count too, less: 'rodilla' finds 'rodillas', 'inject' finds 'injection'.
        partial = sum(n for token, n in counts.items() if token != term and token.startswith(term)) \
            if len(term) >= 4 else 0
        if count or partial:
            score += FIELD_WEIGHTS[name] * (1 + math.log(count + 0.5 * partial + 1))
    return score


@dataclass(frozen=True)
class Hit:
    shown: Shown
    score: float


def search(query: str, lang: str, limit: int = 20, library: Library | None = None) -> list[Hit]:
    """Rank the articles a reader of `lang` sees (their language, else English) against `query`.

    Accent- and case-insensitive; every word must match somewhere for the best scores, and an
    article matching only some words ranks below those matching all. A code (M79.18, 20552) in the
    query finds the articles carrying it.
    """
    library = library or get_library()
    raw_codes = {piece.upper().rstrip(".,;") for piece in query.split()}
    terms = list(dict.fromkeys(tokenize(query, drop_stopwords=True)))
    if not terms and not raw_codes:
        return []
    hits = []
    for shown in library.all_shown(lang):
        article = shown.article
        key = (article.slug, article.lang)
        if key not in library._index:
            library._index[key] = _fields(article)
        fields = library._index[key]
        scores = [_term_score(term, fields) for term in terms]
        matched = sum(1 for score in scores if score > 0)
        score = sum(scores) * ((matched / len(terms)) ** 2 if terms else 0)
        if raw_codes & set(article.codes):
            score += 20.0
        if score > 0:
            hits.append(Hit(shown, round(score, 4)))
    hits.sort(key=lambda hit: (-hit.score, hit.shown.article.title))
    return hits[:limit]


# --- For other parts of tpclinic ----------------------------------------------------------------

def articles_for_muscles(muscle_codes: Iterable[str], lang: str, library: Library | None = None) -> list[Shown]:
    """Home-exercise articles covering the treated muscles, best coverage first, for handouts.

    Each result is the reader's language when it exists, else English with `is_fallback` set.
    """
    library = library or get_library()
    wanted = set(muscle_codes)
    scored = []
    for slug in library.slugs():
        article = library.reference(slug)
        if article.category != "exercises":
            continue
        covered = wanted & set(article.muscles)
        if covered:
            scored.append((-len(covered), slug))
    return [library.show(slug, lang) for _, slug in sorted(scored)]


def articles_for_codes(codes: Iterable[str], lang: str, library: Library | None = None) -> list[Shown]:
    """Articles carrying any of the given ICD-10-CM / CPT codes (an exact code or its ICD category)."""
    library = library or get_library()
    wanted = set(codes)
    wanted |= {code[:3] for code in wanted if ICD10CM.match(code)}
    scored = []
    for slug in library.slugs():
        article = library.reference(slug)
        mine = set(article.codes) | {code[:3] for code in article.codes if ICD10CM.match(code)}
        exact = len(wanted & set(article.codes))
        loose = len(wanted & mine)
        if loose:
            scored.append((-exact, -loose, slug))
    return [library.show(slug, lang) for *_, slug in sorted(scored)]
