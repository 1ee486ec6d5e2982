"""The store's contract, run unchanged on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from _appeal import POA, SUSPEND
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import workflow
from workflow.errors import CaseExists, CaseNotFound, ConflictError, FactsError, PayloadError, StoreError, UnknownEvent
from workflow.store import Store, StoredCase, case_json, open_store, step_json
from workflow.store.tables import metadata

START = "2026-03-02T09:00:00Z"
COMPLAINT = {"complaint_type": "copyright", "rights_owner": "agent@claims.example", "asin": "B000000005"}
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def store(store_url: str, clock: workflow.SimulatedClock) -> Iterator[Store]:
    with open_store(store_url, clock=clock) as s:
        yield s


def test_new_case_is_stored_at_version_zero(store: Store) -> None:
    """A created case is read back in its initial state, at version 0, with its facts."""
    made = store.create("account_suspension", case_id="ACME-1", facts={"rejections": 2})
    got = store.get("ACME-1")
    assert isinstance(got, StoredCase)
    assert (got.id, got.state, got.version, got.history) == ("ACME-1", made.state, 0, ())
    assert got.facts["rejections"] == 2
    assert got.created == made.created


def test_generated_ids_differ(store: Store) -> None:
    """Without an id, each case gets its own."""
    assert store.create("account_suspension").id != store.create("account_suspension").id


def test_accepted_and_refused_events_are_both_stored(store: Store, clock: workflow.SimulatedClock) -> None:
    """A refused event is a step too; the version counts every step."""
    store.create("account_suspension", case_id="A")
    accepted = store.fire("A", "suspend", SUSPEND)
    clock.advance("1h")
    refused = store.fire("A", "escalate", {})
    assert accepted.accepted and accepted.target == "suspended"
    assert not refused.accepted and refused.blocked_by
    got = store.get("A")
    assert got.version == len(got.history) == 2
    assert [s.accepted for s in got.history] == [True, False]
    assert got.history[1].findings == refused.findings
    assert got.state == "suspended"


def test_stored_case_decides_as_the_case_in_memory(store: Store, clock: workflow.SimulatedClock) -> None:
    """Firing a scenario's steps through the store gives the steps the same events give a Case in memory."""
    import yaml

    scenario = yaml.safe_load((EXAMPLES / "second_escalation_not_heard.yaml").read_text(encoding="utf-8"))
    memory = workflow.Case(workflow.load("account_suspension"), clock=workflow.SimulatedClock(START))
    store.create("account_suspension", case_id="S")
    for item in scenario["steps"]:
        if "after" in item:
            clock.advance(item["after"])
            memory.clock.advance(item["after"])  # type: ignore[attr-defined]
        stored = store.fire("S", item["event"], item.get("with", {}))
        assert stored == memory.fire_payload(item["event"], item.get("with", {}))
    assert store.get("S").history == memory.history


def test_expected_version_that_is_not_stored_raises_and_writes_nothing(store: Store) -> None:
    """ConflictError names the versions; the case is left as it was."""
    store.create("account_suspension", case_id="A")
    store.fire("A", "suspend", SUSPEND, expected_version=0)
    with pytest.raises(ConflictError) as caught:
        store.fire("A", "submit_poa", {}, expected_version=0)
    assert (caught.value.case_id, caught.value.expected, caught.value.actual) == ("A", 0, 1)
    assert store.get("A").version == 1


def test_repeated_idempotency_key_returns_the_first_step(store: Store, clock: workflow.SimulatedClock) -> None:
    """The second call with the same key writes nothing and answers the first step, whatever it offers."""
    store.create("account_suspension", case_id="A")
    first = store.fire("A", "suspend", SUSPEND, idempotency_key="k-1", actor="ops")
    clock.advance("1d")
    again = store.fire("A", "escalate", {}, idempotency_key="k-1")
    assert again == first
    assert store.get("A").version == 1
    other = store.fire("A", "escalate", {}, idempotency_key="k-2")
    assert other.index == 1


def test_same_idempotency_key_on_two_cases_is_two_keys(store: Store) -> None:
    """A key is unique per case, not across cases."""
    store.create("account_suspension", case_id="A")
    store.create("account_suspension", case_id="B")
    store.fire("A", "suspend", SUSPEND, idempotency_key="same")
    store.fire("B", "suspend", SUSPEND, idempotency_key="same")
    assert store.get("A").version == store.get("B").version == 1


