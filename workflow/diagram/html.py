"""HTML: one self-contained page (no network, no scripts): the SVG inline, or the Mermaid source and a note,
and a run's steps beside it."""

from __future__ import annotations

import html

from workflow.core.clock import format_time
from workflow.diagram.mermaid import to_mermaid
from workflow.diagram.model import Graph, final_states_text
from workflow.errors import INSTALL_HINT, printable
from workflow.run.scenario import Trace

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
    # a name's control or format characters escaped: a page printed to a terminal moves no cursor
    return "\n".join(printable(line) for line in "\n".join(parts).split("\n")) + "\n"


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
    for ts in trace.steps:
        st = ts.step
        number = st.index  # numbered as everywhere (Step.index)
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
            f"<p>final states: <b>{html.escape(final_states_text(trace.final_states))}</b></p>"
            if trace.final_states is not None
            else f"<p>final state: <b>{html.escape(trace.final_state)}</b></p>"
        ),
        "</div>",
    ]
    return "\n".join(rows)
