"""The ranker learns from the clinic's confirmed trigger points (issue 17). Plain Python, no Django.

A confirmed example is a pain drawing followed, in the same course, by an injected trigger point
whose course responded; the muscle and side are its label, the response (the fraction by which
pain fell) its weight. For each muscle we count the examples and, per zone, the examples that
marked it. Zones are side-relative so left and right examples pool: a region code with "same"
(the trigger point's side), "other" (the opposite side) or, for a midline region, no side.

The update is conjugate. Each zone's marking probability q has a Beta(a, b) prior whose mean is
the textbook's marking probability for that zone (ranking.P_ESSENTIAL, P_SPILLOVER, P_LOCAL, a
published variant's probability, or ranking.EPSILON outside the pattern) and whose strength is
a + b = PRIOR_STRENGTH. With n (weighted) examples of which `marked` marked the zone, the
posterior mean is (a + marked) / (a + b + n): with no example exactly the textbook, with many the
clinic's observed rate. A zone outside the textbook pattern that the clinic's examples mark often
enough (LEARNED_MIN_MARKED patients and a posterior of at least LEARNED_MIN_PROBABILITY) enters
the candidate's pattern as a "learned" zone with its posterior.

The model stores counts per muscle and zone only: no patient, drawing, course or date.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from anatomy import vocabulary
from anatomy.vocabulary import SIDES, Place
from referral import ranking
from referral.knowledge import knowledge_base

# Prior strength in pseudo-patients. 20 means a muscle's first 20 confirmed examples weigh as much
# as the textbook: a muscle with a handful of examples stays near the textbook (5 examples that all
# mark a zone move an essential zone only from 0.60 to 0.68), while a clinic with a few dozen per
# muscle sees its own marking rates. Chosen, not fitted: the synthetic clinic of evaluation.py
# shows the learning curve it gives.
PRIOR_STRENGTH = 20.0
# A zone outside the textbook pattern joins it when at least this many confirmed patients marked
# it and its posterior marking probability reaches this (half textbook spillover, ten times the
# background): a few stray marks never make a zone.
LEARNED_MIN_MARKED = 5
LEARNED_MIN_PROBABILITY = ranking.P_SPILLOVER / 2

SAME, OTHER, MIDLINE = "same", "other", "midline"
FORMAT = 1  # of the stored counts; bump when their shape changes


class ExampleError(ValueError):
    """An example the learner cannot read; the message names the line."""


def relative_zone(place: Place, side: str) -> str:
    """'head.temple:same', 'head.temple:other' or 'sacrum' (midline) for a trigger point on `side`."""
    if place.side is None:
        return place.region
    return f"{place.region}:{SAME if place.side == side else OTHER}"


def absolute_place(zone: str, side: str) -> Place:
    """The place a side-relative zone names for a trigger point on `side`."""
    code, _, relation = zone.partition(":")
    if not relation:
        return Place(code)
    return Place(code, side if relation == SAME else ranking.other_side(side))


@dataclass(frozen=True)
class Example:
    """One confirmed example: the drawing's places, the confirmed muscle and side, and its weight."""

    places: frozenset[Place]
    muscle: str
    side: str
    weight: float = 1.0


@dataclass(frozen=True)
class ZoneEvidence:
    """What the clinic's examples say about one zone of one candidate, for the explanation."""

    place: Place
    marked: int  # confirmed patients who marked it
    examples: int  # confirmed patients of the muscle
    probability: float  # posterior marking probability
    prior: float  # the textbook's

    def to_dict(self) -> dict:
        return {"place": str(self.place), "zone_label": vocabulary.place_label(self.place), "marked": self.marked, "examples": self.examples,
                "probability": round(self.probability, 4), "textbook": round(self.prior, 4)}


def sentence(evidence: ZoneEvidence, muscle_name: str) -> str:
    """'in this clinic, 34 of 40 confirmed upper trapezius patients marked the temple (left)' (English;
    the web page words the same facts through its translations)."""
    return (f"in this clinic, {evidence.marked} of {evidence.examples} confirmed {muscle_name.lower()} patients "
            f"marked {vocabulary.place_label(evidence.place).lower()} (textbook {evidence.prior:.2f}, "
            f"clinic {evidence.probability:.2f})")


@dataclass(frozen=True)
class MuscleCounts:
    examples: int = 0
    weight: float = 0.0
    marked: Mapping[str, tuple[int, float]] = field(default_factory=dict)  # zone -> (patients, weight)


