from anatomy import vocabulary
from benchmarks import referral as benchmark


def test_benchmark_runs_briefly_and_reports_figures():
    figures = benchmark.run(seconds=0.1)
    assert figures["candidates"] == 2 * len(vocabulary.muscles())
    for workload in ("vignettes", "random_1_to_6_places"):
        assert figures[workload]["rankings"] > 0
        assert figures[workload]["per_second"] > 0
