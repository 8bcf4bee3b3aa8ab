"""Published evidence beside the textbook patterns: publications, the cases they report, and the
zones they document beyond the textbook (published variants).

Two data files, read and checked once: data/published_cases.toml (publications and their cases)
and data/published_variants.toml (zones, each citing publications by id). A mistake stops with a
message naming the entry. Plain Python, no Django.

Muscle codes the shared vocabulary has added but this checkout's anatomy/data/muscles.csv may not
have yet (AWAITED_MUSCLES) are accepted and kept: cases naming them count as misses and their
variants wait, until the vocabulary has them. Any other unknown code is an error.
"""
from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from anatomy import vocabulary
from anatomy.vocabulary import SIDES, Place
from referral import examination

DATA = Path(__file__).resolve().parent / "data"
CASES_FILE = DATA / "published_cases.toml"
VARIANTS_FILE = DATA / "published_variants.toml"

# Added to the shared muscle vocabulary on 2026-12-03 (published cases name them as confirmed
# culprits); they reach anatomy/data/muscles.csv through the vocabulary copy.
AWAITED_MUSCLES = frozenset({"digastric", "obturator-internus-gemelli", "quadratus-femoris"})
CASE_SIDES = (*SIDES, "either")
VARIANT_SIDES = ("same", "other")


class LiteratureError(ValueError):
    """A published-evidence file is wrong; the message names the entry."""


@dataclass(frozen=True)
class Publication:
    id: str
    authors: str
    title: str
    journal: str
    year: int | None
    doi: str
    pmcid: str
    url: str
    design: str
    read: str

    @property
    def citation(self) -> str:
        year = f" {self.year}" if self.year else ""
        where = f"doi:{self.doi}" if self.doi else (self.pmcid or self.url)
        return f"{self.authors}. {self.title}. {self.journal}{year}. {where}"


@dataclass(frozen=True)
class Examined:
    """What the publication reports for another muscle it examined beside the culprit (for instance
    "no tender points in the piriformis"): present and absent findings, by examination.toml code."""
    muscle: str
    side: str  # same or other, relative to the culprit's side
    present: tuple[str, ...]
    absent: tuple[str, ...]
    note: str

    def on(self, culprit_side: str) -> str:
        return culprit_side if self.side == "same" else _other(culprit_side)


@dataclass(frozen=True)
class Case:
    id: str
    publication: str
    drawing: tuple[Place, ...]
    muscles: tuple[str, ...]
    side: str  # left, right or either
    findings: tuple[str, ...]
    note: str
    examined: tuple[Examined, ...] = ()  # other muscles the publication examined

    def other_findings(self, culprit_sides: Iterable[str]) -> dict[tuple[str, str], dict[str, bool]]:
        """The other muscles' findings in the form the ranker takes ({(muscle, side): {code: present}}),
        placed relative to each side the culprit's own findings are recorded on (the caller's choice:
        evaluation._culprit_sides), so "same" and "other" mean the same for both."""
        return {(e.muscle, e.on(side)): {**{code: True for code in e.present}, **{code: False for code in e.absent}}
                for side in culprit_sides for e in self.examined if e.muscle in vocabulary.muscles()}

    @property
    def rankable(self) -> bool:
        """False while a culprit's code is still missing from this checkout's vocabulary."""
        known = vocabulary.muscles()
        return any(muscle in known for muscle in self.muscles)

    def matches(self, muscle: str, side: str) -> bool:
        return muscle in self.muscles and self.side in ("either", side)


@dataclass(frozen=True)
class Variant:
    muscle: str
    region: str
    side: str | None  # same, other, or None for a midline region
    publications: tuple[str, ...]
    note: str

    def place(self, trigger_point_side: str) -> Place:
        if self.side is None:
            return Place(self.region)
        return Place(self.region, trigger_point_side if self.side == "same" else _other(trigger_point_side))


def _other(side: str) -> str:
    return "right" if side == "left" else "left"


def _load(path: Path) -> dict:
    with open(path, "rb") as handle:
        try:
            return tomllib.load(handle)
        except tomllib.TOMLDecodeError as error:
            raise LiteratureError(f"{path.name}: not valid TOML: {error}") from None


def _check_muscle(code: str, where: str) -> None:
    if code not in vocabulary.muscles() and code not in AWAITED_MUSCLES:
        raise LiteratureError(f"{where}: unknown muscle code {code!r}.")


@cache
def publications(path: Path = CASES_FILE) -> dict[str, Publication]:
    found: dict[str, Publication] = {}
    for row in _load(path).get("publication", []):
        ident = row.get("id", "?")
        if ident in found:
            raise LiteratureError(f"Publication {ident!r} is listed twice.")
        try:
            found[ident] = Publication(
                id=ident, authors=row["authors"], title=row["title"], journal=row["journal"],
                year=row.get("year"), doi=row.get("doi", ""), pmcid=row.get("pmcid", ""), url=row.get("url", ""),
                design=row["design"], read=row["read"])
        except KeyError as missing:
            raise LiteratureError(f"Publication {ident!r}: missing field {missing}.") from None
    return found


