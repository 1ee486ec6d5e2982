"""The service under concurrent load, on a real uvicorn with two workers on 127.0.0.1, for a few seconds each:
no 5xx, no step lost or doubled, every case replays to its state and keeps its invariants; and a worker killed
mid-load loses nothing that was answered 200. The driver and the checks are benchmarks/web_bench.py's."""

from __future__ import annotations

import importlib.util
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from conftest import fresh_pg, pg_url

ROOT = Path(__file__).resolve().parents[2]
CLIENTS, CASES, SECONDS = 8, 4, 3.0


def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("web_bench", ROOT / "benchmarks" / "web_bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["web_bench"] = module
    spec.loader.exec_module(module)
    return module


web_bench = bench()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cases.db'}"
    else:
        yield fresh_pg(pg_url())


def test_concurrent_clients_lose_and_double_nothing(db: str) -> None:
    """8 clients on 4 shared cases through 2 workers: no 5xx, every 200 step stored once as answered, replays hold."""
    proc, url = web_bench.start_server(db, workers=2)
    try:
        ids = web_bench.create_cases(url, CASES)
        answers = web_bench.drive(url, ids, CLIENTS, SECONDS, max_requests=150)
    finally:
        web_bench.stop_server(proc)
    assert {a.status for a in answers} <= {200, 409}
    assert sum(1 for a in answers if a.status == 200 and a.accepted) > 0
    assert web_bench.check(db, answers) == []


def test_a_worker_killed_mid_load_loses_nothing_answered(tmp_path: Path) -> None:
    """SIGKILL to one of two workers halfway: clients retry with their keys, and every step answered 200 is stored."""
    db = f"sqlite:///{tmp_path / 'cases.db'}"
    proc, url = web_bench.start_server(db, workers=2)
    killed: list[int] = []

    def kill_one() -> None:
        found = web_bench.workers_of(proc.pid)
        assert len(found) == 2
        os.kill(found[0], signal.SIGKILL)
        killed.append(found[0])

    try:
        ids = web_bench.create_cases(url, CASES)
        answers = web_bench.drive(url, ids, CLIENTS, SECONDS, max_requests=150, during=kill_one)
    finally:
        web_bench.stop_server(proc)
    assert killed
    assert not any(a.status >= 500 for a in answers)
    assert sum(1 for a in answers if a.status == 200) > 0
    assert web_bench.check(db, answers) == []
