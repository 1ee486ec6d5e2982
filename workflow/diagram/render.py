"""Diagrams: a ``Definition`` (and optionally a run's ``Trace``) -> a small graph model -> one renderer per format.

``graph(defn, trace)`` builds the model: one node per state (initial marked, terminal states by outcome), one
edge per transition and source state, labelled with its event and the ids of the rules that guard it. A
state's self-loops are grouped on one edge; self-loops every non-terminal state has (asking Seller Support)
are drawn once, as a note. With a trace, the model also carries the run: visited states, the steps that took
each edge (numbered from 1 by their place in the trace), each refused attempt as an edge of its own, and the
final state. A run of several named cases (a group) names the case before each edge's step numbers and ends in
every case's final state.

``to_mermaid`` and ``to_dot`` are pure text; ``render`` hands DOT to Graphviz's ``dot`` for SVG or PNG;
``to_html`` makes one self-contained page. The same definition always gives the same bytes.
"""

from __future__ import annotations

import hashlib
import html
import re
import shutil
import subprocess
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import attrs

from workflow.core.clock import format_time
from workflow.core.model import Definition
from workflow.errors import WorkflowError
from workflow.run.simulate import Trace

FORMATS = ("mermaid", "dot", "svg", "png", "html")
INSTALL_HINT = "install Graphviz (apt-get install graphviz, or brew install graphviz)"

# node kinds
NORMAL, SUCCESS, FAILURE, NEUTRAL = "normal", "success", "failure", "neutral"


class DiagramError(WorkflowError):
    """A diagram cannot be drawn as asked (e.g. a trace of another definition)."""


class GraphvizMissing(DiagramError):
    """SVG or PNG was asked for and Graphviz's ``dot`` is not on the PATH."""

    def __init__(self, fmt: str) -> None:
        self.format = fmt
        super().__init__(
            f"--format {fmt} needs Graphviz, and its 'dot' program was not found on the PATH; "
            f"{INSTALL_HINT}, or use --format mermaid or --format dot, which need nothing"
        )


class GraphvizFailed(DiagramError):
    """``dot`` ran and failed."""

    def __init__(self, fmt: str, code: int, stderr: str) -> None:
        self.format = fmt
        self.code = code
        self.stderr = stderr
        first = next((line.strip() for line in stderr.splitlines() if line.strip()), "no message")
        super().__init__(f"Graphviz 'dot -T{fmt}' failed with exit status {code}: {first}")


# ------------------------------------------------------------------------------------------------ the model


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
    steps: tuple[int, ...] = ()  # the run's step numbers (1-based) that took it
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
        return f"{head} (final states: {_final_states(trace.final_states)})"
    return f"{head} (final state: {trace.final_state})"


def _final_states(states: Mapping[str, str]) -> str:
    return ", ".join(f"{case}: {state}" for case, state in states.items())


def graph(defn: Definition, trace: Trace | None = None, *, title: str | None = None) -> Graph:
    """The diagram model of ``defn``; with ``trace`` (a run of ``defn``), the run drawn on top of it."""
    if trace is not None and trace.definition.hash != defn.hash:
        raise DiagramError(
            f"the run is of definition '{trace.definition.name}' {trace.definition.version}, "
            f"not of '{defn.name}' {defn.version} (their content hashes differ)"
        )
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
        for number, ts in enumerate(trace.steps, start=1):
            st = ts.step
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
            title += f" — a run ending in {_final_states(trace.final_states)}"
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
    """``(1, 4) `` before the event; in a run of named cases, each case after its steps: ``(2) books, (3) toys: ``."""
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


# ------------------------------------------------------------------------------------------------ Mermaid

_MERMAID_ESCAPES = {c: f"#{ord(c)};" for c in '#"&<>|%`\\[]{}'}


def mermaid_escape(text: str) -> str:
    """Text for inside a quoted Mermaid label: markup characters, line breaks and DEL as ``#NNN;`` codes; other
    control characters, which no XML can carry, as their Unicode pictures."""
    return "".join(_mermaid_char(c) for c in text)


def _mermaid_char(c: str) -> str:
    if c in _MERMAID_ESCAPES:
        return _MERMAID_ESCAPES[c]
    if c in "\t\n\r\x7f":
        return f"#{ord(c)};"
    return chr(0x2400 + ord(c)) if ord(c) < 32 else c


