"""No cycles between apps (developers' guide): if two apps import each other, the workflow belongs
in one of them and the other keeps pure rules.

Every module of every app is parsed with `ast`, imports at the top AND inside functions alike (a
function-local import that dodges a cycle at import time is still a cycle in the design). Tests
and migrations are left out: tests may reach any app, migrations name the apps they depend on.

The project package `tpclinic` is two things. Its wiring (URLconf, settings, WSGI/ASGI and manage
entry points, the project-wide views routed by the URLconf, the demo and the management commands)
puts the apps together: it may import any app, and no app imports it. Everything else in
`tpclinic` (limits, versioning, dates, language, middleware, signals...) is a library the apps
import, so it may import no app.
"""
from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = sorted(name for name in settings.INSTALLED_APPS if "." not in name and (ROOT / name).is_dir())
# The project package's wiring modules: they put the apps together, nothing imports them.
WIRING = {"tpclinic.urls", "tpclinic.views", "tpclinic.settings", "tpclinic.test_settings", "tpclinic.wsgi",
          "tpclinic.asgi", "tpclinic.manage", "tpclinic.demo", "tpclinic.management"}
SKIPPED_PARTS = {"tests", "migrations", "__pycache__"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """Every absolute module named by an import anywhere in the file (relative imports stay inside the app)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def is_wiring(module: str) -> bool:
    return any(module == w or module.startswith(w + ".") for w in WIRING)


def app_edges() -> dict[tuple[str, str], set[str]]:
    """(importing app, imported app) -> the modules where that import happens."""
    edges: dict[tuple[str, str], set[str]] = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if SKIPPED_PARTS & set(path.relative_to(ROOT).parts):
                continue
            module = module_name(path)
            if app == "tpclinic" and is_wiring(module):
                continue
            for name in imported_modules(path):
                target = name.split(".")[0]
                if target in APPS and target != app:
                    edges.setdefault((app, target), set()).add(module)
    return edges


def cycles(edges) -> list[list[str]]:
    """Strongly connected groups of more than one app (Tarjan)."""
    graph: dict[str, set[str]] = {}
    for source, target in edges:
        graph.setdefault(source, set()).add(target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_scan_sees_imports_at_the_top_and_inside_functions(tmp_path):
    source = tmp_path / "mod.py"
    source.write_text("import a.b\nfrom c import d\ndef f():\n    from e.f import g\n    import h\nfrom . import local\n")
    assert imported_modules(source) == {"a.b", "c", "c.d", "e.f", "e.f.g", "h"}


def test_cycles_are_found_however_long():
    assert cycles({("a", "b"): set(), ("b", "c"): set(), ("c", "a"): set(), ("c", "d"): set()}) == [["a", "b", "c"]]
    assert cycles({("a", "b"): set(), ("b", "c"): set()}) == []


def test_no_cycles_between_apps():
    edges = app_edges()
    assert ("scheduling", "treatment") in edges  # the scan does see real imports
    problems = []
    for group in cycles(edges):
        inside = sorted(f"{a} -> {b} ({', '.join(sorted(edges[a, b]))})" for a, b in edges if a in group and b in group)
        problems.append(" | ".join(inside))
    assert problems == []


def test_the_project_package_imports_apps_only_in_its_wiring():
    library = sorted(f"{module} imports {target}" for (app, target), modules in app_edges().items()
                     if app == "tpclinic" for module in modules)
    assert library == []
