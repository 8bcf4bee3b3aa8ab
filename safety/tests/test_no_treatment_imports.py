"""safety holds the rules; the session workflow that uses them is treatment's. No safety module, its
tests included, imports treatment, so the two apps cannot grow a cycle again."""
import ast
from pathlib import Path

SAFETY = Path(__file__).resolve().parents[1]


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_safety_module_imports_treatment():
    offenders = {
        str(path.relative_to(SAFETY)): sorted(m for m in imported_modules(path) if m.split(".")[0] == "treatment")
        for path in SAFETY.rglob("*.py") if "migrations" not in path.parts
    }
    assert {name: mods for name, mods in offenders.items() if mods} == {}


def test_the_finder_sees_imports_anywhere_in_a_module(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from treatment.models import Session\n    import treatment.workflow\n")
    assert imported_modules(module) == {"treatment.models", "treatment.workflow"}
