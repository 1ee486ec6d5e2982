"""Hypothesis stateful tests: two writers (two stores on one database) interleave events on one case.

Each writer keeps the version it last saw and sometimes names it (often stale by then); keys repeat. The
model is a ``Case`` in memory fed the events the store accepted to write: the stored case must equal it at
every step, and each store's answer (a step, or ``ConflictError``) must be the one the model predicts.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from _pg import fresh_pg, pg_url
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

import workflow
from workflow.errors import ConflictError
from workflow.store import open_store

START = "2026-03-02T09:00:00Z"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _menu() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for name in ("second_escalation_not_heard.yaml", "strong_poa_after_one_rejection.yaml"):
        scenario = yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))
        out += [(s["event"], s.get("with") or {}) for s in scenario["steps"]]
    return out


MENU = _menu()


class TwoWriters(RuleBasedStateMachine):
    fresh_url: Callable[[], str] = staticmethod(lambda: "")  # set per backend

    def __init__(self) -> None:
        super().__init__()
        self.clock = workflow.SimulatedClock(START)
        url = self.fresh_url()
        self.writers = [open_store(url, clock=self.clock), open_store(url, clock=self.clock)]
        self.writers[0].create("account_suspension", case_id="X")
        self.model = workflow.Case(workflow.load("account_suspension"), clock=self.clock)
        self.seen = [0, 0]
        self.keys: dict[str, workflow.Step] = {}

    @rule(
        writer=st.integers(0, 1),
        offer=st.sampled_from(MENU),
        name_version=st.booleans(),
        key=st.none() | st.sampled_from(["k1", "k2", "k3"]),
    )
    def fire(self, writer: int, offer: tuple[str, dict[str, Any]], name_version: bool, key: str | None) -> None:
        event, payload = offer
        expected = self.seen[writer] if name_version else None
        version = len(self.model.history)
        if key is not None and key in self.keys:
            assert self.writers[writer].fire("X", event, payload, expected, key) == self.keys[key]
            return
        if expected is not None and expected != version:
            with pytest.raises(ConflictError) as caught:
                self.writers[writer].fire("X", event, payload, expected, key)
            assert (caught.value.expected, caught.value.actual) == (expected, version)
            self.seen[writer] = caught.value.actual
            return
        step = self.writers[writer].fire("X", event, payload, expected, key)
        assert step == self.model.fire_payload(event, payload)
        self.seen[writer] = step.index + 1
        if key is not None:
            self.keys[key] = step

    @rule(days=st.integers(1, 6))
    def wait(self, days: int) -> None:
        self.clock.advance(f"{days}d")

    @rule(writer=st.integers(0, 1))
    def read(self, writer: int) -> None:
        self.seen[writer] = self.writers[writer].get("X").version

    @invariant()
    def both_writers_read_the_model(self) -> None:
        for store in self.writers:
            case = store.get("X")
            assert case.version == len(self.model.history)
            assert case.history == self.model.history
            assert case.state == self.model.state

    def teardown(self) -> None:
        assert self.writers[0].verify().ok
        for store in self.writers:
            store.close()


def test_two_writers_interleaved_on_one_case(backend: str, tmp_path: Path) -> None:
    """Whatever the interleaving, the stored case is the model case, and conflicts are exactly the stale versions."""
    if backend == "sqlite":
        numbers = itertools.count()

        def fresh() -> str:
            return f"sqlite:///{tmp_path / f'cases-{next(numbers)}.db'}"
    else:
        url = pg_url()

        def fresh() -> str:
            return fresh_pg(url)

    machine = type(f"TwoWriters_{backend}", (TwoWriters,), {"fresh_url": staticmethod(fresh)})
    run_state_machine_as_test(machine, settings=settings(max_examples=25, stateful_step_count=15, deadline=None))
