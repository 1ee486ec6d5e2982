"""The house rules that hold across the tree: no module reads, calls or replaces another module's private names."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TREES = ("workflow", "cli", "tests", "benchmarks")


def _files() -> list[Path]:
    return sorted(p for tree in TREES for p in (ROOT / tree).rglob("*.py"))


def _own_names(tree: ast.AST) -> set[str]:
    """The private names a file defines itself: functions, classes, assignments, attributes set, slots."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.isidentifier():
            names.add(node.value)  # __slots__ entries and attrs' private fields
    return {n for n in names if n.startswith("_")}


def private_uses(path: Path) -> list[str]:
    """Each ``obj._name`` (``obj`` not ``self``/``cls``) and ``from m import _name`` of a name ``path`` does not
    define itself, as ``file:line: what``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    own = _own_names(tree)
    where = path.relative_to(ROOT)
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                continue
            if node.attr not in own:
                out.append(f"{where}:{node.lineno}: .{node.attr}")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(("workflow", "workflow_cli")):
            out.extend(
                f"{where}:{node.lineno}: import {node.module}.{a.name}"
                for a in node.names
                if a.name.startswith("_") and not a.name.startswith("__")
            )
    return out


@pytest.mark.parametrize("path", _files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_reaches_into_another(path: Path) -> None:
    """The file uses no private name of another module (public seams only)."""
    assert private_uses(path) == []


def test_the_check_sees_a_reach_into_another_module(tmp_path: Path) -> None:
    """A file calling another module's private function, or importing one, is reported."""
    probe = ROOT / "tests" / "_probe_private_use.py"
    probe.write_text("from workflow.core.case import _SYSTEM_CLOCK\nimport workflow\nworkflow.core._hidden()\n")
    try:
        found = private_uses(probe)
    finally:
        probe.unlink()
    assert found == [
        "tests/_probe_private_use.py:1: import workflow.core.case._SYSTEM_CLOCK",
        "tests/_probe_private_use.py:3: ._hidden",
    ]
