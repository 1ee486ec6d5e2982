"""The diagram model: a ``Definition`` (and optionally a run's ``Trace``) as nodes, edges and labels.

``graph(defn, trace)`` builds it: one node per state (initial marked, terminal states by outcome), one edge per
transition and source state, labelled with its event and the ids of the rules that guard it. A state's
self-loops are grouped on one edge; self-loops every non-terminal state has (asking Seller Support) are drawn
once, as a note. With a trace, the model also carries the run: visited states, the steps that took each edge
(numbered from 1 by their place in the trace), each refused attempt as an edge of its own, and the final
state. A run of several named cases (a group) names the case before each edge's step numbers and ends in
every case's final state. Every renderer reads only this model (and the text helpers at the end).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

import attrs

from workflow.core.model import Definition
from workflow.errors import TraceMismatch
from workflow.run.scenario import Trace

# node kinds
NORMAL, SUCCESS, FAILURE, NEUTRAL = "normal", "success", "failure", "neutral"


@attrs.frozen
class Node:
    """A state. ``kind`` is ``normal`` or, for a terminal state, its outcome: ``success``/``failure``/``neutral``."""

    id: str
    name: str
    kind: str
    initial: bool = False
    description: str = ""
    visited: bool = False  # the run passed through it
    final: bool = False  # the run ended in it


@attrs.frozen
class Label:
    """One event on an edge: its guarding rule ids (for a refused attempt: the refusing ones) and the run's steps."""

    event: str
    rules: tuple[str, ...] = ()
    timer: str | None = None  # "after 10d" transitions
    steps: tuple[int, ...] = ()  # the run's step numbers (``Step.index``, from 0, per case) that took it
    cases: tuple[str, ...] = ()  # in a run of named cases: the case of each of ``steps``, in the same order


@attrs.frozen
class Edge:
    """From one state to another (or the same): one label per event; ``refused`` for a refused attempt of a run."""

    source: str  # node id
    dest: str  # node id
    labels: tuple[Label, ...]
    refused: bool = False

    @property
    def loop(self) -> bool:
        return self.source == self.dest

    @property
    def taken(self) -> bool:
        return not self.refused and any(lab.steps for lab in self.labels)


@attrs.frozen
class Graph:
    """What a diagram shows; every renderer reads only this."""

    name: str
    title: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    everywhere: tuple[Label, ...] = ()  # self-loops every non-terminal state has, drawn once as a note
    run: bool = False  # a run is drawn on the process

    def node(self, node_id: str) -> Node:
        return next(n for n in self.nodes if n.id == node_id)


def _kind(outcome: str | None, terminal: bool) -> str:
    if not terminal:
        return NORMAL
    return outcome if outcome in (SUCCESS, FAILURE) else NEUTRAL


def run_title(trace: Trace, name: str) -> str:
    """The title of a run's diagram: the definition, the run's name (its scenario file's stem) and its end (each
    case's, in a run of named cases)."""
    head = f"{trace.definition.name} {trace.definition.version} — run: {name}"
    if trace.final_states is not None:
        return f"{head} (final states: {final_states_text(trace.final_states)})"
    return f"{head} (final state: {trace.final_state})"


def final_states_text(states: Mapping[str, str]) -> str:
    """``case: state, ...`` for a run of named cases."""
    return ", ".join(f"{case}: {state}" for case, state in states.items())


def graph(defn: Definition, trace: Trace | None = None, *, title: str | None = None) -> Graph:
    """The diagram model of ``defn``; with ``trace`` (a run of ``defn``), the run drawn on top of it."""
    if trace is not None and trace.definition.hash != defn.hash:
        raise TraceMismatch((trace.definition.name, trace.definition.version), (defn.name, defn.version))
    ids = {s.name: f"n{i}" for i, s in enumerate(defn.states)}
    non_terminal = [s.name for s in defn.states if not s.terminal]
    edges: list[Edge] = []
    loops: dict[str, list[Label]] = {s.name: [] for s in defn.states}
    for t in defn.transitions:
        label = Label(
            event=t.event,
            rules=tuple(dict.fromkeys(g.id for g in t.guards)),
            timer=f"after {t.timer.text}" if t.timer else None,
        )
        for src in t.sources:
            if src == t.dest:
                if label not in loops[src]:
                    loops[src].append(label)
            else:
                edges.append(Edge(ids[src], ids[t.dest], (label,)))
    everywhere: list[Label] = []
    if len(non_terminal) >= 2:
        everywhere = [lab for lab in loops[non_terminal[0]] if all(lab in loops[n] for n in non_terminal[1:])]
        for name in non_terminal:
            loops[name] = [lab for lab in loops[name] if lab not in everywhere]

    visited: set[str] = set()
    finals: set[str] = set()
    refused: list[Edge] = []
    if trace is not None:
        visited.add(trace.initial_state)
        finals = set(trace.final_states.values()) if trace.final_states is not None else {trace.final_state}
        named = trace.final_states is not None
        for ts in trace.steps:
            st = ts.step
            number = st.index  # the step's number everywhere: the table's #, the JSON's index, Step.index
            case = (ts.case or "",) if named else ()
            visited.add(st.source)
            if not st.accepted:
                refused.append(_refused_edge(defn, ids, st.source, st.event, st.blocked_by, number, case))
                continue
            visited.add(st.target)
            if st.source == st.target:
                loops[st.source] = _mark_loop(loops[st.source], everywhere, st.event, number, case)
            else:
                edges = _mark_edge(edges, ids[st.source], ids[st.target], st.event, number, case)

    for s in defn.states:
        if loops[s.name]:
            edges.append(Edge(ids[s.name], ids[s.name], tuple(loops[s.name])))
    nodes = tuple(
        Node(
            id=ids[s.name],
            name=s.name,
            kind=_kind(s.outcome, s.terminal),
            initial=s.initial,
            description=s.description,
            visited=s.name in visited,
            final=s.name in finals,
        )
        for s in defn.states
    )
    if title is None:
        title = f"{defn.name} {defn.version}"
        if trace is not None and trace.final_states is not None:
            title += f" — a run ending in {final_states_text(trace.final_states)}"
        elif trace is not None:
            title += f" — a run ending in {trace.final_state}"
    return Graph(
        name=defn.name,
        title=title,
        nodes=nodes,
        edges=(*edges, *refused),
        everywhere=tuple(everywhere),
        run=trace is not None,
    )


