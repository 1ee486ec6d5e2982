#!/usr/bin/env python3
"""Set-up-free tasks: each creates ./.venv on first use, installs the project into it, and runs.

    python3 tasks.py demo      run a demo scenario (the strong POA reinstated after one rejection)
    python3 tasks.py test      every check: ruff, mypy, the test suite, the wheel, the diagrams
    python3 tasks.py bench     the benchmarks (see BENCHMARKS.md)

Only the Python standard library is used here, so a machine with nothing but Python can run it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("WORKFLOW_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"


def run(*cmd: str | Path, ok: tuple[int, ...] = (0,), cwd: str | Path = ROOT, stdout: int | None = None) -> int:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    code = subprocess.call([str(c) for c in cmd], cwd=cwd, stdout=stdout)
    if code not in ok:
        sys.exit(code)
    return int(code)


def ensure_venv(extras: str = "dev") -> None:
    """Create the virtual environment and (re)install the project when pyproject.toml changed."""
    if not PY.exists():
        run(sys.executable, "-m", "venv", VENV)
        run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    stamp = VENV / f".installed-{extras}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text() != digest:
        run(PY, "-m", "pip", "install", "--quiet", "-e", f".[{extras}]")
        stamp.write_text(digest)


def demo() -> None:
    ensure_venv()
    run(BIN / "workflow", "simulate", "--scenario", "examples/strong_poa_after_one_rejection.yaml")


def wheel_check() -> None:
    """Build the wheel, install it into a clean environment and run a scenario with it."""
    with tempfile.TemporaryDirectory() as tmp:
        dist = Path(tmp) / "dist"
        run(PY, "-m", "build", "--wheel", "--outdir", dist, ".")
        env = Path(tmp) / "venv"
        run(sys.executable, "-m", "venv", env)
        ebin = env / ("Scripts" if os.name == "nt" else "bin")
        wheel = next(dist.glob("*.whl"))
        run(ebin / "python", "-m", "pip", "install", "--quiet", wheel)
        scenario = Path(tmp) / "scenario.yaml"
        shutil.copy(ROOT / "examples" / "strong_poa_after_one_rejection.yaml", scenario)
        run(ebin / "workflow", "list", cwd=tmp)
        run(ebin / "workflow", "simulate", "--scenario", scenario, "--json", cwd=tmp, stdout=subprocess.DEVNULL)
        print("wheel ok: built, installed in a clean environment, scenario ran")


def test() -> None:
    ensure_venv("dev,bench,store")  # the tests run the benchmark command on a tiny size, and the case store
    run(BIN / "ruff", "check", ".")
    run(BIN / "mypy")
    code = run(PY, "-m", "pytest", "-q", *sys.argv[2:], ok=(0, 5))
    if code == 5:
        print("pytest collected no tests", file=sys.stderr)
        sys.exit(1)
    render_diagrams()
    wheel_check()


def render_diagrams() -> None:
    """Render every diagrams/*.dot with Graphviz; a failure fails the run. In CI Graphviz must be installed."""
    dot = shutil.which("dot")
    if dot is None:
        if os.environ.get("CI"):
            print("Graphviz 'dot' is not installed; CI renders every diagrams/*.dot with it", file=sys.stderr)
            sys.exit(1)
        print("note: Graphviz 'dot' is not installed; diagrams/*.dot not rendered", file=sys.stderr)
        return
    files = sorted((ROOT / "diagrams").glob("*.dot"))
    for f in files:
        run(dot, "-Tsvg", "-o", os.devnull, f)
    print(f"diagrams ok: {len(files)} DOT files rendered by Graphviz")


def bench() -> None:
    ensure_venv("dev,bench,store")
    run(PY, "benchmarks/run.py", *sys.argv[2:])


TASKS = {"demo": demo, "test": test, "bench": bench}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in TASKS:
        print(__doc__)
        sys.exit(2)
    TASKS[sys.argv[1]]()
