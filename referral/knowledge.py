"""The referral knowledge base: which regions each muscle's trigger points send pain to.

The patterns live in data/referral_patterns.toml, a file a clinician can read and review (its
header explains the fields). This module reads it with the standard library, checks every code
against the shared vocabulary and hands out frozen dataclasses. A mistake in the file must stop
the ranker with a message naming the muscle and the code, never silently drop a zone, so all
checks run on load. Plain Python, no Django: the ranker, the commands and the benchmark use it
without a database.
"""
from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType

from anatomy import vocabulary

PATTERNS_FILE = Path(__file__).resolve().parent / "data" / "referral_patterns.toml"

CONFIDENCE_LEVELS = ("confirmed", "recalled")
ZONE_LISTS = ("trigger_point_regions", "essential", "spillover", "midline", "contralateral")
REQUIRED_KEYS = frozenset(ZONE_LISTS) | {"sources", "confidence"}
OPTIONAL_KEYS = frozenset({"note"})
VERSION_FORMAT = re.compile(r"^\d{4}-\d{2}-\d{2}\.\d+$")


class KnowledgeError(ValueError):
    """The knowledge base file is wrong; the message names the muscle and the code."""


@dataclass(frozen=True)
class ReferralPattern:
    """One muscle's referral pattern, written for a TrP on one side (codes without side)."""

    muscle: str
    trigger_point_regions: tuple[str, ...]
    essential: tuple[str, ...]
    spillover: tuple[str, ...]
    midline: tuple[str, ...]
    contralateral: tuple[str, ...]
    sources: tuple[str, ...]
    confidence: str
    note: str = ""

    @property
    def name(self) -> str:
        return vocabulary.muscle(self.muscle).name

    @property
    def needs_verification(self) -> bool:
        return self.confidence != "confirmed"


@dataclass(frozen=True)
class KnowledgeBase:
    version: str
    patterns: Mapping[str, ReferralPattern]  # keyed by muscle code, in file order, read-only

    def __getitem__(self, muscle_code: str) -> ReferralPattern:
        try:
            return self.patterns[muscle_code]
        except KeyError:
            raise KnowledgeError(f"No referral pattern for muscle {muscle_code!r}.") from None

    def __iter__(self):
        return iter(self.patterns.values())

    def __len__(self) -> int:
        return len(self.patterns)


@cache
def knowledge_base() -> KnowledgeBase:
    """The shipped knowledge base, read and checked once per process."""
    return load(PATTERNS_FILE)


def load(path: Path | str) -> KnowledgeBase:
    with open(path, "rb") as handle:
        try:
            data = tomllib.load(handle)
        except tomllib.TOMLDecodeError as error:
            raise KnowledgeError(f"{path}: not valid TOML: {error}") from None
    return parse(data, where=str(path))


def parse(data: dict, where: str = "referral patterns") -> KnowledgeBase:
    """Check a decoded TOML document against the vocabulary and build the knowledge base."""
    data = dict(data)
    version = data.pop("version", None)
    if not isinstance(version, str) or not VERSION_FORMAT.match(version):
        raise KnowledgeError(f"{where}: needs a top-level version = \"YYYY-MM-DD.N\", got {version!r}.")

    known = vocabulary.muscles()
    unknown = [code for code in data if code not in known]
    if unknown:
        raise KnowledgeError(f"{where}: unknown muscle code(s): {', '.join(unknown)}.")
    missing = [code for code in known if code not in data]
    if missing:
        raise KnowledgeError(f"{where}: no pattern for muscle(s): {', '.join(missing)}.")

    patterns = {code: _pattern(code, data[code], where) for code in data}
    return KnowledgeBase(version=version, patterns=MappingProxyType(patterns))


def _pattern(muscle: str, table: object, where: str) -> ReferralPattern:
    def fail(message: str) -> KnowledgeError:
        return KnowledgeError(f"{where}: [{muscle}] {message}")

    if not isinstance(table, dict):
        raise fail("must be a table of fields.")
    missing = REQUIRED_KEYS - table.keys()
    if missing:
        raise fail(f"missing field(s): {', '.join(sorted(missing))}.")
    extra = table.keys() - REQUIRED_KEYS - OPTIONAL_KEYS
    if extra:
        raise fail(f"unknown field(s): {', '.join(sorted(extra))}.")

    lists: dict[str, tuple[str, ...]] = {}
    for field in (*ZONE_LISTS, "sources"):
        value = table[field]
        if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
            raise fail(f"{field} must be a list of non-empty strings.")
        if len(set(value)) != len(value):
            raise fail(f"{field} repeats a code.")
        lists[field] = tuple(value)

    regions = vocabulary.regions()
    for field in ZONE_LISTS:
        for code in lists[field]:
            if code not in regions:
                raise fail(f"{field} names unknown body region {code!r}.")
    for code in lists["midline"]:
        if regions[code].paired:
            raise fail(f"midline lists {code!r}, which is a paired region (it has a left and a right).")
    for code in lists["contralateral"]:
        if not regions[code].paired:
            raise fail(f"contralateral lists {code!r}, which is a midline region (it has no other side).")

    scored = ("essential", "spillover", "midline")
    for i, first in enumerate(scored):
        for second in scored[i + 1:]:
            both = sorted(set(lists[first]) & set(lists[second]))
            if both:
                raise fail(f"{', '.join(both)} listed in both {first} and {second}.")
    if not lists["essential"]:
        raise fail("essential must name at least one region.")
    if not lists["trigger_point_regions"]:
        raise fail("trigger_point_regions must name at least one region.")
    if not lists["sources"]:
        raise fail("sources must name at least one source.")

    confidence = table["confidence"]
    if confidence not in CONFIDENCE_LEVELS:
        raise fail(f"confidence must be one of {', '.join(CONFIDENCE_LEVELS)}, got {confidence!r}.")
    if confidence == "recalled" and not any("needs verification" in source for source in lists["sources"]):
        raise fail("a recalled pattern must say in its sources that it needs verification.")
    note = table.get("note", "")
    if not isinstance(note, str):
        raise fail("note must be a string.")

    return ReferralPattern(muscle=muscle, confidence=confidence, note=note, **lists)
