"""Forged or impossible histories: restore re-judges a snapshot's history and replay names where it departs.

Real histories come from random walks on the built-in definitions and a timer-heavy toy; each is mutated the
way a forger would (a refusal flipped, a target changed, times reordered, a timer mark set or cleared, the
creation moved after the steps). Every mutation is refused with the bad step named; unmutated ones round-trip.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
from typing import Any

import attrs
import pytest
from hypothesis import assume, event, given
from hypothesis import strategies as st

import workflow
from workflow.amazon import generate
from workflow.core.clock import format_time

START = "2026-03-02T09:00:00Z"  # a Monday

#: timers that keep the case where it is, chain into each other, and share their source states
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
  remind: {}
  expire: {}
  finish: {}
transitions:
  - {event: wait, from: open, to: waiting}
  - {event: ask, from: waiting, to: asked}
  - {event: remind, from: waiting, after: 2d}
  - {event: expire, from: [waiting, asked], to: expired, after: 5d}
  - {event: finish, from: [open, waiting, asked, expired], to: done}
"""

DEFINITIONS = {name: workflow.load(name) for name in ("account_suspension", "ip_complaint", "verification")}
DEFINITIONS["timers"] = workflow.load(text=TIMERS)


def walk(defn: workflow.Definition, seed: int, length: int) -> workflow.Case:
    """A real case: ``length`` events, mostly ones its state has a transition for, at 0-3 days apart."""
    rng = random.Random(seed)
    clock = workflow.SimulatedClock(START)
    case = workflow.Case(defn, clock=clock)
    events = {e.name: e for e in defn.events}
    for _ in range(length):
        if case.terminal:
            break
        clock.advance(f"{rng.randint(0, 3)}d")
        allowed = case.allowed()
        name = rng.choice(allowed) if allowed and rng.random() < 0.8 else rng.choice(sorted(events))
        case.fire_payload(name, generate.payload(rng, events[name], defn))
    return case


def restore(defn: workflow.Definition, data: dict[str, Any]) -> workflow.Case:
    return workflow.Case.restore(defn, json.loads(json.dumps(data)))


def first_path(error: workflow.SnapshotError) -> str:
    return error.problems[0].path


walks = st.builds(
    lambda name, seed, length: (DEFINITIONS[name], walk(DEFINITIONS[name], seed, length)),
    st.sampled_from(sorted(DEFINITIONS)),
    st.integers(0, 2**32),
    st.integers(1, 25),
)


def cut(defn: workflow.Definition, data: dict[str, Any], i: int, step: dict[str, Any]) -> dict[str, Any]:
    """``data`` with its history ending at step ``i`` replaced by ``step``, in the state that history leads to
    (a consistent forgery: nothing after the forged step gives it away)."""
    out = copy.deepcopy(data)
    out["history"] = [*out["history"][:i], step]
    out["state"] = next((s["target"] for s in reversed(out["history"]) if s["accepted"]), defn.initial.name)
    return out


@given(walks)
def test_a_real_history_round_trips_exactly(walked: tuple[workflow.Definition, workflow.Case]) -> None:
    """A walked case's snapshot restores (judged again) to the same history, state and snapshot."""
    defn, case = walked
    back = restore(defn, case.snapshot())
    assert back.history == case.history
    assert back.state == case.state
    assert back.snapshot() == case.snapshot()


@given(walks, st.data())
def test_a_refusal_flipped_to_accepted_is_refused_at_its_step(
    walked: tuple[workflow.Definition, workflow.Case], data: st.DataObject
) -> None:
    """A refused step recorded as accepted (to a state a transition of its event leads to, state updated to
    match) is refused, naming that step."""
    defn, case = walked
    snap = case.snapshot()
    refused = [i for i, s in enumerate(snap["history"]) if not s["accepted"]]
    assume(refused)
    i = data.draw(st.sampled_from(refused))
    step = dict(snap["history"][i])
    dests = sorted({t.dest for t in defn.transitions if t.event == step["event"] and step["source"] in t.sources})
    step.update(accepted=True, findings=[], target=data.draw(st.sampled_from(dests or [step["source"]])))
    forged = cut(defn, snap, i, step)
    with pytest.raises(workflow.SnapshotError) as e:
        restore(defn, forged)
    event(f"caught by {type(e.value).__name__}")
    assert first_path(e.value).startswith(f"history[{i}]")
    steps = [*case.history[:i], attrs.evolve(case.history[i], accepted=True, target=step["target"], findings=())]
    with pytest.raises(workflow.errors.HistoryDeparture) as d:
        workflow.replay(defn, steps, facts=case.facts, created=case.created)
    assert d.value.index == i
    assert "accepted" in d.value.expected and d.value.expected != d.value.got


@given(walks, st.data())
def test_a_changed_target_is_refused_at_its_step(
    walked: tuple[workflow.Definition, workflow.Case], data: st.DataObject
) -> None:
    """An accepted step moved to another state (the snapshot's state updated to match) is refused at that step."""
    defn, case = walked
    snap = case.snapshot()
    moves = [i for i, s in enumerate(snap["history"]) if s["accepted"]]
    assume(moves)
    i = data.draw(st.sampled_from(moves))
    step = dict(snap["history"][i])
    others = sorted(set(defn.state_names) - {step["target"]})
    step["target"] = data.draw(st.sampled_from(others))
    with pytest.raises(workflow.SnapshotError) as e:
        restore(defn, cut(defn, snap, i, step))
    event(f"caught by {type(e.value).__name__}")
    assert first_path(e.value).startswith(f"history[{i}]")
    steps = [*case.history[:i], attrs.evolve(case.history[i], target=step["target"])]
    with pytest.raises(workflow.errors.HistoryDeparture) as d:
        workflow.replay(defn, steps, facts=case.facts, created=case.created)
    assert (d.value.index, d.value.field) == (i, "target")


