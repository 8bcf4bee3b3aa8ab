"""How many pain drawings per second the referral ranker handles.

Two workloads, each for a bounded time: the evaluation vignettes (realistic drawings), and random
drawings of 1-6 places from a seeded generator (reproducible between runs). Plain Python; run
`python -m benchmarks.referral` or call `run()`. No assertions: figures depend on the machine.
"""
from __future__ import annotations

import json
import random
import time

from anatomy.vocabulary import all_places, muscles
from referral.evaluation import vignettes
from referral.ranking import rank


def _measure(drawings: list, seconds: float) -> dict:
    """Rank the drawings round-robin until `seconds` have passed."""
    count = 0
    cpu = time.process_time()
    started = time.perf_counter()
    deadline = started + seconds
    slowest = 0.0
    now = started
    while now < deadline:
        drawing = drawings[count % len(drawings)]
        rank(drawing)
        after = time.perf_counter()
        slowest = max(slowest, after - now)
        now = after
        count += 1
    elapsed = now - started
    cpu = time.process_time() - cpu
    return {
        "rankings": count,
        "seconds": round(elapsed, 3),
        "per_second": round(count / elapsed),
        # rankings per second of this process's own CPU time: the rate one free core gives, which
        # wall time understates when other work shares the machine
        "per_cpu_second": round(count / cpu) if cpu else None,
        "mean_ms": round(1000 * elapsed / count, 4),
        "slowest_ms": round(1000 * slowest, 4),
    }


def run(seconds: float = 2.0, seed: int = 20261128) -> dict:
    """Measure rankings per second; about `seconds` in total, split between the two workloads."""
    rank(["neck.angle:left"])  # build the cached model first: measure ranking, not loading
    generator = random.Random(seed)
    places = all_places()
    random_drawings = [generator.sample(places, generator.randint(1, 6)) for _ in range(500)]
    vignette_drawings = [list(v.drawing) for v in vignettes()]
    return {
        "benchmark": "referral.rank",
        "candidates": 2 * len(muscles()),
        "vignettes": _measure(vignette_drawings, seconds / 2),
        "random_1_to_6_places": _measure(random_drawings, seconds / 2),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
