"""The store's reading of a case it has just written: its own copy when still the stored version, never shared.

Run on SQLite and PostgreSQL (see conftest.py).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

import workflow
from workflow.store import Store, open_store

SUSPEND = {"reason_class": "performance", "issues": ["order_defect_rate"]}


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
