"""Timers: once per stay, counted over the stay in their source states, never hiding a later timer; replay."""

from __future__ import annotations

import pytest

import workflow
from workflow.core.clock import as_timestamp

START = "2026-03-02T09:00:00Z"  # a Monday

#: a timer that keeps the case where it is, and one whose source is two states
LOOP_AND_GROUP = """
name: timers
version: "1"
states:
  open: {initial: true}
  waiting: {}
  asked: {}
  expired: {}
  done: {terminal: true}
events:
  wait: {}
  ask: {}
  remind: {}
  expire: {}
  finish: {}
transitions:
  - {event: wait, from: open, to: waiting}
  - {event: ask, from: waiting, to: asked}
  - {event: remind, from: waiting, after: 2d}
  - {event: expire, from: [waiting, asked], to: expired, after: 10d}
  - {event: finish, from: [open, waiting, asked, expired], to: done}
"""


def _case(text: str = LOOP_AND_GROUP) -> workflow.Case:
    return workflow.Case(workflow.load(text=text), clock=workflow.SimulatedClock(START))


def _clock(case: workflow.Case) -> workflow.SimulatedClock:
    assert isinstance(case.clock, workflow.SimulatedClock)
    return case.clock


def test_a_timer_that_keeps_the_case_fires_once_per_stay() -> None:
    """A self-loop timer fires once at its deadline and not again, however far the clock goes."""
    case = _case()
    assert case.fire("wait").accepted
    steps = case.advance(as_timestamp("2026-03-05T09:00:00Z"))
    assert [(s.event, s.accepted, s.timer, s.at) for s in steps] == [
        ("remind", True, True, as_timestamp("2026-03-04T09:00:00Z"))
    ]
    assert case.state == "waiting"
    assert case.advance(as_timestamp("2026-03-06T09:00:00Z")) == []
    assert [s.event for s in case.history] == ["wait", "remind"]


def test_a_group_timer_counts_from_entering_the_group() -> None:
    """Moving between the timer's source states does not restart it: 10 days from 'wait', not from 'ask'."""
    case = _case()
    case.fire("wait")
    _clock(case).advance("6d")
    assert case.fire("ask").accepted
    due = case.deadline()
    assert due is not None
    assert due[0] == as_timestamp("2026-03-12T09:00:00Z")
    steps = case.advance(as_timestamp("2026-03-20T09:00:00Z"))
    assert [(s.event, s.source, s.target) for s in steps] == [("expire", "asked", "expired")]
    assert steps[0].at == as_timestamp("2026-03-12T09:00:00Z")


def test_a_fired_self_loop_does_not_hide_a_later_timer() -> None:
    """After the self-loop timer fired, the next timer of the state still falls due and fires."""
    case = _case()
    case.fire("wait")
    steps = case.advance(as_timestamp("2026-03-30T09:00:00Z"))
    assert [s.event for s in steps] == ["remind", "expire"]
    assert case.state == "expired"


def test_leaving_and_coming_back_restarts_the_timer() -> None:
    """A timer counts from the last entry into its source states."""
    text = LOOP_AND_GROUP.replace(
        "  - {event: finish", "  - {event: wait, from: expired, to: waiting}\n  - {event: finish"
    )
    case = _case(text)
    case.fire("wait")
    case.advance(as_timestamp("2026-03-13T09:00:00Z"))
    assert case.state == "expired"
    _clock(case).set("2026-03-16T09:00:00Z")
    assert case.fire("wait").accepted
    due = case.deadline()
    assert due is not None
    assert (due[1].transition.event, due[0]) == ("remind", as_timestamp("2026-03-18T09:00:00Z"))


