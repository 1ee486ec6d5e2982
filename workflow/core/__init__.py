"""The generic engine: it knows no domain and does no I/O.

``Definition`` (frozen, hashed) and its compiled table, the structural checks, ``Rule`` and the registry,
``History``/``Step``/``Finding``, deciding and applying, ``Case``, clocks and business days.

This layer imports nothing else of the package: the file formats (``workflow.io``), the Amazon pack
(``workflow.amazon``) and the command line build on it, never the other way round. A domain pack plugs in
through the public registry of ``workflow.core.rules`` (rules, payload types, definition sections).
"""
