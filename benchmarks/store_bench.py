"""The case store under write load: committed events/s and latency through ``store.fire``, beside the bare SQL floor.

    python benchmarks/store_bench.py [--events N] [--writers 1,4,16] [--pg URL] [--quick]

For each target (SQLite with ``synchronous=NORMAL`` and ``FULL``; PostgreSQL when ``--pg`` or
``$WORKFLOW_TEST_PG_URL`` names one) and each number of writer processes, every writer fires ``N`` events at
cases of its own (ten each, round robin) and times each call. The floor is what a correct event store must
do per event, run with the same engine and driver: one transaction that inserts the step row and updates the
case row on its version. Each run starts on a fresh database. Not part of the tests: figures depend on the
machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

import workflow
from workflow.store import open_store
from workflow.store.tables import cases, steps

START = dt.datetime(2026, 3, 2, 9, tzinfo=dt.timezone.utc)
PER_WRITER_CASES = 10
#: the events fired, round robin: a suspension, then requests the rules judge and mostly refuse
EVENTS: list[tuple[str, dict[str, Any]]] = [
    ("suspend", {"reason_class": "performance", "issues": ["order_defect_rate"]}),
    ("contact_seller_support", {}),
    ("escalate", {}),
    ("follow_up", {}),
]


class Ticking:
    """A clock that moves one minute per reading, so each step has its own time."""

    def __init__(self) -> None:
        self.at = START

    def now(self) -> dt.datetime:
        self.at += dt.timedelta(minutes=1)
        return self.at


def fire_writer(url: str, ids: list[str], n: int, start: float) -> list[float]:
    store = open_store(url, clock=Ticking())
    times = []
    time.sleep(max(0.0, start - time.time()))
    for i in range(n):
        case_id = ids[i % len(ids)]
        event, payload = EVENTS[(i // len(ids)) % len(EVENTS)]
        t = time.perf_counter()
        store.fire(case_id, event, payload)
        times.append(time.perf_counter() - t)
    store.close()
    return times


def floor_writer(url: str, ids: list[str], n: int, start: float) -> list[float]:
    """The bare SQL per event: insert the step, update the case on its version; one transaction."""
    store = open_store(url)
    engine = store.engine
    versions = dict.fromkeys(ids, 0)
    at = START
    times = []
    time.sleep(max(0.0, start - time.time()))
    for i in range(n):
        case_id = ids[i % len(ids)]
        event, payload = EVENTS[(i // len(ids)) % len(EVENTS)]
        at += dt.timedelta(minutes=1)
        v = versions[case_id]
        t = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(
                steps.insert().values(
                    case_id=case_id,
                    seq=v,
                    event=event,
                    at=at,
                    source="s",
                    target="s",
                    accepted=True,
                    timer=False,
                    payload=payload,
                    findings=[],
                    recorded=at,
                )
            )
            moved = conn.execute(
                cases.update()
                .where(cases.c.id == case_id, cases.c.version == v)
                .values(version=v + 1, state="s", updated=at)
            )
            assert moved.rowcount == 1
        times.append(time.perf_counter() - t)
        versions[case_id] = v + 1
    store.close()
    return times


def in_processes(work: Callable[[str, list[str], int, float], list[float]], url: str, writers: int, n: int) -> Any:
    """Run ``work`` in ``writers`` forked processes at once; the wall time and every latency."""
    start = time.time() + 0.5
    children = []
    for w in range(writers):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                os.close(read_end)
                ids = [f"w{w}-c{c}" for c in range(PER_WRITER_CASES)]
                with os.fdopen(write_end, "w") as out:
                    out.write(json.dumps(work(url, ids, n, start)))
            except BaseException as e:
                print(f"writer failed: {e!r}", file=sys.stderr)
                code = 1
            finally:
                os._exit(code)
        os.close(write_end)
        children.append((pid, os.fdopen(read_end)))
    latencies: list[float] = []
    for pid, out in children:
        latencies.extend(json.loads(out.read()))
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit("a writer failed")
    wall = time.time() - start
    return wall, latencies


def prepare(url: str, writers: int) -> None:
    with open_store(url, clock=Ticking()) as store:
        for w in range(writers):
            for c in range(PER_WRITER_CASES):
                store.create("account_suspension", case_id=f"w{w}-c{c}")


def fresh(target: str, pg: str | None, tmp: Path, label: str) -> str:
    if target.startswith("sqlite"):
        sync = target.split("-")[1]
        return f"sqlite:///{tmp / label}.db?synchronous={sync}"
    assert pg is not None
    engine = sa.create_engine(pg.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    return pg


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=400, help="events per writer")
    parser.add_argument("--writers", default="1,4,16", help="numbers of writer processes")
    parser.add_argument("--pg", default=os.environ.get("WORKFLOW_TEST_PG_URL"), help="a PostgreSQL URL to use")
    parser.add_argument("--quick", action="store_true", help="a tiny run that exercises every measurement")
    args = parser.parse_args()
    n = 20 if args.quick else args.events
    counts = [int(w) for w in args.writers.split(",")]
    targets = ["sqlite-NORMAL", "sqlite-FULL"] + (["postgresql"] if args.pg else [])
    print(f"workflow {workflow.__version__}; {os.cpu_count()} CPUs; {n} events per writer")
    header = f"{'target':<14} {'writers':>7}  {'store ev/s':>10} {'p50 ms':>7} {'p99 ms':>7}"
    print(header + f"  {'floor ev/s':>10} {'p50 ms':>7} {'p99 ms':>7}  {'floor/store':>11}")
    with tempfile.TemporaryDirectory() as tmp:
        for target in targets:
            for writers in counts:
                row = []
                for label, work in (("store", fire_writer), ("floor", floor_writer)):
                    url = fresh(target, args.pg, Path(tmp), f"{target}-{writers}-{label}")
                    prepare(url, writers)
                    wall, lat = in_processes(work, url, writers, n)
                    row.append((len(lat) / wall, statistics.median(lat) * 1e3, pct(lat, 0.99) * 1e3))
                (s_rate, s50, s99), (f_rate, f50, f99) = row
                print(
                    f"{target:<14} {writers:>7}  {s_rate:>10.0f} {s50:>7.2f} {s99:>7.2f}"
                    f"  {f_rate:>10.0f} {f50:>7.2f} {f99:>7.2f}  {f_rate / s_rate:>10.2f}x",
                    flush=True,
                )


if __name__ == "__main__":
    main()
