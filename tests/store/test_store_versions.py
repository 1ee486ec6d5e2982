"""Definition versions in the store: cases keep the version they started on; migrate moves them on purpose."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from _cli import run

import workflow
from workflow.errors import StoreError, UnknownVersion
from workflow.store import Store, open_store
from workflow.store.tables import cases

COMPLAINT = {"complaint_type": "trademark", "rights_owner": "agent@claims.example", "asin": "B000000005"}
MIGRATION = """
name: mini
version: "2"
states:
  waiting: {initial: true}
  in_review: {}
  done: {terminal: true}
events: {review: {}, finish: {}}
facts:
  priority: {type: int, default: 0}
transitions:
  - {event: review, from: waiting, to: in_review}
  - {event: finish, from: in_review, to: done}
migrations:
  - from: "1"
    states: {reviewing: in_review}
    facts: {priority: 3}
"""
ORIGINAL = """
name: mini
version: "1"
states:
  waiting: {initial: true}
  reviewing: {}
  done: {terminal: true}
events: {review: {}, finish: {}, drop: {}}
transitions:
  - {event: review, from: waiting, to: reviewing}
  - {event: finish, from: reviewing, to: done}
  - {event: drop, from: waiting, to: done}
"""


@pytest.fixture
def store(store_url: str, clock: workflow.SimulatedClock) -> Iterator[Store]:
    with open_store(store_url, clock=clock) as s:
        yield s


def test_earlier_versions_of_built_ins_stay_loadable() -> None:
    """ip_complaint 1.1.0 is current and declares a migration from 1.0.0, which loads by version."""
    current = workflow.load("ip_complaint")
    earlier = workflow.load("ip_complaint", version="1.0.0")
    assert (current.version, earlier.version) == ("1.1.0", "1.0.0")
    assert current.hash != earlier.hash
    assert current.migration_from("1.0.0") is not None
    assert workflow.load("ip_complaint", version="1.1.0") is current
    with pytest.raises(UnknownVersion, match=r"kept: 1\.0\.0, 1\.1\.0"):
        workflow.load("ip_complaint", version="0.9")


def test_a_case_keeps_running_on_the_version_it_started_on(store: Store, clock: workflow.SimulatedClock) -> None:
    """A case started on ip_complaint 1.0.0 is read and fired on 1.0.0 after 1.1.0 became current."""
    store.create(workflow.load("ip_complaint", version="1.0.0"), case_id="OLD")
    with open_store(store.url if store.dialect == "postgresql" else str(store.engine.url), clock=clock) as other:
        other.fire("OLD", "receive_complaint", COMPLAINT)
        got = other.get("OLD")
        assert (got.definition.version, got.state) == ("1.0.0", "complaint_received")
        assert other.verify().ok


def test_a_case_on_a_version_no_longer_kept_is_refused_naming_both(store: Store) -> None:
    """A stored hash no kept version has: the error names the case's version and hash and the current ones."""
    store.create("ip_complaint", case_id="X")
    with store.engine.begin() as conn:
        conn.execute(
            cases.update().where(cases.c.id == "X").values(definition_version="1.0.0", definition_hash="f" * 64)
        )
    with pytest.raises(StoreError) as e:
        open_store(str(store.engine.url)).get("X")
    text = str(e.value)
    assert "version 1.0.0 (hash ffffffffffff)" in text and "version 1.1.0" in text
    assert "workflow store migrate --to 1.1.0" in text


def test_migrate_renames_states_gives_new_facts_and_appends_a_migrated_step(
    store: Store, clock: workflow.SimulatedClock
) -> None:
    """Cases of version 1 in flight move to 2: a renamed state, the new fact's value, a 'migrated' step; a
    finished case stays; events after the move are decided on version 2, and verify is clean."""
    v1 = workflow.load(text=ORIGINAL)
    store.create(v1, case_id="A")
    store.fire("A", "review")
    store.create(v1, case_id="B")
    store.create(v1, case_id="C")
    store.fire("C", "drop")
    v2 = workflow.load(text=MIGRATION)
    store.register(v2)
    dry = store.migrate("2", dry_run=True)
    assert [(m.case_id, m.from_state, m.to_state) for m in dry.moved] == [
        ("A", "reviewing", "in_review"),
        ("B", "waiting", "waiting"),
    ]
    assert store.get("A").definition.version == "1"  # a dry run writes nothing
    report = store.migrate("2")
    assert [m.case_id for m in report.moved] == ["A", "B"] and report.not_moved == ()
    a = store.get("A")
    assert (a.definition.version, a.state, a.facts["priority"], a.version) == ("2", "in_review", 3, 2)
    mark = a.history[-1]
    assert (mark.event, mark.source, mark.target) == ("migrated", "reviewing", "in_review")
    assert mark.payload["from"]["version"] == "1" and mark.payload["to"]["hash"] == v2.hash
    clock.advance("1h")
    assert store.fire("A", "finish").target == "done"
    assert store.get("C").definition.version == "1"  # finished: not in flight
    assert store.migrate("2").moved == ()  # nothing left to move
    assert store.verify().ok, store.verify().mismatches


def test_migrate_reports_what_could_not_move(store: Store) -> None:
    """A version that declares no migration from the case's version: the case is reported, not moved."""
    store.create(workflow.load(text=ORIGINAL), case_id="A")
    store.register(workflow.load(text=MIGRATION.replace('from: "1"', 'from: "0"')))
    report = store.migrate("2")
    assert report.moved == ()
    assert [(n.case_id, n.reason) for n in report.not_moved] == [
        ("A", "version 2 declares no migration from version 1")
    ]


def test_store_migrate_on_the_command_line(store: Store) -> None:
    """'workflow store migrate --to 1.1.0' moves an ip_complaint 1.0.0 case; --dry-run only reports."""
    store.create(workflow.load("ip_complaint", version="1.0.0"), case_id="OLD")
    store.fire("OLD", "receive_complaint", COMPLAINT)
    url = str(store.engine.url.render_as_string(hide_password=False))
    dry = json.loads(run("store", "migrate", "--to", "1.1.0", "--dry-run", "--db", url, "--json").output)
    assert dry["dry_run"] and [m["case"] for m in dry["moved"]] == ["OLD"]
    text = run("store", "migrate", "--to", "1.1.0", "--db", url).output
    assert "moved OLD: 1.0.0 -> 1.1.0 (complaint_received)" in text and "1 moved, 0 not moved" in text
    shown = json.loads(run("case", "show", "OLD", "--db", url, "--json").output)
    assert shown["definition"]["version"] == "1.1.0" and shown["history"][-1]["event"] == "migrated"
    assert run("store", "verify", "--db", url).exit_code == 0
    with store.engine.connect() as conn:
        assert conn.scalar(sa.select(cases.c.definition_version).where(cases.c.id == "OLD")) == "1.1.0"
