"""The benchmark command runs, on a tiny size, and prints every contender and every measure (no timing asserted)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import workflow

ROOT = Path(__file__).resolve().parent.parent
CONTENDERS = ("workflow Case.fire", "transitions.Machine", "python-statemachine", "dict-table loop")


@pytest.fixture(scope="module")
def quick_output() -> str:
    if importlib.util.find_spec("statemachine") is None:
        pytest.fail("python-statemachine is missing: install the 'bench' extra (pip install -e '.[dev,bench]')")
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _rows(output: str, section: str) -> list[list[str]]:
    """The table rows (cells) of the section titled ``section``."""
    body = output.split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    return [
        [c.strip() for c in line.strip().strip("|").split("|")]
        for line in body.splitlines()
        if line.startswith("|") and not line.startswith("|-")
    ]


def test_every_contender_fires_and_they_agree(quick_output: str) -> None:
    """Each contender has a row with a number of µs per event, and all accept the same events of each stream."""
    rows = {r[0]: r for r in _rows(quick_output, "Firing events")}
    assert set(CONTENDERS) <= set(rows), rows
    for name in CONTENDERS:
        assert float(rows[name][1].replace(",", "")) > 0
    assert len({rows[n][3] for n in CONTENDERS}) == 1, "the contenders disagree on the random walks"
    assert len({rows[n][6] for n in CONTENDERS}) == 1, "the contenders disagree on the scenarios"
    assert rows["workflow Case.fire"][2] == "1.00"


def test_every_contender_creates_cases(quick_output: str) -> None:
    """The creation table has a row per contender (and one for a machine per case) with µs and bytes."""
    rows: dict[str, list[str]] = {}
    for r in _rows(quick_output, "Creating cases"):
        rows.setdefault(r[0], r)  # the first table; the ratios follow it
    assert set(CONTENDERS) | {"transitions, Machine per case"} <= set(rows), rows
    assert " µs, " in rows["workflow Case.fire"][1] and rows["workflow Case.fire"][1].endswith(" B")


def test_the_other_measures_and_the_targets_are_printed(quick_output: str) -> None:
    """Walk throughput for 1 and 2 workers, load, compile, diagram, memory; and a verdict for every target."""
    measures = {r[0] for r in _rows(quick_output, "Simulation, loading, memory")}
    for wanted in (
        "random walks, --workers 1",
        "random walks, --workers 2",
        "the machine's own scaling, 1 -> 2 processes (a busy loop, wall, the median round)",
        "definition load + validate",
    ):
        assert wanted in measures
    targets = _rows(quick_output, "Targets")[1:]
    assert len(targets) >= 8
    assert all(r[-1] in ("yes", "NO") for r in targets), targets


def test_every_event_of_the_accepted_walks_is_accepted_by_all(quick_output: str) -> None:
    """The accepted walks' column: each contender accepted every one of its events, and a target row reads it."""
    rows = {r[0]: r for r in _rows(quick_output, "Firing events")}
    assert rows["contender"][7:10] == ["accepted walks", "× workflow", "accepted"]
    for name in CONTENDERS:
        assert float(rows[name][7].replace(",", "")) > 0
        accepted, events = rows[name][9].split("/")
        assert accepted == events and int(events) > 0, rows[name]
    targets = {r[0] for r in _rows(quick_output, "Targets")}
    assert "Case.fire <= 1.0× transitions per event (accepted walks)" in targets


def _bench_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("benchmarks_run", ROOT / "benchmarks" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_all_accepted_check_fails_on_a_refused_event() -> None:
    """An accepted walk whose escalation letter asks for no one is refused by the engine and by every
    contender, and both checks of the harness say so."""
    run = _bench_module()
    defn = workflow.load("account_suspension")
    streams = run.accepted_streams(defn, 3)
    assert [event for _, event, _ in streams[0]] == ["suspend", "submit_poa", "reject", "escalate", "reinstate"]
    at, event, payload = streams[2][3]
    assert event == "escalate"
    letter = {k: v for k, v in payload["letter"].items() if k != "asks_for"}
    streams[2][3] = (at, event, {**payload, "letter": letter})
    assert run.refused_by_engine(defn, streams) == [
        "walk 2, event escalate: escalate.letter",
        "walk 2, event reinstate: state.no_transition",
    ]
    contenders = [run.Workflow(defn), run.Transitions(defn), run.PythonStateMachine(defn), run.DictLoop(defn)]
    results = run.per_event(contenders, streams, 1)
    assert {name: accepted for name, (_, accepted, _) in results.items()} == dict.fromkeys(CONTENDERS, 13)
    with pytest.raises(run.NotAllAccepted, match="13/15"):
        run.require_all_accepted(results, 15)


def test_the_shapes_benchmark_runs_and_prints_each_shape() -> None:
    """``benchmarks/shapes.py --quick`` prints a table for each shape, its sizes growing (no timing asserted)."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "shapes.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for title in ("load a chain of N states", "'from: *' self-loops", "fire on a case with a pending timer"):
        assert title in done.stdout, done.stdout


def test_the_pieces_benchmark_runs_and_prints_each_piece() -> None:
    """``benchmarks/pieces.py --quick`` times each hand-written piece beside the plain way (no timing asserted);
    it checks on the way that the plan's fast path and cattrs give the same plans."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "pieces.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("| ") and "µs" not in line]
    assert [row.split("|")[1].split(",")[0].split("(")[0].strip() for row in rows] == [
        "structuring a plan of action",
        "a Step",
        "a Context",
    ]
    assert all(float(row.split("|")[2]) > 0 and float(row.split("|")[3]) > 0 for row in rows)
