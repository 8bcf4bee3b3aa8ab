"""Rank the muscles (with side) whose trigger-point referral patterns explain a pain drawing.

The model, and why
------------------
Each candidate is one muscle on one side: every muscle of the knowledge base on the left and the
right (76 muscles, 152 candidates today). Its pattern from the knowledge base is mirrored to that
side and gives a set of zones, each of one kind:

    essential  the zone nearly every patient with this TrP has,
    spillover  a zone some patients have (also the midline and other-side zones of the few
               patterns that cross the middle of the body),
    local      the TrP site itself: a TrP usually hurts where it is, but so does much else.

We treat the drawing as the outcome of a simple generative story and ask how well each candidate
explains it, compared with "no listed pattern explains it" (the unexplained hypothesis):

* A patient with an active TrP in the candidate marks each of its zones independently with the
  probability of that kind of zone: p_essential, p_spillover, p_local (data/calibration.toml).
  These are marking rates, not textbook rates: patients rarely draw every zone. They were set by
  hand (0.6, 0.2, 0.15: ranking.P_ESSENTIAL ...) and are now fitted on real patients' drawings
  (fitting.py), which mark an essential zone and the site alike (shipped 0.4, 0.2, 0.4).
* Every place outside the pattern (and every place, under the unexplained hypothesis) is marked
  with a small background probability EPSILON: pain from another cause, a sloppy mark.

Against the unexplained hypothesis, the log-likelihood ratio of a candidate is then

    sum over marked zones    w * log(q / EPSILON)                 (evidence for the candidate)
  + sum over unmarked zones  u * log((1 - q) / (1 - EPSILON))     (a mild penalty)

u, the unmarked weight (calibration.toml), is below 1 because omissions are not independent: a
patient who draws sparsely leaves out zones of every pattern, so each unmarked zone says less than
the independent story claims, and at u = 1 sparse drawings went to the narrowest pattern. u is
fitted with the marking rates, the prior weight and the temperature on the published cases,
nested inside each fold of the evaluation (fitting.py); the shipped values are the fit on all.

and a painful place outside the pattern adds nothing (it is equally likely either way); it only
loses the candidate the credit that a rival who explains it receives. So a broad pattern pays a
little for every zone the patient did not draw, a narrow pattern pays little but explains less,
and a zone of a kind patients mark more often is worth more (the fitted rates: an essential zone
or the TrP site more than a spillover one).

w is the weight of a mark: 0.5 + intensity / 10, so 1 at the default intensity 5, between 0.5 and
1.5 over 0-10. Intensity says more about how bad the pain is than about where it comes from, so it
nudges the evidence rather than dominating it; a faint mark still counts.

The log-likelihood ratios are divided by the calibrated temperature before normalising. Neighbouring regions are
not independent (a patient who marks the temple tends to mark the forehead too), so the naive
independent sum is over-confident; tempering spreads the posterior over the close rivals, which is
what a clinician should see when patterns overlap.

Published variants (data/published_variants.toml) add zones beside the textbook ones, kept apart:
a zone reported by n publications is marked with probability 1 - (1 - p_report)^n, never more than
p_spillover, so a single report counts less than textbook spillover and replication counts more.
Referral to the other side is a variant zone on the other side. Evaluation passes `exclude` (the
case's own publication) so a case never scores a variant its own publication is the source of.

Scores are calibrated likelihoods: a softmax over all candidates plus the unexplained hypothesis
at the temperature fitted on the published cases (data/calibration.toml), with a uniform prior
over candidates and PRIOR_UNEXPLAINED for the unexplained one; beside each, "likely", "possible"
or "less likely". Only candidates with evidence are listed: those that explain at least one mark, and those
with a positive examination finding (the clinician found the trigger point there, whatever the
drawing says); a muscle with no evidence is not padding for a top ten. A drawing with a single region is flagged
(many muscles fit it). On a drawing of at most `prior_regions` regions (calibration.toml, fitted:
today 2) the candidates that explain a mark get prior_weight x the log prior frequency of active
trigger points in the muscle for pain in those regions (data/trigger_point_prevalence.toml; the
mean over the drawn regions a study covers), after the temperature. Examination findings recorded
for a candidate multiply its odds by their likelihood ratios (data/examination.toml), after the
temperature: they are independent evidence, not correlated marks.

Laterality follows from the mirroring: a left candidate has no right-side zones (except the
listed contralateral ones), so right-only pain gives it only penalties and a score near zero.

The clinic's model (referral/learning.py, `model=`): the same story with each zone's marking
probability replaced by the clinic's posterior (a Beta prior centred on the textbook probability,
updated by the clinic's confirmed examples), plus "learned" zones outside the pattern that the
clinic's confirmed patients mark often. `model=None` is the textbook. The ranker only calls the
model's `probabilities` and `evidence`, so it imports nothing from the learner.

Speed: everything that does not depend on the drawing is built once (cached): each candidate's
zones, its unmarked-penalty baseline, an index from each place to the candidates that contain it
(with the gain, penalty and kind of zone), and per temperature the softmax of a drawing that
touches nothing. A ranking reads only the index entries of its marks, exponentiates only the
candidates its marks and findings change, swaps their shares into the precomputed sum, and builds
entries only for the candidates it lists, from what it gathered while scoring. The scores are the
same softmax over every candidate (test_ranking_pinned checks both).
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from types import MappingProxyType

from anatomy import vocabulary
from anatomy.vocabulary import SIDES, Place
from referral import calibration, examination, literature, priors
from referral.knowledge import knowledge_base

# The hand-set marking rates: the probability that a patient with the candidate's TrP marks a zone
# of each kind, and that one publication's report of a zone beyond the textbook is marked. They are
# the starting point of the fit, the synthetic clinic's truth and the clinic learner's reference.
# The textbook ranker itself uses the values fitted on the published cases, read from
# data/calibration.toml each time it builds its model (calibration.Parameters; see fitting.py).
_HAND_SET = calibration.Parameters()
P_ESSENTIAL = _HAND_SET.p_essential
P_SPILLOVER = _HAND_SET.p_spillover
P_LOCAL = _HAND_SET.p_local
# Probability that any other place is marked (background pain, imprecise drawing).
EPSILON = 0.02
# Prior probability that no listed pattern explains the drawing.
PRIOR_UNEXPLAINED = 0.1
DEFAULT_INTENSITY = 5

ESSENTIAL, SPILLOVER, LOCAL, REPORTED, LEARNED = "essential", "spillover", "local", "reported", "learned"
KINDS = {kind: number for number, kind in enumerate((ESSENTIAL, SPILLOVER, LOCAL, REPORTED, LEARNED))}
EXPLAINED_MARKS = len(KINDS)
TEXTBOOK = "textbook"
STRENGTH = {ESSENTIAL: 3, SPILLOVER: 2, LOCAL: 1}  # a place in several lists counts as the strongest
NO_EXCLUSION: frozenset[str] = frozenset()


class DrawingError(ValueError):
    """A pain drawing the ranker cannot read: unknown code, wrong side, bad intensity."""


def reported_probability(reports: int, parameters: calibration.Parameters | None = None) -> float:
    """Marking probability of a zone that `reports` publications document: grows with replication,
    capped at textbook spillover; 0 without a report. `parameters` None: the shipped ones."""
    if reports <= 0:
        return 0.0
    parameters = parameters or calibration.settings().parameters
    return min(parameters.p_spillover, 1 - (1 - parameters.p_report) ** reports)


def marking_probability(kind: str, parameters: calibration.Parameters | None = None) -> float:
    """Marking probability of a textbook zone of this kind (essential, spillover, local)."""
    parameters = parameters or calibration.settings().parameters
    return {ESSENTIAL: parameters.p_essential, SPILLOVER: parameters.p_spillover, LOCAL: parameters.p_local}[kind]


@dataclass(frozen=True)
class Reported:
    """A marked place a published variant explains, with the publications that report it."""

    place: Place
    publications: tuple[str, ...]
    other_side: bool

    @property
    def reports(self) -> int:
        return len(self.publications)

    def to_dict(self) -> dict:
        return {"place": str(self.place), "publications": list(self.publications), "reports": self.reports,
                "other_side": self.other_side}


@dataclass
class Candidate:
    """One muscle on one side, with its score and what it does and does not explain."""

    muscle: str
    muscle_name: str
    side: str
    score: float  # calibrated likelihood, 0-1
    rank: int
    confidence: str  # "confirmed" or "recalled" (pattern still to be verified by a clinician)
    band: str = calibration.LESS_LIKELY
    explained_essential: list[Place] = field(default_factory=list)
    explained_spillover: list[Place] = field(default_factory=list)
    explained_local: list[Place] = field(default_factory=list)
    explained_reported: list[Reported] = field(default_factory=list)
    explained_learned: list[Place] = field(default_factory=list)  # zones only the clinic's model has
    clinic_evidence: list = field(default_factory=list)  # learning.ZoneEvidence per explained mark
    unexplained: list[Place] = field(default_factory=list)
    unmarked_essential: list[Place] = field(default_factory=list)
    findings: dict[str, bool] = field(default_factory=dict)
    log_odds: float = 0.0  # the candidate's drawing evidence against the unexplained hypothesis

    @property
    def explains_anything(self) -> bool:
        return bool(self.explained_essential or self.explained_spillover or self.explained_local or self.explained_reported
                    or self.explained_learned)

    @property
    def meets_criteria(self) -> bool:
        return examination.meets_criteria(self.findings)

    def to_dict(self) -> dict:
        """A JSON-ready dict; places are written CODE:side (plain CODE for midline regions)."""
        return {
            "muscle": self.muscle,
            "muscle_name": self.muscle_name,
            "side": self.side,
            "score": round(self.score, 6),
            "band": self.band,
            "rank": self.rank,
            "confidence": self.confidence,
            "explained_essential": [str(p) for p in self.explained_essential],
            "explained_spillover": [str(p) for p in self.explained_spillover],
            "explained_local": [str(p) for p in self.explained_local],
            "explained_reported": [r.to_dict() for r in self.explained_reported],
            "explained_learned": [str(p) for p in self.explained_learned],
            "clinic_evidence": [e.to_dict() for e in self.clinic_evidence],
            "unexplained": [str(p) for p in self.unexplained],
            "unmarked_essential": [str(p) for p in self.unmarked_essential],
            "findings": dict(self.findings),
            "meets_criteria": self.meets_criteria,
        }


@dataclass(frozen=True)
class Assessment:
    """A ranking with what a clinician needs to read it: the listed candidates (only those that
    explain a mark), for a one-region drawing that many muscles fit, and for a drawing sparse enough
    for the prior (calibration.toml prior_regions) which studies give the prior frequencies used to
    order them."""

    candidates: list[Candidate]
    sparse: bool
    fitting: int  # how many candidates explain at least one mark
    prior_studies: tuple[priors.Study, ...] = ()  # the studies whose prevalence ordered the candidates
    model: str = TEXTBOOK  # "textbook", or "clinic" when the clinic's learned model ranked
    model_version: str = ""
    model_examples: int = 0


@dataclass(frozen=True)
class _Model:
    """Everything about the candidates that does not depend on the drawing."""

    candidates: tuple[tuple[str, str], ...]  # (muscle code, side)
    names: tuple[str, ...]
    confidence: tuple[str, ...]
    zones: tuple[Mapping[Place, str], ...]  # per candidate: textbook place -> kind
    reported: tuple[Mapping[Place, Reported], ...]  # per candidate: variant place -> its report
    learned: tuple[Mapping[Place, float], ...]  # per candidate: clinic-learned place -> probability
    priors: tuple[Mapping[Place, float], ...]  # per candidate: textbook marking probability per zone
    source: object  # the clinic model, or None for the textbook
    essential: tuple[tuple[Place, ...], ...]  # per candidate, in pattern order
    baseline: tuple[float, ...]  # log prior + penalty if nothing at all is marked
    # place -> (candidate, gain, penalty, kind, the Reported for a variant zone) for every candidate
    # whose pattern has the place: a ranking reads only the entries of the marked places
    index: dict[Place, tuple[tuple[int, float, float, str, Reported | None], ...]]
    numbers: Mapping[tuple[str, str], int]
    log_prior_unexplained: float
    parameters: calibration.Parameters
    normalisers: dict = field(default_factory=dict, compare=False)  # temperature -> _Normaliser


@dataclass(frozen=True)
class _Normaliser:
    """The softmax over a drawing that touches no candidate, at one temperature: each candidate's
    share exp(baseline / T - peak) and their sum with the unexplained hypothesis. A ranking swaps in
    the candidates its marks and findings change and leaves the others' shares as they are."""

    peak: float
    shares: tuple[float, ...]
    total: float
    scaled_unexplained: float


