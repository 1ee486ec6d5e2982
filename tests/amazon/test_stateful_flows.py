"""Hypothesis state machines over the side flows (ip_complaint, verification, catalog_case): generated events,
payloads and clock moves, with refusals, terminal states, snapshots, replay and declared invariants checked."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

import workflow
from workflow.amazon import generate
from workflow.core.invariants import violations

START = "2026-03-02T09:00:00Z"  # a Monday
#: clock moves between steps: none, a few business days, past the 10-day and 5-business-day timers, past 90 days
WAITS = ("0s", "1d", "2bd", "5bd", "11d", "40d", "91d")


def _without_history(snapshot: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in snapshot.items() if k != "history"}


def flow_machine(name: str) -> type[RuleBasedStateMachine]:
    """A state machine driving one case of definition ``name`` with any of its events and generated payloads."""
    defn = workflow.load(name)
    events = defn.events
    terminal = frozenset(s.name for s in defn.states if s.terminal)

    class Flow(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.clock = workflow.SimulatedClock(START)
            self.case = workflow.Case(defn, clock=self.clock)

        @rule(wait=st.sampled_from(WAITS))
        def time_passes(self, wait: str) -> None:
            """The clock moves; timers that fall due fire, each once, in order, at their deadlines."""
            self.clock.advance(wait)
            before = len(self.case.history)
            steps = self.case.advance()
            assert all(s.timer for s in steps)
            assert [s.at for s in steps] == sorted(s.at for s in steps)
            assert all(s.at <= self.clock.now() for s in steps)
            assert len(self.case.history) == before + len(steps)
            assert self.case.advance() == []

        @rule(index=st.integers(min_value=0, max_value=len(events) - 1), seed=st.integers(0, 2**32 - 1))
        def offer(self, index: int, seed: int) -> None:
            """An event with a generated payload: accepted, or refused and nothing else changes."""
            event = events[index]
            self.case.advance()
            before = self.case.snapshot()
            was_terminal = self.case.terminal
            step = self.case.fire_payload(event.name, generate.payload(random.Random(seed), event, defn))
            after = self.case.snapshot()
            assert after["history"][:-1] == before["history"]
            if was_terminal:
                assert not step.accepted
            if step.accepted:
                assert self.case.state == step.target
                assert step.target in defn.state_names
            else:
                assert step.blocked_by
                assert _without_history(after) == _without_history(before)
                assert step.source == step.target == self.case.state

        @rule(index=st.integers(min_value=0, max_value=len(events) - 1))
        def malformed(self, index: int) -> None:
            """A payload field the event does not declare raises PayloadError and leaves the case as it was."""
            self.case.advance()
            before = self.case.snapshot()
            with pytest.raises(workflow.PayloadError):
                self.case.fire_payload(events[index].name, {"no_such_field": 1})
            assert self.case.snapshot() == before

        @invariant()
        def terminal_is_terminal(self) -> None:
            """Once terminal, the case never leaves."""
            seen_terminal = False
            for step in self.case.history:
                if seen_terminal:
                    assert not step.accepted or step.source == step.target
                    assert step.source in terminal
                if step.accepted and step.target in terminal:
                    seen_terminal = True

        @invariant()
        def declared_invariants_hold(self) -> None:
            """Every invariant the definition declares holds."""
            assert violations(defn, self.case.state, self.case.history) == []

        @invariant()
        def snapshot_round_trips(self) -> None:
            """A JSON round trip of the snapshot restores the same case."""
            data = self.case.snapshot()
            back = workflow.Case.restore(defn, json.loads(json.dumps(data)))
            assert back.state == self.case.state
            assert back.history == self.case.history
            assert back.snapshot() == data

        @invariant()
        def replay_rebuilds(self) -> None:
            """Offering the history again, on a new clock, rebuilds the same steps and state."""
            again = workflow.replay(defn, self.case.history, facts=self.case.facts, created=self.case.created)
            assert again.history == self.case.history
            assert again.state == self.case.state

    Flow.__name__ = Flow.__qualname__ = f"{name.title().replace('_', '')}Flow"
    Flow.TestCase.settings = settings(settings.default, stateful_step_count=30)  # examples: the profile's
    return Flow


TestIpComplaint = flow_machine("ip_complaint").TestCase
TestVerification = flow_machine("verification").TestCase
TestCatalogCase = flow_machine("catalog_case").TestCase