class ClinicModel:
    """The clinic's learned marking probabilities: counts per muscle and zone, versioned.

    Equal (and hashed) by its counts, so the ranker caches one built model per distinct model."""

    name = "clinic"

    def __init__(self, counts: Mapping[str, MuscleCounts]):
        self.counts = dict(sorted(counts.items()))

    @cached_property
    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.to_dict()["muscles"], sort_keys=True).encode()).hexdigest()

    @property
    def version(self) -> str:
        """Knowledge base version and a digest of the counts: the same examples give the same version."""
        return f"{knowledge_base().version}+{self.digest[:10]}"

    @property
    def examples(self) -> int:
        return sum(c.examples for c in self.counts.values())

    def __eq__(self, other) -> bool:
        return isinstance(other, ClinicModel) and other.digest == self.digest

    def __hash__(self) -> int:
        return hash(self.digest)

    def __repr__(self) -> str:
        return f"<ClinicModel {self.version}: {self.examples} examples>"

    # The update rule.
    def posterior(self, muscle: str, zone: str, prior: float) -> float:
        """(a + marked) / (a + b + n) with a + b = PRIOR_STRENGTH and a / (a + b) = prior."""
        counts = self.counts.get(muscle)
        if counts is None or counts.weight <= 0:
            return prior  # exactly the textbook, not a rounding of it
        marked = counts.marked.get(zone, (0, 0.0))[1]
        return (prior * PRIOR_STRENGTH + marked) / (PRIOR_STRENGTH + counts.weight)

    def evidence(self, muscle: str, side: str, place: Place, prior: float) -> ZoneEvidence | None:
        counts = self.counts.get(muscle)
        if counts is None or not counts.examples:
            return None
        zone = relative_zone(place, side)
        return ZoneEvidence(place=place, marked=counts.marked.get(zone, (0, 0.0))[0], examples=counts.examples,
                            probability=self.posterior(muscle, zone, prior), prior=prior)

    def probabilities(self, muscle: str, side: str, textbook: Mapping[Place, float]) -> dict[Place, float]:
        """The candidate's marking probabilities: the textbook zones (and published variants) at their
        posterior, plus the learned zones outside them."""
        out = {place: self.posterior(muscle, relative_zone(place, side), q) for place, q in textbook.items()}
        counts = self.counts.get(muscle)
        if counts is None:
            return out
        for zone, (patients, _weight) in counts.marked.items():
            place = absolute_place(zone, side)
            if place in out or patients < LEARNED_MIN_MARKED:
                continue
            q = self.posterior(muscle, zone, ranking.EPSILON)
            if q >= LEARNED_MIN_PROBABILITY:
                out[place] = q
        return out

    # Storage: counts only.
    def to_dict(self) -> dict:
        return {
            "format": FORMAT,
            "knowledge_base": knowledge_base().version,
            "prior_strength": PRIOR_STRENGTH,
            "muscles": {
                muscle: {"examples": c.examples, "weight": round(c.weight, 6),
                         "marked": {zone: [n, round(w, 6)] for zone, (n, w) in sorted(c.marked.items())}}
                for muscle, c in self.counts.items()
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> ClinicModel:
        if data.get("format") != FORMAT:
            raise ValueError(f"Stored counts have format {data.get('format')!r}; this version reads {FORMAT}.")
        counts = {}
        for muscle, row in data["muscles"].items():
            vocabulary.muscle(muscle)
            counts[muscle] = MuscleCounts(examples=int(row["examples"]), weight=float(row["weight"]),
                                          marked={z: (int(n), float(w)) for z, (n, w) in row["marked"].items()})
        return cls(counts)


def learn(examples: Iterable[Example]) -> ClinicModel:
    """Count the examples per muscle and side-relative zone."""
    totals: dict[str, list] = {}
    for example in examples:
        row = totals.setdefault(example.muscle, [0, 0.0, {}])
        row[0] += 1
        row[1] += example.weight
        for zone in {relative_zone(place, example.side) for place in example.places}:
            n, w = row[2].get(zone, (0, 0.0))
            row[2][zone] = (n + 1, w + example.weight)
    return ClinicModel({m: MuscleCounts(n, w, marked) for m, (n, w, marked) in totals.items()})


def _label(text: str, number: int) -> tuple[str, str]:
    muscle, sep, side = text.partition(":")
    if not sep or side not in SIDES:
        raise ExampleError(f"line {number}: a confirmed trigger point is 'muscle:left' or 'muscle:right', got {text!r}.")
    try:
        vocabulary.muscle(muscle)
    except vocabulary.VocabularyError as error:
        raise ExampleError(f"line {number}: {error}") from None
    if muscle not in {p.muscle for p in knowledge_base()}:
        raise ExampleError(f"line {number}: {muscle!r} has no referral pattern to learn.")
    return muscle, side


def read_examples(lines: Iterable[str]) -> list[Example]:
    """Examples from JSON lines `{"drawing": ["head.temple:left", "neck.angle:left@7"],
    "confirmed": ["upper-trapezius:left"], "weight": 0.6}` (weight optional, 0-1, default 1).

    A bad line raises ExampleError naming it, and nothing is read: pooled files are all or nothing.
    Blank lines are skipped."""
    examples = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise ExampleError(f"line {number}: not JSON ({error.msg}).") from None
        if not isinstance(item, dict) or set(item) - {"drawing", "confirmed", "weight"}:
            raise ExampleError(f"line {number}: expected an object with \"drawing\", \"confirmed\" "
                               f"and optionally \"weight\".")
        drawing, confirmed = item.get("drawing"), item.get("confirmed")
        if not isinstance(drawing, list) or not drawing or not all(isinstance(w, str) for w in drawing):
            raise ExampleError(f"line {number}: \"drawing\" must be a non-empty list of 'CODE:side' places.")
        if not isinstance(confirmed, list) or not confirmed or not all(isinstance(w, str) for w in confirmed):
            raise ExampleError(f"line {number}: \"confirmed\" must be a non-empty list of 'muscle:side'.")
        weight = item.get("weight", 1.0)
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 < weight <= 1:
            raise ExampleError(f"line {number}: \"weight\" must be a number above 0 and at most 1, got {weight!r}.")
        places = set()
        for word in drawing:
            place_text, _, intensity = word.partition("@")
            try:
                places.add(vocabulary.parse_place(place_text))
            except vocabulary.VocabularyError as error:
                raise ExampleError(f"line {number}: {word!r}: {error}") from None
            if intensity:
                try:
                    value = float(intensity)
                except ValueError:
                    value = -1
                if not 0 <= value <= 10:
                    raise ExampleError(f"line {number}: {word!r}: intensity must be a number from 0 to 10.")
        for label in confirmed:
            muscle, side = _label(label, number)
            examples.append(Example(frozenset(places), muscle, side, float(weight)))
    return examples
