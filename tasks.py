#!/usr/bin/env python3
"""Set-up-free tasks: each creates ./.venv on first use, installs the project into it, and runs.

    python3 tasks.py demo      run a demo scenario (the strong POA reinstated after one rejection)
    python3 tasks.py test      every check: ruff, mypy, the test suite, the wheel, the diagrams
    python3 tasks.py bench     the benchmarks (see BENCHMARKS.md)
    python3 tasks.py docs      build the documentation site into site/ (strict: a broken link or reference fails)
    python3 tasks.py docs --update  rewrite docs/rules.md and every recorded command output that no longer matches
    python3 tasks.py diagrams  regenerate diagrams/ and the Mermaid of docs/diagrams.md; --check writes nothing,
                               exits 1 if stale

Only the Python standard library is used at the top level, so a machine with nothing but Python can run it;
the diagrams task re-runs itself inside ./.venv, where it imports ``workflow``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
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
        wheel = next(dist.glob("seller_case_rules-*.whl"))  # the distribution name, not the import name
        run(ebin / "python", "-m", "pip", "install", "--quiet", wheel)
        copied = Path(tmp) / "x"  # the examples travel with the package: copied out, then run from the copy
        run(ebin / "workflow", "list", cwd=tmp)
        run(ebin / "workflow", "examples", "copy", copied, cwd=tmp, stdout=subprocess.DEVNULL)
        scenario = copied / "strong_poa_after_one_rejection.yaml"
        run(ebin / "workflow", "simulate", "--scenario", scenario, "--json", cwd=tmp, stdout=subprocess.DEVNULL)
        run(ebin / "workflow", "simulate", "--example", scenario.stem, cwd=tmp, stdout=subprocess.DEVNULL)
        run(ebin / "workflow", "health", copied / "health" / "us_odr_breach.yaml", cwd=tmp, stdout=subprocess.DEVNULL)
        print("wheel ok: built, installed in a clean environment, its examples copied out and run")


def test() -> None:
    ensure_venv(TEST_EXTRAS)  # the tests run the benchmark command on a tiny size, the case store, the docs
    run(BIN / "ruff", "check", ".")
    run(BIN / "mypy")
    run(BIN / "lint-imports")  # the layers, as pyproject.toml states them
    code = run(PY, "-m", "pytest", "-q", *sys.argv[2:], ok=(0, 5))
    if code == 5:
        print("pytest collected no tests", file=sys.stderr)
        sys.exit(1)
    render_diagrams()
    build_docs(None)
    wheel_check()


#: what the test command installs: everything it checks
TEST_EXTRAS = "dev,bench,store,docs,web"


def build_docs(site: Path | None) -> None:
    """``mkdocs build --strict``: a broken link, a missing page or an unresolved reference fails the build."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # Material's notice about its successor, on every build
    with tempfile.TemporaryDirectory() as tmp:
        run(BIN / "mkdocs", "build", "--strict", "--quiet", "--site-dir", site or Path(tmp) / "site")
    print(f"docs ok: built strictly{f' into {site}' if site else ''}")


def docs() -> None:
    """``docs [--update]``: build the site into site/, or bring its generated parts up to date."""
    ensure_venv(TEST_EXTRAS)
    if "--update" not in sys.argv[2:]:
        build_docs(ROOT / "site")
        return
    if Path(sys.prefix).resolve() != VENV.resolve():
        sys.exit(run(PY, Path(__file__).resolve(), *sys.argv[1:]))
    import importlib.util

    spec = importlib.util.spec_from_file_location("docsite", ROOT / "tools" / "docsite.py")
    assert spec is not None and spec.loader is not None
    docsite = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(docsite)
    catalog = docsite.rule_catalog()
    if docsite.CATALOG.read_text(encoding="utf-8") != catalog:
        docsite.CATALOG.write_text(catalog, encoding="utf-8")
        print(f"{docsite.CATALOG.relative_to(ROOT)}: rewritten")
    for command in docsite.update_sessions():
        print(f"{command}: recorded output rewritten")


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
    ensure_venv(TEST_EXTRAS)
    run(PY, "benchmarks/run.py", *sys.argv[2:])


# ------------------------------------------------------------------------------------------------ diagrams/
# The repository's own upkeep of diagrams/ and of the Mermaid in docs/diagrams.md (users draw with `workflow diagram`).

#: the example run drawn in ``diagrams/``: a scenario file of the main lifecycle
EXAMPLE_RUN = Path("examples") / "strong_poa_after_one_rejection.yaml"
DIAGRAM_SUFFIXES = (".mmd", ".dot", ".svg")


def run_stem(scenario: Path) -> str:
    """The file stem of a run's diagrams: ``run-<scenario stem>``."""
    return f"run-{scenario.stem}"


