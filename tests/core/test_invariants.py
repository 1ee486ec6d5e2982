"""The invariant checks a definition may declare (workflow.core.invariants), holding and broken."""

from __future__ import annotations

import datetime as dt

import pytest

import workflow
from workflow.core.history import Finding, Step
from workflow.core.invariants import (
    CHECKS,
    at_most,
    reached_only_after,
    refuses_all,
    terminal_absorbing,
    violations,
)

AT = dt.datetime(2026, 3, 2, 9, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def defn() -> workflow.Definition:
    return workflow.load("account_suspension")


def step(i: int, event: str, source: str, target: str, *, refused_by: str | None = None) -> Step:
    findings = (Finding(refused_by, "refusal", "No.", "S"),) if refused_by else ()
    return Step(i, event, AT, source, target, refused_by is None, findings=findings)


def test_the_four_checks_are_registered_by_name() -> None:
    """Definitions name their invariants' checks by these names."""
    assert {"at_most", "terminal_absorbing", "refuses_all", "reached_only_after"} <= set(CHECKS)


def test_at_most_counts_accepted_steps_only(defn: workflow.Definition) -> None:
    """Two accepted escalations break ``at most once``; a refused one does not count."""
    once = {"event": "escalate", "times": 1}
    steps = [step(0, "escalate", "rejected", "escalated"), step(1, "escalate", "s", "s", refused_by="escalate.once")]
    assert at_most(defn, "escalated", steps, once) is None
    steps.append(step(2, "escalate", "rejected", "escalated"))
    assert at_most(defn, "escalated", steps, once) == "'escalate' was accepted 2 times (at most 1)"


def test_terminal_absorbing_sees_a_step_leaving_a_terminal_state(defn: workflow.Definition) -> None:
    """An accepted step out of reinstated is reported with its index."""
    assert terminal_absorbing(defn, "reinstated", [step(0, "reinstate", "poa_submitted", "reinstated")], {}) is None
    broken = [step(0, "reinstate", "poa_submitted", "reinstated"), step(1, "suspend", "reinstated", "suspended")]
    assert terminal_absorbing(defn, "suspended", broken, {}) == "step 1 'suspend' left terminal state 'reinstated'"


def test_refuses_all_wants_the_named_rule_on_every_step_there(defn: workflow.Definition) -> None:
    """In the state named, a step not refused by the rule (or accepted) breaks it; other actors' events are skipped."""
    params = {"state": "final_decision", "rule": "appeals.closed"}
    ok = [step(0, "submit_poa", "final_decision", "final_decision", refused_by="appeals.closed")]
    assert refuses_all(defn, "final_decision", ok, params) is None
    other = [step(0, "submit_poa", "final_decision", "final_decision", refused_by="poa.complete")]
    assert "was not refused by appeals.closed" in str(refuses_all(defn, "final_decision", other, params))
    amazon_event = [step(0, "reinstate", "final_decision", "final_decision", refused_by="poa.complete")]
    assert refuses_all(defn, "final_decision", amazon_event, {**params, "actor": "seller"}) is None


def test_reached_only_after_needs_the_guarded_event_first(defn: workflow.Definition) -> None:
    """Reaching the state before the guarded event is a violation; after it, none."""
    params = {"state": "poa_submitted", "event": "submit_poa", "rule": "poa.complete"}
    good = [step(0, "suspend", "active", "suspended"), step(1, "submit_poa", "suspended", "poa_submitted")]
    assert reached_only_after(defn, "poa_submitted", good, params) is None
    bad = [step(0, "suspend", "active", "poa_submitted")]
    assert reached_only_after(defn, "poa_submitted", bad, params) == (
        "'poa_submitted' was reached at step 0 without an accepted 'submit_poa' checked by poa.complete"
    )


def test_violations_runs_the_definitions_own_invariants(defn: workflow.Definition) -> None:
    """A history breaking a declared invariant is reported under that invariant's id; a real case breaks none."""
    assert defn.invariants
    case = workflow.Case(defn, clock=workflow.SimulatedClock("2026-03-02T09:00:00Z"))
    case.fire("suspend", reason_class="performance", issues=["order_defect_rate"])
    assert violations(defn, case.state, case.history) == []
    broken = [step(0, "reinstate", "poa_submitted", "reinstated"), step(1, "suspend", "reinstated", "suspended")]
    found = dict(violations(defn, "suspended", broken))
    assert any("left terminal state" in how for how in found.values())
