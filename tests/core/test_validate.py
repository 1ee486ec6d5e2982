"""The structural checks over a definition's graph (workflow.core.validate), each naming every offender."""

from __future__ import annotations

import workflow
from workflow.core.model import Definition, Event, State, Transition
from workflow.core.validate import (
    a_terminal_state_is_reachable,
    check_all,
    edges,
    every_state_has_a_way_out,
    every_state_reachable,
    one_initial_state,
    reachable_from,
    terminal_states_are_final,
)


def graph(states: tuple[State, ...], *moves: tuple[str, str]) -> Definition:
    """A definition of ``states`` with one transition per ``(source, dest)``."""
    return Definition(
        name="g",
        version="1",
        description="",
        states=states,
        events=(Event("go"),),
        transitions=tuple(Transition(event="go", sources=(a,), dest=b) for a, b in moves),
    )


START, END = State("start", initial=True), State("end", terminal=True)


def test_a_built_in_definition_has_no_fault() -> None:
    """account_suspension passes every check."""
    assert check_all(workflow.load("account_suspension")) == []


def test_edges_and_reachability_follow_the_transitions() -> None:
    """``edges`` maps each state to its next states; ``reachable_from`` includes the start."""
    defn = graph((START, State("mid"), END), ("start", "mid"), ("mid", "end"), ("mid", "mid"))
    assert edges(defn) == {"start": {"mid"}, "mid": {"mid", "end"}, "end": set()}
    assert reachable_from(edges(defn), "mid") == {"mid", "end"}


def test_one_initial_state_is_needed() -> None:
    """No initial state, or two, is a fault on ``states``."""
    assert one_initial_state(graph((State("a"), END), ("a", "end")))[0][0] == ("states",)
    two = one_initial_state(graph((START, State("b", initial=True), END)))
    assert two == [(("states", "b"), "more than one initial state: b, start")]


def test_unreachable_states_are_all_named() -> None:
    """Every state the initial one cannot reach is listed, the path pointing at the first."""
    defn = graph((START, State("x"), State("y"), END), ("start", "end"), ("x", "end"), ("y", "end"))
    assert every_state_reachable(defn) == [(("states", "x"), "these states cannot be reached from 'start': x, y")]


def test_a_non_terminal_state_without_a_way_out_is_a_fault() -> None:
    """A state whose only transition loops back to itself is stuck."""
    defn = graph((START, State("loop"), END), ("start", "loop"), ("start", "end"), ("loop", "loop"))
    assert every_state_has_a_way_out(defn) == [
        (("states", "loop"), "these non-terminal states have no transition to another state: loop")
    ]


def test_a_transition_out_of_a_terminal_state_is_located() -> None:
    """The offending transition's ``from`` is the path."""
    defn = graph((START, END), ("start", "end"), ("end", "start"))
    assert terminal_states_are_final(defn) == [(("transitions", 1, "from"), "a terminal state has no way out: end")]


def test_a_terminal_state_must_be_reachable_from_everywhere() -> None:
    """No terminal state at all, or a state that cannot reach one, is a fault."""
    assert a_terminal_state_is_reachable(graph((START,)))[0][1].startswith("no terminal state")
    trap = graph((START, State("trap"), END), ("start", "trap"), ("start", "end"), ("trap", "trap"))
    assert a_terminal_state_is_reachable(trap) == [(("states", "trap"), "no terminal state can be reached from: trap")]


def test_check_all_reports_every_check_at_once() -> None:
    """Faults of several checks are all returned together."""
    defn = graph((START, State("x"), END), ("start", "end"), ("end", "start"))
    messages = [m for _, m in check_all(defn)]
    assert any("cannot be reached" in m for m in messages)
    assert any("terminal state has no way out" in m for m in messages)
