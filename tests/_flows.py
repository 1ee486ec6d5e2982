"""Helpers shared by the side-flow tests (ip_complaint, verification, catalog_case): cases, refusals, stories."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

import workflow
from workflow.io.load import definitions_dir

START = "2026-03-02T09:00:00Z"  # a Monday
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def new_case(name: str, *, start: str = START, facts: Mapping[str, Any] | None = None) -> workflow.Case:
    return workflow.Case(workflow.load(name), clock=workflow.SimulatedClock(start), facts=facts)


def sim_clock(case: workflow.Case) -> workflow.SimulatedClock:
    clock = case.clock
    assert isinstance(clock, workflow.SimulatedClock)
    return clock


def accept(case: workflow.Case, event: str, **payload: Any) -> workflow.Step:
    """Fire ``event`` and insist it is accepted (a helper's precondition, not a test's assertion)."""
    step = case.fire(event, **payload)
    assert step.accepted, (event, step.findings)
    return step


def _without_history(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in snapshot.items() if k != "history"}


def refuse(case: workflow.Case, event: str, **payload: Any) -> workflow.Step:
    """Fire ``event``, insist it is refused, and check that only the refused step was added to the case."""
    case.advance()  # timers due now fire first, so that what follows is the refusal alone
    before = case.snapshot()
    step = case.fire(event, **payload)
    after = case.snapshot()
    assert not step.accepted, (event, step.target)
    assert step.source == step.target == case.state
    assert _without_history(after) == _without_history(before)
    assert after["history"][:-1] == before["history"]
    assert after["history"][-1]["event"] == event
    return step


def only(step: workflow.Step, rule_id: str) -> workflow.Finding:
    """The step's one refusal, which must be ``rule_id``'s, a sentence with its cited source."""
    assert step.blocked_by == (rule_id,), step.findings
    (found,) = step.refusals
    assert found.message.endswith(".") and not found.message[:1].islower(), found.message
    assert found.source
    return found


def cited_sources(name: str) -> dict[tuple[str, str], str]:
    """``(event, rule id) -> source`` as written in the definition file, read without the loader."""
    data = yaml.safe_load((definitions_dir() / f"{name}.yaml").read_text(encoding="utf-8"))
    out: dict[tuple[str, str], str] = {}
    for t in data["transitions"]:
        for g in t.get("guards") or ():
            out[(t["event"], g["rule"])] = g["source"]
    return out


def told_rules(name: str) -> set[str]:
    """The rules the examples of definition ``name`` expect, or that refuse or advise in their traces."""
    seen: set[str] = set()
    for path in sorted(EXAMPLES.glob("*.yaml")):
        scenario = workflow.load_scenario(path)
        if scenario.definition.name != name:
            continue
        for t in workflow.run_scenario(scenario).steps:
            if isinstance(t.expect, tuple):
                seen.update(t.expect)
            seen.update(t.step.blocked_by)
            seen.update(t.step.advice)
            seen.update(f.rule for f in t.step.routes)
    return seen
