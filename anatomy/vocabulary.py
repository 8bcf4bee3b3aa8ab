"""The shared body-region and muscle vocabularies, read from the versioned CSV files in data/.

The codes are a contract with other systems: they are kept exactly as published. A place on the
body is written `CODE:left`, `CODE:right`, or plain `CODE` for a midline region. Plain Python, no
Django, so the ranker and the command line can use it without a database.

Labels people read come in English from the same CSV files, and in other languages from
data/labels/<lang>.csv (`kind,code,label`, kind muscle or region); a code without a translated
label falls back to English. Callers pass the language (Django code passes get_language()).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
LABELS_DIR = DATA_DIR / "labels"
SIDES = ("left", "right")
DEFAULT_LANGUAGE = "en"

# The side as written after a region label ("Temple, left"). Spanish says "lado izquierdo" and
# Arabic "الجانب الأيسر" (the side, left) so the word agrees whatever the region's gender.
SIDE_WORDS = {
    "en": {"left": "left", "right": "right"},
    "es": {"left": "lado izquierdo", "right": "lado derecho"},
    "ar": {"left": "الجانب الأيسر", "right": "الجانب الأيمن"},
}
LIST_SEPARATOR = {"ar": "، "}  # Arabic comma; ", " otherwise


@dataclass(frozen=True)
class Region:
    code: str
    label: str
    group: str
    paired: bool
    view: str  # front, back or both
    description: str


@dataclass(frozen=True)
class Muscle:
    code: str
    name: str
    group: str


@dataclass(frozen=True, order=True)
class Place:
    """A region with its side (None for a midline region)."""

    region: str
    side: str | None = None

    def __str__(self) -> str:
        return f"{self.region}:{self.side}" if self.side else self.region


class VocabularyError(ValueError):
    """A code or side that the vocabulary does not know, with a message a person can act on."""


@cache
def regions() -> dict[str, Region]:
    with open(DATA_DIR / "body-regions.csv", newline="", encoding="utf-8") as handle:
        return {
            row["code"]: Region(
                code=row["code"],
                label=row["label"],
                group=row["group"],
                paired=row["sides"] == "LR",
                view=row["view"],
                description=row["description"],
            )
            for row in csv.DictReader(handle)
        }


@cache
def muscles() -> dict[str, Muscle]:
    with open(DATA_DIR / "muscles.csv", newline="", encoding="utf-8") as handle:
        return {
            row["code"]: Muscle(code=row["code"], name=row["name"], group=row["group"])
            for row in csv.DictReader(handle)
        }


def region(code: str) -> Region:
    try:
        return regions()[code]
    except KeyError:
        raise VocabularyError(f"Unknown body region {code!r}.") from None


def muscle(code: str) -> Muscle:
    try:
        return muscles()[code]
    except KeyError:
        raise VocabularyError(f"Unknown muscle {code!r}.") from None


def check_place(region_code: str, side: str | None) -> Place:
    """Validate a region with its side: paired regions need left or right, midline ones none."""
    found = region(region_code)
    side = side or None
    if found.paired and side not in SIDES:
        raise VocabularyError(f"{found.label} ({region_code}) needs a side: left or right.")
    if not found.paired and side is not None:
        raise VocabularyError(f"{found.label} ({region_code}) is a midline region and takes no side.")
    return Place(region_code, side)


def parse_place(text: str) -> Place:
    """Read `CODE`, `CODE:left` or `CODE:right`."""
    text = text.strip()
    code, _, side = text.partition(":")
    return check_place(code, side.lower() or None)


def all_places() -> list[Place]:
    """Every place a pain drawing can mark: paired regions twice, midline ones once."""
    places = []
    for found in regions().values():
        if found.paired:
            places.extend(Place(found.code, side) for side in SIDES)
        else:
            places.append(Place(found.code))
    return places


# --------------------------------------------------------------------------- translated labels
def base_language(lang: str | None) -> str:
    """`es`, `es-mx`, `es_MX` -> `es`; None or empty -> English."""
    return (lang or DEFAULT_LANGUAGE).replace("_", "-").split("-")[0].lower() or DEFAULT_LANGUAGE


@cache
def translated_labels(lang: str) -> dict[tuple[str, str], str]:
    """{(kind, code): label} from data/labels/<lang>.csv; empty for English or a missing file."""
    lang = base_language(lang)
    path = LABELS_DIR / f"{lang}.csv"
    if lang == DEFAULT_LANGUAGE or not path.is_file():
        return {}
    with open(path, newline="", encoding="utf-8") as handle:
        return {(row["kind"], row["code"]): row["label"].strip()
                for row in csv.DictReader(handle) if row.get("label", "").strip()}


def label_languages() -> list[str]:
    """English and every language with a labels file."""
    return [DEFAULT_LANGUAGE] + sorted(path.stem for path in LABELS_DIR.glob("*.csv"))


def muscle_label(code: str, lang: str | None = DEFAULT_LANGUAGE) -> str:
    """The muscle's name in `lang`, else in English; an unknown code is returned as it is."""
    found = muscles().get(code)
    english = found.name if found else code
    return translated_labels(base_language(lang)).get(("muscle", code), english)


def region_label(code: str, lang: str | None = DEFAULT_LANGUAGE) -> str:
    """The region's label in `lang`, else in English; an unknown code is returned as it is."""
    found = regions().get(code)
    english = found.label if found else code
    return translated_labels(base_language(lang)).get(("region", code), english)


def side_label(side: str, lang: str | None = DEFAULT_LANGUAGE) -> str:
    """`left`/`right` as written after a region label, in `lang` (else English)."""
    words = SIDE_WORDS.get(base_language(lang), SIDE_WORDS[DEFAULT_LANGUAGE])
    return words.get(side, SIDE_WORDS[DEFAULT_LANGUAGE].get(side, side))


def place_label(place: Place, lang: str | None = DEFAULT_LANGUAGE) -> str:
    """The region and its side: "Angle of neck, left"; in Spanish "Ángulo del cuello, lado izquierdo"."""
    label = region_label(place.region, lang)
    if not place.side:
        return label
    return label + LIST_SEPARATOR.get(base_language(lang), ", ") + side_label(place.side, lang)


def region_choices(lang: str | None = DEFAULT_LANGUAGE) -> list[tuple[str, str]]:
    return [(r.code, region_label(r.code, lang)) for r in regions().values()]


def muscle_choices(lang: str | None = DEFAULT_LANGUAGE) -> list[tuple[str, str]]:
    return [(m.code, muscle_label(m.code, lang)) for m in muscles().values()]
