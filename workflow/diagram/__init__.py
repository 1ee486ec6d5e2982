"""Drawing a definition: a small graph model, Mermaid, DOT and HTML, and SVG/PNG through Graphviz."""
