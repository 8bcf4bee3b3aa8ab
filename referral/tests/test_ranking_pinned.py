"""The full ranked output, pinned: every textbook vignette and published case (as shipped, and as
the evaluation ranks it: own publication's variants removed, its findings recorded), seeded random
drawings with intensities and examination findings, and a clinic-learned model. Each listed
candidate with everything it says, its score to 1e-9.

Why: a change meant only to make ranking faster must change no result, and a change to the model
(data, rates, weights) should show in review as a change of this file. After a deliberate model
change, rewrite it with `python -m referral.tests.test_ranking_pinned` and read the diff.
"""
from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import pytest

from anatomy.vocabulary import all_places, muscles
from referral import calibration, evaluation, examination, learning, literature, ranking
from referral.ranking import rank

PINNED = Path(__file__).resolve().parent / "data" / "pinned_rankings.json"
SEED = 20261203


def _entry(candidate) -> list:
    """[muscle:side, score, log odds, a digest of everything else the candidate says (band, rank,
    what it explains and not, findings): a changed explanation changes the digest]."""
    said = {key: value for key, value in candidate.to_dict().items()
            if key not in ("muscle", "side", "score")}
    return [f"{candidate.muscle}:{candidate.side}", candidate.score, candidate.log_odds,
            hashlib.sha256(json.dumps(said, sort_keys=True).encode()).hexdigest()[:16]]


def _random_drawings(rng: random.Random) -> list[tuple[list, dict]]:
    places = all_places()
    codes = sorted(examination.findings())
    known = sorted(muscles())
    out = []
    for _ in range(40):
        drawing = [(str(p), rng.randint(0, 10)) for p in rng.sample(places, rng.randint(1, 6))]
        findings = {}
        for _ in range(rng.randint(0, 2)):
            muscle, side = rng.choice(known), rng.choice(("left", "right"))
            findings[(muscle, side)] = {code: rng.random() < 0.5 for code in rng.sample(codes, rng.randint(1, 3))}
        out.append((drawing, findings))
    return out


def snapshot() -> dict[str, list[dict]]:
    """Every pinned ranking, by a stable key."""
    found: dict[str, list[dict]] = {}
    for v in evaluation.vignettes():
        found[f"vignette:{v.id}"] = [_entry(c) for c in rank(v.drawing)]
    for case in literature.cases():
        found[f"case:{case.id}"] = [_entry(c) for c in rank(case.drawing)]
        found[f"case-evaluated:{case.id}"] = [_entry(c) for c in rank(
            case.drawing, exclude=frozenset({case.publication}), findings=evaluation._case_findings(case))]
    rng = random.Random(SEED)
    for number, (drawing, findings) in enumerate(_random_drawings(rng)):
        key = f"random:{number}"
        found[key] = [_entry(c) for c in rank(drawing, findings={k: v for k, v in findings.items()})]
    clinic = evaluation.synthetic_clinic()
    model = learning.learn(clinic.examples(8, random.Random(SEED)))
    for number, example in enumerate(clinic.examples(1, random.Random(SEED + 1))[:20]):
        found[f"clinic:{number}"] = [_entry(c) for c in rank(sorted(example.places, key=str), model=model)]
    return found


def _json(value) -> object:
    return json.loads(json.dumps(value))


def _close(pinned, now, path: str) -> None:
    if isinstance(pinned, float) or isinstance(now, float):
        assert now == pytest.approx(pinned, abs=1e-9, rel=0), path
    elif isinstance(pinned, dict):
        assert sorted(pinned) == sorted(now), path
        for key in pinned:
            _close(pinned[key], now[key], f"{path}.{key}")
    elif isinstance(pinned, list):
        assert len(pinned) == len(now), path
        for number, (a, b) in enumerate(zip(pinned, now)):
            _close(a, b, f"{path}[{number}]")
    else:
        assert pinned == now, path


def test_every_ranking_is_as_pinned():
    pinned = json.loads(PINNED.read_text(encoding="utf-8"))
    now = _json(snapshot())
    assert sorted(pinned) == sorted(now)
    for key in pinned:
        _close(pinned[key], now[key], key)


def test_the_pin_catches_a_changed_score():
    """The comparison is not vacuous: a score moved by 1e-8 fails it."""
    pinned = json.loads(PINNED.read_text(encoding="utf-8"))
    key = next(k for k, v in pinned.items() if v)
    moved = json.loads(json.dumps(pinned[key]))
    moved[0][1] += 1e-8
    with pytest.raises(AssertionError):
        _close(pinned[key], moved, key)


def test_scores_are_the_softmax_over_every_candidate():
    """The ranker exponentiates only the candidates a drawing changes; its scores are still the
    calibrated softmax over all candidates and the unexplained hypothesis (calibration.probabilities),
    also when a finding is recorded for a muscle that explains no mark."""
    rng = random.Random(SEED + 2)
    for drawing, findings in _random_drawings(rng):
        found = ranking.evidence(drawing, findings=findings)
        every = calibration.probabilities(found.item(None), calibration.settings().temperature)
        listed = rank(drawing, findings=findings)
        assert {found.model.numbers[(c.muscle, c.side)] for c in listed} == found.touched
        for candidate in listed:
            assert candidate.score == pytest.approx(every[found.model.numbers[(candidate.muscle, candidate.side)]],
                                                    abs=1e-12, rel=1e-9)


if __name__ == "__main__":
    PINNED.parent.mkdir(exist_ok=True)
    rows = [f"{json.dumps(key)}: {json.dumps(value, separators=(',', ':'))}" for key, value in sorted(snapshot().items())]
    PINNED.write_text("{\n" + ",\n".join(rows) + "\n}\n", encoding="utf-8")
    print(f"wrote {PINNED}")
