"""Every rule declares what it reads of the past: the events it counts or lists are in its ``counts``.

Each definition is walked at random; after every step, every rule the definition uses is asked about every
event with a history that notes what is read of it, and what a rule reads must be in its declaration.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import attrs
import pytest

import workflow
from workflow.amazon import generate
from workflow.core.history import History, Step
from workflow.core.rules import REGISTRY

LIFECYCLES = ("account_suspension", "ip_complaint", "linked_accounts", "verification", "catalog_case")


class Noting(History):
    """A history that notes every event whose steps are counted or listed."""

    def __init__(self, steps: Sequence[Step], read: set[str]) -> None:
        self.read = read
        super().__init__(steps)

    def count(self, event: Any) -> int:
        self.read.add(event)
        return super().count(event)

    def accepted(self, event: str) -> Sequence[Step]:
        self.read.add(event)
        return super().accepted(event)


@pytest.mark.parametrize("name", LIFECYCLES)
def test_what_a_rule_counts_is_declared(name: str) -> None:
    """No rule counts or lists an event it does not declare in ``counts``."""
    defn = workflow.load(name)
    rng = random.Random(7)
    undeclared: dict[str, set[str]] = {}
    asked = 0
    for _ in range(40):
        case = workflow.Case(defn, clock=workflow.SimulatedClock("2026-03-02T09:00:00Z"))
        for _ in range(25):
            event = rng.choice(defn.events)
            payload = generate.payload(rng, event, defn)
            case.clock.advance(workflow.parse_duration(f"{rng.randint(0, 4)}d"))  # type: ignore[attr-defined]
            for rid in defn.rule_ids():
                rule = REGISTRY[rid]
                read: set[str] = set()
                ctx = attrs.evolve(
                    case.context(event.name, case.check_payload(event.name, payload), case.clock.now()),
                    history=Noting(case.history, read),
                )
                try:
                    rule.check(ctx, {n: defn.parameters.get(n, d) for n, d in rule.params.items()})
                except (KeyError, TypeError, AttributeError):
                    continue  # a rule asked about an event it does not guard may not find what it reads
                asked += 1
                extra = read - set(rule.counts)
                if extra:
                    undeclared.setdefault(rid, set()).update(extra)
            case.fire_payload(event.name, payload)
    assert asked > 0
    assert undeclared == {}


def test_a_rule_that_counts_without_declaring_is_caught() -> None:
    """The noting history sees a count made by a rule, so a missing declaration could not pass unseen."""
    read: set[str] = set()
    defn = workflow.load("account_suspension")
    case = workflow.Case(defn, clock=workflow.SimulatedClock("2026-03-02T09:00:00Z"))
    ctx = attrs.evolve(case.context("escalate", {}, case.clock.now()), history=Noting((), read))
    REGISTRY["escalate.once"].check(ctx, {})
    assert read == {"escalate"} and REGISTRY["escalate.once"].counts == ("escalate",)