def test_a_refused_timer_is_recorded_once_even_after_other_steps() -> None:
    """A counter-notice to a trademark complaint: its 10-day timer is refused once; later steps do not retry it."""
    case = workflow.Case(workflow.load("ip_complaint"), clock=workflow.SimulatedClock(START))
    case.fire("receive_complaint", complaint_type="trademark")
    case.fire("file_counter_notice")
    _clock(case).advance("12d")
    refused = case.fire("request_retraction")  # not allowed here; the timer fires first
    assert not refused.accepted
    _clock(case).advance("12d")
    case.fire("request_retraction")
    timers = [s for s in case.history if s.timer]
    assert [(s.event, s.accepted, s.blocked_by) for s in timers] == [
        ("lawsuit_window_closed", False, ("ip.counter_notice_10d",))
    ]
    assert timers[0].at == as_timestamp("2026-03-12T09:00:00Z")
    assert case.state == "counter_notice_filed"


def test_replay_rebuilds_timer_steps_at_the_end_of_a_history() -> None:
    """A history ending in timer steps (advance called last) replays to the same steps and state."""
    case = _case()
    case.fire("wait")
    case.advance(as_timestamp("2026-03-30T09:00:00Z"))
    assert case.history[-1].timer
    again = workflow.replay(case.definition, case.history, created=case.created)
    assert again.history == case.history
    assert again.state == "expired"


def test_check_allowed_and_why_not_see_timers_already_due() -> None:
    """Once a timer is due, check/allowed/why_not answer as fire would (timer first), and leave the case as it was."""
    case = _case()
    case.fire("wait")
    assert case.check("ask").accepted
    assert "ask" in case.allowed()
    assert case.why_not("ask") == ()
    _clock(case).advance("11d")  # 'remind' (2d) and 'expire' (10d) are due: the case would be 'expired'
    checked = case.check("ask")
    assert (checked.accepted, checked.source, checked.index) == (False, "expired", 3)
    assert case.allowed() == ("finish",)
    assert [f.kind for f in case.why_not("ask")] == ["refusal"]
    assert (case.state, [s.event for s in case.history]) == ("waiting", ["wait"])  # nothing fired for real
    fired = case.fire("ask")
    assert (fired.accepted, fired.source, fired.index, fired.findings) == (
        checked.accepted,
        checked.source,
        checked.index,
        checked.findings,
    )
    assert [s.event for s in case.history] == ["wait", "remind", "expire", "ask"]


def test_check_sees_a_due_guarded_timer_of_a_builtin_definition() -> None:
    """ip_complaint: 100 days after the complaint, remove_inventory is allowed and checks as fire takes it."""
    case = workflow.Case(workflow.load("ip_complaint"), clock=workflow.SimulatedClock(START))
    case.fire("receive_complaint", complaint_type="trademark")
    assert not case.check("remove_inventory").accepted
    _clock(case).advance("100d")
    checked = case.check("remove_inventory")
    assert (checked.accepted, checked.source, checked.target) == (
        True,
        "inventory_removal_requested",
        "listing_removed",
    )
    assert "remove_inventory" in case.allowed()
    assert case.why_not("remove_inventory") == ()
    assert case.state == "complaint_received"
    fired = case.fire("remove_inventory")
    assert (fired.accepted, fired.source, fired.target) == (checked.accepted, checked.source, checked.target)


TIMER_FIRST = """
name: timer_first
version: "1"
states: {a: {initial: true}, b: {}, c: {terminal: true}}
events: {tick: {}, go: {}}
transitions:
  - {event: tick, from: a, to: b, after: 2d}
  - {event: go, from: b, to: c}
"""


def test_replay_of_a_history_that_starts_with_a_timer_counts_from_created() -> None:
    """A timer as the first step: replay from the case's created time rebuilds the same steps at the same times."""
    case = _case(TIMER_FIRST)
    _clock(case).advance("3d")
    assert case.fire("go").accepted
    assert [(s.event, s.timer) for s in case.history] == [("tick", True), ("go", False)]
    again = workflow.replay(case.definition, case.history, created=case.created)
    assert (again.state, again.history) == ("c", case.history)


def test_replay_of_a_history_with_a_timer_step_needs_created() -> None:
    """Without created, a history holding a timer step is refused rather than replayed from a guessed start."""
    case = _case(TIMER_FIRST)
    _clock(case).advance("3d")
    case.fire("go")
    with pytest.raises(TypeError, match="created="):
        workflow.replay(case.definition, case.history)
