"""DOT: the diagram model as a Graphviz digraph, left to right (pure text; ``graphviz.render`` draws it)."""

from __future__ import annotations

import html
from collections.abc import Iterable

from workflow.diagram.model import (
    EVERYWHERE_NOTE,
    FAILURE,
    NEUTRAL,
    NORMAL,
    OUTCOME_TEXT,
    SUCCESS,
    Graph,
    Label,
    label_lines,
    visible,
)


def dot_escape(text: str) -> str:
    """Text for inside a double-quoted DOT string: backslashes, quotes and line breaks escaped; other control
    characters, which would make the SVG ill-formed XML, drawn as their Unicode pictures."""
    text = visible(text).replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "\\n")
    return "".join(chr(0x2400 + ord(c)) if ord(c) < 32 else c for c in text)


def html_text(text: str) -> str:
    """Text for inside a Graphviz HTML-like label: ``& < > "`` as entities, ``[ ]`` and line breaks as codes,
    backslashes doubled (Graphviz reads ``\\N`` and ``\\\\`` as escapes even there, after decoding entities;
    and its HTML-label reader refuses a lone ``]``)."""
    escaped = html.escape(visible(text).replace("\\", "\\\\"), quote=False).replace('"', "&quot;")
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
