"""Structural checks over a definition's graph: small pure functions, each naming every offender.

Each check takes a ``Definition`` and returns ``(path, message)`` pairs; ``check_all`` runs them all.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable

from workflow.core.model import Definition
from workflow.core.structure import PathKey

#: a structural fault: where in the document (its path) and what is wrong
Fault = tuple[PathKey, str]


def edges(defn: Definition) -> dict[str, set[str]]:
    """State -> the states one transition away (self-loops included)."""
    out: dict[str, set[str]] = {s.name: set() for s in defn.states}
    for t in defn.transitions:
        for src in t.sources:
            out.setdefault(src, set()).add(t.dest)
    return out


def reachable_from(graph: dict[str, set[str]], start: str) -> set[str]:
    seen = {start}
    queue = deque([start])
    while queue:
        for nxt in graph.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _names(items: Iterable[str]) -> str:
    return ", ".join(sorted(items))


def one_initial_state(defn: Definition) -> list[Fault]:
    initial = [s.name for s in defn.states if s.initial]
    if len(initial) == 1:
        return []
    if not initial:
        return [(("states",), "no initial state: mark exactly one state with 'initial: true'")]
    return [(("states", initial[1]), f"more than one initial state: {_names(initial)}")]


def every_state_reachable(defn: Definition) -> list[Fault]:
    initial = [s.name for s in defn.states if s.initial]
    if len(initial) != 1:
        return []
    seen = reachable_from(edges(defn), initial[0])
    lost = [s.name for s in defn.states if s.name not in seen]
    if not lost:
        return []
    return [(("states", lost[0]), f"these states cannot be reached from '{initial[0]}': {_names(lost)}")]


def every_state_has_a_way_out(defn: Definition) -> list[Fault]:
    graph = edges(defn)
    stuck = [s.name for s in defn.states if not s.terminal and not (graph[s.name] - {s.name})]
    if not stuck:
        return []
    return [(("states", stuck[0]), f"these non-terminal states have no transition to another state: {_names(stuck)}")]


def terminal_states_are_final(defn: Definition) -> list[Fault]:
    terminal = {s.name for s in defn.states if s.terminal}
    out: list[Fault] = []
    for i, t in enumerate(defn.transitions):
        leaving = [src for src in t.sources if src in terminal]
        if leaving:
            out.append((("transitions", i, "from"), f"a terminal state has no way out: {_names(leaving)}"))
    return out


def a_terminal_state_is_reachable(defn: Definition) -> list[Fault]:
    graph = edges(defn)
    terminal = {s.name for s in defn.states if s.terminal}
    if not terminal:
        return [(("states",), "no terminal state: mark at least one state with 'terminal: true'")]
    back: dict[str, set[str]] = {}  # one search backwards from the terminal states, not one per state
    for src, dests in graph.items():
        for dest in dests:
            back.setdefault(dest, set()).add(src)
    can_end: set[str] = set()
    for name in terminal:
        if name not in can_end:
            can_end |= reachable_from(back, name)
    trapped = [s.name for s in defn.states if s.name not in can_end]
    if not trapped:
        return []
    return [(("states", trapped[0]), f"no terminal state can be reached from: {_names(trapped)}")]


CHECKS: tuple[Callable[[Definition], list[Fault]], ...] = (
    one_initial_state,
    every_state_reachable,
    every_state_has_a_way_out,
    terminal_states_are_final,
    a_terminal_state_is_reachable,
)


def check_all(defn: Definition) -> list[Fault]:
    """Every structural problem of ``defn``, from every check."""
    return [f for check in CHECKS for f in check(defn)]
