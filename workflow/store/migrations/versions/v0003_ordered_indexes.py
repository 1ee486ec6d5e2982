"""Indexes that hold each listing's rows in the order it is asked for, so no query sorts.

Every list is ordered by ``id`` after its filters: by state ``ix_cases_state (state, id)`` (unchanged), by
definition the new ``ix_cases_definition (definition, id)`` (also what ``migrate`` walks), by definition and
state ``ix_cases_definition_state (definition, state, id)`` (the index that was ``ix_cases_definition``,
renamed). ``due`` and ``run_due`` ask ``WHERE status = 'armed' AND due_at <= ? ORDER BY due_at, id``:
``ix_timers_due`` becomes ``(status, due_at, id)`` (it was ``(status, due_at)``, after which PostgreSQL sorted
each run of equal due times by ``id``).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _rename_or_remake(old: str, new: str, columns: list[str]) -> None:
    """Rename index ``old`` of ``cases`` to ``new`` (PostgreSQL renames in place; SQLite cannot, so it is remade)."""
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"ALTER INDEX {old} RENAME TO {new}")
    else:
        op.drop_index(old, table_name="cases")
        op.create_index(new, "cases", columns)


def upgrade() -> None:
    _rename_or_remake("ix_cases_definition", "ix_cases_definition_state", ["definition", "state", "id"])
    op.create_index("ix_cases_definition", "cases", ["definition", "id"])
    op.drop_index("ix_timers_due", table_name="timers")
    op.create_index("ix_timers_due", "timers", ["status", "due_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_timers_due", table_name="timers")
    op.create_index("ix_timers_due", "timers", ["status", "due_at"])
    op.drop_index("ix_cases_definition", table_name="cases")
    _rename_or_remake("ix_cases_definition_state", "ix_cases_definition", ["definition", "state", "id"])
