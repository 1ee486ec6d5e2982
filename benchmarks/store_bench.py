"""The case store under write load: committed events/s and latency through ``store.fire``, beside the bare SQL floor.

    python benchmarks/store_bench.py [--part write|scale|all] [--events N] [--writers 1,4,16] [--pg URL]
                                     [--cases 1000000] [--verify-cases 100000] [--quick]

For each target (SQLite with ``synchronous=NORMAL`` and ``FULL``; PostgreSQL when ``--pg`` or
``$WORKFLOW_TEST_PG_URL`` names one) and each number of writer processes, every writer fires ``N`` events at
cases of its own (ten each, round robin) and times each call. The floor is what a correct event store must
do per event, run with the same engine and driver: one transaction that inserts the step row and updates the
case row on its version. Each run starts on a fresh database. Not part of the tests: figures depend on the
machine.

``--part scale`` measures reading: loading one case (``store.get``); with ``--cases`` stored cases (default
1M, made by bulk SQL inserts, not ``store.fire``; their ids are hashed, so id order is not insertion order, as
with generated ids) listing a page by state, by definition and by both, and ``due`` (first page) over the
index, each timed and its query's plan printed (``EXPLAIN QUERY PLAN`` on SQLite, ``EXPLAIN`` on PostgreSQL,
of the very SQL the store ran); and ``store.verify`` on ``--verify-cases`` cases (default 100k) copied in bulk
from a few real histories made through the store.
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


# ---------------------------------------------------------------------------------------------- reading at scale

#: a quarter of the bulk cases are of the second definition (the list by definition reads those)
DEFINITIONS = ["account_suspension", "ip_complaint"]
STATES = ["active", "suspended", "poa_submitted", "rejected", "escalated", "info_requested", "reinstated", "closed"]
SCALE_START = "2026-03-02 09:00:00"


def bulk_cases(url: str, n: int) -> float:
    """``n`` case rows by bulk SQL: a quarter of the second definition, states spread over ``STATES``
    independently of it, one armed timer each, every tenth due soon; ids are ``case-`` and eight hex digits of a
    bijective hash of the row's number, so their order is not the order the rows were written in."""
    t = time.perf_counter()
    with open_store(url, clock=Ticking()) as store, store.engine.begin() as conn:
        k = len(STATES)
        state = "CASE " + " ".join(f"WHEN (x / 4) % {k} = {i} THEN '{st}'" for i, st in enumerate(STATES)) + " END"
        definition = f"CASE WHEN x % 4 = 3 THEN '{DEFINITIONS[1]}' ELSE '{DEFINITIONS[0]}' END"
        if store.dialect == "sqlite":
            rows = f"WITH RECURSIVE n(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM n WHERE x < {n - 1}) "
            due = f"datetime('{SCALE_START}', '+' || (CASE WHEN x % 10 = 0 THEN x % 7 ELSE 30 + x % 60 END) || ' days')"
            when = f"'{SCALE_START}.000000'"
            src = "FROM n"
            case_id = "printf('case-%08x', (x * 2654435761) % 4294967296)"
        else:
            rows = ""
            days = "(CASE WHEN x % 10 = 0 THEN x % 7 ELSE 30 + x % 60 END)"
            due = f"TIMESTAMPTZ '{SCALE_START}+00' + {days} * INTERVAL '1 day'"
            when = f"TIMESTAMPTZ '{SCALE_START}+00'"
            src = f"FROM generate_series(0, {n - 1}) AS g(x)"
            case_id = "'case-' || lpad(to_hex((x::bigint * 2654435761) % 4294967296), 8, '0')"
        conn.execute(
            sa.text(
                f"{rows}INSERT INTO cases (id, definition, definition_version, definition_hash, state, facts, version, "
                f"created, updated, next_due) SELECT {case_id}, {definition}, '1.0.0', 'bulk', {state}, "
                f"'{{}}', 0, {when}, {when}, {due} {src}"
            )
        )
        conn.execute(
            sa.text(
                f"{rows}INSERT INTO timers (case_id, kind, event, due_at, rules, armed_version, status) "
                f"SELECT {case_id}, 'timer', 'give_up', {due}, '[]', 0, 'armed' {src}"
            )
        )
        if store.dialect == "postgresql":
            conn.exec_driver_sql("ANALYZE cases")
            conn.exec_driver_sql("ANALYZE timers")
    if url.startswith("sqlite"):
        with open_store(url) as store, store.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    return time.perf_counter() - t


