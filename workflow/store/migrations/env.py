"""Alembic's entry point for the store: it runs on the connection ``workflow.store.database`` hands it."""

from __future__ import annotations

from alembic import context

from workflow.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - the store always passes its connection
    raise RuntimeError("the store's migrations run through workflow.store (workflow store upgrade), not alone")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
