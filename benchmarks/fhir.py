"""FHIR speed: bulk export rate and peak memory, `$everything` of the heaviest patient, import rate.

Run by benchmarks/run.py as a child process on its own synthetic SQLite clinic (TPCLINIC_DATA_DIR);
prints one JSON object. Usage: `python -m benchmarks.fhir PATIENTS TIMEOUT_S [IMPORT_PATIENTS]`, or
`python -m benchmarks.fhir --export-only TIMEOUT_S` to export the clinic already in TPCLINIC_DATA_DIR.
- export: `tpclinic fhir_export --out DIR` as a child process: wall and CPU seconds, resources
  counted from the NDJSON it wrote, peak resident memory of that process (getrusage);
- $everything: `GET /fhir/Patient/{id}/$everything` through Django's test client with an API token
  (authentication, the build, version stamps, audit and JSON included), for the patient with the
  most injections; best and median of RUNS warm requests (wall clock, and CPU time of this process,
  which a busy shared machine disturbs less);
- import: the `$everything` Bundles of the first IMPORT_PATIENTS patients, merged into one collection
  Bundle, imported by `tpclinic fhir_import FILE` into a fresh database (every resource created); the same
  command with an empty Bundle gives its start-up CPU time, so the import's own rate is stated beside the
  whole command's, with the load average when it ran.
"""
from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
RUNS = 7


def count_resources(folder: Path) -> int:
    total = 0
    for path in folder.rglob("*.ndjson"):
        with open(path, encoding="utf-8") as handle:
            total += sum(1 for line in handle if line.strip())
    return total


def tpclinic(args: list[str], env: dict, timeout: float) -> tuple[subprocess.CompletedProcess, float, float, int]:
    """Run a tpclinic command; (result, wall s, CPU s, peak RSS MiB) of that child alone."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "tpclinic"), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return done, wall, cpu, after.ru_maxrss // 1024


def failed(done: subprocess.CompletedProcess) -> str:
    return (done.stderr or done.stdout).strip()[-500:]


def export(timeout: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="fhir-bench-") as folder:
        return _export(Path(folder), timeout)


def _export(out: Path, timeout: float) -> dict:
    load = os.getloadavg()[0]
    done, wall, cpu, peak = tpclinic(["fhir_export", "--out", str(out)], dict(os.environ), timeout)
    if done.returncode != 0:
        return {"error": failed(done)}
    resources = count_resources(out)
    return {"resources": resources, "seconds": round(wall, 1), "cpu_seconds": round(cpu, 1),
            "per_second": round(resources / wall), "per_cpu_second": round(resources / cpu), "peak_rss_mib": peak,
            "load_average": [round(load, 1), round(os.getloadavg()[0], 1)]}  # before and after: a shared machine


def heaviest_patient():
    from django.db.models import Count

    from patients.models import Patient

    return (Patient.objects.annotate(n=Count("courses__sessions__injections")).order_by("-n", "pk").first())


def everything(patient) -> dict:
    from django.test import Client

    from accounts.models import Role
    from interop.models import ApiToken

    clinician = patient.courses.first().clinician
    assert clinician.staff_profile.role == Role.CLINICIAN
    _, raw = ApiToken.issue(clinician, "benchmark")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_HOST="localhost")
    url = f"/fhir/Patient/{patient.pk}/$everything"
    timings, cpu = [], []
    for _ in range(RUNS + 1):  # the first request warms caches and is not counted
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url, secure=True)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        if response.status_code != 200:
            return {"error": f"{url} answered {response.status_code}: {response.content[:300]!r}"}
    total = json.loads(response.content)["total"]
    return {"patient": patient.pk, "resources": total, "best_ms": round(min(timings[1:]), 1),
            "median_ms": round(statistics.median(timings[1:]), 1),
            "median_cpu_ms": round(statistics.median(cpu[1:]), 1), "load_average": round(os.getloadavg()[0], 1)}


def bundle_of(patients) -> dict:
    """One collection Bundle of these patients' `$everything` (each resource once)."""
    from interop import fhir_export

    seen, entries = set(), []
    for patient in patients:
        for entry in fhir_export.patient_everything(patient)["entry"]:
            key = (entry["resource"]["resourceType"], entry["resource"]["id"])
            if key not in seen:
                seen.add(key)
                entries.append({"resource": entry["resource"]})
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def import_rate(patients: int, timeout: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="fhir-import-") as folder:
        return _import_rate(patients, Path(folder), timeout)


def _import_rate(patients: int, folder: Path, timeout: float) -> dict:
    from patients.models import Patient

    path = folder / "bundle.json"
    bundle = bundle_of(Patient.objects.order_by("pk")[:patients])
    path.write_text(json.dumps(bundle), encoding="utf-8")
    env = {**os.environ, "TPCLINIC_DATA_DIR": str(folder / "db")}
    env.pop("DATABASE_URL", None)
    (folder / "db").mkdir()
    done, *_ = tpclinic(["migrate", "--no-input", "-v", "0"], env, timeout)
    if done.returncode != 0:
        return {"error": failed(done)}
    empty = folder / "empty.json"  # the command's own start-up (Django, the R4 schema and models) on its own
    empty.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": []}), encoding="utf-8")
    done, start_wall, start_cpu, _ = tpclinic(["fhir_import", str(empty), "--quiet-information"], env, timeout)
    if done.returncode != 0:
        return {"error": failed(done)}
    load = os.getloadavg()[0]
    done, wall, cpu, peak = tpclinic(["fhir_import", str(path), "--quiet-information"], env, timeout)
    if done.returncode != 0:
        return {"error": failed(done)}
    resources = len(bundle["entry"])
    alone = max(cpu - start_cpu, 0.001)
    return {"patients": patients, "resources": resources, "seconds": round(wall, 1), "cpu_seconds": round(cpu, 1),
            "per_second": round(resources / wall), "per_cpu_second": round(resources / cpu), "peak_rss_mib": peak,
            "startup_cpu_seconds": round(start_cpu, 2), "import_cpu_seconds": round(alone, 2),
            "import_per_cpu_second": round(resources / alone), "load_average": round(load, 1)}


def main() -> int:
    if sys.argv[1:2] == ["--export-only"]:  # the clinic already in TPCLINIC_DATA_DIR (make bench's 100,000 patients)
        print(json.dumps({"export": export(float(sys.argv[2]) if len(sys.argv) > 2 else 3600)}))
        return 0
    patients = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    timeout = float(sys.argv[2]) if len(sys.argv) > 2 else 300
    import_patients = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tpclinic.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("synth", patients=patients, seed=7, no_refresh=True, verbosity=0, stdout=sys.stderr)
    result = {"available": True, "patients": patients}
    result["export"] = export(timeout)
    result["everything"] = everything(heaviest_patient())
    result["import"] = import_rate(import_patients, timeout)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
