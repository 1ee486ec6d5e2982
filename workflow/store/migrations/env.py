"""Alembic's entry point for the store: it runs on the connection ``workflow.store.database`` hands it.

Imported outside a migration run (as tools that import every module do), it does nothing.
"""

from __future__ import annotations

from alembic import context

from workflow.store.tables import metadata


def run_migrations() -> None:
    """Run the migrations on the connection the store passed in the configuration's attributes."""
    connection = context.config.attributes.get("connection")
    if connection is None:  # pragma: no cover - the store always passes its connection
        raise RuntimeError("the store's migrations run through workflow.store (workflow store upgrade), not alone")
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


try:
    _running = context.config is not None
except AttributeError:  # alembic's context exists only while a migration runs
    _running = False
if _running:
    run_migrations()