_M_COLORS = {
    "state": "fill:#f5f5f5,stroke:#444444,color:#222222",
    "initial": "fill:#f5f5f5,stroke:#222222,stroke-width:3px,color:#222222",
    "success": "fill:#d8f0d8,stroke:#2e7d32,stroke-width:3px,color:#1b5e20",
    "failure": "fill:#f8d7d7,stroke:#c62828,stroke-width:3px,color:#8e0000",
    "neutral": "fill:#e8e8e8,stroke:#616161,stroke-width:3px,color:#222222",
    "startdot": "fill:#222222,stroke:#222222",
    "note": "fill:#fffde7,stroke:#bdb76b,color:#333333",
    "unvisited": "fill:#fafafa,stroke:#bbbbbb,color:#9e9e9e",
    "visited": "stroke:#1565c0,stroke-width:3px",
    "final": "stroke:#0d47a1,stroke-width:6px",
}
_M_SHAPES = {NORMAL: ('("', '")'), SUCCESS: ('(["', '"])'), FAILURE: ('[["', '"]]'), NEUTRAL: ('[["', '"]]')}


def _mermaid_label(label: Label, refused: bool) -> str:
    """The head line, then the rule ids in brackets (names never hold a raw bracket: it is escaped)."""
    head, rules = label_lines(label, refused)
    lines = [mermaid_escape(x) for x in rules]
    if lines:
        lines[0] = "[" + lines[0]
        lines[-1] += "]"
    return "<br/>".join([mermaid_escape(head), *lines])


def to_mermaid(g: Graph) -> str:
    """A Mermaid flowchart (renders where Markdown renders Mermaid)."""
    out = ["---", f"title: {_json_string(g.title)}", "---", "flowchart LR"]
    out += [f"    classDef {name} {style}" for name, style in _M_COLORS.items()]
    links: list[str] = []
    link_styles: list[tuple[int, str]] = []

    def link(text: str, style: str | None) -> None:
        if style is not None:
            link_styles.append((len(links), style))
        links.append(text)

    out.append('    n_start((" ")):::startdot')
    for n in g.nodes:
        opener, closer = _M_SHAPES[n.kind]
        text = mermaid_escape(n.name)
        if n.kind != NORMAL:
            text += "<br/>" + mermaid_escape(f"({OUTCOME_TEXT[n.kind]})")
        cls = "state" if n.kind == NORMAL and not n.initial else ("initial" if n.kind == NORMAL else n.kind)
        out.append(f"    {n.id}{opener}{text}{closer}:::{cls}")
    if g.everywhere:
        lines = [mermaid_escape(EVERYWHERE_NOTE)]
        for lab in g.everywhere:
            rules = f" [{mermaid_escape(', '.join(lab.rules))}]" if lab.rules else ""
            lines.append(mermaid_escape(label_lines(lab)[0]) + rules)
        out.append(f'    n_loops["{"<br/>".join(lines)}"]:::note')
    initial = next(n for n in g.nodes if n.initial)
    link(f"n_start --> {initial.id}", None)
    for e in g.edges:
        text = "<br/>".join(_mermaid_label(lab, e.refused) for lab in e.labels)
        if e.refused:
            link(f'{e.source} -.->|"{text}"| {e.dest}', "stroke:#c62828,stroke-width:2px,color:#c62828")
        elif e.taken:
            link(f'{e.source} ==>|"{text}"| {e.dest}', "stroke:#1565c0,stroke-width:3px,color:#1565c0")
        else:
            link(f'{e.source} -->|"{text}"| {e.dest}', "stroke:#bbbbbb,color:#9e9e9e" if g.run else None)
    out += [f"    {x}" for x in links]
    out += [f"    linkStyle {i} {style}" for i, style in link_styles]
    if g.run:
        for cls, members in (
            ("unvisited", [n.id for n in g.nodes if not n.visited]),
            ("visited", [n.id for n in g.nodes if n.visited and not n.final]),
            ("final", [n.id for n in g.nodes if n.final]),
        ):
            if members:
                out.append(f"    class {','.join(members)} {cls}")
    return "\n".join(out) + "\n"


def _json_string(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


# ------------------------------------------------------------------------------------------------ DOT


def dot_escape(text: str) -> str:
    """Text for inside a double-quoted DOT string: backslashes, quotes and line breaks escaped; other control
    characters, which would make the SVG ill-formed XML, drawn as their Unicode pictures."""
    text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "\\n")
    return "".join(chr(0x2400 + ord(c)) if ord(c) < 32 and c != "\t" else c for c in text)


def html_text(text: str) -> str:
    """Text for inside a Graphviz HTML-like label: ``& < > "`` as entities, ``[ ]`` and line breaks as codes,
    backslashes doubled (Graphviz reads ``\\N`` and ``\\\\`` as escapes even there, after decoding entities;
    and its HTML-label reader refuses a lone ``]``)."""
    escaped = html.escape(text.replace("\\", "\\\\"), quote=False).replace('"', "&quot;")
    return "".join(_html_char(c) for c in escaped)


