"""The store's reading of a case it has just written: its own copy when still the stored version, never shared.

Run on SQLite and PostgreSQL (see conftest.py).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from _appeal import POA, SUSPEND

import workflow
from workflow.errors import ConflictError
from workflow.store import Store, open_store


@pytest.fixture
def store(store_url: str, clock: workflow.SimulatedClock) -> Iterator[Store]:
    with open_store(store_url, clock=clock) as s:
        yield s


def test_get_after_a_write_equals_a_fresh_store_reading_it(store: Store, store_url: str) -> None:
    """The case read right after a write is the one another store rebuilds from the database."""
    store.create("account_suspension", case_id="A")
    store.fire("A", "suspend", SUSPEND)
    store.fire("A", "escalate", {})
    mine = store.get("A")
    with open_store(store_url, clock=store.clock) as other:
        theirs = other.get("A")
    assert (mine.state, mine.version, mine.history, mine.updated) == (
        theirs.state,
        theirs.version,
        theirs.history,
        theirs.updated,
    )


def test_a_case_read_is_the_callers_own(store: Store) -> None:
    """Firing on the case ``get`` returned changes neither the store nor the next ``get``."""
    store.create("account_suspension", case_id="A")
    store.fire("A", "suspend", SUSPEND)
    read = store.get("A")
    read.fire("escalate")
    assert read.version == 2
    again = store.get("A")
    assert again.version == 1 and again is not read
    assert store.fire("A", "escalate", {}).index == 1  # the store's own copy was not moved by the caller


def test_threads_reading_and_writing_one_store(store: Store) -> None:
    """Threads firing at their own cases and reading them through one store all see their own steps."""
    names = [f"T{i}" for i in range(4)]
    for name in names:
        store.create("account_suspension", case_id=name)
    failures: list[BaseException] = []

    def work(name: str) -> None:
        try:
            for _ in range(10):
                store.fire(name, "escalate", {})
                store.get(name)
        except BaseException as e:  # reported below
            failures.append(e)

    threads = [threading.Thread(target=work, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert failures == []
    assert [store.get(n).version for n in names] == [10, 10, 10, 10]


def test_threads_sharing_one_case_through_one_store(store: Store) -> None:
    """Eight threads fire at one case through one store: every step is stored once at its own index, the
    escalation is accepted at most once, and the stored case replays to itself."""
    store.create("account_suspension", case_id="S")
    store.fire("S", "suspend", SUSPEND)
    failures: list[BaseException] = []
    answered: list[workflow.Step] = []
    lock = threading.Lock()

    def work() -> None:
        try:
            for event in ("escalate", "contact_seller_support") * 5:
                step = store.fire("S", event, {})
                with lock:
                    answered.append(step)
        except BaseException as e:  # reported below
            failures.append(e)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert failures == []
    case = store.get("S")
    assert case.version == 1 + 80 and [s.index for s in case.history] == list(range(81))
    assert sorted(s.index for s in answered) == list(range(1, 81))  # each answer is its own stored step
    assert all(case.history[s.index] == s for s in answered)
    assert sum(s.accepted for s in case.history if s.event == "escalate") <= 1
    assert store.verify().ok


COMPLAINT = {"complaint_type": "copyright", "rights_owner": "agent@claims.example", "asin": "B000000005"}


class Statements:
    """The first words of each statement a store sends, from when it is made."""

    def __init__(self, store: Store) -> None:
        self.seen: list[str] = []
        sa.event.listen(store.engine, "before_cursor_execute", self.record)

    def record(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        words = statement.split()
        self.seen.append(" ".join(words[:3]) if words[0] != "SELECT" else "SELECT")


def test_a_write_on_the_stores_own_copy_reads_nothing_first(store: Store) -> None:
    """On the version it wrote last, fire writes the case row and the step, reading nothing and unarming nothing."""
    store.create("account_suspension", case_id="A")
    store.fire("A", "suspend", SUSPEND)
    assert store.due_of("A") == []  # nothing armed, so nothing to unarm
    statements = Statements(store)
    step = store.fire("A", "escalate", {})
    written = [s for s in statements.seen if s not in ("BEGIN IMMEDIATE", "BEGIN")]
    assert written == ["UPDATE cases SET", "INSERT INTO steps"]
    assert step.index == 1 and store.get("A").version == 2


def test_a_keyed_write_on_the_stores_own_copy_reads_nothing_first(store: Store) -> None:
    """With an idempotency key too, fire on the version it wrote last writes the case row and the step only; the
    key is checked by the step's unique constraint, not by a read."""
    store.create("account_suspension", case_id="A")
    store.fire("A", "suspend", SUSPEND, idempotency_key="k0")
    statements = Statements(store)
    step = store.fire("A", "escalate", {}, idempotency_key="k1")
    written = [s for s in statements.seen if s not in ("BEGIN IMMEDIATE", "BEGIN")]
    assert written == ["UPDATE cases SET", "INSERT INTO steps"]
    assert step.index == 1 and store.get("A").version == 2


