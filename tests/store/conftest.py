"""The store's fixtures: a store URL per backend (SQLite in a temporary file; PostgreSQL from $WORKFLOW_TEST_PG_URL).

Without $WORKFLOW_TEST_PG_URL (or with a server that does not answer) the PostgreSQL tests skip with one line
saying how to run them; under CI=true they fail instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

HOW = 'PostgreSQL store tests skipped: set WORKFLOW_TEST_PG_URL, e.g. eval "$(.ci/postgres start)"'
BACKENDS = ["sqlite", "postgresql"]


def pg_url() -> str:
    """The PostgreSQL URL to test on, or a skip (a failure under CI=true)."""
    url = os.environ.get("WORKFLOW_TEST_PG_URL")
    why = None
    if not url:
        why = HOW
    else:
        try:
            engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
            with engine.connect():
                pass
            engine.dispose()
        except sa.exc.SQLAlchemyError as e:
            why = f"{HOW} (the server at {url} did not answer: {str(e).splitlines()[0]})"
    if why is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true needs a PostgreSQL server: {why}")
        pytest.skip(why)
    assert url is not None
    return url


def fresh_pg(url: str) -> str:
    """``url``'s database emptied (its public schema dropped and made again)."""
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    return url


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of ``backend``: a new SQLite file, or the test PostgreSQL database emptied."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'cases.db'}"
    else:
        yield fresh_pg(pg_url())