@cache
def cases(path: Path = CASES_FILE) -> tuple[Case, ...]:
    known_publications = publications(path)
    found, seen = [], set()
    for row in _load(path).get("case", []):
        ident = row.get("id", "?")
        where = f"Case {ident!r}"
        if ident in seen:
            raise LiteratureError(f"{where} is listed twice.")
        seen.add(ident)
        try:
            publication = row["publication"]
            if publication not in known_publications:
                raise LiteratureError(f"{where}: unknown publication {publication!r}.")
            drawing = tuple(vocabulary.parse_place(word) for word in row["drawing"])
            if not drawing:
                raise LiteratureError(f"{where}: the drawing is empty.")
            muscles = tuple(row["muscles"])
            for muscle in muscles:
                _check_muscle(muscle, where)
            if row["side"] not in CASE_SIDES:
                raise LiteratureError(f"{where}: side must be one of {', '.join(CASE_SIDES)}, got {row['side']!r}.")
            findings = tuple(row.get("findings", []))
            for finding in findings:
                if finding not in examination.findings():
                    raise LiteratureError(f"{where}: unknown examination finding {finding!r}.")
            examined = _examined(row.get("examined", []), muscles, where)
        except KeyError as missing:
            raise LiteratureError(f"{where}: missing field {missing}.") from None
        except vocabulary.VocabularyError as error:
            raise LiteratureError(f"{where}: {error}") from None
        found.append(Case(id=ident, publication=publication, drawing=drawing, muscles=muscles, side=row["side"],
                          findings=findings, note=row.get("note", ""), examined=examined))
    return tuple(found)


def _examined(rows: list, culprits: tuple[str, ...], where: str) -> tuple[Examined, ...]:
    """[[case.examined]] tables: another muscle, its side relative to the culprit, and the findings
    the publication reports for it, present and absent."""
    found, seen = [], set()
    for row in rows:
        muscle = row.get("muscle", "?")
        here = f"{where}: examined muscle {muscle!r}"
        _check_muscle(muscle, here)
        if muscle in culprits:
            raise LiteratureError(f"{here} is a culprit; put its findings in the case's findings.")
        side = row.get("side", "same")
        if side not in VARIANT_SIDES:
            raise LiteratureError(f"{here}: side must be \"same\" or \"other\", got {side!r}.")
        if (muscle, side) in seen:
            raise LiteratureError(f"{here} is listed twice.")
        seen.add((muscle, side))
        present, absent = tuple(row.get("present", [])), tuple(row.get("absent", []))
        if not present and not absent:
            raise LiteratureError(f"{here} reports no finding.")
        for code in present + absent:
            if code not in examination.findings():
                raise LiteratureError(f"{here}: unknown examination finding {code!r}.")
        if set(present) & set(absent):
            raise LiteratureError(f"{here}: {', '.join(sorted(set(present) & set(absent)))} both present and absent.")
        found.append(Examined(muscle=muscle, side=side, present=present, absent=absent, note=row.get("note", "")))
    return tuple(found)


@cache
def variants(path: Path = VARIANTS_FILE, cases_path: Path = CASES_FILE) -> tuple[Variant, ...]:
    known_publications = publications(cases_path)
    regions = vocabulary.regions()
    found, seen = [], set()
    for row in _load(path).get("variant", []):
        muscle, region = row.get("muscle", "?"), row.get("region", "?")
        where = f"Variant {muscle} -> {region}"
        _check_muscle(muscle, where)
        if region not in regions:
            raise LiteratureError(f"{where}: unknown body region {region!r}.")
        side = row.get("side")
        if regions[region].paired and side not in VARIANT_SIDES:
            raise LiteratureError(f"{where}: a paired region needs side = \"same\" or \"other\", got {side!r}.")
        if not regions[region].paired and side is not None:
            raise LiteratureError(f"{where}: {region!r} is a midline region and takes no side.")
        sources = tuple(row.get("publications", ()))
        if not sources or len(set(sources)) != len(sources):
            raise LiteratureError(f"{where}: needs one or more distinct publications.")
        for source in sources:
            if source not in known_publications:
                raise LiteratureError(f"{where}: unknown publication {source!r}.")
        key = (muscle, region, side)
        if key in seen:
            raise LiteratureError(f"{where}: listed twice.")
        seen.add(key)
        found.append(Variant(muscle=muscle, region=region, side=side, publications=sources, note=row.get("note", "")))
    return tuple(found)


def variants_of(muscle: str) -> tuple[Variant, ...]:
    return tuple(v for v in variants() if v.muscle == muscle)