def test_a_repeated_key_on_the_stores_own_copy_gives_the_first_step_and_writes_nothing(
    store: Store, store_url: str
) -> None:
    """The same key again, while the store's copy is the stored version: the first step comes back, the failed
    insert is rolled back whole (the case row too), and the next event goes on from the stored version."""
    store.create("account_suspension", case_id="A")
    first = store.fire("A", "suspend", SUSPEND, idempotency_key="once")
    again = store.fire("A", "suspend", SUSPEND, idempotency_key="once")
    assert again == first
    with open_store(store_url, clock=store.clock) as other:
        stored = other.get("A")
        assert (stored.version, stored.history) == (1, (first,))
        assert other.verify().ok
    assert store.fire("A", "escalate", {}, idempotency_key="next").index == 1


def test_a_repeated_key_on_a_stale_copy_leaves_what_is_armed(store: Store, store_url: str) -> None:
    """A store whose own copy (with items armed) is stale gets a key it has seen: the first step comes back, and
    the items armed by the writer that moved the case on are still armed (the attempt that unarmed them on the
    stale copy is rolled back whole)."""
    store.create("account_suspension", case_id="A")
    first = store.fire("A", "suspend", SUSPEND, idempotency_key="k1")
    with open_store(store_url, clock=store.clock) as other:
        other.fire("A", "submit_poa", {"poa": POA, "channel": "email"})
        store.fire("A", "escalate", {}, idempotency_key="k2")  # writes on the stored case: store keeps a fresh copy
        assert other.due_of("A")  # the appeal's openings, armed again by that write
        assert other.fire("A", "suspend", SUSPEND, idempotency_key="k1") == first  # other's copy: stale, armed
        assert other.due_of("A") == store.due_of("A") != []
        assert other.verify().ok


def test_a_stale_copy_with_the_version_it_expected_raises_conflict(store: Store, store_url: str) -> None:
    """A caller expecting the version this store last wrote gets ConflictError when another store wrote since."""
    store.create("account_suspension", case_id="A")
    store.fire("A", "suspend", SUSPEND)
    with open_store(store_url, clock=store.clock) as other:
        other.fire("A", "escalate", {})
    with pytest.raises(ConflictError) as caught:
        store.fire("A", "contact_seller_support", {}, expected_version=1)
    assert (caught.value.expected, caught.value.actual) == (1, 2)
    assert [s.event for s in store.get("A").history] == ["suspend", "escalate"]


def test_a_stale_copy_with_armed_timers_is_decided_again_and_rearmed(
    store: Store, store_url: str, clock: workflow.SimulatedClock
) -> None:
    """Another store moved the case on: this store's next event is decided on the stored case and re-arms it."""
    store.create("ip_complaint", case_id="IP")
    store.fire("IP", "receive_complaint", COMPLAINT)
    armed_then = store.due_of("IP")
    assert armed_then  # the complaint's 90 days
    clock.advance("1d")
    with open_store(store_url, clock=clock) as other:
        other.fire("IP", "request_retraction", {"text": "please"})
    clock.advance("1d")
    lost = store.stats.lost_races
    step = store.fire("IP", "file_counter_notice", {"text": "fair use"})
    assert store.stats.lost_races == lost + 1
    assert (step.index, step.source, step.target) == (2, "retraction_requested", "counter_notice_filed")
    with open_store(store_url, clock=clock) as fresh:
        case = fresh.get("IP")
        armed = fresh.due_of("IP")
        assert fresh.verify().ok
    assert [s.event for s in case.history] == ["receive_complaint", "request_retraction", "file_counter_notice"]
    assert {d.event for d in armed} > {d.event for d in armed_then}  # the counter-notice's 10 days too
