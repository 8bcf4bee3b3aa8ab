"""Pain-drawing measures used in the pain-drawing literature: extent and change between visits.

Extent is the share of the body map's places that are marked (paired regions count once per
side). Change is the Jaccard similarity of two drawings' places: 1 for the same drawing, 0 for
no overlap (as in the digital pain-drawing studies, e.g. Boudreau's Navigate Pain work).
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from anatomy import vocabulary
from anatomy.vocabulary import Place


def extent(places: Iterable[Place]) -> float:
    marked = set(places)
    return len(marked) / len(vocabulary.all_places())


def jaccard(first: Iterable[Place], second: Iterable[Place]) -> float | None:
    a, b = set(first), set(second)
    if not a and not b:
        return None
    return len(a & b) / len(a | b)


DEFAULT_INTENSITY = 5


INTENSITY = re.compile(r"(?:[0-9]|10)")  # ASCII only: "²".isdigit() is true but int("²") fails


def read_intensity(text: str, what: str) -> int:
    if not INTENSITY.fullmatch(text):
        raise vocabulary.VocabularyError(f"Pain intensity for {what} must be a whole number from 0 to 10.")
    return int(text)


def parse_marks(text: str, intensity: int = DEFAULT_INTENSITY) -> list[tuple[Place, int]]:
    """Read `CODE:side` or `CODE:side@intensity` items separated by commas or spaces; a place
    written without its own intensity gets the drawing's `intensity`."""
    marks: dict[Place, int] = {}
    for item in text.replace(",", " ").split():
        where, _, level = item.partition("@")
        place = vocabulary.parse_place(where)
        marks[place] = read_intensity(level, str(place)) if level else intensity
    return sorted(marks.items())
