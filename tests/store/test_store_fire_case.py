"""``Store.fire_case``: the step, and the case and its due items as the write left them, as any reader finds them.

Run on SQLite and PostgreSQL (see conftest.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from _appeal import APPEAL, SUSPEND

import workflow
from workflow.store import Store, StoredCase, Written, open_store


@pytest.fixture
def store(store_url: str, clock: workflow.SimulatedClock) -> Iterator[Store]:
    with open_store(store_url, clock=clock) as s:
        yield s


def seen(case: StoredCase) -> tuple[Any, ...]:
    """Everything the case JSON is made of."""
    return (
        case.id,
        case.definition.hash,
        case.state,
        case.version,
        case.created,
        case.updated,
        case.next_due,
        dict(case.facts),
        case.terminal,
        case.allowed(),
        case.history,
    )


def test_fire_case_gives_what_another_store_reads(store: Store, store_url: str, clock: workflow.SimulatedClock) -> None:
    """After each write, the case and due items fire_case gives are those a second store reads from the database."""
    store.create("account_suspension", case_id="A", facts={"rejections": 1})
    dues = []
    with open_store(store_url, clock=clock) as other:
        for event, payload, days in APPEAL:
            clock.advance(f"{days}d")
            written = store.fire_case("A", event, payload)
            assert isinstance(written, Written)
            assert written.step == other.get("A").history[-1]
            assert seen(written.case) == seen(other.get("A"))
            assert list(written.due) == other.due_of("A")
            dues.append(written.due)
    assert any(d.kind == "opening" for due in dues for d in due), "the run meets an opening"
    assert any(not w.accepted for w in store.get("A").history), "the run meets a refusal"


def test_fire_case_hands_back_a_copy(store: Store) -> None:
    """The case fire_case gives is the caller's: later writes do not change it, and changing it writes nothing."""
    store.create("account_suspension", case_id="A")
    first = store.fire_case("A", "suspend", SUSPEND)
    store.fire("A", "escalate", {})
    assert first.case.version == 1
    first.case.fire("escalate")
    assert store.get("A").version == 2
    assert store.fire_case("A", "escalate", {}).case.version == 3


def test_fire_case_with_a_key_seen_before(store: Store) -> None:
    """A repeated idempotency key gives the first step and the case as stored now, and writes nothing."""
    store.create("account_suspension", case_id="A")
    first = store.fire_case("A", "suspend", SUSPEND, idempotency_key="k1")
    store.fire("A", "escalate", {})
    again = store.fire_case("A", "suspend", SUSPEND, idempotency_key="k1")
    assert again.step == first.step
    assert seen(again.case) == seen(store.get("A")) and again.case.version == 2
    assert list(again.due) == store.due_of("A")


def test_fire_case_on_a_linked_case(store: Store) -> None:
    """A linked case, decided with its group, is given as get reads it."""
    store.create_group("linked_accounts", "ACME", ["main", "second"])
    written = store.fire_case("ACME/main", "suspend", SUSPEND)
    assert written.step.accepted
    assert seen(written.case) == seen(store.get("ACME/main"))
    assert list(written.due) == store.due_of("ACME/main")