def builtin_diagrams(example: Path | None, *, svg: bool) -> dict[str, bytes]:
    """File name -> content of every diagram in ``diagrams/``: each built-in definition and the example run."""
    import workflow
    from workflow.diagram import Graph, graph, render, run_title, to_dot, to_mermaid

    drawn: list[tuple[str, Graph]] = [(name, graph(workflow.load(name))) for name in workflow.builtin_names()]
    if example is not None:
        trace = workflow.run_scenario(workflow.load_scenario(example))
        drawn.append((run_stem(example), graph(trace.definition, trace, title=run_title(trace, example.stem))))
    files: dict[str, bytes] = {}
    for stem, g in drawn:
        dot = to_dot(g)
        files[f"{stem}.mmd"] = to_mermaid(g).encode()
        files[f"{stem}.dot"] = dot.encode()
        if svg:
            files[f"{stem}.svg"] = render(dot, "svg")
    return files


_EMBEDDED = re.compile(r"(<!-- (diagrams/[^ ]+\.mmd) -->\n```mermaid\n)(.*?)(```)", re.S)


def embed(markdown: str, files: dict[str, bytes]) -> str:
    """``markdown`` with each block marked ``<!-- diagrams/NAME.mmd -->`` (then a mermaid fence) made current."""

    def fresh(found: re.Match[str]) -> str:
        name = found.group(2).removeprefix("diagrams/")
        if name not in files:
            return found.group(0)
        return found.group(1) + files[name].decode() + found.group(4)

    return _EMBEDDED.sub(fresh, markdown)


def update_diagrams(directory: Path, example: Path, readme: Path, *, check: bool) -> int:
    """Regenerate the .mmd, .dot and .svg of every built-in definition and the example run in ``directory``, and
    the blocks of ``readme`` marked ``<!-- diagrams/NAME.mmd -->`` (skipped if absent). Needs Graphviz.

    With ``check``, writes nothing and returns 1 when a diagram is missing, stale or orphaned; else returns 0.
    """
    files = builtin_diagrams(example, svg=True)
    markdown = readme.read_text(encoding="utf-8") if readme.is_file() else None
    embedded = embed(markdown, files) if markdown is not None else None
    present = {p.name for p in directory.glob("*") if p.suffix in DIAGRAM_SUFFIXES} if directory.is_dir() else set()
    stale = sorted(
        name for name, data in files.items() if name not in present or (directory / name).read_bytes() != data
    )
    orphans = sorted(present - set(files))
    if check:
        for name in stale:
            print(f"stale: {directory / name}" if name in present else f"missing: {directory / name}")
        for name in orphans:
            print(f"orphan: {directory / name} (no built-in definition or example run draws it)")
        if embedded != markdown:
            print(f"stale: {readme} (a diagram it carries)")
        if stale or orphans or embedded != markdown:
            print("run 'python3 tasks.py diagrams' to regenerate them", file=sys.stderr)
            return 1
        print(f"{len(files)} diagrams in {directory} are up to date")
        return 0
    directory.mkdir(parents=True, exist_ok=True)
    for name in stale:
        (directory / name).write_bytes(files[name])
    for name in orphans:
        (directory / name).unlink()
    print(f"{len(files)} diagrams in {directory}: {len(stale)} written, {len(orphans)} removed")
    if embedded is not None and embedded != markdown:
        readme.write_text(embedded, encoding="utf-8")
        print(f"{readme}: its diagrams brought up to date")
    return 0


def diagrams() -> None:
    """``diagrams [--check] [--dir D] [--example FILE] [--readme FILE]``, run inside the virtual environment."""
    ensure_venv()
    if Path(sys.prefix).resolve() != VENV.resolve():
        sys.exit(run(PY, Path(__file__).resolve(), *sys.argv[1:], ok=(0, 1)))
    parser = argparse.ArgumentParser(prog="tasks.py diagrams", description=update_diagrams.__doc__)
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when a diagram is stale")
    parser.add_argument("--dir", type=Path, default=ROOT / "diagrams", help="where the diagrams live")
    parser.add_argument("--example", type=Path, default=ROOT / EXAMPLE_RUN, help="the run drawn on the lifecycle")
    parser.add_argument(
        "--readme", type=Path, default=ROOT / "docs" / "diagrams.md", help="the Markdown carrying a diagram"
    )
    args = parser.parse_args(sys.argv[2:])
    sys.exit(update_diagrams(args.dir, args.example, args.readme, check=args.check))


TASKS = {"demo": demo, "test": test, "bench": bench, "docs": docs, "diagrams": diagrams}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in TASKS:
        print(__doc__)
        sys.exit(2)
    TASKS[sys.argv[1]]()
