"""state.no_transition, appeals.closed and fraud.no_appeal (workflow.amazon.rules.lifecycle):
allowing and refusing on account_suspension through ``Case.fire``.

Tests are named after the rule ids. Each refusal checks ``accepted``, the exact ``blocked_by``, that no
advice rode on it, and that the finding is a sentence citing the source the definition gives (a simulated
clock throughout).
"""

from __future__ import annotations

from typing import Any

import pytest
from _suspension import (
    EVENTS,
    ISSUES,
    TABLE,
    assert_cited,
    escalation,
    in_state,
    new_case,
    refused,
    rejected,
    revised,
    sample_payload,
    sim_clock,
    submitted,
    suspended,
)

import workflow
from workflow.amazon.rules import REGISTRY

# --------------------------------------------------------------------------------------- state.no_transition


@pytest.mark.parametrize("state", [s for s in TABLE if s != "final_decision"])
@pytest.mark.parametrize("event", EVENTS)
def test_state_no_transition_follows_the_catalog_table(
    suspension_def: workflow.Definition, state: str, event: str
) -> None:
    """state.no_transition refuses exactly the events the catalog's table does not allow in a state."""
    case = in_state(suspension_def, state)
    sim_clock(case).advance("5bd")  # past every waiting rule, so that only the table can refuse
    step = case.check(event, **sample_payload(event))
    if event in TABLE[state]:
        assert step.accepted
        assert step.blocked_by == ()
    else:
        refused(suspension_def, step, "state.no_transition")


def test_state_no_transition_refuses_and_names_event_and_state(suspension_def: workflow.Definition) -> None:
    """state.no_transition: 'reject' while active is refused with a sentence naming both, citing its source."""
    case = new_case(suspension_def)
    step = case.fire("reject")
    refused(suspension_def, step, "state.no_transition")
    f = assert_cited(suspension_def, step, "state.no_transition")
    assert "'reject'" in f.message
    assert "'active'" in f.message
    assert f.source == REGISTRY["state.no_transition"].source
    assert case.state == "active"


def test_state_no_transition_allows_what_the_state_allows(suspension_def: workflow.Definition) -> None:
    """state.no_transition lets 'suspend' through while active."""
    case = new_case(suspension_def)
    step = case.fire("suspend", reason_class="performance", issues=list(ISSUES))
    assert step.accepted
    assert step.blocked_by == ()
    assert (step.source, step.target) == ("active", "suspended")


def test_state_no_transition_is_the_refusal_of_reinstated(suspension_def: workflow.Definition) -> None:
    """state.no_transition (not appeals.closed) refuses every event once reinstated."""
    case = in_state(suspension_def, "reinstated")
    for event in EVENTS:
        refused(suspension_def, case.fire(event, **sample_payload(event)), "state.no_transition")
    assert case.state == "reinstated"


# --------------------------------------------------------------------------------------- appeals.closed


@pytest.mark.parametrize("event", EVENTS)
def test_appeals_closed_refuses_every_event_in_final_decision(suspension_def: workflow.Definition, event: str) -> None:
    """appeals.closed refuses every event of the definition after a final decision, and changes nothing."""
    case = in_state(suspension_def, "final_decision")
    before = len(case.history)
    step = case.fire(event, **sample_payload(event))
    refused(suspension_def, step, "appeals.closed")
    assert step.source == "final_decision"
    assert case.state == "final_decision"
    assert len(case.history) == before + 1
    assert "decided not to reinstate" in step.findings[0].message


def test_appeals_closed_allows_appeals_before_a_final_decision(suspension_def: workflow.Definition) -> None:
    """appeals.closed does not apply to a rejected case: a revised POA is still heard."""
    case = rejected(suspension_def)
    step = case.fire("submit_poa", poa=revised(1), to="seller_performance", channel="email")
    assert step.accepted
    assert "appeals.closed" not in step.blocked_by
    assert case.state == "poa_submitted"


def test_appeals_closed_is_cited_from_its_rule(suspension_def: workflow.Definition) -> None:
    """appeals.closed cites the notice that says appeals are closed."""
    step = in_state(suspension_def, "final_decision").fire("submit_poa", poa=revised(2))
    assert assert_cited(suspension_def, step, "appeals.closed").source == "N-NOTREINSTATE [S], T-SMARTSELLER [3p]"


# --------------------------------------------------------------------------------------- fraud.no_appeal


def test_fraud_no_appeal_refuses_submit_poa(suspension_def: workflow.Definition) -> None:
    """fraud.no_appeal refuses a flawless POA after a fraud suspension."""
    case = suspended(suspension_def, reason_class="fraud")
    step = case.fire("submit_poa", poa=revised(0), to="seller_performance", channel="email")
    refused(suspension_def, step, "fraud.no_appeal")
    assert "fraud" in step.findings[0].message
    assert case.state == "suspended"


def _fraud_case(defn: workflow.Definition, build: Any) -> workflow.Case:
    """A case built by ``build`` whose suspension notice is then recorded as fraud (as if tracked that way)."""
    data = build(defn).snapshot()
    suspend = next(st for st in data["history"] if st["event"] == "suspend")
    suspend["payload"]["reason_class"] = "fraud"
    return workflow.Case.restore(defn, data, clock=workflow.SimulatedClock(data["history"][-1]["at"]))


@pytest.mark.parametrize("build", [rejected, submitted], ids=["from_rejected", "from_poa_submitted"])
def test_fraud_no_appeal_refuses_escalate(suspension_def: workflow.Definition, build: Any) -> None:
    """fraud.no_appeal refuses an otherwise sound escalation of a fraud suspension."""
    case = _fraud_case(suspension_def, build)
    sim_clock(case).advance("5bd")
    step = case.fire("escalate", **escalation(revised(1)))
    refused(suspension_def, step, "fraud.no_appeal")


@pytest.mark.parametrize(
    ("reason_class", "team"),
    [
        ("performance", "seller_performance"),
        ("policy", "seller_performance"),
        ("related_account", "seller_performance"),
        ("verification", "seller_performance"),
        ("product_quality", "product_quality"),
        ("ip", "product_quality"),
    ],
)
def test_fraud_no_appeal_allows_every_other_reason_class(
    suspension_def: workflow.Definition, reason_class: str, team: str
) -> None:
    """fraud.no_appeal lets an appeal of any non-fraud suspension through to its enforcing team."""
    case = suspended(suspension_def, reason_class=reason_class)
    step = case.fire("submit_poa", poa=revised(0), to=team, channel="appeal_form")
    assert step.accepted
    assert step.blocked_by == ()


def test_fraud_no_appeal_allows_escalate_of_other_cases(suspension_def: workflow.Definition) -> None:
    """fraud.no_appeal lets a sound escalation of a performance suspension through."""
    case = rejected(suspension_def)
    step = case.fire("escalate", **escalation(revised(1)))
    assert step.accepted
    assert case.state == "escalated"