def _normaliser(model: _Model, temperature: float) -> _Normaliser:
    found = model.normalisers.get(temperature)
    if found is None:
        scaled = [value / temperature + 0.0 for value in model.baseline]
        unexplained = model.log_prior_unexplained / temperature + 0.0
        peak = max(*scaled, unexplained)
        shares = tuple(math.exp(value - peak) for value in scaled)
        found = _Normaliser(peak=peak, shares=shares, total=math.fsum((*shares, math.exp(unexplained - peak))),
                            scaled_unexplained=unexplained)
        model.normalisers[temperature] = found
    return found


def other_side(side: str) -> str:
    return "right" if side == "left" else "left"


def _place(code: str, side: str) -> Place:
    """A pattern code put on a side; midline regions keep no side."""
    return Place(code, side if vocabulary.region(code).paired else None)


def predicted_zones(muscle: str, side: str) -> dict[Place, str]:
    """The textbook zones a TrP in this muscle on this side predicts, each with its kind (a fresh copy)."""
    return dict(_zones(muscle, side))


def reported_zones(muscle: str, side: str, exclude: frozenset[str] = NO_EXCLUSION) -> dict[Place, Reported]:
    """The published-variant zones of this muscle on this side that the textbook pattern lacks."""
    return dict(_reported(muscle, side, exclude))


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


