"""The service's fixtures: a store on a simulated clock, the app over it, and Starlette's test client.

PostgreSQL comes from the store tests' helper (``tests/store/_pg.py``): $WORKFLOW_TEST_PG_URL, or a skip (a
failure under CI=true).
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

import workflow

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "store"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _pg import fresh_pg, pg_url

warnings.filterwarnings("ignore", message=".*httpx.*starlette.testclient.*")
from starlette.testclient import TestClient  # noqa: E402

from workflow.store import Store, open_store  # noqa: E402
from workflow.web import Settings, create_app  # noqa: E402

START = "2026-03-02T09:00:00Z"  # a Monday

__all__ = ["fresh_pg", "pg_url"]


@pytest.fixture
def web_clock() -> workflow.SimulatedClock:
    return workflow.SimulatedClock(START)


@pytest.fixture
def store(tmp_path: Path, web_clock: workflow.SimulatedClock) -> Iterator[Store]:
    with open_store(f"sqlite:///{tmp_path / 'cases.db'}", clock=web_clock) as s:
        yield s


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(store)) as c:
        yield c


@pytest.fixture
def make_client(store: Store) -> Iterator[object]:
    """A client of an app with other settings (a token, a smaller body limit)."""
    made: list[TestClient] = []

    def make(**settings: object) -> TestClient:
        c = TestClient(create_app(store, Settings(**settings)))  # type: ignore[arg-type]
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()