def _html_char(c: str) -> str:
    """XML cannot carry most control characters even as references: they are drawn as their Unicode pictures."""
    if c in "\t\n\r[]":
        return f"&#{ord(c)};"
    if ord(c) < 32:
        return chr(0x2400 + ord(c))
    return c


_D_NODE = {
    NORMAL: 'fillcolor="#f5f5f5", color="#444444"',
    SUCCESS: 'fillcolor="#d8f0d8", color="#2e7d32", fontcolor="#1b5e20", peripheries=2',
    FAILURE: 'fillcolor="#f8d7d7", color="#c62828", fontcolor="#8e0000", peripheries=2',
    NEUTRAL: 'fillcolor="#e8e8e8", color="#616161", peripheries=2',
}
BLUE, RED, GREY = "#1565c0", "#c62828", "#b0b0b0"


def _dot_label(labels: Iterable[Label], refused: bool, rule_color: str) -> str:
    parts = []
    for lab in labels:
        head, rules = label_lines(lab, refused)
        part = f"<b>{html_text(head)}</b>"
        if rules:
            body = "<br/>".join(html_text(r) for r in rules)
            part += f'<br/><font point-size="9" color="{rule_color}">{body}</font>'
        parts.append(part)
    return "<" + "<br/>".join(parts) + ">"


def to_dot(g: Graph) -> str:
    """A Graphviz DOT digraph, left to right."""
    out = [
        f'digraph "{dot_escape(g.name)}" {{',
        f'    graph [rankdir=LR, fontname="Helvetica", fontsize=14, labelloc=t, label="{dot_escape(g.title)}", '
        "nodesep=0.35, ranksep=0.55, pad=0.2];",
        '    node [fontname="Helvetica", fontsize=12, shape=box, style="rounded,filled", penwidth=1.2];',
        '    edge [fontname="Helvetica", fontsize=10, color="#555555", arrowsize=0.7];',
        '    n_start [shape=point, width=0.18, style=filled, color="#222222", label=""];',
    ]
    for n in g.nodes:
        attrs_ = [f'label="{dot_escape(n.name)}"', _D_NODE[n.kind]]
        if n.kind != NORMAL:
            attrs_[0] = f'label=<{html_text(n.name)}<br/><font point-size="9">{OUTCOME_TEXT[n.kind]}</font>>'
        if n.description:
            # Graphviz reads a tooltip's escapes twice: each backslash is written as four
            attrs_.append(f'tooltip="{dot_escape(n.description.replace(chr(92), chr(92) * 2))}"')
        if n.initial:
            attrs_.append("penwidth=2.5")
        if g.run:
            if n.final:
                attrs_.append(f'penwidth=4, color="{BLUE}", style="rounded,filled,bold"')
            elif n.visited:
                attrs_.append(f'penwidth=2.5, color="{BLUE}"')
            else:
                attrs_.append(f'fillcolor="#fafafa", color="{GREY}", fontcolor="#9e9e9e"')
        out.append(f"    {n.id} [{', '.join(attrs_)}];")
    if g.everywhere:
        lines = [html_text(EVERYWHERE_NOTE)]
        for lab in g.everywhere:
            rules = (
                f' <font point-size="9" color="#555555">{html_text(", ".join(lab.rules))}</font>' if lab.rules else ""
            )
            lines.append(f"<b>{html_text(label_lines(lab)[0])}</b>{rules}")
        body = "<br/>".join(lines)
        note = 'shape=note, style=filled, fillcolor="#fffde7", color="#bdb76b", fontsize=10'
        out.append(f"    n_loops [{note}, label=<{body}>];")
    initial = next(n for n in g.nodes if n.initial)
    out.append(f"    n_start -> {initial.id};")
    for e in g.edges:
        if e.refused:
            style = f'style=dashed, color="{RED}", fontcolor="{RED}", penwidth=1.5'
            label = _dot_label(e.labels, True, RED)
        elif e.taken:
            style = f'color="{BLUE}", fontcolor="{BLUE}", penwidth=2.5'
            label = _dot_label(e.labels, False, "#555555")
        elif g.run:
            style = f'color="{GREY}", fontcolor="#9e9e9e"'
            label = _dot_label(e.labels, False, "#9e9e9e")
        else:
            style = ""
            label = _dot_label(e.labels, False, "#555555")
        extra = f", {style}" if style else ""
        out.append(f"    {e.source} -> {e.dest} [label={label}{extra}];")
    out.append("}")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------------------------------ Graphviz