@lru_cache(maxsize=4096)
def _reported(muscle: str, side: str, exclude: frozenset[str]) -> Mapping[Place, Reported]:
    textbook = _zones(muscle, side)
    found: dict[Place, Reported] = {}
    for variant in literature.variants_of(muscle):
        sources = tuple(p for p in variant.publications if p not in exclude)
        place = variant.place(side)
        if sources and place not in textbook:
            found[place] = Reported(place=place, publications=sources, other_side=variant.side == "other")
    return MappingProxyType(found)


def _gain(probability: float) -> float:
    return math.log(probability / EPSILON)


def _penalty(probability: float, weight: float = 1.0) -> float:
    """The (negative) evidence of a zone the patient did not mark, times the unmarked weight."""
    return weight * math.log((1 - probability) / (1 - EPSILON))


@lru_cache(maxsize=128)
def _model(exclude: frozenset[str] = NO_EXCLUSION, learned=None,
           parameters: calibration.Parameters = calibration.Parameters()) -> _Model:
    """The drawing-independent part, built once per excluded-publication set, clinic model and
    parameters."""
    unmarked = parameters.unmarked_weight
    kb = knowledge_base()
    candidates = tuple((pattern.muscle, side) for pattern in kb for side in SIDES)
    log_prior = math.log((1 - PRIOR_UNEXPLAINED) / len(candidates))
    zones, reported, essential, baseline, learned_zones, textbook = [], [], [], [], [], []
    index: dict[Place, list[tuple[int, float, float]]] = {}
    for number, (muscle, side) in enumerate(candidates):
        candidate_zones = _zones(muscle, side)
        candidate_reported = _reported(muscle, side, exclude)
        zones.append(candidate_zones)
        reported.append(candidate_reported)
        essential.append(tuple(_place(code, side) for code in kb[muscle].essential))
        probabilities = {place: marking_probability(kind, parameters) for place, kind in candidate_zones.items()}
        probabilities.update({place: reported_probability(r.reports, parameters)
                              for place, r in candidate_reported.items()})
        textbook.append(MappingProxyType(dict(probabilities)))
        if learned is not None:
            probabilities = learned.probabilities(muscle, side, probabilities)
        learned_zones.append(MappingProxyType({place: q for place, q in probabilities.items()
                                               if place not in candidate_zones and place not in candidate_reported}))
        baseline.append(log_prior + sum(_penalty(q, unmarked) for q in probabilities.values()))
        for place, q in probabilities.items():
            kind = candidate_zones.get(place) or (REPORTED if place in candidate_reported else LEARNED)
            index.setdefault(place, []).append((number, _gain(q), _penalty(q, unmarked), kind,
                                                candidate_reported.get(place)))
    return _Model(
        candidates=candidates,
        names=tuple(vocabulary.muscle(muscle).name for muscle, _ in candidates),
        confidence=tuple(kb[muscle].confidence for muscle, _ in candidates),
        zones=tuple(zones),
        reported=tuple(reported),
        learned=tuple(learned_zones),
        priors=tuple(textbook),
        source=learned,
        essential=tuple(essential),
        baseline=tuple(baseline),
        index={place: tuple(entries) for place, entries in index.items()},
        numbers=MappingProxyType({candidate: number for number, candidate in enumerate(candidates)}),
        log_prior_unexplained=math.log(PRIOR_UNEXPLAINED),
        parameters=parameters,
    )


