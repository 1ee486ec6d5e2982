"""Reading and writing: YAML with a line map, structuring, definitions, scenarios and snapshots.

Every error names its file, its line and the path inside the document. Built on ``workflow.core``; knows no
domain: the payload types and the sections a definition may carry come from the core's registry.
"""