@pytest.mark.parametrize(
    ("case_id", "event", "payload", "error"),
    [
        ("NOPE", "suspend", SUSPEND, CaseNotFound),
        ("A", "fly", {}, UnknownEvent),
        ("A", "suspend", {"reason_class": "performance", "colour": "red"}, PayloadError),
        ("A", "suspend", {"reason_class": 7}, PayloadError),
        ("A", "suspend", {"at": object()}, PayloadError),
    ],
)
def test_callers_mistakes_raise_and_write_nothing(
    store: Store, case_id: str, event: str, payload: dict[str, object], error: type[Exception]
) -> None:
    """An unknown case or event, or a malformed payload, raises its error and stores no step."""
    store.create("account_suspension", case_id="A")
    with pytest.raises(error):
        store.fire(case_id, event, payload)
    assert store.get("A").version == 0


def test_unknown_case_error_names_the_case(store: Store) -> None:
    """CaseNotFound carries the id it looked for."""
    with pytest.raises(CaseNotFound) as caught:
        store.get("ghost")
    assert caught.value.case_id == "ghost"


def test_a_taken_id_is_refused(store: Store) -> None:
    """Creating a second case under an id raises CaseExists and leaves the first alone."""
    store.create("account_suspension", case_id="A")
    store.fire("A", "suspend", SUSPEND)
    with pytest.raises(CaseExists):
        store.create("ip_complaint", case_id="A")
    assert store.get("A").definition.name == "account_suspension"
    assert store.get("A").version == 1


def test_bad_facts_are_refused(store: Store) -> None:
    """Facts of the wrong type raise FactsError and create nothing."""
    with pytest.raises(FactsError):
        store.create("account_suspension", case_id="A", facts={"rejections": "many"})
    with pytest.raises(CaseNotFound):
        store.get("A")


def test_list_filters_by_definition_state_and_pages_by_cursor(store: Store) -> None:
    """list() filters on definition and state, and its pages, followed by cursor, give every case once."""
    for i in range(5):
        store.create("account_suspension", case_id=f"S{i}")
    for i in range(3):
        store.create("ip_complaint", case_id=f"I{i}")
    store.fire("S1", "suspend", SUSPEND)
    store.fire("S3", "suspend", SUSPEND)
    assert [c.id for c in store.list(state="suspended")] == ["S1", "S3"]
    assert [c.id for c in store.list(definition="ip_complaint")] == ["I0", "I1", "I2"]
    assert [c.id for c in store.list(definition="account_suspension", state="active")] == ["S0", "S2", "S4"]
    seen: list[str] = []
    cursor = None
    while True:
        page = store.list(limit=3, cursor=cursor)
        assert len(page) <= 3
        seen.extend(c.id for c in page)
        if page.next is None:
            break
        cursor = page.next
    assert seen == sorted([f"S{i}" for i in range(5)] + [f"I{i}" for i in range(3)])


def test_timer_is_due_from_the_index_and_fires_once(store: Store, clock: workflow.SimulatedClock) -> None:
    """A 90-day timer shows in due() only once due, run_due fires it once, and the case moves."""
    store.create("ip_complaint", case_id="IP")
    store.fire("IP", "receive_complaint", COMPLAINT)
    due_at = clock.now() + dt.timedelta(days=90)
    assert store.due(clock.now()) == []
    assert store.get("IP").next_due == due_at
    assert [c.id for c in store.list(due_before=due_at)] == ["IP"]
    assert store.list(due_before=due_at - dt.timedelta(seconds=1)).cases == ()
    (item,) = store.due(due_at)
    assert (item.case_id, item.kind, item.event, item.at) == ("IP", "timer", "complaint_timed_out", due_at)
    assert store.run_due(due_at - dt.timedelta(seconds=1)) == []
    (fired,) = store.run_due(due_at + dt.timedelta(days=1))
    assert fired.case_id == "IP" and [s.timer for s in fired.steps] == [True]
    assert store.run_due(due_at + dt.timedelta(days=2)) == []
    got = store.get("IP")
    assert got.state == "inventory_removal_requested"
    assert got.history[-1].timer and got.history[-1].at == due_at
    assert store.verify().ok


def test_openings_are_due_with_the_timers_soonest_first(store: Store, clock: workflow.SimulatedClock) -> None:
    """After a plan of action, follow-up and escalation open after five business days: due() lists them as
    openings with the rules that wait, beside another case's timer, soonest first; run_due fires neither."""
    store.create("account_suspension", case_id="A")
    store.fire("A", "suspend", SUSPEND)
    store.fire("A", "submit_poa", {"to": "seller_performance", "channel": "email", "poa": POA})
    store.create("ip_complaint", case_id="IP")
    store.fire("IP", "receive_complaint", COMPLAINT)
    opens = dt.datetime(2026, 3, 9, tzinfo=dt.timezone.utc)  # Monday 2 March + 5 business days
    assert store.due(opens - dt.timedelta(seconds=1)) == []
    listed = store.due(clock.now() + dt.timedelta(days=100))
    assert [(d.case_id, d.kind, d.event, d.at, d.rules) for d in listed] == [
        ("A", "opening", "escalate", opens, ("escalate.after_review",)),
        ("A", "opening", "follow_up", opens, ("patience.wait",)),
        ("IP", "timer", "complaint_timed_out", clock.now() + dt.timedelta(days=90), ()),
    ]
    assert store.get("A").next_due == opens
    assert store.run_due(opens) == []
    clock.set(opens)
    assert store.fire("A", "follow_up", {}).accepted
    # judged again from the follow-up: both events are open by then, so nothing is due on the case
    assert store.due_of("A") == []
    assert store.get("A").next_due is None
    assert store.verify().ok