def _read_place(item: Place | str) -> Place:
    if isinstance(item, (Place, str)):
        return _checked_place(item)
    raise DrawingError(f"A painful place must be a Place or 'CODE:side', got {item!r}.")


@lru_cache(maxsize=4096)
def _checked_place(item: Place | str) -> Place:
    """A place read and checked once (the vocabulary does not change while the process runs)."""
    try:
        if isinstance(item, Place):
            return vocabulary.check_place(item.region, item.side)
        if isinstance(item, str):
            return vocabulary.parse_place(item)
    except vocabulary.VocabularyError as error:
        raise DrawingError(str(error)) from None


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


Findings = Mapping[tuple[str, str], Mapping[str, bool]]


def _read_findings(findings: Findings | None) -> dict[tuple[str, str], dict[str, bool]]:
    out = {}
    for (muscle, side), recorded in (findings or {}).items():
        if side not in SIDES:
            raise DrawingError(f"Side must be left or right, got {side!r}.")
        vocabulary.muscle(muscle)
        for code in recorded:
            examination.finding(code)
        out[(muscle, side)] = {code: bool(value) for code, value in recorded.items()}
    return out


@dataclass(frozen=True)
class Evidence:
    """A drawing's evidence, before normalising (shared by rank and calibration). Kept sparse: only
    the candidates the marks or findings change; every other candidate has its baseline."""

    model: _Model
    marks: dict[Place, float]
    changed: dict[int, float]  # candidate -> drawing evidence, untempered (touched or examined)
    added: dict[int, float]  # candidate -> added after the temperature: one-region prior and findings
    touched: set[int]  # candidates that explain at least one mark
    findings: dict[tuple[str, str], dict[str, bool]]
    # candidate -> what it explains, by kind (KINDS order: lists of places, Reported for a variant),
    # then the marks it explains as bits (bit i: the i-th mark)
    explained: dict[int, list]

    @property
    def one_region(self) -> bool:
        return len(self.marks) == 1

    @cached_property
    def log_odds(self) -> list[float]:
        """Every candidate's drawing evidence, untempered."""
        values = list(self.model.baseline)
        for number, value in self.changed.items():
            values[number] = value
        return values

    @cached_property
    def extra(self) -> list[float]:
        values = [0.0] * len(self.model.baseline)
        for number, value in self.added.items():
            values[number] = value
        return values

    def item(self, truth: int | None) -> calibration.Item:
        return calibration.Item(logits=(*self.log_odds, self.model.log_prior_unexplained),
                                extra=(*self.extra, 0.0), truth=truth)


