"""What each hand-written piece on the path of ``Case.fire`` buys, against the plain way it stands in for.

    .venv/bin/python benchmarks/pieces.py            # about 5 seconds
    .venv/bin/python benchmarks/pieces.py --quick    # a tiny size: checks that every measure runs

Each row times the piece and the plain way on the same inputs, best of several repeats (µs per call):

- the plan of action's fast path (``workflow.amazon.payloads.plain_plan``, tried first through
  ``register_fast_path``) against cattrs' generated function for the plan alone, on the plans of the recorded
  random walks (``benchmarks/run.py``'s streams);
- a ``Step`` built slot by slot (``slot_setters``), as ``Case.fire`` builds one, against attrs' frozen
  ``__init__`` (the plan's records, built the same way, are in the first row);
- the positional ``Context`` against the same by keyword.

BENCHMARKS.md ("The targets") has a run, and what each piece is worth on the random walks as a whole.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import timeit
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs
from cattrs.gen import make_dict_structure_fn

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as streams

import workflow
from workflow.amazon.payloads import PlanOfAction, plain_plan
from workflow.core.rules import Context
from workflow.core.structure import FAST, slot_setters

AT = dt.datetime(2026, 3, 2, 9, tzinfo=dt.timezone.utc)


def best_us(fn: Callable[[], Any], calls: int, repeats: int) -> float:
    """µs per call of ``fn`` (which makes ``calls`` calls), the best of ``repeats`` runs."""
    return min(timeit.repeat(fn, number=1, repeat=repeats)) / calls * 1e6


_new = object.__new__
_index, _event, _at, _source, _target, _accepted, _payload, _findings, _timer = slot_setters(
    workflow.Step, "index", "event", "at", "source", "target", "accepted", "payload", "findings", "timer"
)


def step_by_slots(
    index: int, event: str, at: dt.datetime, source: str, target: str, accepted: bool, payload: Any, findings: Any
) -> workflow.Step:
    """A step built as ``Case.fire`` builds one: its slots set in straight-line code."""
    step = _new(workflow.Step)
    _index(step, index)
    _event(step, event)
    _at(step, at)
    _source(step, source)
    _target(step, target)
    _accepted(step, accepted)
    _payload(step, payload)
    _findings(step, findings)
    _timer(step, False)
    return step


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny size: checks that every measure runs")
    args = parser.parse_args(argv)
    walks, repeats, calls = (20, 3, 2_000) if args.quick else (400, 9, 200_000)

    defn = workflow.load("account_suspension")
    plans = [p["poa"] for walk in streams.make_streams(defn, walks, 1) for _, _, p in walk if "poa" in p]
    generated = make_dict_structure_fn(PlanOfAction, FAST)  # cattrs' own function, no fast path before it
    assert all(plain_plan(p) == generated(p, PlanOfAction) for p in plans), "the fast path and cattrs disagree"

    rows: list[tuple[str, float, float]] = [
        (
            f"structuring a plan of action ({len(plans)} plans of the random walks), plain_plan / cattrs",
            best_us(lambda: [plain_plan(p) for p in plans], len(plans), repeats),
            best_us(lambda: [generated(p, PlanOfAction) for p in plans], len(plans), repeats),
        )
    ]

    def per_call(stmt: Callable[[], Any]) -> float:
        return best_us(lambda: [stmt() for _ in range(calls)], calls, repeats)

    def by_slots() -> workflow.Step:
        return step_by_slots(3, "submit_poa", AT, "suspended", "suspended", False, {}, ())

    def by_init() -> workflow.Step:
        return workflow.Step(3, "submit_poa", AT, "suspended", "suspended", False, {}, (), False)

    assert by_slots() == by_init()
    rows.append(("a Step (9 fields), slot by slot / attrs' frozen __init__", per_call(by_slots), per_call(by_init)))

    case = workflow.Case(defn, clock=workflow.SimulatedClock(AT))
    context = case.context("submit_poa", {}, AT)
    values = {a.name: getattr(context, a.name) for a in attrs.fields(Context)}
    ordered = tuple(values.values())
    rows.append(
        (
            "a Context, by position / by keyword",
            per_call(lambda: Context(*ordered)),
            per_call(lambda: Context(**values)),
        )
    )

    print("| piece | hand-written, µs | the plain way, µs | plain ÷ hand-written |")
    print("|---|---|---|---|")
    for name, fast, plain in rows:
        print(f"| {name} | {fast:.3f} | {plain:.3f} | {plain / fast:.2f}× |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