class Captured:
    """The last statement a store ran on its engine, with its parameters (to ask the database for its plan)."""

    def __init__(self, engine: sa.engine.Engine) -> None:
        self.statement = ""
        self.parameters: Any = None
        sa.event.listen(engine, "before_cursor_execute", self.seen)

    def seen(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            self.statement, self.parameters = statement, parameters

    def plan(self, engine: sa.engine.Engine) -> list[str]:
        explain = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
        with engine.connect() as conn:
            rows = conn.exec_driver_sql(explain + self.statement, self.parameters).all()
        return [str(r[-1]) for r in rows]


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The median wall time of ``fn`` over ``repeat`` calls (after one warm-up), in ms, and its last result."""
    out = fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e3, out


POA = {
    "root_causes": [{"issue": "order_defect_rate", "text": "late carrier hand-off in December"}],
    "corrective_actions": ["moved to two-day carrier pickup"],
    "preventive_measures": ["daily late-shipment report reviewed by the owner"],
    "documents": [{"kind": "invoice", "genuine": True}],
}
#: a few real histories, fired through the store, that verify's cases are copied from
HISTORIES: list[list[tuple[str, dict[str, Any]]]] = [
    [EVENTS[0], ("submit_poa", {"to": "seller_performance", "channel": "email", "poa": POA}), ("follow_up", {})],
    [EVENTS[0], ("escalate", {}), ("contact_seller_support", {}), ("follow_up", {})],
    [EVENTS[0], ("submit_poa", {"to": "seller_performance", "channel": "email", "poa": POA}), ("reject", {})],
    [],
]


def bulk_verify_cases(url: str, n: int) -> float:
    """``n`` cases copied from the real ``HISTORIES`` (their rows, steps and armed items) by bulk SQL."""
    with open_store(url, clock=Ticking()) as store:
        for i, history in enumerate(HISTORIES):
            store.create("account_suspension", case_id=f"real-{i}")
            for event, payload in history:
                store.fire(f"real-{i}", event, payload)
        t = time.perf_counter()
        copies = n // len(HISTORIES)
        with store.engine.begin() as conn:
            if store.dialect == "sqlite":
                rows = f"WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < {copies}) "
                src, new = "FROM n, {t}", "{t}.{c} || printf('-%06d', x)"
            else:
                rows, src, new = (
                    "",
                    f"FROM generate_series(1, {copies}) AS g(x), {{t}}",
                    "{t}.{c} || '-' || lpad(x::text, 6, '0')",
                )
            for table, key in (("cases", "id"), ("steps", "case_id"), ("timers", "case_id")):
                cols = [
                    c["name"]
                    for c in sa.inspect(conn).get_columns(table)
                    if not (table == "timers" and c["name"] == "id")
                ]
                picked = ", ".join(new.format(t=table, c=c) if c == key else f"{table}.{c}" for c in cols)
                where = f" WHERE {table}.{key} LIKE 'real-%'" + (" AND status = 'armed'" if table == "timers" else "")
                conn.execute(
                    sa.text(
                        f"{rows}INSERT INTO {table} ({', '.join(cols)}) SELECT {picked} {src.format(t=table)}{where}"
                    )
                )
        return time.perf_counter() - t


def scale(target: str, pg: str | None, tmp: Path, n_cases: int, n_verify: int) -> None:
    url = fresh(target, pg, tmp, f"{target}-scale")
    made = bulk_cases(url, n_cases)
    print(f"\n{target}: {n_cases} cases and {n_cases} armed timers inserted in bulk in {made:.1f} s")
    with open_store(url, clock=Ticking()) as store:
        store.create("account_suspension", case_id="loaded")
        for i in range(20):
            event, payload = EVENTS[i % len(EVENTS)]
            store.fire("loaded", event, payload)
        fresh_store = open_store(url)
        ms, case = timed(lambda: fresh_store.get("loaded"), 200)
        print(f"  load a case of {case.version} steps (store.get, no cache): median {ms:.2f} ms")
        fresh_store.close()
        captured = Captured(store.engine)
        ms, page = timed(lambda: store.list(state="escalated", limit=100), 50)
        print(f"  list by state (first 100 of ~{n_cases // len(STATES)}): median {ms:.2f} ms, {len(page)} rows")
        for line in captured.plan(store.engine):
            print(f"    plan: {line}")
        ms, page = timed(lambda: store.list(definition=DEFINITIONS[1], limit=100), 50)
        print(f"  list by definition (first 100 of ~{n_cases // 4}): median {ms:.2f} ms, {len(page)} rows")
        for line in captured.plan(store.engine):
            print(f"    plan: {line}")
        ms, page = timed(lambda: store.list(definition=DEFINITIONS[1], state="escalated", limit=100), 50)
        print(f"  list by definition and state (first 100 of ~{n_cases // 32}): median {ms:.2f} ms, {len(page)} rows")
        for line in captured.plan(store.engine):
            print(f"    plan: {line}")
        now = dt.datetime(2026, 3, 9, 9, tzinfo=dt.timezone.utc)
        ms, due = timed(lambda: store.due(now, limit=100), 50)
        print(f"  due by {now:%Y-%m-%d} (first 100 of ~{n_cases // 10}): median {ms:.2f} ms, {len(due)} items")
        for line in captured.plan(store.engine):
            print(f"    plan: {line}")
    url = fresh(target, pg, tmp, f"{target}-verify")
    made = bulk_verify_cases(url, n_verify)
    with open_store(url) as store:
        t = time.perf_counter()
        report = store.verify()
        took = time.perf_counter() - t
    print(
        f"  verify: {report.cases} cases, {report.steps} steps (copied in {made:.1f} s) in {took:.1f} s "
        f"({took / report.cases * 1e6:.0f} µs a case), ok={report.ok}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=400, help="events per writer")
    parser.add_argument("--writers", default="1,4,16", help="numbers of writer processes")
    parser.add_argument("--pg", default=os.environ.get("WORKFLOW_TEST_PG_URL"), help="a PostgreSQL URL to use")
    parser.add_argument("--quick", action="store_true", help="a tiny run that exercises every measurement")
    parser.add_argument("--part", choices=["write", "scale", "all"], default="all", help="what to measure")
    parser.add_argument("--cases", type=int, default=1_000_000, help="stored cases for list and due")
    parser.add_argument("--verify-cases", type=int, default=100_000, help="cases for verify")
    args = parser.parse_args()
    if args.part in ("scale", "all"):
        n_cases, n_verify = (2000, 400) if args.quick else (args.cases, args.verify_cases)
        print(f"workflow {workflow.__version__}; {os.cpu_count()} CPUs")
        with tempfile.TemporaryDirectory() as tmp:
            for target in ["sqlite-NORMAL"] + (["postgresql"] if args.pg else []):
                scale(target, args.pg, Path(tmp), n_cases, n_verify)
        if args.part == "scale":
            return
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
