"""Linked cases in the store: a group's cascade commits all or nothing, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from _appeal import POA, SUSPEND

import workflow
from workflow.errors import CaseNotFound, ConflictError, GroupExists
from workflow.store import Store, open_store
from workflow.store.tables import cases, links, steps


@pytest.fixture
def store(store_url: str, clock: workflow.SimulatedClock) -> Iterator[Store]:
    with open_store(store_url, clock=clock) as s:
        yield s


def test_a_group_is_stored_as_linked_cases(store: Store) -> None:
    """create_group stores one case per member, GROUP/MEMBER, and a link row for each."""
    group = store.create_group("linked_accounts", "ACME", ["main", "second"])
    assert group.states() == {"main": "active", "second": "active"}
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(links).order_by(links.c.member)).all()
    assert [(r.group_id, r.member, r.case_id) for r in rows] == [
        ("ACME", "main", "ACME/main"),
        ("ACME", "second", "ACME/second"),
    ]
    assert store.get("ACME/second").state == "active"
    with pytest.raises(GroupExists):
        store.create_group("linked_accounts", "ACME", ["third"])


def test_a_cascade_commits_at_every_member(store: Store, clock: workflow.SimulatedClock) -> None:
    """Suspending one member suspends the others in the same write; the store's group equals the group in memory."""
    memory = workflow.CaseGroup(workflow.load("linked_accounts"), ["main", "second", "third"], clock=clock)
    store.create_group("linked_accounts", "ACME", ["main", "second", "third"])
    done = store.fire_group("ACME", "main", "suspend", SUSPEND)
    expected = memory.fire("main", "suspend", **SUSPEND)
    assert done.accepted and [n for n, _ in done.cascaded] == ["second", "third"]
    assert done.step == expected.step and done.cascaded == expected.cascaded
    stored = store.group("ACME")
    assert stored.states() == memory.states() == {"main": "suspended", "second": "suspended", "third": "suspended"}
    assert store.get("ACME/second").history[-1].payload["reason_class"] == "related_account"
    with store.engine.connect() as conn:
        writes = conn.execute(sa.select(steps.c.case_id, steps.c.group_write, steps.c.cascade_from)).all()
    assert sorted(writes) == [("ACME/main", 1, None), ("ACME/second", 1, "main"), ("ACME/third", 1, "main")]
    assert store.verify().ok


def test_a_refused_event_is_stored_at_its_member_only(store: Store) -> None:
    """A new account opened while the group is suspended is refused: only that refusal is stored."""
    store.create_group("linked_accounts", "ACME", ["main", "second"])
    store.fire_group("ACME", "main", "suspend", SUSPEND)
    opened = store.fire_group("ACME", "second", "open_new_account", {"name": "fresh"})
    assert not opened.accepted and opened.blocked_by == ("linked.no_new_accounts",) and opened.cascaded == ()
    assert {n: c.version for n, c in store.group("ACME").items()} == {"main": 1, "second": 2}
    assert store.verify().ok


def test_fire_at_a_linked_case_goes_through_its_group(store: Store) -> None:
    """store.fire with a member's case id is decided by the group: the cascade reaches the other member."""
    store.create_group("linked_accounts", "ACME", ["main", "second"])
    assert store.fire("ACME/second", "suspend", SUSPEND).accepted
    assert store.group("ACME").states() == {"main": "suspended", "second": "suspended"}
    assert store.get("ACME/main").group is not None  # read with its group, as its rules see it
    assert store.verify().ok


def test_a_group_write_that_fails_at_one_member_writes_nothing(store: Store) -> None:
    """When one member's steps cannot be written, no member's are: the cascade is all or nothing."""
    store.create_group("linked_accounts", "ACME", ["main", "second"])
    with store.engine.begin() as conn:  # a step row in the way of the cascade's step at 'second'
        conn.execute(
            steps.insert().values(
                case_id="ACME/second",
                seq=0,
                event="suspend",
                at=store.clock.now(),
                source="active",
                target="suspended",
                accepted=True,
                timer=False,
                payload={},
                findings=[],
                recorded=store.clock.now(),
            )
        )
    with pytest.raises(ConflictError):
        store.fire_group("ACME", "main", "suspend", SUSPEND)
    with store.engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).where(steps.c.case_id == "ACME/main")) == 0
        assert conn.scalar(sa.select(cases.c.version).where(cases.c.id == "ACME/main")) == 0


def test_unknown_group_or_member_is_not_found(store: Store) -> None:
    """A group or member that is not stored raises CaseNotFound naming it."""
    store.create_group("linked_accounts", "ACME", ["main"])
    with pytest.raises(CaseNotFound, match="ACME/nobody"):
        store.fire_group("ACME", "nobody", "suspend", SUSPEND)
    with pytest.raises(CaseNotFound, match="NONE"):
        store.group("NONE")


def test_verify_replays_a_group_write_by_write(store: Store, clock: workflow.SimulatedClock) -> None:
    """Several writes at several members replay clean; a cascaded step changed behind the store's back is reported."""
    store.create_group("linked_accounts", "ACME", ["main", "second"])
    store.fire_group("ACME", "main", "suspend", SUSPEND)
    clock.advance("1d")
    store.fire_group("ACME", "second", "open_new_account", {"name": "fresh"})
    clock.advance("1d")
    store.fire_group("ACME", "main", "submit_appeal", {"poa": POA})
    report = store.verify()
    assert report.ok, report.mismatches
    assert (report.cases, report.steps) == (2, 4)
    with store.engine.begin() as conn:
        conn.execute(steps.update().where(steps.c.case_id == "ACME/second", steps.c.seq == 0).values(target="active"))
    assert {m.case_id for m in store.verify().mismatches} == {"ACME/second"}
