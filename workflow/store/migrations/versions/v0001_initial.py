"""The first schema: cases, steps, timers and links.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from workflow.store.tables import ID, JSONData, UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.String(ID), primary_key=True),
        sa.Column("definition", sa.String(ID), nullable=False),
        sa.Column("definition_version", sa.String(64), nullable=False),
        sa.Column("definition_hash", sa.String(128), nullable=False),
        sa.Column("state", sa.String(ID), nullable=False),
        sa.Column("facts", JSONData, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created", UTCDateTime, nullable=False),
        sa.Column("updated", UTCDateTime, nullable=False),
        sa.Column("next_due", UTCDateTime, nullable=True),
    )
    op.create_index("ix_cases_state", "cases", ["state", "id"])
    op.create_index("ix_cases_definition", "cases", ["definition", "state", "id"])
    op.create_index("ix_cases_next_due", "cases", ["next_due"])
    op.create_table(
        "steps",
        sa.Column("case_id", sa.String(ID), sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("event", sa.String(ID), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("source", sa.String(ID), nullable=False),
        sa.Column("target", sa.String(ID), nullable=False),
        sa.Column("accepted", sa.Boolean, nullable=False),
        sa.Column("timer", sa.Boolean, nullable=False),
        sa.Column("payload", JSONData, nullable=False),
        sa.Column("findings", JSONData, nullable=False),
        sa.Column("idempotency_key", sa.String(ID), nullable=True),
        sa.Column("actor", sa.String(ID), nullable=True),
        sa.Column("recorded", UTCDateTime, nullable=False),
        sa.UniqueConstraint("case_id", "idempotency_key", name="uq_steps_idempotency_key"),
    )
    op.create_table(
        "timers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(ID), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("event", sa.String(ID), nullable=False),
        sa.Column("due_at", UTCDateTime, nullable=False),
        sa.Column("rules", JSONData, nullable=False),
        sa.Column("armed_version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("lease_owner", sa.String(ID), nullable=True),
        sa.Column("leased_at", UTCDateTime, nullable=True),
    )
    op.create_index("ix_timers_due", "timers", ["status", "due_at"])
    op.create_index("ix_timers_case", "timers", ["case_id", "status"])
    op.create_table(
        "links",
        sa.Column("group_id", sa.String(ID), primary_key=True),
        sa.Column("member", sa.String(ID), primary_key=True),
        sa.Column("case_id", sa.String(ID), sa.ForeignKey("cases.id"), nullable=False, unique=True),
    )


def downgrade() -> None:
    op.drop_table("links")
    op.drop_index("ix_timers_case", table_name="timers")
    op.drop_index("ix_timers_due", table_name="timers")
    op.drop_table("timers")
    op.drop_table("steps")
    op.drop_index("ix_cases_next_due", table_name="cases")
    op.drop_index("ix_cases_definition", table_name="cases")
    op.drop_index("ix_cases_state", table_name="cases")
    op.drop_table("cases")
