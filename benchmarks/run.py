"""`make bench`: every benchmark, bounded in time, with progress on stderr; writes docs/benchmarks.md.

1. referral rankings per second (benchmarks/referral.py, in this process);
2. a synthetic clinic on SQLite and on PostgreSQL, each measured through a real server on loopback
   (benchmarks/web.py, one child process per database);
3. FHIR: the whole SQLite clinic of step 2 exported (rate and peak memory at full size), then on its own
   synthetic SQLite clinic (benchmarks/fhir.py) the export rate, `$everything` of the heaviest patient
   and the import rate.
4. two app servers and two task workers against one PostgreSQL database (benchmarks/cluster.py):
   concurrent signing, bulk export and reminders, then checks that nothing was lost or done twice.

Environment: BENCH_PATIENTS (default 100000), BENCH_SECONDS per throughput run (default 8),
BENCH_PG_URL (default the local cluster from scripts/postgres.sh, database tpclinic_bench),
BENCH_SKIP_PG=1 to measure SQLite only, BENCH_FHIR_PATIENTS for the FHIR clinic (default 2000) and
BENCH_FHIR_IMPORT_PATIENTS for the imported Bundle (default 20). Nothing asserts: figures depend on the machine.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import postgres

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgres://tpclinic:tpclinic@127.0.0.1:5432/tpclinic_bench"
CHILD_TIMEOUT_S = 45 * 60


def say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def child(module: str, args: list[str], env: dict, label: str) -> dict:
    """Run `python -m module args` with `env`; its last stdout line is its JSON result."""
    started = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, env={**env, "BENCH_LABEL": label},
                              stdout=subprocess.PIPE, text=True, timeout=CHILD_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {CHILD_TIMEOUT_S} s"}
    say(f"{label} finished in {time.perf_counter() - started:.0f} s")
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        return {"error": f"exit code {done.returncode}"}
    return json.loads(lines[-1])


def main() -> int:
    started = time.perf_counter()
    patients = int(os.environ.get("BENCH_PATIENTS", "100000"))
    seconds = float(os.environ.get("BENCH_SECONDS", "8"))
    sys.path.insert(0, str(ROOT))
    from benchmarks import cluster, referral, report

    results = {"date": report.now(), "machine": report.machine(), "patients": patients, "seconds": seconds, "web": {}}
    say("referral rankings")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tpclinic.settings")
    results["referral"] = referral.run()

    base_env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    base_env["SECRET_KEY"] = "benchmark-only-" + "x" * 40
    data_dir = Path(tempfile.mkdtemp(prefix="tpclinic-bench-"))
    try:
        say(f"SQLite: {patients:,} patients in {data_dir}")
        results["web"]["SQLite"] = child("benchmarks.web", ["--patients", str(patients), "--seconds", str(seconds)],
                                         {**base_env, "TPCLINIC_DATA_DIR": str(data_dir)}, "sqlite")
        if "error" not in results["web"]["SQLite"]:
            say(f"FHIR export of the whole {patients:,}-patient SQLite clinic")
            results["fhir_full"] = child("benchmarks.fhir", ["--export-only", str(CHILD_TIMEOUT_S - 60)],
                                         {**base_env, "TPCLINIC_DATA_DIR": str(data_dir)}, "fhir-full")
        if os.environ.get("BENCH_SKIP_PG") == "1":
            results["web"]["PostgreSQL"] = {"error": "skipped (BENCH_SKIP_PG=1)"}
        else:
            url = os.environ.get("BENCH_PG_URL", PG_URL)
            problem = postgres.fresh_database(url)
            if problem:
                results["web"]["PostgreSQL"] = {"error": problem}
            else:
                say(f"PostgreSQL: {patients:,} patients")
                pg_dir = data_dir / "pg"
                pg_dir.mkdir()
                results["web"]["PostgreSQL"] = child(
                    "benchmarks.web", ["--patients", str(patients), "--seconds", str(seconds)],
                    {**base_env, "DATABASE_URL": url, "TPCLINIC_DATA_DIR": str(pg_dir)}, "postgresql")
        say("FHIR export")
        fhir_dir = data_dir / "fhir"
        fhir_dir.mkdir()
        fhir_args = [os.environ.get("BENCH_FHIR_PATIENTS", "2000"), "900",
                     os.environ.get("BENCH_FHIR_IMPORT_PATIENTS", "20")]
        results["fhir"] = child("benchmarks.fhir", fhir_args, {**base_env, "TPCLINIC_DATA_DIR": str(fhir_dir)}, "fhir")
        if os.environ.get("BENCH_SKIP_PG") == "1":
            results["cluster"] = {"error": "skipped (BENCH_SKIP_PG=1)"}
        else:
            say("two app servers, two workers, one PostgreSQL")
            results["cluster"] = child("benchmarks.cluster", ["--no-write"], base_env, "cluster")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    results["total_s"] = time.perf_counter() - started
    kept = ROOT / "var" / "bench-results.json"  # the raw figures, kept so the report can be rewritten without a rerun
    kept.parent.mkdir(exist_ok=True)
    kept.write_text(json.dumps(results, indent=2), encoding="utf-8")
    report.write(results, ROOT / "docs" / "benchmarks.md")
    cluster.write_section(results.get("cluster", {"error": "not run"}), ROOT / "docs" / "benchmarks.md")
    say(f"wrote docs/benchmarks.md in {results['total_s']:.0f} s")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
