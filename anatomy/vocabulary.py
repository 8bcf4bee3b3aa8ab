"""The shared body-region and muscle vocabularies, read from the versioned CSV files in data/.

The codes are a contract with other systems: they are kept exactly as published. A place on the
body is written `CODE:left`, `CODE:right`, or plain `CODE` for a midline region. Plain Python, no
Django, so the ranker and the command line can use it without a database.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
SIDES = ("left", "right")


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


def place_label(place: Place) -> str:
    label = region(place.region).label
    return f"{label}, {place.side}" if place.side else label


def region_choices() -> list[tuple[str, str]]:
    return [(r.code, r.label) for r in regions().values()]


def muscle_choices() -> list[tuple[str, str]]:
    return [(m.code, m.name) for m in muscles().values()]
