"""Case's public seams: decide changes nothing, apply records only what was decided on this very case and version,
fire is apply(decide()), copies and forks are independent, listeners see every step, the context a rule reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import workflow
from workflow.core.case import Case, Decision
from workflow.errors import StaleDecision, UnjudgedDecision, WorkflowError
from workflow.testing import event_sequences

START = "2026-03-02T09:00:00Z"
SUSPEND: dict[str, Any] = {"reason_class": "performance", "issues": ["order_defect_rate"]}


def new_case(defn: workflow.Definition) -> Case:
    return Case(defn, clock=workflow.SimulatedClock(START))


def test_decide_changes_nothing_and_apply_records_that_decision(suspension_def: workflow.Definition) -> None:
    """A decision leaves state, history and version as they were; applying it records exactly its step."""
    case = new_case(suspension_def)
    decision = case.decide("suspend", **SUSPEND)
    assert decision.accepted and decision.target == "suspended"
    assert (case.state, case.history, case.version) == ("active", (), 0)
    step = case.apply(decision)
    assert step == decision.step and case.history == (step,)
    assert (case.state, case.version) == ("suspended", 1)


def test_fire_is_apply_of_decide(suspension_def: workflow.Definition) -> None:
    """Two cases driven the same way, one by fire and one by apply(decide()), record equal histories."""
    by_fire, by_parts = new_case(suspension_def), new_case(suspension_def)
    steps: list[tuple[str, dict[str, Any]]] = [
        ("suspend", SUSPEND),
        ("escalate", {}),
        ("submit_poa", {"to": "seller_support"}),
    ]
    for event, payload in steps:
        by_fire.fire(event, **payload)
        by_parts.apply(by_parts.decide(event, **payload))
    assert by_fire.history == by_parts.history and by_fire.state == by_parts.state


def test_a_decision_applies_only_at_its_version(suspension_def: workflow.Definition) -> None:
    """A decision made before another step was recorded is stale: apply refuses it and writes nothing."""
    case = new_case(suspension_def)
    first = case.decide("suspend", **SUSPEND)
    assert not case.fire("escalate").accepted  # a refusal is a step too: the version moves on
    with pytest.raises(StaleDecision) as info:
        case.apply(first)
    assert (info.value.expected, info.value.got, info.value.other_case) == (0, 1, False)
    assert case.version == 1 and case.state == "active"


def test_a_decision_applies_only_to_its_own_case(suspension_def: workflow.Definition) -> None:
    """A decision made on one case is refused by another, even at the same version."""
    one, other = new_case(suspension_def), new_case(suspension_def)
    with pytest.raises(StaleDecision) as info:
        other.apply(one.decide("suspend", **SUSPEND))
    assert info.value.other_case and other.history == ()


def test_a_refusal_is_decided_and_recorded_without_moving(suspension_def: workflow.Definition) -> None:
    """A refused event decides into a refusal with its rules; applying it records it and leaves the state."""
    case = new_case(suspension_def)
    case.fire("suspend", **SUSPEND)
    decision = case.decide("escalate")
    assert not decision.accepted and decision.blocked_by
    step = case.apply(decision)
    assert (step.accepted, step.source, step.target, case.state) == (False, "suspended", "suspended", "suspended")


def test_copy_and_fork_are_independent(suspension_def: workflow.Definition) -> None:
    """A copy shares the clock but not the history; a fork has its own clock at the case's present time."""
    case = new_case(suspension_def)
    case.fire("suspend", **SUSPEND)
    copy, fork = case.copy(), case.fork()
    assert copy.clock is case.clock and fork.clock is not case.clock
    assert fork.clock.now() == case.clock.now()
    copy.fire("warn")
    assert isinstance(fork.clock, workflow.SimulatedClock)
    fork.clock.advance(workflow.parse_duration("3d"))
    assert case.version == 1 and copy.version == 2 and case.clock.now() == workflow.SimulatedClock(START).now()
    assert copy.history[:1] == case.history == fork.history


def test_listeners_see_every_step_until_they_stop(suspension_def: workflow.Definition) -> None:
    """A subscribed listener gets each recorded step (refusals too), and nothing after it unsubscribes."""
    case = new_case(suspension_def)
    seen: list[workflow.Step] = []
    stop = case.subscribe(seen.append)
    case.fire("suspend", **SUSPEND)
    case.fire("escalate")
    stop()
    case.fire("warn")
    assert seen == list(case.history[:2])


def test_a_step_is_never_dated_before_the_last_one(suspension_def: workflow.Definition) -> None:
    """A clock set back dates the next step at the last step's time; an explicit earlier time is an error."""
    later = workflow.SimulatedClock(START).now() + dt.timedelta(days=2)
    times = iter([later - dt.timedelta(days=2), later, later - dt.timedelta(hours=1)])

    class SetBack:
        """A clock an administrator set back between two steps."""

        def now(self) -> dt.datetime:
            return next(times)

    case = Case(suspension_def, clock=SetBack())
    first = case.fire("suspend", **SUSPEND)
    assert first.at == later
    assert case.fire("escalate").at == first.at
    with pytest.raises(WorkflowError, match="would come before"):
        case.decide_payload("escalate", {}, at=first.at - dt.timedelta(seconds=1))


