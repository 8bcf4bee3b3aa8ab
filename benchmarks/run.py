"""`make bench`: run every benchmark module in this package that has a `run()` and print its figures.

Each benchmark bounds its own time; nothing here asserts, since figures depend on the machine.
"""
from __future__ import annotations

import importlib
import json
import pkgutil
import sys

import benchmarks


def main() -> int:
    results = {}
    for module_info in sorted(pkgutil.iter_modules(benchmarks.__path__), key=lambda m: m.name):
        if module_info.name == "run":
            continue
        module = importlib.import_module(f"benchmarks.{module_info.name}")
        if callable(getattr(module, "run", None)):
            results[module_info.name] = module.run()
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
