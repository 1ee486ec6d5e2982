"""``workflow case …``, ``workflow store …`` and ``workflow worker``: output, JSON and exit status."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _cli import run
from click.testing import CliRunner
from workflow_cli.main import main

import workflow
from workflow.store import open_store

SUSPEND = '{"reason_class": "performance", "issues": ["order_defect_rate"]}'
COMPLAINT = "complaint_type: copyright\nrights_owner: agent@claims.example\nasin: B000000005\n"


@pytest.fixture
def db(store_url: str) -> str:
    return store_url


def _payload(tmp_path: Path, text: str, name: str = "payload.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_help_names_the_default_database() -> None:
    """Every store command's --help names $WORKFLOW_DB and sqlite:///workflow.db."""
    for args in (["case", "new"], ["case", "fire"], ["case", "list"], ["store", "verify"], ["worker"]):
        out = run(*args, "--help").output
        assert "WORKFLOW_DB" in out and "sqlite:///workflow.db" in out, args


def test_new_fire_show_and_history(db: str, tmp_path: Path) -> None:
    """A case made, fired at (accepted: 0, refused: 1) and read back, as text and as JSON."""
    assert run("case", "new", "account_suspension", "--id", "ACME-1", "--db", db).output.strip() == "ACME-1"
    fired = run("case", "fire", "ACME-1", "suspend", "--with", _payload(tmp_path, SUSPEND), "--db", db, "--json")
    assert fired.exit_code == 0
    data = json.loads(fired.output)
    assert data["step"]["target"] == "suspended" and data["case"]["version"] == 1
    refused = run("case", "fire", "ACME-1", "escalate", "--db", db)
    assert refused.exit_code == 1
    assert "BLOCKED" in refused.output
    shown = json.loads(run("case", "show", "ACME-1", "--db", db, "--json").output)
    assert (shown["id"], shown["state"], shown["version"]) == ("ACME-1", "suspended", 2)
    assert [s["accepted"] for s in shown["history"]] == [True, False]
    text = run("case", "show", "ACME-1", "--db", db).output
    assert "state suspended" in text and "escalate" in text
    history = json.loads(run("case", "history", "ACME-1", "--db", db, "--json").output)
    assert history["history"] == shown["history"]


def test_fire_reads_the_payload_from_standard_input(db: str) -> None:
    """--with - reads YAML or JSON from standard input."""
    run("case", "new", "account_suspension", "--id", "A", "--db", db)
    result = CliRunner().invoke(main, ["case", "fire", "A", "suspend", "--with", "-", "--db", db], input=SUSPEND)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["case", "fire", "GHOST", "suspend"], "no case 'GHOST'"),
        (["case", "fire", "A", "fly"], "unknown event 'fly'"),
        (["case", "fire", "A", "suspend", "--with", "BAD"], "reason_class"),
        (["case", "fire", "A", "suspend", "--with", "MISSING"], "MISSING"),
        (["case", "fire", "A", "suspend", "--with", "INVALID"], "invalid YAML"),
        (["case", "show", "GHOST"], "no case 'GHOST'"),
        (["case", "new", "no_such_definition"], "no_such_definition"),
        (["case", "list", "--due-before", "soon"], "--due-before: not a time"),
        (["worker", "--every", "2bd"], "--every: not seconds"),
        (["store", "migrate", "--to", "2.0.0", "--definition", "no_such_definition"], "no_such_definition"),
    ],
)
def test_bad_input_exits_2_with_one_line(db: str, tmp_path: Path, args: list[str], message: str) -> None:
    """An unknown case, event or definition, or a bad payload or time: exit 2, one line on stderr, nothing written."""
    run("case", "new", "account_suspension", "--id", "A", "--db", db)
    files = {
        "BAD": _payload(tmp_path, '{"reason_class": 5}'),
        "MISSING": tmp_path / "MISSING",
        "INVALID": _payload(tmp_path, "reason_class: [performance\n", "invalid.yaml"),
    }
    result = run(*[str(files.get(a, a)) for a in args], "--db", db)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    with open_store(db) as store:
        assert store.get("A").version == 0


def test_conflicts_exit_1(db: str, tmp_path: Path) -> None:
    """A stale --expect-version, and an id already taken, exit 1 with one line; nothing written."""
    run("case", "new", "account_suspension", "--id", "A", "--db", db)
    taken = run("case", "new", "account_suspension", "--id", "A", "--db", db)
    assert taken.exit_code == 1 and "already" in taken.stderr
    stale = run(
        "case", "fire", "A", "suspend", "--with", _payload(tmp_path, SUSPEND), "--expect-version", "3", "--db", db
    )
    assert stale.exit_code == 1 and "version 0, not the expected 3" in stale.stderr
    with open_store(db) as store:
        assert store.get("A").version == 0


def test_idempotency_key_on_the_command_line(db: str, tmp_path: Path) -> None:
    """The same --idempotency-key twice stores one step and prints the same step."""
    run("case", "new", "account_suspension", "--id", "A", "--db", db)
    args = ["case", "fire", "A", "suspend", "--with", str(_payload(tmp_path, SUSPEND)), "--db", db, "--json"]
    first = json.loads(run(*args, "--idempotency-key", "req-1").output)
    second = json.loads(run(*args, "--idempotency-key", "req-1").output)
    assert first["step"] == second["step"]
    assert second["case"]["version"] == 1


