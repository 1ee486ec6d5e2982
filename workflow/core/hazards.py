"""What a definition may not hold because the engine or the machine underneath could not run it: timers that
go round without time passing, and names the ``transitions`` machine reserves.

Each check takes a ``Definition`` and returns ``(path, message)`` pairs, as ``workflow.core.validate`` does;
a path into ``transitions`` is the index in ``Definition.transitions`` (the loader maps it to the document).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from transitions import Machine
from transitions.core import State, Transition

from workflow.core.model import Definition
from workflow.core.structure import PathKey

Fault = tuple[PathKey, str]

#: the markers ``transitions`` gives a meaning where a state name is expected: every state, the same state
STATE_MARKERS = frozenset({Machine.wildcard_all, Machine.wildcard_same})
#: the model attribute the machine keeps the state in (its default, which the adapter uses)
MODEL_ATTRIBUTE = "state"
#: what ``transitions`` binds on every model, whatever the definition
MODEL_METHODS = frozenset({"trigger", "may_trigger", MODEL_ATTRIBUTE})
#: prefixes of the methods ``transitions`` binds per state (``is_<state>``, ``to_<state>``) and per event
#: (``may_<event>``), and of the callbacks it looks up on a model per state and per event
STATE_PREFIXES = ("is", "to", *State.dynamic_methods)
EVENT_PREFIXES = ("may", *Transition.dynamic_methods)


def _zero(after: object) -> bool:
    return getattr(after, "seconds", 1) == 0 and getattr(after, "business_days", 1) == 0


def zero_time_cycle(defn: Definition) -> list[Fault]:
    """Timed transitions that lead round to where they started with every ``after`` zero: each timer fires once
    per stay, but each move starts a new stay, so such a ring would fire for ever without the clock moving."""
    graph: dict[str, dict[str, int]] = {}
    for i, t in enumerate(defn.transitions):
        if t.timer is None or not _zero(t.timer.after):
            continue
        for src in t.sources:
            if src != t.dest:
                graph.setdefault(src, {}).setdefault(t.dest, i)
    # peel off every state with no zero-time way in or out (in linear time): what remains lies on a cycle
    back: dict[str, set[str]] = {}
    for src, outs in graph.items():
        for dest in outs:
            back.setdefault(dest, set()).add(src)
    live = set(graph) | set(back)
    outdeg = {s: len(graph.get(s, {})) for s in live}
    indeg = {s: len(back.get(s, ())) for s in live}
    queue = [s for s in live if not outdeg[s] or not indeg[s]]
    while queue:
        s = queue.pop()
        if s not in live:
            continue
        live.discard(s)
        for d in graph.get(s, {}):
            if d in live:
                indeg[d] -= 1
                if not indeg[d]:
                    queue.append(d)
        for p in back.get(s, ()):
            if p in live:
                outdeg[p] -= 1
                if not outdeg[p]:
                    queue.append(p)
    if not live:
        return []
    start = min(live)
    path = [start]
    seen = {start: 0}
    while True:
        here = path[-1]
        nxt = min(d for d in graph[here] if d in live)
        if nxt in seen:
            ring = [*path[seen[nxt] :], nxt]
            break
        seen[nxt] = len(path)
        path.append(nxt)
    first = graph[ring[0]][ring[1]]
    shown = " -> ".join(ring)
    return [
        (
            ("transitions", first, "after"),
            f"timers can go round {shown} without time passing (every 'after' on the way is zero): "
            "give one of them a duration",
        )
    ]


DUNDER = "the state machine would bind it on the model, where names like __x__ belong to Python"


def _collisions(name: str, prefixes: Iterable[str], names: Iterable[str]) -> str | None:
    """The bound method ``name`` would be taken for: ``<prefix>_<one of names>``."""
    for prefix in prefixes:
        head = f"{prefix}{Machine.separator}"
        if name.startswith(head) and name[len(head) :] in names:
            return prefix
    return None


def reserved_names(states: Collection[str], events: Collection[str]) -> list[Fault]:
    """State and event names the ``transitions`` machine (``workflow.adapters.transitions``) gives a meaning
    (checked as soon as the names are known: a state ``*`` would otherwise be read as every state)."""
    states = frozenset(states)
    events = frozenset(events)
    out: list[Fault] = []
    for name in sorted(states):
        if name in STATE_MARKERS:
            out.append(
                (
                    ("states", name),
                    f"'{name}' cannot name a state: the state machine reads it as "
                    + ("every state" if name == Machine.wildcard_all else "the same state"),
                )
            )
        elif name.startswith("__") and name.endswith("__"):
            out.append(
                (
                    ("states", name),
                    f"'{name}' cannot name a state: {DUNDER}",
                )
            )
    for name in sorted(events):
        prefix: str | None
        if name in MODEL_METHODS:
            out.append((("events", name), f"'{name}' cannot name an event: the state machine uses it on every model"))
        elif name.startswith("__") and name.endswith("__"):
            out.append(
                (
                    ("events", name),
                    f"'{name}' cannot name an event: {DUNDER}",
                )
            )
        elif (prefix := _collisions(name, STATE_PREFIXES, states)) is not None:
            out.append(
                (
                    ("events", name),
                    f"'{name}' cannot name an event: the state machine uses '{prefix}_<state>' for state "
                    f"'{name[len(prefix) + 1 :]}'",
                )
            )
        elif (prefix := _collisions(name, EVENT_PREFIXES, events)) is not None:
            out.append(
                (
                    ("events", name),
                    f"'{name}' cannot name an event: the state machine uses '{prefix}_<event>' for event "
                    f"'{name[len(prefix) + 1 :]}'",
                )
            )
    return out


CHECKS = (zero_time_cycle,)