def gets_prior(marks: int, parameters: calibration.Parameters) -> bool:
    """Whether a drawing of this many marked places is sparse enough for the prior frequency (at most
    `prior_regions`, calibration.toml) and the prior counts at all (prior_weight above 0)."""
    return 0 < marks <= parameters.prior_regions and parameters.prior_weight > 0


def sparse_prior(muscle: str, regions: tuple[str, ...], parameters: calibration.Parameters) -> float:
    """The log prior frequency added to a candidate that explains a mark of a sparse drawing (at most
    `prior_regions` regions): prior_weight x the mean, over the drawn regions some study covers, of
    the muscle's log prevalence relative to its study's median (priors.log_relative_prior). A region
    no study covers says nothing, so it does not dilute the others; 0 for a fuller drawing."""
    if not gets_prior(len(regions), parameters):
        return 0.0
    return parameters.prior_weight * priors.mean_log_relative_prior(muscle, regions)


def evidence(drawing: Iterable, *, findings: Findings | None = None, exclude: frozenset[str] = NO_EXCLUSION,
             model=None, parameters: calibration.Parameters | None = None) -> Evidence:
    """`parameters` None: the shipped ones (calibration.toml); fitting and evaluation pass their own."""
    marks = read_drawing(drawing)
    recorded = _read_findings(findings)
    learned = model
    model = _model(frozenset(exclude), learned, parameters or calibration.settings().parameters)
    baseline = model.baseline
    changed: dict[int, float] = {}
    explained: dict[int, list] = {}
    for position, (place, intensity) in enumerate(marks.items()):
        weight = mark_weight(intensity)
        bit = 1 << position
        for number, gain, penalty, kind, report in model.index.get(place, ()):
            if number in changed:
                changed[number] += weight * gain - penalty
                lists = explained[number]
            else:
                changed[number] = baseline[number] + (weight * gain - penalty)
                lists = explained[number] = [[], [], [], [], [], 0]
            lists[KINDS[kind]].append(report or place)
            lists[EXPLAINED_MARKS] |= bit
    touched = set(changed)
    added: dict[int, float] = {}
    if gets_prior(len(marks), model.parameters):
        regions = tuple(place.region for place in marks)
        for number in touched:
            added[number] = 0.0 + sparse_prior(model.candidates[number][0], regions, model.parameters)
    for candidate, found in recorded.items():
        number = model.numbers.get(candidate)
        if number is not None:
            changed.setdefault(number, baseline[number])
            added[number] = added.get(number, 0.0) + examination.log_likelihood_ratio(found)
            if any(found.values()):  # a positive finding is evidence: the examined muscle is listed
                touched.add(number)
    return Evidence(model=model, marks=marks, changed=changed, added=added, touched=touched, findings=recorded,
                    explained=explained)


