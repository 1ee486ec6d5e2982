"""The service under load: concurrent HTTP clients firing events at shared cases through ``workflow serve``.

    python benchmarks/web_bench.py [--clients 32] [--cases 20] [--seconds 60] [--workers 2] [--pg URL] [--kill]

Starts ``workflow serve`` (uvicorn, ``--workers`` processes) on 127.0.0.1 over a fresh store (PostgreSQL when
``--pg`` or ``$WORKFLOW_TEST_PG_URL`` names one, else a SQLite file), creates the cases, and runs the clients
for the time given: each fires events from a fixed mix at random cases, a third of them with the
``expected_version`` it last read, each with its own ``Idempotency-Key`` (a request that failed without an
answer is sent again with the same key). Then it checks what was answered against the store:

- no answer was a 5xx;
- every step answered 200 is in the store once, at its index, as answered (nothing lost, nothing doubled);
- every case replays to its stored state (``store.verify``), and breaks none of its definition's invariants.

``--kill`` kills one server worker (SIGKILL) halfway through: answers in flight are lost to their clients, who
retry with their keys, and nothing answered 200 may be missing. Beside the HTTP figures, the same mix is fired
through ``store.fire`` directly, by as many threads, on a fresh store of the same kind. One request at a time,
it also times the standard library's ``http.client`` as the client (what httpx itself adds shows), and
``store.fire`` with an idempotency key per event, as the requests carry. Not part of the tests
(figures depend on the machine); ``tests/web/test_web_load.py`` runs the same checks for a few seconds.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import httpx

import workflow
from workflow.core.invariants import violations
from workflow.store import open_store

DEFINITION = "account_suspension"
POA = {
    "root_causes": [{"issue": "order_defect_rate", "text": "late carrier hand-off in December"}],
    "corrective_actions": ["moved to two-day carrier pickup"],
    "preventive_measures": ["daily late-shipment report reviewed by the owner"],
    "documents": [{"kind": "invoice", "genuine": True}],
}
#: the mix of events the clients fire: the lifecycle's main path, and requests the rules mostly refuse
EVENTS: list[tuple[str, dict[str, Any]]] = [
    ("warn", {"metric": "order_defect_rate"}),
    ("suspend", {"reason_class": "performance", "issues": ["order_defect_rate"]}),
    ("submit_poa", {"poa": POA, "channel": "email"}),
    ("request_info", {}),
    ("provide_info", {"documents": [{"kind": "invoice"}]}),
    ("reject", {}),
    ("escalate", {"target": "executive_seller_relations", "poa": POA, "letter": {"key_actions": ["moved"]}}),
    ("follow_up", {}),
    ("contact_seller_support", {"question": "when will my appeal be read?"}),
    ("recover", {}),
    ("reinstate", {}),
]


#: the one-at-a-time measure: this many fresh cases, this many events each (histories stay short)
ALONE_CASES, PER_CASE = 20, 20


@attrs.define
class Answer:
    """One request a client made, and what came back (``status`` 0: no answer, the connection failed)."""

    client: int
    case: str
    key: str
    event: str
    status: int
    latency: float
    index: int | None = None
    accepted: bool | None = None


# --------------------------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(db: str, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    """``workflow serve`` on 127.0.0.1 and a free port, answering; returns the process and its URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "WORKFLOW_TOKEN"}
    cmd = [sys.executable, "-m", "workflow_cli.main", "serve", "--db", db, "--port", str(port)]
    cmd += ["--workers", str(workers)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"workflow serve exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            answering = httpx.get(url + "/api/definitions", timeout=1).status_code == 200
            if answering and (workers == 1 or len(workers_of(proc.pid)) >= workers):
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    stop_server(proc)
    raise RuntimeError("workflow serve did not answer within 60 s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def workers_of(pid: int) -> list[int]:
    """The worker processes uvicorn started under ``pid`` (its children that serve; read from /proc)."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid and b"spawn_main" in cmdline:  # not the resource tracker
            children.append(int(entry.name))
    return sorted(children)


# --------------------------------------------------------------------------------------------- the clients


def create_cases(url: str, n: int, prefix: str = "load") -> list[str]:
    ids = [f"{prefix}-{i:03d}" for i in range(n)]
    with httpx.Client(base_url=url, timeout=30) as http:
        for cid in ids:
            r = http.post("/api/cases", json={"definition": DEFINITION, "id": cid})
            if r.status_code != 201:
                raise RuntimeError(f"creating {cid}: {r.status_code} {r.text}")
    return ids


def drive(
    url: str,
    case_ids: list[str],
    clients: int,
    seconds: float,
    *,
    max_requests: int | None = None,
    seed: int = 7,
    during: Callable[[], None] | None = None,
) -> list[Answer]:
    """Run ``clients`` threads for ``seconds`` (or ``max_requests`` each); ``during`` runs halfway through."""
    answers: list[list[Answer]] = [[] for _ in range(clients)]
    stop = time.monotonic() + seconds

    def client(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        seen: dict[str, int] = {}
        with httpx.Client(base_url=url, timeout=30) as http:
            i = 0
            while time.monotonic() < stop and (max_requests is None or i < max_requests):
                i += 1
                cid = rng.choice(case_ids)
                event, payload = rng.choice(EVENTS)
                body: dict[str, Any] = {"event": event, "payload": payload}
                if cid in seen and rng.random() < 1 / 3:
                    body["expected_version"] = seen[cid]
                key = f"c{n}-{i}"
                for _ in range(5):  # no answer at all: the same request again, with the same key
                    t0 = time.perf_counter()
                    try:
                        r = http.post(f"/api/cases/{cid}/events", json=body, headers={"Idempotency-Key": key})
                    except httpx.HTTPError:
                        answers[n].append(Answer(n, cid, key, event, 0, time.perf_counter() - t0))
                        time.sleep(0.05)
                        continue
                    a = Answer(n, cid, key, event, r.status_code, time.perf_counter() - t0)
                    if r.status_code == 200:
                        data = r.json()
                        a.index, a.accepted = data["step"]["index"], data["step"]["accepted"]
                        seen[cid] = data["case"]["version"]
                    elif r.status_code == 409:
                        seen.pop(cid, None)
                    answers[n].append(a)
                    break

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    if during is not None:
        time.sleep(seconds / 2)
        during()
    for t in threads:
        t.join()
    return [a for per in answers for a in per]


def drive_plain(url: str, case_id: str, requests: int, seed: int = 7) -> list[float]:
    """One request at a time at one case through the standard library's ``http.client`` (a client with less
    work of its own than httpx), with the same mix and keys; the latencies of the answers 200 or 409."""
    rng = random.Random(seed)
    host, port = url.removeprefix("http://").rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    times = []
    try:
        for i in range(requests):
            event, payload = rng.choice(EVENTS)
            body = json.dumps({"event": event, "payload": payload})
            headers = {"Content-Type": "application/json", "Idempotency-Key": f"p-{i}"}
            t0 = time.perf_counter()
            conn.request("POST", f"/api/cases/{case_id}/events", body, headers)
            answer = conn.getresponse()
            answer.read()
            if answer.status in (200, 409):
                times.append(time.perf_counter() - t0)
    finally:
        conn.close()
    return times


# --------------------------------------------------------------------------------------------- the checks


def check(db: str, answers: list[Answer]) -> list[str]:
    """Every problem found: a 5xx, a step answered 200 that the store does not hold as answered, two requests
    answered with one step, a case that does not replay to its state or breaks an invariant."""
    problems = [f"{a.status} for {a.event} on {a.case}" for a in answers if a.status >= 500]
    claimed: dict[tuple[str, int], str] = {}
    with open_store(db) as store:
        histories = {cid: store.get(cid).history for cid in {a.case for a in answers}}
        for a in answers:
            if a.status != 200 or a.index is None:
                continue
            history = histories[a.case]
            if a.index >= len(history):
                problems.append(f"{a.case} step {a.index} ({a.event}) answered 200 but the case has {len(history)}")
                continue
            st = history[a.index]
            if (st.event, st.accepted) != (a.event, a.accepted):
                problems.append(f"{a.case} step {a.index}: answered {a.event}/{a.accepted}, stored {st.event}")
            other = claimed.setdefault((a.case, a.index), a.key)
            if other != a.key:
                problems.append(f"{a.case} step {a.index} answered to two requests ({other}, {a.key})")
        report = store.verify()
        problems += [str(m) for m in report.mismatches]
        for cid in histories:
            case = store.get(cid)
            replayed = workflow.replay(case.definition, list(case.history), created=case.created)
            if replayed.state != case.state:
                problems.append(f"{cid}: replays to {replayed.state}, stored {case.state}")
            problems += [
                f"{cid}: invariant {name}: {why}" for name, why in violations(case.definition, case.state, case.history)
            ]
    return problems


# --------------------------------------------------------------------------------------------- figures


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def direct(
    db: str,
    case_ids: list[str],
    threads: int,
    seconds: float,
    seed: int = 7,
    max_events: int | None = None,
    keys: bool = False,
) -> list[float]:
    """The same mix through ``store.fire`` in this process (one lock, as the service's writes take), timed;
    ``keys``: each event with its own idempotency key, as the clients send them."""
    times: list[list[float]] = [[] for _ in range(threads)]
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    with open_store(db) as store:
        for cid in case_ids:
            store.create(DEFINITION, case_id=cid)

        def run(n: int) -> None:
            rng = random.Random(seed * 1000 + n)
            while time.monotonic() < stop and (max_events is None or len(times[n]) < max_events):
                cid = rng.choice(case_ids)
                event, payload = rng.choice(EVENTS)
                key = f"d{n}-{len(times[n])}" if keys else None
                t0 = time.perf_counter()
                with lock:
                    store.fire(cid, event, payload, idempotency_key=key)
                times[n].append(time.perf_counter() - t0)

        ts = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
    return [x for per in times for x in per]


def fresh_db(pg: str | None, folder: Path, name: str) -> str:
    if pg is None:
        return f"sqlite:///{folder / name}"
    import sqlalchemy as sa

    engine = sa.create_engine(pg.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    return pg


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--cases", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--pg", default=os.environ.get("WORKFLOW_TEST_PG_URL"), help="PostgreSQL URL (default: SQLite)")
    ap.add_argument("--kill", action="store_true", help="kill one server worker halfway through")
    args = ap.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="web-bench-"))
    db = fresh_db(args.pg, folder, "http.db")
    kind = "PostgreSQL" if args.pg else "SQLite"
    proc, url = start_server(db, args.workers)
    killed: list[int] = []

    def kill_one() -> None:
        found = workers_of(proc.pid)
        if found:
            os.kill(found[0], signal.SIGKILL)
            killed.append(found[0])

    try:
        ids = create_cases(url, args.cases)
        t0 = time.perf_counter()
        answers = drive(url, ids, args.clients, args.seconds, during=kill_one if args.kill else None)
        elapsed = time.perf_counter() - t0
        alone = []
        for cid in create_cases(url, ALONE_CASES, prefix="alone"):
            alone += [a.latency for a in drive(url, [cid], 1, 60, max_requests=PER_CASE) if a.status in (200, 409)]
        plain = []
        for cid in create_cases(url, ALONE_CASES, prefix="plain"):
            plain += drive_plain(url, cid, PER_CASE)
    finally:
        stop_server(proc)
    problems = check(db, answers)
    ok = [a.latency for a in answers if a.status in (200, 409)]
    by_status: dict[int, int] = {}
    for a in answers:
        by_status[a.status] = by_status.get(a.status, 0) + 1
    direct_db = fresh_db(args.pg, folder, "direct.db")
    fired = direct(direct_db, [f"d-{i:03d}" for i in range(args.cases)], args.clients, min(args.seconds, 20))
    direct_alone: list[float] = []
    direct_keyed: list[float] = []
    for i in range(ALONE_CASES):
        direct_alone += direct(direct_db, [f"d-alone-{i:03d}"], 1, 60, max_events=PER_CASE)
        direct_keyed += direct(direct_db, [f"d-keyed-{i:03d}"], 1, 60, max_events=PER_CASE, keys=True)
    print(f"## workflow serve under load ({kind}, {args.workers} workers, {args.clients} clients, {args.cases} cases)")
    print()
    print("| path | requests | requests/s | p50 ms | p99 ms |")
    print("|---|---|---|---|---|")
    print(
        f"| HTTP POST /api/cases/{{id}}/events | {len(ok)} | {len(ok) / elapsed:.0f} | "
        f"{percentile(ok, 0.5) * 1000:.2f} | {percentile(ok, 0.99) * 1000:.2f} |"
    )
    span = min(args.seconds, 20)
    print(
        f"| store.fire directly ({args.clients} threads, one process) | {len(fired)} | {len(fired) / span:.0f} | "
        f"{percentile(fired, 0.5) * 1000:.2f} | {percentile(fired, 0.99) * 1000:.2f} |"
    )
    for label, times in (
        (f"HTTP, one client, one request at a time ({PER_CASE} per case)", alone),
        (f"store.fire directly, one thread ({PER_CASE} per case)", direct_alone),
        (f"HTTP one at a time, client http.client instead of httpx ({PER_CASE} per case)", plain),
        (f"store.fire directly, one thread, each event with an idempotency key ({PER_CASE} per case)", direct_keyed),
    ):
        print(
            f"| {label} | {len(times)} | {len(times) / sum(times):.0f} | "
            f"{percentile(times, 0.5) * 1000:.2f} | {percentile(times, 0.99) * 1000:.2f} |"
        )
    print()
    print(f"answers by status: {dict(sorted(by_status.items()))}" + (f"; killed worker {killed}" if killed else ""))
    print(f"accepted steps answered 200: {sum(1 for a in answers if a.status == 200 and a.accepted)}")
    added_plain = (percentile(plain, 0.5) - percentile(direct_keyed, 0.5)) * 1000
    print(
        "one at a time, p50 through HTTP (http.client) minus p50 of store.fire with keys as the requests carry: "
        f"{added_plain:.2f} ms (what the HTTP layer adds; target: under 1 ms)"
    )
    added = (percentile(alone, 0.5) - percentile(direct_alone, 0.5)) * 1000
    client = (percentile(alone, 0.5) - percentile(plain, 0.5)) * 1000
    print(
        f"the same through httpx, against store.fire without keys: {added:.2f} ms "
        f"(of which httpx's own work over http.client: {client:.2f} ms)"
    )
    print("checks: " + ("all held" if not problems else f"{len(problems)} problems"))
    for p in problems[:20]:
        print("  " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