def graphviz() -> str | None:
    """The path of Graphviz's ``dot``, or None."""
    return shutil.which("dot")


def graphviz_version() -> str:
    """``dot -V``'s version number, e.g. ``2.43.0``."""
    exe = graphviz()
    if exe is None:
        raise GraphvizMissing("svg")
    done = subprocess.run([exe, "-V"], capture_output=True, text=True, check=False, timeout=60)
    found = re.search(r"version\s+(\S+)", done.stderr + done.stdout)
    return found.group(1) if found else "unknown"


_GENERATED = re.compile(r"<!-- Generated by graphviz version [^>]*-->\n")


def render(dot_text: str, fmt: str) -> bytes:
    """DOT -> ``svg`` or ``png`` bytes through Graphviz. SVG carries the DOT's hash and Graphviz's version."""
    if fmt not in ("svg", "png"):
        raise ValueError(f"render makes svg or png, not {fmt!r}")
    exe = graphviz()
    if exe is None:
        raise GraphvizMissing(fmt)
    done = subprocess.run([exe, f"-T{fmt}"], input=dot_text.encode(), capture_output=True, check=False, timeout=120)
    if done.returncode != 0:
        raise GraphvizFailed(fmt, done.returncode, done.stderr.decode(errors="replace"))
    if fmt == "png":
        return done.stdout
    svg = _GENERATED.sub("", done.stdout.decode())
    stamp = f"<!-- drawn by Graphviz {graphviz_version()} from DOT sha256 {dot_hash(dot_text)} -->\n"
    head, sep, rest = svg.partition("?>\n")
    svg = head + sep + stamp + rest if sep else stamp + svg
    return svg.encode()


def dot_hash(dot_text: str) -> str:
    return hashlib.sha256(dot_text.encode()).hexdigest()


_STAMP = re.compile(r"<!-- drawn by Graphviz (\S+) from DOT sha256 ([0-9a-f]{64}) -->")


def svg_stamp(svg: str) -> tuple[str, str] | None:
    """``(graphviz version, DOT sha256)`` recorded in an SVG made by ``render``, or None."""
    found = _STAMP.search(svg)
    return (found.group(1), found.group(2)) if found else None


# ------------------------------------------------------------------------------------------------ HTML

_CSS = """
body { font-family: Helvetica, Arial, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.3em; }
.layout { display: flex; flex-wrap: wrap; gap: 2em; align-items: flex-start; }
.diagram { flex: 2 1 640px; overflow: auto; }
.diagram svg { max-width: 100%; height: auto; }
.steps { flex: 1 1 420px; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.35em 0.5em; vertical-align: top; text-align: left; }
tr.refused td { background: #fdecea; }
.rule { font-family: monospace; }
.source { color: #555; }
.note { background: #fffde7; border: 1px solid #bdb76b; padding: 0.6em; }
pre { background: #f5f5f5; padding: 0.8em; overflow: auto; }
"""


def to_html(g: Graph, trace: Trace | None = None, *, svg: str | None = None) -> str:
    """One self-contained page: the SVG inline (or, without it, the Mermaid source and a note), and the run's steps."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        '<head><meta charset="utf-8">',
        f"<title>{html.escape(g.title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{html.escape(g.title)}</h1>",
        '<div class="layout">',
        '<div class="diagram">',
    ]
    if svg is not None:
        parts.append(_inline_svg(svg))
    else:
        parts.append(
            '<p class="note">Graphviz is not installed, so this page carries the diagram as Mermaid source: '
            "paste it into any Mermaid renderer, or "
            f"{html.escape(INSTALL_HINT)} and draw the page again for the picture.</p>"
        )
        parts.append(f'<pre class="mermaid-source">{html.escape(to_mermaid(g))}</pre>')
    parts.append("</div>")
    if trace is not None:
        parts.append(_steps_table(trace))
    parts += ["</div>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"


def _inline_svg(svg: str) -> str:
    start = svg.find("<svg")
    return svg[start:].strip() if start >= 0 else svg


def _steps_table(trace: Trace) -> str:
    """The run's steps, numbered by their place in the trace as on the diagram; a run of named cases names each."""
    named = trace.final_states is not None
    case_head = "<th>case</th>" if named else ""
    rows = [
        '<div class="steps">',
        "<table>",
        f"<thead><tr><th>step</th>{case_head}<th>at</th><th>event</th><th>state change</th><th>result</th></tr>"
        "</thead>",
        "<tbody>",
    ]
    for number, ts in enumerate(trace.steps, start=1):
        st = ts.step
        change = f"{st.source} → {st.target}" if st.source != st.target else f"{st.source} (stays)"
        event = st.event + (" (timer)" if st.timer else "")
        refusals = "".join(
            f'<li><span class="rule">{html.escape(f.rule)}</span>: {html.escape(f.message)} '
            f'<span class="source">[{html.escape(f.source)}]</span></li>'
            for f in st.refusals
        )
        why = f"refused by<ul>{refusals}</ul>" if refusals else "accepted"
        cls = ' class="refused"' if not st.accepted else ""
        case_cell = f"<td>{html.escape(ts.case or '')}</td>" if named else ""
        rows.append(
            f"<tr{cls}><td>{number}</td>{case_cell}"
            f"<td>{format_time(st.at)}</td><td>{html.escape(event)}</td>"
            f"<td>{html.escape(change)}</td><td>{why}</td></tr>"
        )
    rows += [
        "</tbody>",
        "</table>",
        (
            f"<p>final states: <b>{html.escape(_final_states(trace.final_states))}</b></p>"
            if trace.final_states is not None
            else f"<p>final state: <b>{html.escape(trace.final_state)}</b></p>"
        ),
        "</div>",
    ]
    return "\n".join(rows)