def _likelihoods(found: Evidence, temperature: float | None = None) -> tuple[dict[int, float], float]:
    """Calibrated likelihoods of the changed candidates (any other candidate's is its baseline share
    times `rest`, see _share), and of the unexplained hypothesis. `temperature` None: the shipped one
    (calibration.toml); evaluation passes the one fitted inside its fold.

    The softmax over all candidates, computed from the drawing-independent normaliser: only the
    changed candidates are exponentiated."""
    if temperature is None:
        temperature = calibration.settings().temperature
    base = _normaliser(found.model, temperature)
    added = found.added
    scaled = {number: value / temperature + added.get(number, 0.0) for number, value in found.changed.items()}
    peak = max(base.peak, *scaled.values()) if scaled else base.peak
    untouched = max(0.0, base.total - math.fsum(base.shares[number] for number in scaled)) * math.exp(base.peak - peak)
    weights = {number: math.exp(value - peak) for number, value in scaled.items()}
    total = untouched + math.fsum(weights.values())
    return {number: w / total for number, w in weights.items()}, math.exp(base.scaled_unexplained - peak) / total


def _all_likelihoods(found: Evidence, temperature: float | None = None) -> list[float]:
    """Every candidate's calibrated likelihood (for `explain`, which places one candidate among all)."""
    if temperature is None:
        temperature = calibration.settings().temperature
    return calibration.probabilities(found.item(None), temperature)[:-1]


def assess(drawing: Iterable, top: int | None = None, *, findings: Findings | None = None,
           exclude: frozenset[str] = NO_EXCLUSION, model=None, temperature: float | None = None,
           parameters: calibration.Parameters | None = None) -> Assessment:
    """Rank the candidates that explain at least one mark, best first, with the reading notes.

    `model` is a learning.ClinicModel to rank with the clinic's learned patterns; None: the textbook."""
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 0):
        raise ValueError(f"top must be a whole number of 0 or more, got {top!r}.")
    found = evidence(drawing, findings=findings, exclude=exclude, model=model, parameters=parameters)
    named = {"model": TEXTBOOK} if model is None else {
        "model": model.name, "model_version": model.version, "model_examples": model.examples}
    if not found.marks:
        return Assessment(candidates=[], sparse=False, fitting=0, **named)
    model = found.model
    likelihoods, _ = _likelihoods(found, temperature)
    order = sorted(found.touched, key=lambda n: (-likelihoods[n], model.candidates[n]))
    fitting = len(order)
    if top is not None:
        order = order[:top]
    places = list(found.marks)
    sparse = found.one_region
    candidates = [_candidate(found, places, number, position, likelihoods[number], sparse)
                  for position, number in enumerate(order, start=1)]
    return Assessment(candidates=candidates, sparse=sparse, fitting=fitting, prior_studies=_prior_studies(found),
                      **named)