def test_the_context_a_rule_reads(suspension_def: workflow.Definition) -> None:
    """Each field of the context names what it says (Case.context builds it by position)."""
    case = new_case(suspension_def)
    case.fire("suspend", **SUSPEND)
    at = case.clock.now()
    ctx = case.context("submit_poa", {"to": "seller_performance"}, at, "poa_submitted")
    assert (ctx.event, ctx.state, ctx.target, dict(ctx.payload)) == (
        "submit_poa",
        "suspended",
        "poa_submitted",
        {"to": "seller_performance"},
    )
    assert ctx.facts is case.facts and ctx.history is case.log and ctx.now == at
    assert ctx.resources is suspension_def.resources and ctx.group is None
    assert case.context("warn", {}, at).target == "suspended"


def test_a_rebuilt_case_goes_on_like_the_original(suspension_def: workflow.Definition) -> None:
    """Case.rebuild from a case's own parts decides the next event as the case itself does."""
    case = new_case(suspension_def)
    case.fire("suspend", **SUSPEND)
    again = Case.rebuild(suspension_def, state=case.state, created=case.created, history=case.history, clock=case.clock)
    assert again.version == case.version and again.decide("escalate").step == case.decide("escalate").step


def test_decision_make_builds_the_next_step(suspension_def: workflow.Definition) -> None:
    """Decision.make numbers the step after the history and keeps the case where it is when refused."""
    case = new_case(suspension_def)
    case.fire("escalate")
    refusal = Decision.make(case, "escalate", {}, case.clock.now(), None, ())
    assert (refusal.step.index, refusal.source, refusal.target, refusal.accepted) == (1, "active", "active", False)


def test_only_a_decision_the_case_judged_is_applied(suspension_def: workflow.Definition) -> None:
    """A decision made by hand, or a judged one changed afterwards, is refused by apply and writes nothing."""
    case = new_case(suspension_def)
    case.fire("suspend", **SUSPEND)
    judged = case.decide("escalate")
    assert judged.sealed and not judged.accepted
    forged_step = attrs.evolve(judged.step, accepted=True, target="escalated", findings=())
    by_hand = Decision.make(case, "escalate", {}, case.clock.now(), None, ())
    other = new_case(suspension_def)
    other.fire("suspend", **SUSPEND)
    for forged in (by_hand, attrs.evolve(judged, step=forged_step), attrs.evolve(judged, case=other)):
        with pytest.raises(UnjudgedDecision):
            (other if forged.case is other else case).apply(forged)
    assert case.version == 1 and other.version == 1
    assert case.apply(judged) == judged.step


def test_a_judged_refusal_stays_judged(suspension_def: workflow.Definition) -> None:
    """A group's refusal of a judged decision (``refused``) is still applied; it records the refusal."""
    case = new_case(suspension_def)
    decision = case.decide("suspend", **SUSPEND)
    refusal = decision.refused([workflow.Finding("linked.cascade", "refusal", "the others cannot follow", "S")])
    assert refusal.sealed and not refusal.accepted
    step = case.apply(refusal)
    assert (step.accepted, case.state, step.blocked_by) == (False, "active", ("linked.cascade",))


def test_decide_timer_judges_the_next_due_timer() -> None:
    """decide_timer gives the judged decision of the timer due by then (None before), which apply records."""
    defn = workflow.load("ip_complaint")
    clock = workflow.SimulatedClock(START)
    case = Case(defn, clock=clock)
    case.fire("receive_complaint", complaint_type="trademark", rights_owner="owner@example.com", asin="B000000001")
    assert case.decide_timer() is None
    clock.advance(workflow.parse_duration("91d"))
    decision = case.decide_timer()
    assert decision is not None and decision.sealed and decision.timer
    assert case.apply(decision).timer and case.version == 2


@pytest.mark.parametrize("name", ["account_suspension", "verification", "ip_complaint"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fire_records_what_apply_of_decide_records_on_generated_walks(name: str, data: st.DataObject) -> None:
    """On generated walks (timers falling due between events included), fire and apply(decide()) agree step by step."""
    defn = workflow.load(name)
    sequence = data.draw(event_sequences(defn, max_size=15))
    clocks = workflow.SimulatedClock(START), workflow.SimulatedClock(START)
    by_fire, by_parts = Case(defn, clock=clocks[0]), Case(defn, clock=clocks[1])
    for action in sequence:
        if action.wait is not None:
            for clock in clocks:
                clock.advance(action.wait)
        fired = by_fire.fire_payload(action.event, action.payload)
        applied = by_parts.apply(by_parts.decide_payload(action.event, action.payload))
        assert fired == applied
    assert by_fire.history == by_parts.history and by_fire.state == by_parts.state
