"""Drawing a definition: a small graph model, one renderer per format, SVG/PNG through Graphviz.

``model.graph(defn, trace)`` builds the model every renderer reads; ``mermaid.to_mermaid`` and ``dot.to_dot``
are pure text; ``graphviz.render`` hands DOT to Graphviz's ``dot`` for SVG or PNG; ``html.to_html`` makes one
self-contained page. ``draw`` does it all in one call. The same definition always gives the same bytes.
"""

from __future__ import annotations

from workflow.core.model import Definition
from workflow.diagram.dot import dot_escape, to_dot
from workflow.diagram.graphviz import dot_program, render
from workflow.diagram.html import to_html
from workflow.diagram.mermaid import mermaid_escape, to_mermaid
from workflow.diagram.model import Edge, Graph, Label, Node, graph, run_title
from workflow.errors import DiagramError, GraphvizFailed, GraphvizMissing, UnknownFormat
from workflow.run.scenario import Trace

FORMATS = ("mermaid", "dot", "svg", "png", "html")


def draw(defn: Definition, fmt: str, trace: Trace | None = None, *, title: str | None = None) -> bytes:
    """``defn`` (and ``trace``) drawn in ``fmt``: mermaid, dot, svg, png or html (SVG inside when Graphviz is here)."""
    if fmt not in FORMATS:
        raise UnknownFormat(fmt, FORMATS)
    g = graph(defn, trace, title=title)
    if fmt == "mermaid":
        return to_mermaid(g).encode()
    dot = to_dot(g)
    if fmt == "dot":
        return dot.encode()
    if fmt in ("svg", "png"):
        return render(dot, fmt)
    svg = render(dot, "svg").decode() if dot_program() is not None else None
    return to_html(g, trace, svg=svg).encode()


__all__ = [
    "FORMATS",
    "DiagramError",
    "Edge",
    "Graph",
    "GraphvizFailed",
    "GraphvizMissing",
    "Label",
    "Node",
    "dot_escape",
    "draw",
    "graph",
    "mermaid_escape",
    "render",
    "run_title",
    "to_dot",
    "to_html",
    "to_mermaid",
]
