"""What timers need is kept as steps are recorded: the deadline a case gives is the one a fresh copy of it reads
from the whole history."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import workflow

#: timers that keep the case, timers over two states, and ordinary events between them
TIMERS = """
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
  back: {}
  remind: {}
  expire: {}
  reopen: {}
  finish: {}
transitions:
  - {event: wait, from: open, to: waiting}
  - {event: ask, from: waiting, to: asked}
  - {event: back, from: asked, to: waiting}
  - {event: remind, from: waiting, after: 2d}
  - {event: remind, from: asked, after: 1d}
  - {event: expire, from: [waiting, asked], to: expired, after: 10d}
  - {event: reopen, from: expired, to: open, after: 3h}
  - {event: finish, from: [open, waiting, asked, expired], to: done}
"""

DEFN = workflow.load(text=TIMERS, file="timers.yaml")
EVENTS = ["wait", "ask", "back", "remind", "reopen"]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(EVENTS), st.sampled_from(["0s", "5h", "1d", "3d", "11d"])), max_size=30))
def test_the_kept_deadline_is_the_one_read_from_the_whole_history(moves: list[tuple[str, str]]) -> None:
    """After any run of events and clock moves, ``deadline`` and ``advance`` agree with a case rebuilt from the
    same history (which reads it from the start)."""
    clock = workflow.SimulatedClock("2026-03-02T09:00:00Z")
    case = workflow.Case(DEFN, clock=clock)
    for event, wait in moves:
        clock.advance(wait)
        case.fire(event)
        fresh = workflow.Case.rebuild(DEFN, state=case.state, created=case.created, history=case.history)
        assert case.deadline() == fresh.deadline()
        copy = case.copy()
        assert [s.event for s in copy.advance(clock.now())] == [s.event for s in fresh.advance(clock.now())]
