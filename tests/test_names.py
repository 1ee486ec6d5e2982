"""Names: no package attribute hides a submodule of the same name, one default start time, one Verdict."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import types
from pathlib import Path

import workflow_cli

import workflow

ROOT = Path(__file__).resolve().parent.parent


def _packages() -> list[types.ModuleType]:
    found = [workflow, workflow_cli]
    for info in pkgutil.walk_packages(workflow.__path__, "workflow."):
        module = importlib.import_module(info.name)
        if info.ispkg:
            found.append(module)
    return found


def test_no_name_in_a_package_shadows_its_submodule() -> None:
    """`package.x` is the module package/x.py whenever that module exists (no function hides it)."""
    shadowed = []
    for package in _packages():
        for info in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{info.name}")
            value = getattr(package, info.name)
            if not isinstance(value, types.ModuleType):
                shadowed.append(f"{package.__name__}.{info.name} is a {type(value).__name__}")
    assert shadowed == []


def _holds(path: Path, text: str) -> bool:
    """Whether ``path``'s code (not its docstrings) has the string constant ``text``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)}
    return any(isinstance(n, ast.Constant) and n.value == text and id(n) not in docs for n in ast.walk(tree))


def test_one_default_start_time() -> None:
    """The default start of a simulated clock is written once, in core/clock.py; everything else imports it."""
    from workflow.core.clock import DEFAULT_START

    holders = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "workflow").rglob("*.py") if _holds(p, DEFAULT_START))
    assert holders == ["workflow/core/clock.py"]
    assert workflow.SimulatedClock().now() == workflow.SimulatedClock(DEFAULT_START).now()


def test_one_verdict() -> None:
    """Only the health table's decision is called a Verdict anywhere in the package."""
    holders = sorted(
        str(p.relative_to(ROOT)) for p in (ROOT / "workflow").rglob("*.py") if "class Verdict" in p.read_text()
    )
    assert holders == ["workflow/amazon/health.py"]