def _prior_studies(found: Evidence) -> tuple[priors.Study, ...]:
    """The studies whose prevalence ordered the candidates: those covering the drawn regions, when
    the drawing is sparse enough for the prior (none otherwise)."""
    if not gets_prior(len(found.marks), found.model.parameters):
        return ()
    studies: dict[str, priors.Study] = {}
    for place in found.marks:
        studies.update((study.id, study) for study in priors.studies_for(place.region))
    return tuple(studies.values())


def rank(drawing: Iterable, top: int | None = None, *, findings: Findings | None = None,
         exclude: frozenset[str] = NO_EXCLUSION, model=None, temperature: float | None = None,
         parameters: calibration.Parameters | None = None) -> list[Candidate]:
    """The listed candidates for a pain drawing, best first (see `assess`).

    `drawing` holds Place objects, "CODE:side" strings, or (place, intensity 0-10) pairs; `findings`
    maps (muscle, side) to {finding code: present}. An empty drawing gives an empty list.
    """
    return assess(drawing, top, findings=findings, exclude=exclude, model=model, temperature=temperature,
                  parameters=parameters).candidates


def _candidate(found: Evidence, places: list[Place], number: int, position: int, likelihood: float,
               one_region: bool) -> Candidate:
    """The listed entry: what the candidate explains was gathered from the index while scoring."""
    model = found.model
    muscle, side = model.candidates[number]
    essential, spillover, local, reported, learned, said = found.explained.get(number) or ([], [], [], [], [], 0)
    unexplained = [place for mark, place in enumerate(places) if not said >> mark & 1]
    clinic = []
    if model.source is not None:
        for place in (place for mark, place in enumerate(places) if said >> mark & 1):
            evidence_of = model.source.evidence(muscle, side, place, model.priors[number].get(place, EPSILON))
            if evidence_of is not None:
                clinic.append(evidence_of)
    every_essential = model.essential[number]
    score = min(1.0, max(0.0, likelihood))
    return Candidate(
        muscle=muscle,
        muscle_name=model.names[number],
        side=side,
        score=score,
        band=calibration.band(score, one_region=one_region),
        rank=position,
        confidence=model.confidence[number],
        explained_essential=essential,  # the lists are this ranking's own: handed over, not copied
        explained_spillover=spillover,
        explained_local=local,
        explained_reported=reported,
        explained_learned=learned,
        clinic_evidence=clinic,
        unexplained=unexplained,
        unmarked_essential=(list(every_essential) if not essential else [] if len(essential) == len(every_essential)
                            else [place for place in every_essential if place not in essential]),
        findings=found.findings.get((muscle, side), {}),
        log_odds=found.changed.get(number, model.baseline[number]),
    )


def explain(drawing: Iterable, muscle: str, side: str, *, findings: Findings | None = None,
            exclude: frozenset[str] = NO_EXCLUSION, model=None, temperature: float | None = None,
            parameters: calibration.Parameters | None = None) -> Candidate:
    """The entry for one muscle and side, listed or not: useful to ask "why not this muscle?".

    Its rank is its place among all candidates."""
    vocabulary.muscle(muscle)
    if side not in SIDES:
        raise DrawingError(f"Side must be left or right, got {side!r}.")
    found = evidence(drawing, findings=findings, exclude=exclude, model=model, parameters=parameters)
    if not found.marks:
        raise DrawingError("An empty drawing has no ranking to explain.")
    number = found.model.numbers[(muscle, side)]
    likelihoods = _all_likelihoods(found, temperature)
    position = 1 + sum(1 for n, value in enumerate(likelihoods)
                       if value > likelihoods[number] or (value == likelihoods[number] and found.model.candidates[n] < (muscle, side)))
    return _candidate(found, list(found.marks), number, position, likelihoods[number], found.one_region)