@given(walks, st.data())
def test_times_running_backwards_are_refused_at_the_later_step(
    walked: tuple[workflow.Definition, workflow.Case], data: st.DataObject
) -> None:
    """A step dated before the step before it is refused, naming its time."""
    defn, case = walked
    snap = case.snapshot()
    assume(len(snap["history"]) >= 2)
    i = data.draw(st.integers(1, len(snap["history"]) - 1))
    earlier = case.history[i - 1].at - dt.timedelta(seconds=data.draw(st.integers(1, 10**6)))
    forged = copy.deepcopy(snap)
    forged["history"][i]["at"] = format_time(earlier)
    with pytest.raises(workflow.SnapshotError) as e:
        restore(defn, forged)
    assert first_path(e.value) == f"history[{i}].at"


@given(walks, st.data())
def test_a_case_created_after_its_first_step_is_refused_at_that_step(
    walked: tuple[workflow.Definition, workflow.Case], data: st.DataObject
) -> None:
    """``created`` moved after the first step is refused, naming the first step's time."""
    defn, case = walked
    snap = case.snapshot()
    later = case.history[0].at + dt.timedelta(seconds=data.draw(st.integers(1, 10**6)))
    forged = dict(snap, created=format_time(later))
    with pytest.raises(workflow.SnapshotError) as e:
        restore(defn, forged)
    assert first_path(e.value) == "history[0].at"


@given(walks, st.data())
def test_a_timer_mark_set_or_cleared_is_refused_at_its_step(
    walked: tuple[workflow.Definition, workflow.Case], data: st.DataObject
) -> None:
    """A step marked ``timer`` that was offered, or a timer step unmarked, is refused at that step."""
    defn, case = walked
    snap = case.snapshot()
    i = data.draw(st.integers(0, len(snap["history"]) - 1))
    forged = copy.deepcopy(snap)
    was = forged["history"][i].pop("timer", False)
    if not was:
        forged["history"][i]["timer"] = True
    with pytest.raises(workflow.SnapshotError) as e:
        restore(defn, forged)
    event(f"caught by {type(e.value).__name__}")
    assert first_path(e.value).startswith(f"history[{i}]")
    steps = [*case.history[:i], attrs.evolve(case.history[i], timer=not was), *case.history[i + 1 :]]
    with pytest.raises(workflow.errors.HistoryDeparture) as d:
        workflow.replay(defn, steps, facts=case.facts, created=case.created)
    assert d.value.index == i


def test_a_transition_the_definition_lacks_is_named() -> None:
    """An accepted step with no transition from its source to its target is refused with that sentence."""
    defn = DEFINITIONS["timers"]
    case = workflow.Case(defn, clock=workflow.SimulatedClock(START))
    case.fire("wait")
    snap = case.snapshot()
    snap["history"][0].update(event="ask", target="asked")
    snap["state"] = "asked"
    with pytest.raises(workflow.SnapshotError) as e:
        restore(defn, snap)
    assert e.value.problems[0].path == "history[0]"
    assert "no transition 'ask' from 'open' to 'asked'" in str(e.value)


def test_a_step_leaving_a_terminal_state_is_named() -> None:
    """An accepted step out of a terminal state is refused as leaving it."""
    defn = DEFINITIONS["timers"]
    case = workflow.Case(defn, clock=workflow.SimulatedClock(START))
    case.fire("finish")
    case.fire("wait")
    snap = case.snapshot()
    snap["history"][1].update(accepted=True, target="waiting", findings=[])
    snap["state"] = "waiting"
    with pytest.raises(workflow.SnapshotError) as e:
        restore(defn, snap)
    assert e.value.problems[0].path == "history[1]"
    assert "leaves the terminal state 'done'" in str(e.value)


def test_a_timer_mark_on_an_ordinary_event_is_named() -> None:
    """``timer: true`` on an event that is no timer from its source is refused at that field."""
    defn = DEFINITIONS["timers"]
    case = workflow.Case(defn, clock=workflow.SimulatedClock(START))
    case.fire("wait")
    snap = case.snapshot()
    snap["history"][0]["timer"] = True
    with pytest.raises(workflow.SnapshotError) as e:
        restore(defn, snap)
    assert e.value.problems[0].path == "history[0].timer"
    assert "'wait' is not a timer of 'open'" in str(e.value)


def test_a_timer_step_unmarked_departs_where_the_timer_fired() -> None:
    """A timer step recorded as an offered event is refused: re-deciding fires the timer there by itself."""
    defn = DEFINITIONS["timers"]
    clock = workflow.SimulatedClock(START)
    case = workflow.Case(defn, clock=clock)
    case.fire("wait")
    clock.advance("3d")
    case.fire("ask")
    assert [s.timer for s in case.history] == [False, True, False]
    snap = case.snapshot()
    del snap["history"][1]["timer"]
    with pytest.raises(workflow.errors.HistoryDeparture) as e:
        restore(defn, snap)
    assert (e.value.index, e.value.field) == (1, "timer")
    assert e.value.problems[0].path == "history[1]"


def test_an_offered_timer_event_marked_timer_departs() -> None:
    """A timer's event offered by hand before it fell due, recorded as the timer firing, is refused."""
    defn = DEFINITIONS["timers"]
    case = workflow.Case(defn, clock=workflow.SimulatedClock(START))
    case.fire("wait")
    case.fire("expire")
    snap = case.snapshot()
    snap["history"][1]["timer"] = True
    with pytest.raises(workflow.errors.HistoryDeparture) as e:
        restore(defn, snap)
    assert e.value.index == 1
