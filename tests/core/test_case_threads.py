"""Atomicity and sharing: a decision is recorded whole or not at all, and one case shared by threads stays whole."""

from __future__ import annotations

import datetime as dt
import itertools
import sys
import threading
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

import workflow
from workflow.amazon.rules import REGISTRY, Rule

START = "2026-03-02T09:00:00Z"  # a Monday

#: a timer to 'reminded' after 1 day; 'answer' from there is guarded by a rule that raises
TIMED = """
name: timed_boom
version: "1"
states:
  waiting: {initial: true}
  reminded: {}
  answered: {}
  done: {terminal: true}
events:
  remind: {}
  answer: {}
  ping: {}
  close: {}
transitions:
  - {event: remind, from: waiting, to: reminded, after: 1d}
  - event: answer
    from: [waiting, reminded]
    to: answered
    guards:
      - {rule: toy.boom, source: "toy source B"}
  - {event: ping, from: [waiting, reminded, answered]}
  - {event: close, from: [waiting, reminded, answered], to: done}
"""


#: no rules and no timers: every ping is accepted and stays
PLAIN = """
name: plain
version: "1"
states:
  open: {initial: true}
  done: {terminal: true}
events:
  ping: {}
  close: {}
transitions:
  - {event: ping, from: open}
  - {event: close, from: open, to: done}
"""


def _boom(ctx: Any, params: Mapping[str, Any]) -> str | None:
    raise ZeroDivisionError("the toy rule broke")


@pytest.fixture
def timed(monkeypatch: pytest.MonkeyPatch) -> workflow.Definition:
    rule = Rule(id="toy.boom", kind="guard", summary="Breaks.", source="toy", check=_boom, reads=())
    monkeypatch.setitem(REGISTRY, "toy.boom", rule)
    return workflow.load(text=TIMED)


def test_a_rule_that_raises_while_a_timer_is_due_changes_nothing(timed: workflow.Definition) -> None:
    """fire() when a timer is due and the event's rule raises: RuleFailure, and neither the timer step nor the
    event is recorded; the timer still fires later."""
    clock = workflow.SimulatedClock(START)
    case = workflow.Case(timed, clock=clock)
    case.fire("ping")
    clock.advance("2d")
    before = (case.state, case.history, case.version)
    with pytest.raises(workflow.RuleFailure):
        case.fire("answer")
    assert (case.state, case.history, case.version) == before
    assert [s.event for s in case.advance()] == ["remind"]


def test_a_listener_that_raises_on_a_timer_step_does_not_split_the_decision(timed: workflow.Definition) -> None:
    """A listener raising on the due timer step: the whole decision (timer and event) is recorded first, then
    the listener's error comes through."""
    clock = workflow.SimulatedClock(START)
    case = workflow.Case(timed, clock=clock)
    seen: list[str] = []

    def listener(step: workflow.Step) -> None:
        seen.append(step.event)
        if step.timer:
            raise RuntimeError("listener broke")

    case.subscribe(listener)
    clock.advance("2d")
    with pytest.raises(RuntimeError, match="listener broke"):
        case.fire("close")
    assert [(s.event, s.timer) for s in case.history] == [("remind", True), ("close", False)]
    assert case.state == "done"
    assert seen == ["remind"]


@pytest.fixture
def fast_switching() -> Iterator[None]:
    """Threads switch as often as the interpreter allows, so two firing threads interleave inside a fire."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(old)


def test_two_threads_firing_on_one_case_are_detected_and_never_interleave(fast_switching: None) -> None:
    """Two threads firing on one shared case (20 trials of 2 x 200 events): each fire is recorded whole or
    refused with ConcurrentUse (and at least one is refused); the history stays whole, numbered 0..n-1 in
    order, one step per fire that returned, and replays to the same case."""
    defn = workflow.load(text=PLAIN)
    refused = 0
    for _ in range(20):
        case = workflow.Case(defn, clock=workflow.SimulatedClock(START))
        barrier = threading.Barrier(2)
        done: list[workflow.Step] = []
        errors: list[Exception] = []

        def run(
            case: workflow.Case = case,
            barrier: threading.Barrier = barrier,
            done: list[workflow.Step] = done,
            errors: list[Exception] = errors,
        ) -> None:
            barrier.wait()
            for _ in range(200):
                try:
                    done.append(case.fire("ping"))
                except Exception as error:  # judged below, in the test's own thread
                    errors.append(error)

        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not any(t.is_alive() for t in threads)
        assert all(isinstance(e, workflow.errors.ConcurrentUse) for e in errors), errors[:1]
        assert all("in use by another thread" in str(e) for e in errors)
        refused += len(errors)
        history = case.history
        assert len(done) + len(errors) == 400
        assert case.version == len(history) == len(done)
        assert sorted(s.index for s in done) == [s.index for s in history] == list(range(len(history)))
        assert all(a.at <= b.at for a, b in itertools.pairwise(history))
        assert workflow.replay(defn, history, created=case.created).history == history
    assert refused > 0


def test_a_listener_may_fire_again_on_its_own_case() -> None:
    """Using a case again from its own thread (a listener firing on it) is not concurrent use."""
    case = workflow.Case(workflow.load(text=PLAIN), clock=workflow.SimulatedClock(START))
    case.subscribe(lambda step: case.fire("close") if step.event == "ping" else None)
    case.fire("ping")
    assert [s.event for s in case.history] == ["ping", "close"]
    assert case.state == "done"


def test_a_decision_applied_after_another_threads_step_is_stale() -> None:
    """decide() in one thread, a step recorded by another, then apply(): StaleDecision, nothing recorded."""
    case = workflow.Case(workflow.load(text=PLAIN), clock=workflow.SimulatedClock(START))
    decision = case.decide("ping")
    other = threading.Thread(target=case.fire, args=("ping",))
    other.start()
    other.join(timeout=60)
    with pytest.raises(workflow.errors.StaleDecision):
        case.apply(decision)
    assert case.version == 1


#: two timers in a row; the second is guarded by a rule that raises
CHAINED = """
name: chained_boom
version: "1"
states:
  waiting: {initial: true}
  reminded: {}
  lapsed: {terminal: true}
events:
  remind: {}
  lapse: {}
transitions:
  - {event: remind, from: waiting, to: reminded, after: 1d}
  - event: lapse
    from: reminded
    to: lapsed
    after: 1d
    guards:
      - {rule: toy.boom, source: "toy source B"}
"""


@pytest.mark.usefixtures("timed")  # registers toy.boom
def test_advance_is_all_or_nothing() -> None:
    """advance() past two due timers whose second rule raises: RuleFailure, the first timer step is not kept
    either, and no listener hears of it."""
    defn = workflow.load(text=CHAINED)
    clock = workflow.SimulatedClock(START)
    case = workflow.Case(defn, clock=clock)
    heard: list[workflow.Step] = []
    case.subscribe(heard.append)
    clock.advance("3d")
    with pytest.raises(workflow.RuleFailure):
        case.advance()
    assert (case.state, case.history, case.version, heard) == ("waiting", (), 0, [])
    first = case.advance(dt.datetime(2026, 3, 3, 12, tzinfo=dt.timezone.utc))  # only the first timer is due then
    assert [s.event for s in first] == ["remind"] and heard == first and case.state == "reminded"
