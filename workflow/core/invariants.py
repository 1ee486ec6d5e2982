"""Invariants a definition may declare: properties every reachable case must keep.

Each check is a pure function of a case's definition, state and history (and the invariant's parameters)
returning ``None`` when the property holds, or a sentence saying how it is broken. Exploration and the
generated stateful tests run them after every step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from workflow.core.history import Step
from workflow.core.model import Definition

InvariantCheck = Callable[[Definition, str, Sequence[Step], Mapping[str, Any]], str | None]

CHECKS: dict[str, InvariantCheck] = {}

#: each check's parameters: name -> (what it names: ``event``, ``state``, ``rule``, ``actor`` or ``int``, required);
#: the loader checks an invariant's ``params`` against these, so a check never meets a name it cannot use
PARAMS: dict[str, dict[str, tuple[str, bool]]] = {
    "at_most": {"event": ("event", True), "times": ("int", False)},
    "terminal_absorbing": {},
    "refuses_all": {"state": ("state", True), "rule": ("rule", True), "actor": ("actor", False)},
    "reached_only_after": {"state": ("state", True), "event": ("event", True), "rule": ("rule", True)},
}


def invariant(name: str) -> Callable[[InvariantCheck], InvariantCheck]:
    def deco(fn: InvariantCheck) -> InvariantCheck:
        CHECKS[name] = fn
        return fn

    return deco


@invariant("at_most")
def at_most(defn: Definition, state: str, history: Sequence[Step], params: Mapping[str, Any]) -> str | None:
    """``event`` is accepted at most ``times`` times."""
    event, times = str(params["event"]), int(params.get("times", 1))
    n = sum(1 for st in history if st.accepted and st.event == event)
    return None if n <= times else f"'{event}' was accepted {n} times (at most {times})"


@invariant("terminal_absorbing")
def terminal_absorbing(defn: Definition, state: str, history: Sequence[Step], params: Mapping[str, Any]) -> str | None:
    """Once a case reaches a terminal state, no step changes its state again."""
    terminal = {s.name for s in defn.states if s.terminal}
    for st in history:
        if st.accepted and st.source in terminal:
            return f"step {st.index} '{st.event}' left terminal state '{st.source}'"
    return None


@invariant("refuses_all")
def refuses_all(defn: Definition, state: str, history: Sequence[Step], params: Mapping[str, Any]) -> str | None:
    """In ``state``, every event (or, with ``actor: seller``, every event that actor sends) is refused by ``rule``."""
    where, rule = str(params["state"]), str(params["rule"])
    actor = params.get("actor")
    by_actor = {e.name for e in defn.events if e.actor == actor} if actor is not None else None
    for st in history:
        if by_actor is not None and st.event not in by_actor:
            continue
        if st.source == where and (st.accepted or rule not in st.blocked_by):
            who = f" ({actor} event)" if actor is not None else ""
            return f"step {st.index} '{st.event}'{who} in '{where}' was not refused by {rule}"
    return None


@invariant("reached_only_after")
def reached_only_after(defn: Definition, state: str, history: Sequence[Step], params: Mapping[str, Any]) -> str | None:
    """``state`` is entered only after an accepted ``event`` whose transition is guarded by ``rule``."""
    target, event, rule = str(params["state"]), str(params["event"]), str(params["rule"])
    guarded_ok = False
    for st in history:
        if (
            st.accepted
            and st.event == event
            and any(
                rule in (g.id for g in t.guards)
                for t in defn.transitions
                if t.event == event and st.source in t.sources
            )
        ):
            guarded_ok = True
        if st.accepted and st.target == target and st.source != target and not guarded_ok:
            return f"'{target}' was reached at step {st.index} without an accepted '{event}' checked by {rule}"
    return None


def violations(defn: Definition, state: str, history: Sequence[Step]) -> list[tuple[str, str]]:
    """Every declared invariant that the case breaks, as ``(invariant id, how)``."""
    out = []
    for inv in defn.invariants:
        msg = CHECKS[inv.check](defn, state, history, inv.params)
        if msg is not None:
            out.append((inv.id, msg))
    return out