# ------------------------------------------------------------------------------------------------ one call


def draw(defn: Definition, fmt: str, trace: Trace | None = None, *, title: str | None = None) -> bytes:
    """``defn`` (and ``trace``) drawn in ``fmt``: mermaid, dot, svg, png or html (SVG inside when Graphviz is here)."""
    if fmt not in FORMATS:
        raise DiagramError(f"unknown diagram format '{fmt}' (known: {', '.join(FORMATS)})")
    g = graph(defn, trace, title=title)
    if fmt == "mermaid":
        return to_mermaid(g).encode()
    dot = to_dot(g)
    if fmt == "dot":
        return dot.encode()
    if fmt in ("svg", "png"):
        return render(dot, fmt)
    svg = render(dot, "svg").decode() if graphviz() is not None else None
    return to_html(g, trace, svg=svg).encode()


# ------------------------------------------------------------------------------------------------ diagrams/

#: the example run drawn in ``diagrams/``: a scenario file of the main lifecycle
EXAMPLE_RUN = Path("examples") / "strong_poa_after_one_rejection.yaml"
DIAGRAM_SUFFIXES = (".mmd", ".dot", ".svg")


def run_stem(scenario: Path) -> str:
    """The file stem of a run's diagrams: ``run-<scenario stem>``."""
    return f"run-{scenario.stem}"


def builtin_diagrams(example: Path | None, *, svg: bool) -> dict[str, bytes]:
    """File name -> content of every diagram in ``diagrams/``: each built-in definition and the example run."""
    from workflow.io.load import builtin_names, load
    from workflow.run.simulate import simulate

    drawn: list[tuple[str, Graph]] = [(name, graph(load(name))) for name in builtin_names()]
    if example is not None:
        trace = simulate(example)
        drawn.append(
            (
                run_stem(example),
                graph(trace.definition, trace, title=run_title(trace, example.stem)),
            )
        )
    files: dict[str, bytes] = {}
    for stem, g in drawn:
        dot = to_dot(g)
        files[f"{stem}.mmd"] = to_mermaid(g).encode()
        files[f"{stem}.dot"] = dot.encode()
        if svg:
            files[f"{stem}.svg"] = render(dot, "svg")
    return files


_EMBEDDED = re.compile(r"(<!-- (diagrams/[^ ]+\.mmd) -->\n```mermaid\n)(.*?)(```)", re.S)


def embed(markdown: str, files: dict[str, bytes]) -> str:
    """``markdown`` with each block marked ``<!-- diagrams/NAME.mmd -->`` (then a mermaid fence) made current."""

    def fresh(found: re.Match[str]) -> str:
        name = found.group(2).removeprefix("diagrams/")
        if name not in files:
            return found.group(0)
        return found.group(1) + files[name].decode() + found.group(4)

    return _EMBEDDED.sub(fresh, markdown)


__all__ = [
    "FORMATS",
    "DiagramError",
    "Edge",
    "Graph",
    "GraphvizFailed",
    "GraphvizMissing",
    "Label",
    "Node",
    "builtin_diagrams",
    "dot_escape",
    "draw",
    "embed",
    "graph",
    "mermaid_escape",
    "render",
    "to_dot",
    "to_html",
    "to_mermaid",
]
