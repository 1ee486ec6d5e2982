"""Steps of linked cases carry the number of the group's write that made them and,
for a cascaded step, the member whose event set it off: a group replays in order.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from workflow.store.tables import ID

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("steps") as batch:
        batch.add_column(sa.Column("group_write", sa.Integer, nullable=True))
        batch.add_column(sa.Column("cascade_from", sa.String(ID), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("steps") as batch:
        batch.drop_column("cascade_from")
        batch.drop_column("group_write")
