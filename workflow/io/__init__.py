"""Reading: YAML with a line map; the records of definition files; loading definitions and their resources.

Every error names its file, its line and the path inside the document: the core's converter reports each
fault with its path, and the line map of ``workflow.io.source`` places it. Built on ``workflow.core``; knows
no domain: the payload types and the resources a definition may carry come from the core's registries.
"""