def test_a_late_event_fires_the_due_timer_first(store: Store, clock: workflow.SimulatedClock) -> None:
    """An event offered after a timer fell due stores the timer step before its own; run_due then has nothing."""
    store.create("ip_complaint", case_id="IP")
    store.fire("IP", "receive_complaint", COMPLAINT)
    clock.advance("100d")
    step = store.fire("IP", "remove_inventory", {})
    history = store.get("IP").history
    assert [s.timer for s in history] == [False, True, False]
    assert step.index == 2 and step.accepted
    assert store.run_due(clock.now()) == []
    assert store.verify().ok


def test_a_timer_armed_at_an_old_version_is_a_no_op(store: Store, clock: workflow.SimulatedClock) -> None:
    """A timer row whose case has moved on since it was armed is marked stale and fires nothing."""
    from workflow.store.tables import timers

    store.create("ip_complaint", case_id="IP")
    store.fire("IP", "receive_complaint", COMPLAINT)
    with store.engine.begin() as conn:
        conn.execute(
            timers.insert().values(
                case_id="IP",
                kind="timer",
                event="complaint_timed_out",
                due_at=clock.now(),
                rules=[],
                armed_version=0,
                status="armed",
            )
        )
    assert store.run_due(clock.now()) == []
    assert store.stats.stale_timers == 1
    assert store.get("IP").version == 1


def test_verify_is_clean_on_a_busy_store(store: Store, clock: workflow.SimulatedClock) -> None:
    """Cases of several definitions with accepted, refused and timer steps all match their replay."""
    store.create("account_suspension", case_id="A")
    store.fire("A", "suspend", SUSPEND)
    store.fire("A", "escalate", {})
    store.create("ip_complaint", case_id="B")
    store.fire("B", "receive_complaint", COMPLAINT)
    clock.advance("91d")
    store.run_due()
    report = store.verify()
    assert report.ok, report.mismatches
    assert (report.cases, report.steps) == (2, 4)


def test_verify_reports_each_mismatch(store: Store) -> None:
    """A state and a step changed behind the store's back are both reported, by case and by what differs."""
    from workflow.store.tables import cases, steps

    store.create("account_suspension", case_id="A")
    store.fire("A", "suspend", SUSPEND)
    store.create("account_suspension", case_id="B")
    store.fire("B", "suspend", SUSPEND)
    with store.engine.begin() as conn:
        conn.execute(cases.update().where(cases.c.id == "A").values(state="reinstated"))
        conn.execute(steps.update().where(steps.c.case_id == "B").values(accepted=False))
    report = store.verify()
    found = {(m.case_id, m.what) for m in report.mismatches}
    assert ("A", "state") in found
    assert ("B", "step 0 accepted") in found
    assert not report.ok


