"""The ``workflow`` command: a thin click adapter over the ``workflow`` package."""
