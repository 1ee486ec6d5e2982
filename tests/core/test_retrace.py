"""Retracing a recorded history on a fresh case: the first departure, named by index, field and both sides."""

from __future__ import annotations

import attrs

import workflow
from workflow.core.retrace import describe, retrace

START = "2026-03-02T09:00:00Z"  # a Monday

TIMERS = """
name: retrace_timers
version: "1"
states:
  open: {initial: true}
  waiting: {}
  expired: {}
  done: {terminal: true}
events:
  wait: {}
  expire: {}
  finish: {}
transitions:
  - {event: wait, from: open, to: waiting}
  - {event: expire, from: waiting, to: expired, after: 2d}
  - {event: finish, from: [open, waiting, expired], to: done}
"""


def recorded() -> workflow.Case:
    """wait, then the timer fires after 2 days, then finish (a timer step between two offered steps)."""
    clock = workflow.SimulatedClock(START)
    case = workflow.Case(workflow.load(text=TIMERS), clock=clock)
    case.fire("wait")
    clock.advance("3d")
    case.fire("finish")
    return case


def fresh(case: workflow.Case) -> workflow.Case:
    return workflow.Case(case.definition, clock=workflow.SimulatedClock(case.created))


def test_a_real_history_retraces_with_no_departure() -> None:
    """The recorded steps, timer included, are rebuilt one by one; the fresh case ends with the same history."""
    case = recorded()
    again = fresh(case)
    assert retrace(again, case.history) is None
    assert again.history == case.history


def test_a_missing_timer_step_is_a_departure_at_its_index() -> None:
    """A history with its timer step cut out departs where the timer fires by itself."""
    case = recorded()
    steps = [case.history[0], attrs.evolve(case.history[2], index=1)]
    found = retrace(fresh(case), steps)
    assert found is not None
    assert (found.index, found.field) == (1, "event")
    assert found.expected == describe(steps[1])
    assert "timer 'expire'" in found.got


def test_an_extra_step_at_the_end_departs_as_no_step() -> None:
    """A recorded timer step after the end that does not fire departs against 'no step'."""
    case = recorded()
    extra = attrs.evolve(case.history[1], index=3, source="done", target="done", accepted=False)
    found = retrace(fresh(case), [*case.history, extra])
    assert found is not None
    assert (found.index, found.got, found.field) == (3, "no step", "step")
