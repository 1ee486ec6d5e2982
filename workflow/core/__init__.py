"""The generic engine: it knows no domain and does no I/O.

``Definition`` (frozen, hashed) and its compiled table, the structural checks, ``Rule`` and the registry,
``History``/``Step``/``Finding``, deciding and applying, ``Case``, clocks and business days; and structuring
(``workflow.core.structure``): the one cattrs converter that turns plain data into the engine's records, for
payloads, facts, snapshots and every file the loaders read.

This layer imports nothing else of the package: the file formats (``workflow.io``), the Amazon pack
(``workflow.amazon``) and the command line build on it, never the other way round. A domain pack plugs in
through public registries: rules (``workflow.core.rules.register``), payload types
(``workflow.core.structure.register_payload_type``, with ``register_fast_path`` for a record on a measured hot
path) and definition resources (``workflow.core.resources.register_resource``).
"""
