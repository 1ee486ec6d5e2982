"""The store's tables as SQLAlchemy Core objects: what the queries are written against.

The schema itself is created and changed by the Alembic revisions in ``migrations/versions``; a test checks
that the head revision and these tables agree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect

UTC = dt.timezone.utc


class UTCDateTime(sa.types.TypeDecorator[dt.datetime]):
    """An aware UTC datetime: ``timestamptz`` on PostgreSQL, UTC without an offset on SQLite (which keeps none)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"a naive datetime cannot be stored: {value!r}")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


#: JSON on SQLite, JSONB on PostgreSQL
JSONData: Any = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

ID = 200  # the longest case id, definition name, state or event name stored

metadata = sa.MetaData()

cases = sa.Table(
    "cases",
    metadata,
    sa.Column("id", sa.String(ID), primary_key=True),
    sa.Column("definition", sa.String(ID), nullable=False),
    sa.Column("definition_version", sa.String(64), nullable=False),
    sa.Column("definition_hash", sa.String(128), nullable=False),
    sa.Column("state", sa.String(ID), nullable=False),
    sa.Column("facts", JSONData, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),  # the number of steps in the case's history
    sa.Column("created", UTCDateTime, nullable=False),
    sa.Column("updated", UTCDateTime, nullable=False),
    sa.Column("next_due", UTCDateTime, nullable=True),  # the soonest armed item in ``timers``
    #: each list's filters and then its order (``id``): by state, by definition, by both
    sa.Index("ix_cases_state", "state", "id"),
    sa.Index("ix_cases_definition", "definition", "id"),
    sa.Index("ix_cases_definition_state", "definition", "state", "id"),
    sa.Index("ix_cases_next_due", "next_due"),
)

steps = sa.Table(
    "steps",
    metadata,
    sa.Column("case_id", sa.String(ID), sa.ForeignKey("cases.id"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),  # the step's index in the case's history
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
    sa.Column("recorded", UTCDateTime, nullable=False),  # when the store committed it (the store's clock)
    #: for a linked case's step, the number of the group's write that made it (the group replays in that order)
    sa.Column("group_write", sa.Integer, nullable=True),
    #: for a step a cascade set off at a linked case, the member whose event set it off
    sa.Column("cascade_from", sa.String(ID), nullable=True),
    sa.UniqueConstraint("case_id", "idempotency_key", name="uq_steps_idempotency_key"),
)

#: what comes due per case: ``kind`` is ``timer`` (a timed transition, fired by ``run_due``) or ``opening``
timers = sa.Table(
    "timers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.String(ID), sa.ForeignKey("cases.id"), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("event", sa.String(ID), nullable=False),
    sa.Column("due_at", UTCDateTime, nullable=False),
    sa.Column("rules", JSONData, nullable=False),
    sa.Column("armed_version", sa.Integer, nullable=False),  # the case's version when this was armed
    sa.Column("status", sa.String(16), nullable=False),  # armed | fired | stale | superseded
    sa.Column("lease_owner", sa.String(ID), nullable=True),  # the worker whose transaction claimed it
    sa.Column("leased_at", UTCDateTime, nullable=True),
    #: ``due`` and ``run_due``: armed items by due time, ``id`` breaking ties, in the order they are asked for
    sa.Index("ix_timers_due", "status", "due_at", "id"),
    sa.Index("ix_timers_case", "case_id", "status"),
)

#: the members of linked-case groups
links = sa.Table(
    "links",
    metadata,
    sa.Column("group_id", sa.String(ID), primary_key=True),
    sa.Column("member", sa.String(ID), primary_key=True),
    sa.Column("case_id", sa.String(ID), sa.ForeignKey("cases.id"), nullable=False, unique=True),
)
