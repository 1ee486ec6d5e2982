"""Mermaid: the diagram model as a Mermaid flowchart (renders where Markdown renders Mermaid)."""

from __future__ import annotations

import json

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

_MERMAID_ESCAPES = {c: f"#{ord(c)};" for c in '#"&<>|%`\\[]{}'}


def mermaid_escape(text: str) -> str:
    """Text for inside a quoted Mermaid label: markup characters, line breaks and DEL as ``#NNN;`` codes; other
    control characters, which no XML can carry, as their Unicode pictures."""
    return "".join(_mermaid_char(c) for c in visible(text))


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
    out = ["---", f"title: {json.dumps(g.title, ensure_ascii=False)}", "---", "flowchart LR"]
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