def test_the_schema_at_head_is_the_tables_the_code_uses(store: Store) -> None:
    """Alembic's head revision creates exactly the tables, columns and indexes of workflow.store.tables."""
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_a_store_at_an_unknown_revision_is_refused(store_url: str, clock: workflow.SimulatedClock) -> None:
    """A store written by a newer version of workflow is refused with one line saying so."""
    open_store(store_url).close()
    engine = sa.create_engine(store_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'f00d'")
    engine.dispose()
    with pytest.raises(StoreError, match="f00d"):
        open_store(store_url)


def test_reopening_keeps_the_cases(store_url: str, clock: workflow.SimulatedClock) -> None:
    """A second open of the same URL sees what the first wrote (and leaves the schema at head)."""
    with open_store(store_url, clock=clock) as first:
        first.create("account_suspension", case_id="A")
        first.fire("A", "suspend", SUSPEND)
    with open_store(store_url, clock=clock) as second:
        assert second.get("A").state == "suspended"


def test_a_second_store_sees_and_builds_on_the_first_writers_steps(
    store_url: str, clock: workflow.SimulatedClock
) -> None:
    """Two stores on one database: each fires on the other's latest version (kept copies are not reused stale)."""
    with open_store(store_url, clock=clock) as a, open_store(store_url, clock=clock) as b:
        a.create("account_suspension", case_id="A")
        a.fire("A", "suspend", SUSPEND)
        b.fire("A", "escalate", {})
        step = a.fire("A", "escalate", {})
        assert step.index == 2
        assert a.get("A").version == b.get("A").version == 3
        assert a.verify().ok


class _Clock:
    """A clock that may be set back (as wall clocks on two machines may disagree)."""

    def __init__(self, start: str) -> None:
        self.at = workflow.SimulatedClock(start).now()

    def now(self) -> dt.datetime:
        return self.at


def test_a_clock_behind_the_history_does_not_write_steps_out_of_order(store_url: str) -> None:
    """A step is never stored before the case's last step, so replay rebuilds the same history."""
    clock = _Clock(START)
    with open_store(store_url, clock=clock) as store:
        store.create("account_suspension", case_id="A")
        clock.at += dt.timedelta(days=2)
        first = store.fire("A", "suspend", SUSPEND)
        clock.at -= dt.timedelta(days=1)
        second = store.fire("A", "escalate", {})
        assert second.at == first.at
        assert store.verify().ok


def test_step_json_is_simulates_step_json(tmp_path: Path) -> None:
    """A step's JSON in the store has the keys and values simulate --json gives the same step."""
    trace = workflow.run_scenario(workflow.load_scenario(EXAMPLES / "strong_poa_after_one_rejection.yaml"))
    scenario_only = {"case", "cascade", "expect", "expect_state", "expect_advice", "expectation_met"}
    for traced, plain in zip(trace.steps, trace.to_json()["steps"], strict=True):
        assert step_json(traced.step) == {k: v for k, v in plain.items() if k not in scenario_only}


def test_case_json_has_the_contracts_keys(store: Store, clock: workflow.SimulatedClock) -> None:
    """The case JSON: id, definition (name, version, hash), state, version, times, facts, allowed, due, history."""
    store.create("ip_complaint", case_id="IP")
    store.fire("IP", "receive_complaint", COMPLAINT)
    data = case_json(store.get("IP"), store.due_of("IP"))
    assert list(data) == [
        "id",
        "definition",
        "state",
        "version",
        "created",
        "updated",
        "facts",
        "terminal",
        "allowed",
        "due",
        "history",
    ]
    defn = workflow.load("ip_complaint")
    assert data["definition"] == {"name": "ip_complaint", "version": defn.version, "hash": defn.hash}
    assert (data["state"], data["version"], data["terminal"]) == ("complaint_received", 1, False)
    assert data["due"] == [{"kind": "timer", "event": "complaint_timed_out", "at": "2026-05-31T09:00:00Z", "rules": []}]
    assert data["history"][0]["event"] == "receive_complaint" and data["history"][0]["blocked_by"] == []
    assert "request_retraction" in data["allowed"]


def test_sqlite_is_wal_and_writers_take_the_lock_at_begin(tmp_path: Path) -> None:
    """SQLite: WAL journal, a busy timeout, and a write transaction holds the write lock from BEGIN."""
    path = tmp_path / "cases.db"
    with open_store(f"sqlite:///{path}") as store:
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert int(conn.exec_driver_sql("PRAGMA busy_timeout").scalar() or 0) >= 1000
        with store.engine.begin():  # nothing written yet: the lock comes from BEGIN IMMEDIATE
            other = sqlite3.connect(path, timeout=0, isolation_level=None)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            other.close()


def test_sqlite_synchronous_is_taken_from_the_url(tmp_path: Path) -> None:
    """?synchronous=NORMAL sets SQLite's synchronous level (FULL, 2, by default); a wrong value is refused."""
    with open_store(f"sqlite:///{tmp_path / 'a.db'}") as full, full.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
    with open_store(f"sqlite:///{tmp_path / 'b.db'}?synchronous=NORMAL") as normal, normal.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1
    with pytest.raises(StoreError, match="synchronous"):
        open_store(f"sqlite:///{tmp_path / 'c.db'}?synchronous=SOMETIMES")


@pytest.mark.parametrize("url", ["mysql://x@localhost/db", "not a url"])
def test_unsupported_urls_are_refused_in_one_line(url: str) -> None:
    """A URL of another database, or no URL at all, is a StoreError."""
    with pytest.raises(StoreError):
        open_store(url)


def test_sqlite_readers_do_not_wait_for_a_writer(tmp_path: Path) -> None:
    """While a write transaction holds SQLite's write lock, get, list and due still answer (WAL, deferred BEGIN)."""
    with open_store(f"sqlite:///{tmp_path / 'cases.db'}") as store:
        store.create("account_suspension", case_id="A")
        with store.engine.begin():
            assert store.get("A").version == 0
            assert [c.id for c in store.list()] == ["A"]
            assert store.due() == []
