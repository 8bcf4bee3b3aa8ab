"""FHIR export speed: resources written per second by `tpclinic fhir_export --out DIR`, if present.

Run by benchmarks/run.py as a child process on its own small synthetic SQLite clinic (a full
100,000-patient export would take the whole benchmark's time budget); prints one JSON object.
Resources are counted from what the command wrote: NDJSON lines, or a JSON file's Bundle entries.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent


def count_resources(folder: Path) -> int:
    total = 0
    for path in folder.rglob("*"):
        if path.suffix == ".ndjson":
            with open(path, encoding="utf-8") as handle:
                total += sum(1 for line in handle if line.strip())
        elif path.suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            total += len(data.get("entry", [])) if data.get("resourceType") == "Bundle" else 1
    return total


def main() -> int:
    patients = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    timeout = float(sys.argv[2]) if len(sys.argv) > 2 else 300
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tpclinic.settings")
    django.setup()
    from django.core.management import call_command, get_commands

    if "fhir_export" not in get_commands():
        print(json.dumps({"available": False}))
        return 0
    call_command("migrate", verbosity=0, interactive=False)
    call_command("synth", patients=patients, seed=7, no_refresh=True, verbosity=0, stdout=sys.stderr)
    out = Path(tempfile.mkdtemp(prefix="fhir-bench-"))
    started = time.perf_counter()
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "tpclinic"), "fhir_export", "--out", str(out)], cwd=ROOT,
                          env=dict(os.environ), capture_output=True, text=True, timeout=timeout)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        print(json.dumps({"available": True, "error": (done.stderr or done.stdout).strip()[-500:]}))
        return 0
    resources = count_resources(out)
    print(json.dumps({"available": True, "patients": patients, "resources": resources, "seconds": round(elapsed, 1),
                      "per_second": round(resources / elapsed, 1) if elapsed else None}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