def test_list_and_due_as_json(db: str, tmp_path: Path) -> None:
    """list answers {"cases": [...], "next"}; due lists the timers come due, with their case."""
    for i in range(3):
        run("case", "new", "ip_complaint", "--id", f"IP{i}", "--db", db)
    run("case", "fire", "IP1", "receive_complaint", "--with", _payload(tmp_path, COMPLAINT), "--db", db)
    listed = json.loads(run("case", "list", "--db", db, "--json", "--limit", "2").output)
    assert [c["id"] for c in listed["cases"]] == ["IP0", "IP1"] and listed["next"] == "IP1"
    assert set(listed["cases"][0]) == {"id", "definition", "state", "version", "updated", "next_due"}
    rest = json.loads(run("case", "list", "--db", db, "--json", "--cursor", "IP1").output)
    assert [c["id"] for c in rest["cases"]] == ["IP2"] and rest["next"] is None
    received = json.loads(run("case", "list", "--db", db, "--json", "--state", "complaint_received").output)
    assert [c["id"] for c in received["cases"]] == ["IP1"]
    next_due = received["cases"][0]["next_due"]
    assert json.loads(run("case", "due", "--db", db, "--json").output) == {"due": []}
    due = json.loads(run("case", "due", "--db", db, "--json", "--now", "2099-01-01T00:00:00Z").output)
    assert due == {
        "due": [{"case": "IP1", "kind": "timer", "event": "complaint_timed_out", "at": next_due, "rules": []}]
    }


def test_due_lists_openings_with_the_rules_that_wait(db: str, tmp_path: Path) -> None:
    """A submitted plan of action: 'case due' lists follow-up and escalation as openings naming their rules, and
    'case show' gives them in the case's due list."""
    poa = (
        "to: seller_performance\nchannel: email\npoa:\n"
        "  root_causes: [{issue: order_defect_rate, text: late carrier hand-off in December}]\n"
        "  corrective_actions: [moved to two-day carrier pickup]\n"
        "  preventive_measures: [daily late-shipment report reviewed by the owner]\n"
        "  documents: [{kind: invoice, genuine: true}]\n"
    )
    run("case", "new", "account_suspension", "--id", "A", "--db", db)
    run("case", "fire", "A", "suspend", "--with", _payload(tmp_path, SUSPEND, "s.json"), "--db", db)
    run("case", "fire", "A", "submit_poa", "--with", _payload(tmp_path, poa), "--db", db)
    submitted = json.loads(run("case", "show", "A", "--db", db, "--json").output)
    opened = [d for d in submitted["due"] if d["kind"] == "opening"]
    assert {(d["event"], tuple(d["rules"])) for d in opened} == {
        ("follow_up", ("patience.wait",)),
        ("escalate", ("escalate.after_review",)),
    }
    assert "follow_up" not in submitted["allowed"]
    due = json.loads(run("case", "due", "--db", db, "--json", "--now", "2099-01-01T00:00:00Z").output)["due"]
    assert [(d["case"], d["kind"], d["event"]) for d in due] == [
        ("A", "opening", "escalate"),
        ("A", "opening", "follow_up"),
    ]
    assert due[0]["at"] == opened[0]["at"] and due[0]["at"] > submitted["history"][-1]["at"]
    text = run("case", "due", "--db", db, "--now", "2099-01-01T00:00:00Z").output
    assert "opening follow_up (patience.wait)" in text


def test_db_defaults_to_the_environment_then_workflow_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --db: $WORKFLOW_DB when set, else workflow.db in the working directory."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WORKFLOW_DB", raising=False)
    run("case", "new", "account_suspension", "--id", "HERE")
    assert (tmp_path / "workflow.db").exists()
    other = tmp_path / "other.db"
    monkeypatch.setenv("WORKFLOW_DB", f"sqlite:///{other}")
    run("case", "new", "account_suspension", "--id", "THERE")
    with open_store(f"sqlite:///{other}") as store:
        assert [c.id for c in store.list()] == ["THERE"]


def test_store_init_verify_and_upgrade(db: str) -> None:
    """init makes the store at head, upgrade leaves it there, verify is clean (exit 0) and finds tampering (exit 1)."""
    head = workflow.store.head_revision()
    assert json.loads(run("store", "init", "--db", db, "--json").output)["revision"] == head
    assert json.loads(run("store", "upgrade", "--db", db, "--json").output)["revision"] == head
    run("case", "new", "account_suspension", "--id", "A", "--db", db)
    clean = run("store", "verify", "--db", db, "--json")
    assert clean.exit_code == 0 and json.loads(clean.output)["ok"] is True
    with open_store(db) as store, store.engine.begin() as conn:
        from workflow.store.tables import cases

        conn.execute(cases.update().values(state="reinstated"))
    broken = run("store", "verify", "--db", db)
    assert broken.exit_code == 1
    assert "case 'A': state: stored 'reinstated', replayed 'active'" in broken.output


def test_worker_once_fires_what_is_due(db: str, tmp_path: Path) -> None:
    """workflow worker --once fires every timer already due on the system clock, then stops (exit 0)."""
    with open_store(db, clock=workflow.SimulatedClock("2020-01-06T09:00:00Z")) as store:
        store.create("ip_complaint", case_id="OLD")
        store.fire("OLD", "receive_complaint", {"complaint_type": "copyright", "rights_owner": "x", "asin": "B1"})
    result = run("worker", "--db", db, "--once")
    assert result.exit_code == 0
    assert "fired complaint_timed_out on OLD" in result.output
    with open_store(db) as store:
        assert store.get("OLD").state == "inventory_removal_requested"


def test_worker_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    """A worker process given SIGTERM while it waits ends its loop and exits 0."""
    db = f"sqlite:///{tmp_path / 'w.db'}"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "workflow_cli.main", "worker", "--db", db, "--every", "1h"],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert worker.stderr is not None
    assert worker.stderr.readline().startswith("worker ")
    time.sleep(0.1)
    worker.send_signal(signal.SIGTERM)
    try:
        code = worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        pytest.fail("the worker did not stop on SIGTERM")
    assert code == 0
    assert "worker stopped" in worker.stderr.read()
