"""The indexes serve the store's listings: the database's own plan for the very SQL the store runs.

Run on SQLite and PostgreSQL (see conftest.py). The planner is left to choose by itself, with no setting
forced: a few thousand rows are inserted in bulk, with ids in no particular order (as generated ids are),
cases spread evenly over two definitions and four states and timers over fifty due times, then ``ANALYZE``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext

import workflow
from workflow.errors import StoreError
from workflow.store import Store, head_revision, open_store, upgrade_store
from workflow.store.database import make_engine
from workflow.store.tables import cases, metadata, timers

N = 4000
START = dt.datetime(2026, 3, 2, 9, tzinfo=dt.timezone.utc)
DEFINITIONS = [f"definition_{i}" for i in range(2)]
STATES = [f"state_{i}" for i in range(4)]


def case_rows(n: int) -> list[dict[str, Any]]:
    """``n`` case rows whose ids are hashes (their order is not the order they were inserted in)."""
    return [
        {
            "id": hashlib.md5(str(x).encode()).hexdigest(),
            "definition": DEFINITIONS[x % len(DEFINITIONS)],
            "definition_version": "1.0.0",
            "definition_hash": "bulk",
            "state": STATES[x // len(DEFINITIONS) % len(STATES)],  # independent of the definition
            "facts": {},
            "version": 0,
            "created": START,
            "updated": START,
            "next_due": START + dt.timedelta(hours=x % 50),
        }
        for x in range(n)
    ]


def timer_rows(n: int) -> list[dict[str, Any]]:
    """One timer per case, due in one of fifty hours (so many share a due time and ``id`` breaks the tie)."""
    return [
        {
            "case_id": hashlib.md5(str(x).encode()).hexdigest(),
            "kind": "timer",
            "event": "give_up",
            "due_at": START + dt.timedelta(hours=x % 50),
            "rules": [],
            "armed_version": 0,
            "status": "fired" if x % 3 == 0 else "armed",
        }
        for x in sorted(range(n), key=lambda x: hashlib.md5(str(-x).encode()).hexdigest())
    ]


ROOT = Path(__file__).resolve().parents[2]


def captured_plans() -> type[Any]:
    """``Captured`` of benchmarks/store_bench.py: the last SELECT a store ran, and the database's plan for it."""
    spec = importlib.util.spec_from_file_location("store_bench", ROOT / "benchmarks" / "store_bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    captured: type[Any] = module.Captured
    return captured


Captured = captured_plans()


def uses_only(plan: str, index: str, dialect: str) -> bool:
    """Whether ``plan`` reads ``index`` and sorts nothing (SQLite: no temporary B-tree for ORDER BY)."""
    if dialect == "sqlite":
        return f"INDEX {index} " in plan and "TEMP B-TREE" not in plan
    return f"using {index} on" in plan and "Sort" not in plan


@pytest.fixture
def store(store_url: str, clock: workflow.SimulatedClock) -> Iterator[Store]:
    with open_store(store_url, clock=clock) as s:
        with s.engine.begin() as conn:
            conn.execute(cases.insert(), case_rows(N))
            conn.execute(timers.insert(), timer_rows(N))
        with s.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
        yield s


@pytest.mark.parametrize(
    ("filters", "index"),
    [
        ({"state": "state_2"}, "ix_cases_state"),
        ({"definition": "definition_1"}, "ix_cases_definition"),
        ({"definition": "definition_1", "state": "state_3"}, "ix_cases_definition_state"),
    ],
    ids=["state", "definition", "definition-and-state"],
)
def test_a_list_reads_its_index_in_order(store: Store, filters: dict[str, str], index: str) -> None:
    """A list by state, definition or both is read from the index made for it, in id order, with no sort."""
    captured = Captured(store.engine)
    page = store.list(limit=100, **filters)
    expected = sorted(r["id"] for r in case_rows(N) if all(r[k] == v for k, v in filters.items()))
    assert [c.id for c in page] == expected[:100]
    plan = "\n".join(captured.plan(store.engine))
    assert uses_only(plan, index, store.dialect), plan


def test_due_reads_the_timers_index_in_order(store: Store) -> None:
    """``due`` reads armed timers from ix_timers_due in (due_at, id) order, with no sort."""
    captured = Captured(store.engine)
    now = START + dt.timedelta(hours=10)
    due = store.due(now, limit=100)
    inserted = list(enumerate(timer_rows(N), start=1))  # ids are given in insertion order
    armed = sorted((r["due_at"], i, r["case_id"]) for i, r in inserted if r["status"] == "armed" and r["due_at"] <= now)
    assert [d.case_id for d in due] == [case_id for _, _, case_id in armed[:100]]
    plan = "\n".join(captured.plan(store.engine))
    assert uses_only(plan, "ix_timers_due", store.dialect), plan


def _indexes(conn: sa.Connection) -> dict[str, list[str | None]]:
    inspector = sa.inspect(conn)
    return {ix["name"] or "": ix["column_names"] for t in ("cases", "timers") for ix in inspector.get_indexes(t)}


def test_upgrading_a_store_made_at_0002_creates_the_ordered_indexes(store_url: str) -> None:
    """A store made at revision 0002 is refused until upgraded; the upgrade makes the indexes and keeps the rows."""
    engine = make_engine(store_url)
    config = Config()
    config.set_main_option("script_location", "workflow.store:migrations")
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0002")
        conn.execute(cases.insert(), case_rows(3))
        assert _indexes(conn)["ix_timers_due"] == ["status", "due_at"]
    with pytest.raises(StoreError, match="workflow store upgrade"):
        open_store(store_url)
    assert upgrade_store(store_url) == head_revision() == "0003"
    with engine.connect() as conn:
        indexes = _indexes(conn)
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    assert indexes["ix_timers_due"] == ["status", "due_at", "id"]
    assert indexes["ix_cases_definition"] == ["definition", "id"]
    assert indexes["ix_cases_definition_state"] == ["definition", "state", "id"]
    assert indexes["ix_cases_state"] == ["state", "id"]
    assert diff == []
    with open_store(store_url) as store:
        assert [c.id for c in store.list()] == sorted(r["id"] for r in case_rows(3))
