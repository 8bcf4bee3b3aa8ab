"""Rank the muscles (with side) whose trigger-point referral patterns explain a pain drawing.

The model, and why
------------------
Each candidate is one muscle on one side: 73 muscles x left/right = 146 candidates. Its pattern
from the knowledge base is mirrored to that side and gives a set of zones, each of one kind:

    essential  the zone nearly every patient with this TrP has,
    spillover  a zone some patients have (also the midline and other-side zones of the few
               patterns that cross the middle of the body),
    local      the TrP site itself: a TrP usually hurts where it is, but so does much else.

We treat the drawing as the outcome of a simple generative story and ask how well each candidate
explains it, compared with "no listed pattern explains it" (the unexplained hypothesis):

* A patient with an active TrP in the candidate marks each of its zones independently with the
  probability of that kind of zone: P_ESSENTIAL, P_SPILLOVER, P_LOCAL. These are marking rates,
  not textbook rates: patients rarely draw every zone, so even an essential zone is left out
  four times in ten.
* Every place outside the pattern (and every place, under the unexplained hypothesis) is marked
  with a small background probability EPSILON: pain from another cause, a sloppy mark.

Against the unexplained hypothesis, the log-likelihood ratio of a candidate is then

    sum over marked zones    w * log(q / EPSILON)                 (evidence for the candidate)
  + sum over unmarked zones  log((1 - q) / (1 - EPSILON))         (a mild penalty)

and a painful place outside the pattern adds nothing (it is equally likely either way); it only
loses the candidate the credit that a rival who explains it receives. So a broad pattern pays a
little for every zone the patient did not draw, a narrow pattern pays little but explains less,
and an essential zone is worth more than a spillover one, which is worth more than the TrP site.

w is the weight of a mark: 0.5 + intensity / 10, so 1 at the default intensity 5, between 0.5 and
1.5 over 0-10. Intensity says more about how bad the pain is than about where it comes from, so it
nudges the evidence rather than dominating it; a faint mark still counts.

The log-likelihood ratios are divided by TEMPERATURE before normalising. Neighbouring regions are
not independent (a patient who marks the temple tends to mark the forehead too), so the naive
independent sum is over-confident; tempering spreads the posterior over the close rivals, which is
what a clinician should see when patterns overlap.

Scores are posterior probabilities: a softmax over all 146 candidates plus the unexplained
hypothesis, with a uniform prior over candidates and PRIOR_UNEXPLAINED for the unexplained one.
They lie in 0-1, are comparable between drawings, and stay low for a single ambiguous mark or a
drawing no pattern fits, instead of crowning whichever muscle happens to come first.

Laterality follows from the mirroring: a left candidate has no right-side zones (except the
listed contralateral ones), so right-only pain gives it only penalties and a score near zero.

Speed: the per-candidate zones and the unmarked-penalty baseline are computed once (cached), with
an index from each place to the candidates that contain it; a ranking touches only those entries.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType

from anatomy import vocabulary
from anatomy.vocabulary import SIDES, Place
from referral.knowledge import knowledge_base

# Probability that a patient with the candidate's TrP marks a zone of each kind.
P_ESSENTIAL = 0.6
P_SPILLOVER = 0.2
P_LOCAL = 0.15
# Probability that any other place is marked (background pain, imprecise drawing).
EPSILON = 0.02
# Prior probability that no listed pattern explains the drawing.
PRIOR_UNEXPLAINED = 0.1
# Evidence discount for correlated neighbouring regions (see the module docstring).
TEMPERATURE = 1.5
DEFAULT_INTENSITY = 5

ESSENTIAL, SPILLOVER, LOCAL = "essential", "spillover", "local"
MARKING_PROBABILITY = {ESSENTIAL: P_ESSENTIAL, SPILLOVER: P_SPILLOVER, LOCAL: P_LOCAL}
STRENGTH = {ESSENTIAL: 3, SPILLOVER: 2, LOCAL: 1}  # a place in several lists counts as the strongest


class DrawingError(ValueError):
    """A pain drawing the ranker cannot read: unknown code, wrong side, bad intensity."""


@dataclass
class Candidate:
    """One muscle on one side, with its score and what it does and does not explain."""

    muscle: str
    muscle_name: str
    side: str
    score: float
    rank: int
    confidence: str  # "confirmed" or "recalled" (pattern still to be verified by a clinician)
    explained_essential: list[Place] = field(default_factory=list)
    explained_spillover: list[Place] = field(default_factory=list)
    explained_local: list[Place] = field(default_factory=list)
    unexplained: list[Place] = field(default_factory=list)
    unmarked_essential: list[Place] = field(default_factory=list)
    log_odds: float = 0.0  # the candidate's evidence against the unexplained hypothesis

    def to_dict(self) -> dict:
        """A JSON-ready dict; places are written CODE:side (plain CODE for midline regions)."""
        return {
            "muscle": self.muscle,
            "muscle_name": self.muscle_name,
            "side": self.side,
            "score": round(self.score, 6),
            "rank": self.rank,
            "confidence": self.confidence,
            "explained_essential": [str(p) for p in self.explained_essential],
            "explained_spillover": [str(p) for p in self.explained_spillover],
            "explained_local": [str(p) for p in self.explained_local],
            "unexplained": [str(p) for p in self.unexplained],
            "unmarked_essential": [str(p) for p in self.unmarked_essential],
        }


@dataclass(frozen=True)
class _Model:
    """Everything about the candidates that does not depend on the drawing."""

    candidates: tuple[tuple[str, str], ...]  # (muscle code, side)
    names: tuple[str, ...]
    confidence: tuple[str, ...]
    zones: tuple[Mapping[Place, str], ...]  # per candidate: place -> kind
    essential: tuple[tuple[Place, ...], ...]  # per candidate, in pattern order
    baseline: tuple[float, ...]  # log prior + penalty if nothing at all is marked
    index: dict[Place, tuple[tuple[int, float, float], ...]]  # place -> (candidate, gain, penalty)
    log_prior_unexplained: float


def other_side(side: str) -> str:
    return "right" if side == "left" else "left"


def _place(code: str, side: str) -> Place:
    """A pattern code put on a side; midline regions keep no side."""
    return Place(code, side if vocabulary.region(code).paired else None)


def predicted_zones(muscle: str, side: str) -> dict[Place, str]:
    """The zones a TrP in this muscle on this side predicts, each with its kind (a fresh copy)."""
    return dict(_zones(muscle, side))


@cache
def _zones(muscle: str, side: str) -> Mapping[Place, str]:
    if side not in SIDES:
        raise DrawingError(f"Side must be left or right, got {side!r}.")
    pattern = knowledge_base()[muscle]
    zones: dict[Place, str] = {}

    def add(place: Place, kind: str) -> None:
        if STRENGTH[kind] > STRENGTH.get(zones.get(place), 0):
            zones[place] = kind

    for code in pattern.trigger_point_regions:
        add(_place(code, side), LOCAL)
    for code in pattern.spillover:
        add(_place(code, side), SPILLOVER)
    for code in pattern.midline:
        add(Place(code), SPILLOVER)
    for code in pattern.contralateral:
        add(Place(code, other_side(side)), SPILLOVER)
    for code in pattern.essential:
        add(_place(code, side), ESSENTIAL)
    return MappingProxyType(zones)


def _gain(kind: str) -> float:
    return math.log(MARKING_PROBABILITY[kind] / EPSILON)


def _penalty(kind: str) -> float:
    return math.log((1 - MARKING_PROBABILITY[kind]) / (1 - EPSILON))


@cache
def _model() -> _Model:
    kb = knowledge_base()
    candidates = tuple((pattern.muscle, side) for pattern in kb for side in SIDES)
    log_prior = math.log((1 - PRIOR_UNEXPLAINED) / len(candidates))
    zones, essential, baseline = [], [], []
    index: dict[Place, list[tuple[int, float, float]]] = {}
    for number, (muscle, side) in enumerate(candidates):
        candidate_zones = _zones(muscle, side)
        zones.append(candidate_zones)
        essential.append(tuple(_place(code, side) for code in kb[muscle].essential))
        baseline.append(log_prior + sum(_penalty(kind) for kind in candidate_zones.values()))
        for place, kind in candidate_zones.items():
            index.setdefault(place, []).append((number, _gain(kind), _penalty(kind)))
    return _Model(
        candidates=candidates,
        names=tuple(vocabulary.muscle(muscle).name for muscle, _ in candidates),
        confidence=tuple(kb[muscle].confidence for muscle, _ in candidates),
        zones=tuple(zones),
        essential=tuple(essential),
        baseline=tuple(baseline),
        index={place: tuple(entries) for place, entries in index.items()},
        log_prior_unexplained=math.log(PRIOR_UNEXPLAINED),
    )


def _read_place(item: Place | str) -> Place:
    try:
        if isinstance(item, Place):
            return vocabulary.check_place(item.region, item.side)
        if isinstance(item, str):
            return vocabulary.parse_place(item)
    except vocabulary.VocabularyError as error:
        raise DrawingError(str(error)) from None
    raise DrawingError(f"A painful place must be a Place or 'CODE:side', got {item!r}.")


def read_drawing(drawing: Iterable) -> dict[Place, float]:
    """Validate a drawing: places (or `(place, intensity)` pairs) -> intensity, first-seen order.

    A place marked twice keeps its highest intensity.
    """
    if isinstance(drawing, (str, Place)):
        raise DrawingError("A drawing is a list of places, not a single place.")
    marks: dict[Place, float] = {}
    for item in drawing:
        if isinstance(item, tuple) and not isinstance(item, Place):
            if len(item) != 2:
                raise DrawingError(f"Expected (place, intensity), got {item!r}.")
            item, intensity = item
        else:
            intensity = DEFAULT_INTENSITY
        place = _read_place(item)
        if isinstance(intensity, bool) or not isinstance(intensity, (int, float)) or not 0 <= intensity <= 10:
            raise DrawingError(f"Intensity for {place} must be a number from 0 to 10, got {intensity!r}.")
        marks[place] = max(float(intensity), marks.get(place, 0.0))
    return marks


def mark_weight(intensity: float) -> float:
    return 0.5 + intensity / 10


def rank(drawing: Iterable, top: int | None = None) -> list[Candidate]:
    """Rank all muscle-side candidates for a pain drawing, best first.

    `drawing` holds Place objects, "CODE:side" strings, or (place, intensity 0-10) pairs.
    An empty drawing gives an empty list. Scores are posterior probabilities (module docstring).
    """
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 0):
        raise ValueError(f"top must be a whole number of 0 or more, got {top!r}.")
    marks = read_drawing(drawing)
    if not marks:
        return []
    model = _model()
    log_odds = list(model.baseline)
    for place, intensity in marks.items():
        weight = mark_weight(intensity)
        for number, gain, penalty in model.index.get(place, ()):
            log_odds[number] += weight * gain - penalty

    # Softmax over the candidates and the unexplained hypothesis, tempered.
    tempered = [value / TEMPERATURE for value in log_odds]
    unexplained = model.log_prior_unexplained / TEMPERATURE
    peak = max(max(tempered), unexplained)
    weights = [math.exp(value - peak) for value in tempered]
    total = sum(weights) + math.exp(unexplained - peak)

    order = sorted(range(len(weights)), key=lambda n: (-weights[n], model.candidates[n]))
    if top is not None:
        order = order[:top]
    return [
        _candidate(model, number, position, weights[number] / total, log_odds[number], marks)
        for position, number in enumerate(order, start=1)
    ]


def _candidate(model: _Model, number: int, position: int, score: float, log_odds: float, marks) -> Candidate:
    muscle, side = model.candidates[number]
    zones = model.zones[number]
    explained: dict[str, list[Place]] = {ESSENTIAL: [], SPILLOVER: [], LOCAL: []}
    unexplained = []
    for place in marks:
        kind = zones.get(place)
        (explained[kind] if kind else unexplained).append(place)
    return Candidate(
        muscle=muscle,
        muscle_name=model.names[number],
        side=side,
        score=min(1.0, max(0.0, score)),
        rank=position,
        confidence=model.confidence[number],
        explained_essential=explained[ESSENTIAL],
        explained_spillover=explained[SPILLOVER],
        explained_local=explained[LOCAL],
        unexplained=unexplained,
        unmarked_essential=[place for place in model.essential[number] if place not in marks],
        log_odds=log_odds,
    )


def explain(drawing: Iterable, muscle: str, side: str) -> Candidate:
    """The full ranking entry for one muscle and side: useful to ask "why not this muscle?"."""
    vocabulary.muscle(muscle)
    if side not in SIDES:
        raise DrawingError(f"Side must be left or right, got {side!r}.")
    for candidate in rank(drawing):
        if candidate.muscle == muscle and candidate.side == side:
            return candidate
    raise DrawingError("An empty drawing has no ranking to explain.")
