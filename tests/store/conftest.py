"""The store's fixtures: a store URL per backend (SQLite in a temporary file; PostgreSQL from $WORKFLOW_TEST_PG_URL).

Without $WORKFLOW_TEST_PG_URL (or with a server that does not answer) the PostgreSQL tests skip with one line
saying how to run them; under CI=true they fail instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from _pg import fresh_pg, pg_url

BACKENDS = ["sqlite", "postgresql"]


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
