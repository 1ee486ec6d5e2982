"""Writer processes for the store's concurrency, crash and timer tests (each opens its own store).

Run forked by the tests (``run_forked``), or alone: ``python _writer.py MODE JSON-ARGS``.

Modes:
- ``race``: from ``start`` (wall time), fire ``n`` events drawn from a scenario's steps at random cases; print one
  JSON line of counts.
- ``crash``: fire events until killed; print ``case seq`` after each committed step (flushed at once).
- ``due``: wait until ``start`` (wall time), run ``run_due(now)`` once; print the fired timers as JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
import time
from collections.abc import Callable
from typing import IO, Any

import yaml

import workflow
from workflow.errors import ConflictError
from workflow.store import open_store

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)


class FastClock:
    """Wall time since ``t0``, sped up: every process given the same ``t0`` reads the same simulated time."""

    def __init__(self, t0: float, speed: float) -> None:
        self.t0 = t0
        self.speed = speed

    def now(self) -> dt.datetime:
        return START + dt.timedelta(seconds=(time.time() - self.t0) * self.speed)


def menu(path: str) -> list[tuple[str, dict[str, Any]]]:
    """The (event, payload) pairs of a scenario file's steps."""
    with open(path, encoding="utf-8") as f:
        scenario = yaml.safe_load(f)
    return [(s["event"], s.get("with") or {}) for s in scenario["steps"]]


def race(args: dict[str, Any], out: IO[str] = sys.stdout) -> None:
    rng = random.Random(args["seed"])
    events = menu(args["scenario"])
    store = open_store(args["url"], clock=FastClock(args["t0"], args["speed"]))
    time.sleep(max(0.0, args.get("start", 0.0) - time.time()))  # every writer starts at once, to race
    seen: dict[str, int] = {}
    fired = accepted = conflicts = 0
    for _ in range(args["n"]):
        case_id = rng.choice(args["cases"])
        event, payload = rng.choice(events)
        expected = seen.get(case_id) if rng.random() < args.get("expect_share", 0.2) else None
        try:
            step = store.fire(case_id, event, payload, expected_version=expected, actor=f"w{args['seed']}")
        except ConflictError as e:
            conflicts += 1
            seen[case_id] = e.actual
            continue
        fired += 1
        accepted += step.accepted
        seen[case_id] = step.index + 1
    print(
        json.dumps(
            {"fired": fired, "accepted": accepted, "conflicts": conflicts, "lost_races": store.stats.lost_races}
        ),
        flush=True,
        file=out,
    )
    store.close()


def crash(args: dict[str, Any], out: IO[str] = sys.stdout) -> None:
    rng = random.Random(args["seed"])
    events = menu(args["scenario"])
    store = open_store(args["url"], clock=FastClock(args["t0"], args["speed"]))
    print("ready", flush=True, file=out)
    while True:
        case_id = rng.choice(args["cases"])
        event, payload = rng.choice(events)
        step = store.fire(case_id, event, payload)
        print(f"{case_id} {step.index}", flush=True, file=out)


def due(args: dict[str, Any], out: IO[str] = sys.stdout) -> None:
    store = open_store(args["url"], clock=workflow.SimulatedClock(START))
    now = dt.datetime.fromisoformat(args["now"])
    print("ready", flush=True, file=out)
    time.sleep(max(0.0, args["start"] - time.time()))
    fired = store.run_due(now, worker=args["name"])
    print(json.dumps([[f.case_id, f.event, [s.index for s in f.steps]] for f in fired]), flush=True, file=out)
    store.close()


MODES: dict[str, Callable[[dict[str, Any], IO[str]], None]] = {"race": race, "crash": crash, "due": due}


def run_forked(mode: str, args: dict[str, Any]) -> tuple[int, IO[str]]:
    """Fork a child that runs ``mode`` (it never returns into the parent's code); its pid and its output."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run, then leave without running the parent's cleanup
        code = 0
        try:
            os.close(read_end)
            with os.fdopen(write_end, "w", buffering=1) as out:
                MODES[mode](args, out)
        except BaseException as e:
            print(f"writer failed: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)
    return pid, os.fdopen(read_end, "r")


if __name__ == "__main__":
    MODES[sys.argv[1]](json.loads(sys.argv[2]), sys.stdout)