def _with_step(label: Label, number: int, case: tuple[str, ...]) -> Label:
    """``label`` also taken by step ``number`` (of ``case``, a one-name tuple, in a run of named cases)."""
    return attrs.evolve(label, steps=(*label.steps, number), cases=(*label.cases, *case))


def _mark_edge(edges: list[Edge], source: str, dest: str, event: str, number: int, case: tuple[str, ...]) -> list[Edge]:
    for i, e in enumerate(edges):
        if e.source == source and e.dest == dest and e.labels[0].event == event:
            edges[i] = attrs.evolve(e, labels=(_with_step(e.labels[0], number, case), *e.labels[1:]))
            return edges
    # not a transition of the definition (cannot happen for a trace of it): drawn anyway, never dropped
    edges.append(Edge(source, dest, (_with_step(Label(event=event), number, case),)))
    return edges


def _mark_loop(
    labels: list[Label], everywhere: Sequence[Label], event: str, number: int, case: tuple[str, ...]
) -> list[Label]:
    for i, lab in enumerate(labels):
        if lab.event == event:
            labels[i] = _with_step(lab, number, case)
            return labels
    shared = next((lab for lab in everywhere if lab.event == event), Label(event=event))
    return [*labels, _with_step(shared, number, case)]


def _refused_edge(
    defn: Definition,
    ids: dict[str, str],
    source: str,
    event: str,
    blocked_by: tuple[str, ...],
    number: int,
    case: tuple[str, ...],
) -> Edge:
    """A refused attempt points where the event would have gone; when that is not one state, back at its source."""
    dests = {t.dest for t in defn.transitions if t.event == event and source in t.sources}
    dest = dests.pop() if len(dests) == 1 else source
    label = _with_step(Label(event=event, rules=blocked_by), number, case)
    return Edge(ids[source], ids[dest], (label,), refused=True)


# ------------------------------------------------------------------------------------------------ shared text

EVERYWHERE_NOTE = "in every non-terminal state, the case stays on:"
OUTCOME_TEXT = {SUCCESS: "end: success", FAILURE: "end: failure", NEUTRAL: "end"}


def _steps_prefix(label: Label) -> str:
    """``(0, 3) `` before the event; in a run of named cases, each case after its steps: ``(2) books, (3) toys: ``."""
    if not label.steps:
        return ""
    if not label.cases:
        return f"({', '.join(str(n) for n in label.steps)}) "
    by_case: dict[str, list[int]] = {}
    for number, case in zip(label.steps, label.cases, strict=True):
        by_case.setdefault(case, []).append(number)
    return ", ".join(f"({', '.join(str(n) for n in numbers)}) {case}" for case, numbers in by_case.items()) + ": "


def label_lines(label: Label, refused: bool = False) -> tuple[str, list[str]]:
    """A label as its head line (step numbers, event, timer) and the lines of rule ids under it."""
    head = _steps_prefix(label) + ("✗ " if refused else "") + label.event
    if label.timer:
        head += f" ({label.timer})"
    rules = (
        textwrap.wrap(", ".join(label.rules), 40, break_long_words=False, break_on_hyphens=False) if label.rules else []
    )
    return head, rules


def visible(text: str) -> str:
    """``text`` with each character from DEL on that is not printable (C1 controls such as the terminal's CSI,
    bidirectional overrides, line separators) written as its escape, ``\\x9b``, ``\\u202e``: a diagram's
    text shows them and no terminal or viewer acts on them. (The diagrams draw C0 controls their own way.)"""
    if text.isprintable():
        return text
    return "".join(
        c.encode("unicode_escape").decode("ascii") if ord(c) >= 0x7F and not c.isprintable() else c for c in text
    )
