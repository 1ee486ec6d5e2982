"""``Store``: cases kept as their steps in a database (SQLite or PostgreSQL), one transaction per event.

Firing an event is one transaction: read the case's row, rebuild the ``Case`` (kept from this store's last
write of it when that is still the stored version, else restored from its steps), fire the event, then
update the case row ``WHERE version = expected`` and append the new steps. Losing that update to another
writer rolls everything back; the event is then decided again on the fresh state (deciding is deterministic),
up to ``MAX_ATTEMPTS`` times. A caller that names ``expected_version`` gets ``ConflictError`` instead.

What comes due on a case is written beside it in ``timers`` whenever the case is written: ``due`` reads that
index, never the cases, and ``run_due`` fires the timers there.
"""

from __future__ import annotations

import builtins
import datetime as dt
import functools
import json
import os
import random
import socket
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from .. import Case, CaseGroup, Clock, Definition, Finding, GroupStep, Step, SystemClock, load
from ..core.snapshot import MIGRATED
from ..core.structure import to_plain
from ..errors import (
    CaseExists,
    CaseNotFound,
    ConflictError,
    DefinitionMismatch,
    GroupExists,
    PayloadError,
    Problem,
    StoreError,
    WorkflowError,
)
from . import database
from .records import (
    CasePage,
    CaseSummary,
    DueItem,
    Fired,
    MigrationReport,
    Mismatch,
    Moved,
    NotMoved,
    StoredCase,
    StoreStats,
    VerifyReport,
    Written,
)
from .tables import ID, cases, links, steps, timers
from .verify import GroupRow, check_case, replay_group

#: how many times an event lost to other writers is decided again before ``ConflictError``
MAX_ATTEMPTS = 50
#: how many cases a store keeps rebuilt between its writes
CACHE_SIZE = 256
UTC = dt.timezone.utc


def open_store(url: str, clock: Clock | None = None) -> Store:
    """The store at ``url`` (``sqlite:///FILE`` or ``postgresql://…``), created at the head revision if new.

    ``clock`` gives the time of every event fired (default: the system clock). A store whose schema is at an
    older revision is refused until ``upgrade_store`` (``workflow store upgrade``) has moved it.
    """
    return Store(_prepared(url, upgrade=False), clock=clock)


def upgrade_store(url: str) -> str:
    """Create the store at ``url`` at the head revision, or move an older one up to it; returns the revision."""
    engine = database.make_engine(url)
    try:
        return database.prepare(engine, upgrade=True)
    except sa.exc.DBAPIError as e:
        raise database.connect_error(url, e) from e
    finally:
        engine.dispose()


def _prepared(url: str, *, upgrade: bool) -> Engine:
    engine = database.make_engine(url)
    try:
        database.prepare(engine, upgrade=upgrade)
    except sa.exc.DBAPIError as e:
        engine.dispose()
        raise database.connect_error(url, e) from e
    except BaseException:
        engine.dispose()
        raise
    return engine


class _LostRace(Exception):
    """Another writer changed the case between this transaction's read and its write."""


@attrs.frozen
class _NotBefore:
    """The store's clock, held back from going before the case's last step (histories stay in time order)."""

    clock: Clock
    floor: dt.datetime

    def now(self) -> dt.datetime:
        now = self.clock.now()
        return now if now >= self.floor else self.floor


@attrs.frozen
class _Head:
    """What a write needs of the case row it was decided on: taken from this store's own copy instead of read."""

    id: str
    version: int
    next_due: dt.datetime | None


@attrs.frozen
class _Due:
    kind: str
    event: str
    at: dt.datetime
    rules: tuple[str, ...] = ()


def comes_due(case: Case) -> list[_Due]:
    """What comes due on ``case`` as it stands, soonest first: its next timed transition (``timer``) and the events
    time alone opens (``opening``, with the rules that refuse them until then).

    Openings are judged at the case's last step (or its creation), so the list depends on the case's steps only
    and a replay gives it again; an opening for the event of a timer that falls due no later is left out (the
    timer fires it). Every write of a case stores this list in ``timers``; ``due`` and ``run_due`` read it from
    there. It is the one place that decides what is due.
    """
    out: list[_Due] = []
    nxt = case.deadline()
    if nxt is not None:
        at, edge = nxt
        out.append(_Due("timer", edge.transition.event, at))
    timed = {d.event: d.at for d in out}
    for o in case.openings(_last_at(case)):
        if o.event in timed and timed[o.event] <= o.at:
            continue
        out.append(_Due("opening", o.event, o.at, o.rules))
    out.sort(key=lambda d: (d.at, d.kind != "timer", d.event))
    return out


_Dues = list[DueItem]  # (``Store.list`` hides the builtin inside the class)
_Fireds = list[Fired]
_Rows = list[Any]
_Armed = list[tuple[str, str, dt.datetime]]
_T = TypeVar("_T")
#: per new step's index: its payload as stored, idempotency key, actor, and the member a cascade came from
_Meta = Mapping[int, tuple[Mapping[str, Any], str | None, str | None]]


class Store:
    """Cases in a database. Open one with ``open_store``; one ``Store`` per process (it holds a connection pool),
    shared by its threads: each write is its own transaction, and the cases it keeps between writes are handed to
    one writer at a time (tests/store/test_store.py has eight threads firing at one case)."""

    def __init__(self, engine: Engine, *, clock: Clock | None = None) -> None:
        self._engine = engine
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.stats = StoreStats()
        self._definitions: dict[str, Definition] = {}
        self._formats: dict[str, str] = {}
        self._cache: OrderedDict[str, StoredCase] = OrderedDict()
        #: the cache is shared by the threads that use this store (a service answers from several)
        self._cache_lock = threading.Lock()
        self.worker = f"{socket.gethostname()}:{os.getpid()}"

    @property
    def url(self) -> str:
        """The database URL, without its password."""
        return self._engine.url.render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._engine.dialect.name

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (for tools and benchmarks that run their own SQL beside the store's)."""
        return self._engine

    def close(self) -> None:
        """Close the store's connections."""
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Store {self.url}>"

    # ------------------------------------------------------------------------------------------ definitions

    def register(self, definition: Definition) -> None:
        """Use ``definition`` for this store's cases of its name (a definition that is not built in)."""
        self._definitions[definition.name] = definition
        self._definitions[f"{definition.name}@{definition.hash}"] = definition  # cases started on it still load

    def _definition(self, name: str) -> Definition:
        defn = self._definitions.get(name)
        if defn is None:
            defn = self._definitions[name] = load(name)
        return defn

    def _started_on(self, head: Any) -> Definition:
        """The definition a stored case runs on: the version and content hash it started with (or was migrated
        to). An earlier version of a built-in definition is loaded from those kept; a case whose version is
        not available as it was is refused, naming both, and how to move it when a migration is declared."""
        defn = self._definition(head.definition)
        if defn.hash == head.definition_hash:
            return defn
        key = f"{head.definition}@{head.definition_hash}"
        kept = self._definitions.get(key)
        if kept is not None:
            return kept
        try:
            earlier = load(head.definition, version=head.definition_version)
        except (WorkflowError, TypeError):
            earlier = None
        if earlier is not None and earlier.hash == head.definition_hash:
            self._definitions[key] = earlier
            return earlier
        declared = defn.migration_from(head.definition_version) is not None
        how = (
            f"; version {defn.version} declares a migration from {head.definition_version}: "
            f"run 'workflow store migrate --to {defn.version}'"
            if declared
            else f", and version {defn.version} declares no migration from it"
        )
        raise StoreError(
            f"case '{head.id}' was started on '{head.definition}' version {head.definition_version} "
            f"(hash {head.definition_hash[:12]}), but the definition loaded now is version {defn.version} "
            f"(hash {defn.hash[:12]}){how}"
        )

    def _format(self, defn: Definition) -> str:
        """The snapshot format ``Case.restore`` reads, as a case of ``defn`` writes it."""
        fmt = self._formats.get(defn.hash)
        if fmt is None:
            fmt = self._formats[defn.hash] = str(Case(defn, clock=self.clock).snapshot()["format"])
        return fmt

    # ------------------------------------------------------------------------------------------ writing

    def create(
        self, definition: str | Definition, case_id: str | None = None, facts: Mapping[str, Any] | None = None
    ) -> StoredCase:
        """A new case of ``definition`` (a built-in name, a file, or a ``Definition``), stored at version 0."""
        defn = definition if isinstance(definition, Definition) else load(definition)
        self.register(defn)
        cid = _case_id(case_id) if case_id is not None else uuid.uuid4().hex
        case = StoredCase(defn, clock=self.clock, facts=facts)
        try:
            with self._engine.begin() as conn:
                self._insert(conn, cid, case)
        except sa.exc.IntegrityError as e:  # created by another writer since the check
            raise CaseExists(cid) from e
        return case

    def _insert(self, conn: Connection, cid: str, case: StoredCase) -> None:
        """Store the new ``case`` as ``cid`` at version 0, with what comes due on it."""
        if conn.scalar(sa.select(cases.c.id).where(cases.c.id == cid)) is not None:
            raise CaseExists(cid)
        defn = case.definition
        due = comes_due(case)
        next_due = due[0].at if due else None
        conn.execute(
            cases.insert().values(
                id=cid,
                definition=defn.name,
                definition_version=defn.version,
                definition_hash=defn.hash,
                state=case.state,
                facts=case.snapshot()["facts"],
                version=0,
                created=case.created,
                updated=case.created,
                next_due=next_due,
            )
        )
        self._arm(conn, cid, 0, due)
        case.id = cid
        case.updated = case.created
        case.next_due = next_due
        if not hasattr(case, "group_id"):
            case.group_id = case.member = None

    def fire(
        self,
        case_id: str,
        event: str,
        payload: Mapping[str, Any] | None = None,
        expected_version: int | None = None,
        idempotency_key: str | None = None,
        actor: str | None = None,
    ) -> Step:
        """Offer ``event`` to the stored case and store the step, accepted or refused. Returns the step.

        Timers that fell due before now fire first and are stored before it. ``expected_version``: the
        version the caller saw; any other stored version raises ``ConflictError`` and nothing is written.
        ``idempotency_key``: a key this case has seen before returns that first step and writes nothing.
        An unknown case, an unknown event or a malformed payload raise (``CaseNotFound``, ``UnknownEvent``,
        ``PayloadError``).
        """
        return self._fire(case_id, event, payload, expected_version, idempotency_key, actor, copy=False)[0]

    def fire_case(
        self,
        case_id: str,
        event: str,
        payload: Mapping[str, Any] | None = None,
        expected_version: int | None = None,
        idempotency_key: str | None = None,
        actor: str | None = None,
    ) -> Written:
        """``fire``, and the case as the write left it: the step, the case (a copy the caller owns) and what
        comes due on it, as that transaction stored them, with no second read.

        A repeated ``idempotency_key`` and a linked case (decided with its group) give the case as stored now
        (``get`` and ``due_of``).
        """
        step, case, due = self._fire(case_id, event, payload, expected_version, idempotency_key, actor, copy=True)
        if case is None:
            return Written(step, self.get(case_id), tuple(self.due_of(case_id)))
        items = tuple(DueItem(case.id, d.kind, d.event, d.at, tuple(d.rules)) for d in due)
        return Written(step, case, items)

    def _fire(
        self,
        case_id: str,
        event: str,
        payload: Mapping[str, Any] | None,
        expected_version: int | None,
        idempotency_key: str | None,
        actor: str | None,
        *,
        copy: bool,
    ) -> tuple[Step, StoredCase | None, list[_Due]]:
        """The step; with a case written on its own, what comes due on it and (with ``copy``) a copy of it as
        written (else ``None``)."""
        plain = _plain_payload(event, payload)

        attempts = 0  # only the first attempt decides on this store's own copy; a retry reads the case

        def work(conn: Connection) -> tuple[Step, StoredCase | None, list[_Due]]:
            nonlocal attempts
            attempts += 1
            kept = self._kept_to_write(case_id, expected_version) if attempts == 1 else None
            if kept is not None:  # decided on this store's own copy; the write checks it is still the stored version
                # (another writer moved the case on: _LostRace), and a key the case has seen fails the step's insert
                # (unique per case). Either way the transaction is rolled back whole, timers it unarmed included, and
                # the retry reads the case as stored
                was = _Head(case_id, kept.version, kept.next_due)
                kept.clock = _NotBefore(self.clock, _last_at(kept))
                step = kept.fire_payload(event, plain)
                due = self._commit(
                    conn, was, kept, kept.history[was.version :], {step.index: (plain, idempotency_key, actor)}
                )
                return step, kept, due
            head = self._head(conn, case_id, idempotency_key)  # with a key: the step stored with it, if any
            if idempotency_key is not None and head.keyed is not None:  # a key seen before: its first step
                seen = self._take(conn, head)
                self._keep(seen)
                earlier: Step = seen.history[head.keyed]
                return earlier, None, []
            if expected_version is not None and head.version != expected_version:
                raise ConflictError(case_id, expected_version, head.version)
            case = self._take(conn, head)
            if case.group_id is not None and case.member is not None:  # a linked case: its group decides
                done = self._fire_linked(conn, case.group_id, case.member, event, plain, idempotency_key, actor)
                return done.step, None, []
            case.clock = _NotBefore(self.clock, _last_at(case))
            step = case.fire_payload(event, plain)
            new = case.history[head.version :]
            due = self._commit(conn, head, case, new, {step.index: (plain, idempotency_key, actor)})
            return step, case, due

        step, case, due = self._attempts(case_id, work)
        if case is None:
            return step, None, due
        out = None
        if copy:
            out = case.copy()  # before the case is kept: from then on the next write may change it
            out.clock = self.clock
        self._keep(case)
        return step, out, due

    def _attempts(self, case_id: str, work: Callable[[Connection], _T]) -> _T:
        """``work`` in a write transaction, done again on fresh state after a lost race (up to ``MAX_ATTEMPTS``)."""
        attempts = 0
        while True:
            attempts += 1
            try:
                with self._engine.begin() as conn:
                    return work(conn)
            except (_LostRace, sa.exc.DBAPIError) as e:
                self._lost(e, case_id, attempts)

    # ------------------------------------------------------------------------------------------ linked cases

    def create_group(
        self,
        definition: str | Definition,
        group_id: str,
        members: Sequence[str] | Mapping[str, Mapping[str, Any] | None],
    ) -> CaseGroup:
        """Linked cases of ``definition``, one per member (its facts, when ``members`` maps names to them), stored
        as cases ``GROUP/MEMBER`` and linked in ``links``, all in one transaction. Returns the group as stored.

        An event fired at a member (``fire_group``, or ``fire`` with its case id) is decided by the group: the
        definition's cascades reach the other members, and every member's steps commit together or none do.
        """
        defn = definition if isinstance(definition, Definition) else load(definition)
        self.register(defn)
        gid = _case_id(group_id)
        facts_of = dict(members) if isinstance(members, Mapping) else dict.fromkeys(members)
        if not facts_of or not all(isinstance(m, str) and m for m in facts_of):
            raise StoreError(f"a group of linked cases needs members, each named (got {list(facts_of)!r})")
        group = CaseGroup(defn, clock=self.clock)
        for name in sorted(facts_of):
            case = group.join(name, StoredCase(defn, clock=self.clock, facts=facts_of[name]))
            assert isinstance(case, StoredCase)
            case.group_id, case.member = gid, name
        try:
            with self._engine.begin() as conn:
                taken = conn.scalar(sa.select(links.c.member).where(links.c.group_id == gid).limit(1))
                if taken is not None:
                    raise GroupExists(gid)
                for name, member in group.items():
                    assert isinstance(member, StoredCase)
                    self._insert(conn, _case_id(f"{gid}/{name}"), member)
                    conn.execute(links.insert().values(group_id=gid, member=name, case_id=member.id))
        except sa.exc.IntegrityError as e:
            raise GroupExists(gid) from e
        return group

    def group(self, group_id: str) -> CaseGroup:
        """The linked cases of ``group_id`` as stored (each member a ``StoredCase``)."""
        with database.reading(self._engine) as conn:
            return self._group(conn, group_id)[0]

    def fire_group(
        self,
        group_id: str,
        member: str,
        event: str,
        payload: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
        actor: str | None = None,
    ) -> GroupStep:
        """Offer ``event`` to ``member`` of the group: its step and the steps its cascades set off at the other
        members commit in one transaction, or (any member refusing) the event is refused and only that refusal
        is stored. A lost race is decided again on fresh state, as ``fire``."""
        plain = _plain_payload(event, payload)

        def work(conn: Connection) -> GroupStep:
            if idempotency_key is not None:
                earlier = self._by_key(conn, self._member_id(conn, group_id, member), idempotency_key)
                if earlier is not None:
                    return GroupStep(member, earlier)
            return self._fire_linked(conn, group_id, member, event, plain, idempotency_key, actor)

        return self._attempts(group_id, work)

    def _member_id(self, conn: Connection, group_id: str, member: str) -> str:
        cid = conn.scalar(sa.select(links.c.case_id).where(links.c.group_id == group_id, links.c.member == member))
        if cid is None:
            raise CaseNotFound(f"{group_id}/{member}")
        return str(cid)

    def _group(self, conn: Connection, group_id: str) -> tuple[CaseGroup, dict[str, Any]]:
        """The group as stored (members in name order) and each member's case row, by member."""
        rows = conn.execute(
            sa.select(links.c.member, links.c.case_id).where(links.c.group_id == group_id).order_by(links.c.member)
        ).all()
        if not rows:
            raise CaseNotFound(group_id)
        heads = {r.member: self._head(conn, r.case_id) for r in rows}
        group: CaseGroup | None = None
        for name, head in heads.items():
            case = self._restore(conn, head)
            if group is None:
                group = CaseGroup(case.definition, clock=self.clock)
            group.join(name, case)
        assert group is not None
        return group, heads

    def _fire_linked(
        self,
        conn: Connection,
        group_id: str,
        member: str,
        event: str,
        plain: Mapping[str, Any],
        key: str | None,
        actor: str | None,
    ) -> GroupStep:
        group, heads = self._group(conn, group_id)
        if member not in heads:
            raise CaseNotFound(f"{group_id}/{member}")
        floor = max(_last_at(c) for _, c in group.items())
        for _, c in group.items():
            c.clock = _NotBefore(self.clock, floor)
        done = group.fire_payload(member, event, plain)
        meta = {member: {done.step.index: (plain, key, actor)}}
        self._commit_group(conn, group, heads, meta, cascaded=member)
        return done

    def _commit_group(
        self,
        conn: Connection,
        group: CaseGroup,
        heads: Mapping[str, Any],
        meta: Mapping[str, _Meta],
        *,
        cascaded: str | None = None,
    ) -> None:
        """Write every member's new steps as one group write; a member with none is checked still at its version
        (its steps were read to decide: a writer that changed it since makes this write lose the race)."""
        ids = [h.id for h in heads.values()]
        write = 1 + int(conn.scalar(sa.select(sa.func.max(steps.c.group_write)).where(steps.c.case_id.in_(ids))) or 0)
        for name, case in group.items():
            head = heads[name]
            assert isinstance(case, StoredCase)
            new = case.history[head.version :]
            if new:
                source = None if cascaded is None or name == cascaded else cascaded
                self._commit(conn, head, case, new, meta.get(name, {}), group_write=write, cascade_from=source)
            else:
                still = conn.execute(
                    cases.update()
                    .where(cases.c.id == head.id, cases.c.version == head.version)
                    .values(version=head.version)
                )
                if still.rowcount != 1:
                    raise _LostRace(head.id)

    def run_due(self, now: dt.datetime | None = None, worker: str | None = None, limit: int | None = None) -> _Fireds:
        """Fire every timer due by ``now`` (default: the clock), each once; returns what was fired.

        Each timer is claimed and fired in one transaction (on PostgreSQL ``FOR UPDATE SKIP LOCKED``: workers
        share the work). A timer whose case was written since it was armed is a no-op (marked ``stale``):
        that write armed the case's timers afresh.
        """
        when = now if now is not None else self.clock.now()
        owner = worker or self.worker
        fired: _Fireds = []
        attempts = 0
        while limit is None or len(fired) < limit:
            attempts += 1
            try:
                with self._engine.begin() as conn:
                    outcome = self._fire_next(conn, when, owner)
            except (_LostRace, sa.exc.DBAPIError) as e:
                self._lost(e, "", attempts)
                continue
            attempts = 0
            if outcome is None:
                return fired
            case, done = outcome
            if case is not None:
                self._keep(case)
            if done is not None:
                fired.append(done)
        return fired

    def _fire_next(
        self, conn: Connection, when: dt.datetime, owner: str
    ) -> tuple[StoredCase | None, Fired | None] | None:
        """Claim the soonest timer due by ``when`` and fire it: ``None`` when none is due, ``(None, None)`` for a
        timer that had nothing left to fire."""
        row = conn.execute(
            sa.select(timers.c.id, timers.c.case_id, timers.c.event, timers.c.armed_version)
            .where(timers.c.status == "armed", timers.c.kind == "timer", timers.c.due_at <= when)
            .order_by(timers.c.due_at, timers.c.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if row is None:
            return None
        claim = {"lease_owner": owner, "leased_at": self.clock.now()}
        head = self._head(conn, row.case_id)
        if head.version == row.armed_version:
            case = self._take(conn, head)
            if case.group_id is not None and case.member is not None:  # a linked case: advanced within its group
                group, heads = self._group(conn, case.group_id)
                new = tuple(group[case.member].advance(when))
                if new:
                    conn.execute(timers.update().where(timers.c.id == row.id).values(status="fired", **claim))
                    self._commit_group(conn, group, heads, {})
                    return None, Fired(row.case_id, row.event, new)
            else:
                new = tuple(case.advance(when))
                if new:
                    conn.execute(timers.update().where(timers.c.id == row.id).values(status="fired", **claim))
                    self._commit(conn, head, case, new, {})
                    return case, Fired(row.case_id, row.event, new)
        self.stats.stale_timers += 1
        conn.execute(timers.update().where(timers.c.id == row.id).values(status="stale", **claim))
        return None, None

    def _lost(self, error: Exception, case_id: str, attempts: int) -> None:
        """After a lost race: count it and wait a little before the next attempt (or raise what cannot be retried)."""
        if isinstance(error, sa.exc.DBAPIError) and not _retryable(error):
            lines = str(error.orig or error).strip().splitlines()
            detail = lines[0] if lines else type(error).__name__
            raise StoreError(f"the database refused a write: {detail}") from error
        self.stats.lost_races += 1
        if attempts >= MAX_ATTEMPTS:
            stored = self._version_now(case_id)
            raise ConflictError(case_id, stored, stored, attempts=attempts) from error
        time.sleep(random.uniform(0, 0.001 * min(attempts, 20)))

    def _version_now(self, case_id: str) -> int:
        if not case_id:
            return 0
        with database.reading(self._engine) as conn:
            return int(conn.scalar(sa.select(cases.c.version).where(cases.c.id == case_id)) or 0)

    def _commit(
        self,
        conn: Connection,
        head: Any,
        case: StoredCase,
        new: Sequence[Step],
        meta: _Meta,
        *,
        group_write: int | None = None,
        cascade_from: str | None = None,
    ) -> list[_Due]:
        """Write ``new`` steps of ``case`` (read at ``head``): timers re-armed, case row, then the steps.

        Returns what comes due on the case as written (what was armed in ``timers``).
        """
        now = self.clock.now()
        version = head.version + len(new)
        # what was armed goes first: timer rows are locked before the case row, the order run_due takes them in
        # (a case row with no next due time has nothing armed: every write arms what comes due and sets it)
        if head.next_due is not None:
            conn.execute(timers.delete().where(timers.c.case_id == head.id, timers.c.status == "armed"))
        due = comes_due(case)
        next_due = due[0].at if due else None
        moved = conn.execute(
            cases.update()
            .where(cases.c.id == head.id, cases.c.version == head.version)
            .values(version=version, state=case.state, updated=now, next_due=next_due)
        )
        if moved.rowcount != 1:
            raise _LostRace(head.id)
        if new:
            conn.execute(
                steps.insert(),
                [_step_row(head.id, st, now, meta.get(st.index), group_write, cascade_from) for st in new],
            )
        self._arm(conn, head.id, version, due)
        case.id = head.id
        case.updated = now
        case.next_due = next_due
        return due

    def _arm(self, conn: Connection, case_id: str, version: int, due: Sequence[_Due]) -> None:
        if due:
            conn.execute(
                timers.insert(),
                [
                    {
                        "case_id": case_id,
                        "kind": d.kind,
                        "event": d.event,
                        "due_at": d.at,
                        "rules": list(d.rules),
                        "armed_version": version,
                        "status": "armed",
                    }
                    for d in due
                ],
            )

    # ------------------------------------------------------------------------------------------ definition versions

    def migrate(
        self, to_version: str, definition: str | None = None, dry_run: bool = False, batch: int = 500
    ) -> MigrationReport:
        """Move the cases in flight (not in a terminal state) of ``definition`` (default: every definition that
        has a version ``to_version``) to that version, each in its own transaction, appending a ``migrated``
        step. A case moves when the target version declares a migration from the case's version and its state,
        renamed by it, is a state there; the report lists what moved and what could not, and why.
        ``dry_run``: report only, write nothing."""
        if definition is not None:
            self._definition(definition)  # an unknown definition is the caller's mistake (NotFound)
        moved: builtins.list[Moved] = []
        stuck: builtins.list[NotMoved] = []
        targets: dict[str, Definition | None] = {}
        after = ""
        while True:
            query = sa.select(cases).where(cases.c.id > after, cases.c.definition_version != to_version)
            if definition is not None:
                query = query.where(cases.c.definition == definition)
            with database.reading(self._engine) as conn:
                heads = conn.execute(query.order_by(cases.c.id).limit(batch)).all()
            if not heads:
                break
            after = heads[-1].id
            for head in heads:
                if head.definition not in targets:
                    targets[head.definition] = self._version(head.definition, to_version)
                target = targets[head.definition]
                if target is None:
                    if definition is not None:
                        stuck.append(
                            NotMoved(
                                head.id, head.definition_version, f"no version {to_version} of '{head.definition}'"
                            )
                        )
                    continue
                why = self._why_not_moved(head, target)
                if why == "terminal":
                    continue
                if why is not None:
                    stuck.append(NotMoved(head.id, head.definition_version, why))
                    continue
                migration = target.migration_from(head.definition_version)
                assert migration is not None
                state = migration.states.get(head.state, head.state)
                if not dry_run:
                    try:
                        self._attempts(head.id, functools.partial(self._move, case_id=head.id, target=target))
                    except (WorkflowError, ValueError) as e:
                        stuck.append(NotMoved(head.id, head.definition_version, str(e)))
                        continue
                moved.append(Moved(head.id, head.definition_version, target.version, head.state, state))
        return MigrationReport(to_version, tuple(moved), tuple(stuck), dry_run)

    def _version(self, name: str, version: str) -> Definition | None:
        """Version ``version`` of the definition ``name``: the one registered or built in, or one kept earlier."""
        defn = self._definition(name)
        if defn.version == version:
            return defn
        try:
            return load(name, version=version)
        except (WorkflowError, TypeError):
            return None

    def _why_not_moved(self, head: Any, target: Definition) -> str | None:
        """Why a case cannot move to ``target`` (``"terminal"``: it is not in flight), or ``None``."""
        try:
            started = self._started_on(head)
        except StoreError:
            started = None
        migration = target.migration_from(head.definition_version)
        finished = started if started is not None else target
        renamed = migration.states.get(head.state, head.state) if started is None and migration else head.state
        if renamed in {s.name for s in finished.states if s.terminal}:
            return "terminal"
        if migration is None:
            return f"version {target.version} declares no migration from version {head.definition_version}"
        state = migration.states.get(head.state, head.state)
        if state not in target.state_names:
            return (
                f"its state '{head.state}' is not a state of version {target.version} and the migration renames it not"
            )
        return None

    def _move(self, conn: Connection, case_id: str, target: Definition) -> None:
        """Move one case to ``target`` in ``conn``'s transaction: its row, a ``migrated`` step, and what comes due."""
        head = self._head(conn, case_id)
        if head.definition_version == target.version:
            return  # moved meanwhile by another writer
        why = self._why_not_moved(head, target)
        if why is not None:
            raise StoreError(why)
        migration = target.migration_from(head.definition_version)
        assert migration is not None
        rows = conn.execute(
            sa.select(steps).where(steps.c.case_id == head.id, steps.c.seq < head.version).order_by(steps.c.seq)
        ).all()
        history = [_stored_step(r) for r in rows]
        declared = {f.name for f in target.facts}
        facts = {k: v for k, v in dict(head.facts).items() if k in declared} | dict(migration.facts)
        state = migration.states.get(head.state, head.state)
        now = self.clock.now()
        at = max(now, history[-1].at) if history else max(now, head.created)
        record = {
            "from": {"version": head.definition_version, "hash": head.definition_hash},
            "to": {"version": target.version, "hash": target.hash},
        }
        step = Step(head.version, MIGRATED, at, head.state, state, True, record, (), False)
        case = StoredCase.rebuild(
            target, state=state, created=head.created, history=[*history, step], facts=facts, clock=self.clock
        )
        assert isinstance(case, StoredCase)
        case.group_id = case.member = None
        plain_facts = case.snapshot()["facts"]  # checked against the target's facts
        conn.execute(timers.delete().where(timers.c.case_id == head.id, timers.c.status == "armed"))
        due = comes_due(case)
        next_due = due[0].at if due else None
        moved = conn.execute(
            cases.update()
            .where(cases.c.id == head.id, cases.c.version == head.version)
            .values(
                version=head.version + 1,
                definition_version=target.version,
                definition_hash=target.hash,
                state=state,
                facts=plain_facts,
                updated=now,
                next_due=next_due,
            )
        )
        if moved.rowcount != 1:
            raise _LostRace(head.id)
        conn.execute(steps.insert(), [_step_row(head.id, step, now, (record, None, None))])
        self._arm(conn, head.id, head.version + 1, due)
        with self._cache_lock:
            self._cache.pop(head.id, None)

    # ------------------------------------------------------------------------------------------ reading

    def get(self, case_id: str) -> StoredCase:
        """The case as stored (on the store's clock). ``case.version == len(case.history)``."""
        with database.reading(self._engine) as conn:
            head = self._head(conn, case_id)
            case = self._kept_copy(head) or self._restore(conn, head)
            if case.group_id is not None and case.member is not None:  # with its group, as its rules see it
                member = self._group(conn, case.group_id)[0][case.member]
                assert isinstance(member, StoredCase)
                return member
            return case

    def history(self, case_id: str) -> tuple[Step, ...]:
        """The case's steps, oldest first."""
        return self.get(case_id).history

    def list(
        self,
        definition: str | None = None,
        state: str | None = None,
        due_before: dt.datetime | None = None,
        limit: int = 100,
        cursor: str | None = None,
    ) -> CasePage:
        """Cases by id, filtered by definition name, state and next due time; ``cursor``: the page after it."""
        query = sa.select(
            cases.c.id, cases.c.definition, cases.c.state, cases.c.version, cases.c.updated, cases.c.next_due
        )
        if definition is not None:
            query = query.where(cases.c.definition == definition)
        if state is not None:
            query = query.where(cases.c.state == state)
        if due_before is not None:
            query = query.where(cases.c.next_due <= due_before)
        if cursor is not None:
            query = query.where(cases.c.id > cursor)
        limit = max(1, limit)
        with database.reading(self._engine) as conn:
            rows = conn.execute(query.order_by(cases.c.id).limit(limit + 1)).all()
        page = tuple(CaseSummary(r.id, r.definition, r.state, r.version, r.updated, r.next_due) for r in rows[:limit])
        return CasePage(page, page[-1].id if len(rows) > limit else None)

    def due(self, now: dt.datetime | None = None, limit: int | None = None) -> _Dues:
        """What has come due by ``now`` (default: the clock) across all cases, soonest first, from the index."""
        when = now if now is not None else self.clock.now()
        query = (
            sa.select(timers.c.case_id, timers.c.kind, timers.c.event, timers.c.due_at, timers.c.rules)
            .where(timers.c.status == "armed", timers.c.due_at <= when)
            .order_by(timers.c.due_at, timers.c.id)
        )
        if limit is not None:
            query = query.limit(limit)
        with database.reading(self._engine) as conn:
            return [_due_item(r) for r in conn.execute(query)]

    def due_of(self, case_id: str) -> _Dues:
        """Everything armed on one case, whenever it falls due, soonest first."""
        query = (
            sa.select(timers.c.case_id, timers.c.kind, timers.c.event, timers.c.due_at, timers.c.rules)
            .where(timers.c.case_id == case_id, timers.c.status == "armed")
            .order_by(timers.c.due_at, timers.c.id)
        )
        with database.reading(self._engine) as conn:
            return [_due_item(r) for r in conn.execute(query)]

    def verify(self, batch: int = 500) -> VerifyReport:
        """Replay every case's steps and check they rebuild its stored state, facts, version and next due time."""
        mismatches: builtins.list[Mismatch] = []
        n_cases = n_steps = 0
        after = ""
        linked: set[str] = set()  # groups met on the way, checked at the end, each as a whole
        while True:
            with database.reading(self._engine) as conn:
                heads = conn.execute(sa.select(cases).where(cases.c.id > after).order_by(cases.c.id).limit(batch)).all()
                if not heads:
                    break
                ids = [h.id for h in heads]
                rows, due_by_case = self._rows_of(conn, ids)
                in_groups = dict(
                    conn.execute(sa.select(links.c.case_id, links.c.group_id).where(links.c.case_id.in_(ids))).all()
                )
            for head in heads:
                n_cases += 1
                n_steps += len(rows[head.id])
                if head.id in in_groups:
                    linked.add(in_groups[head.id])
                else:
                    mismatches.extend(self._check(head, rows[head.id], due_by_case[head.id]))
            after = ids[-1]
        for group_id in sorted(linked):
            mismatches.extend(self._check_group(group_id))
        return VerifyReport(n_cases, n_steps, tuple(mismatches))

    def _rows_of(self, conn: Connection, ids: Sequence[str]) -> tuple[dict[str, _Rows], dict[str, _Armed]]:
        """The step rows and the armed items of the cases ``ids``, by case, in order."""
        rows = conn.execute(
            sa.select(steps).where(steps.c.case_id.in_(ids)).order_by(steps.c.case_id, steps.c.seq)
        ).all()
        armed = conn.execute(
            sa.select(timers.c.case_id, timers.c.kind, timers.c.event, timers.c.due_at)
            .where(timers.c.case_id.in_(ids), timers.c.status == "armed")
            .order_by(timers.c.case_id, timers.c.due_at, timers.c.id)
        ).all()
        by_case: dict[str, _Rows] = {i: [] for i in ids}
        for r in rows:
            by_case[r.case_id].append(r)
        due_by_case: dict[str, _Armed] = {i: [] for i in ids}
        for t in armed:
            due_by_case[t.case_id].append((t.kind, t.event, t.due_at))
        return by_case, due_by_case

    def _check_group(self, group_id: str) -> builtins.list[Mismatch]:
        """Replay the linked cases of ``group_id`` together, write by write, and check each member against it."""
        with database.reading(self._engine) as conn:
            members = dict(
                conn.execute(sa.select(links.c.member, links.c.case_id).where(links.c.group_id == group_id)).all()
            )
            heads = {h.id: h for h in conn.execute(sa.select(cases).where(cases.c.id.in_(list(members.values()))))}
            rows, armed = self._rows_of(conn, list(members.values()))
        first = heads[next(iter(members.values()))]
        try:
            defn = self._started_on(first)
        except Exception as e:
            return [Mismatch(first.id, "definition", first.definition, f"cannot load: {e}")]
        stored = {cid: [_stored_step(r) for r in rows[cid]] for cid in members.values()}
        try:
            group = replay_group(
                defn,
                {
                    name: (
                        heads[cid].facts,
                        heads[cid].created,
                        [
                            GroupRow(s, r.group_write, r.cascade_from)
                            for s, r in zip(stored[cid], rows[cid], strict=True)
                        ],
                    )
                    for name, cid in members.items()
                },
            )
        except (WorkflowError, TypeError, ValueError) as e:
            return [Mismatch(group_id, "replay of the group", "its steps", f"failed: {e}")]
        out: builtins.list[Mismatch] = []
        for name, cid in members.items():
            out.extend(self._check(heads[cid], rows[cid], armed[cid], replayed=group[name]))
        return out

    def _check(
        self, head: Any, rows: Sequence[Any], armed: Sequence[Any], replayed: Case | None = None
    ) -> builtins.list[Mismatch]:
        try:
            defn = self._started_on(head)
        except Exception as e:  # the case is unreadable on this install: say so, and go on with the others
            return [Mismatch(head.id, "definition", head.definition, f"cannot load: {e}")]
        stored = [_stored_step(r) for r in rows]
        return check_case(
            defn,
            case_id=head.id,
            head={
                "definition_hash": head.definition_hash,
                "state": head.state,
                "facts": head.facts,
                "version": head.version,
                "created": head.created,
                "next_due": head.next_due,
            },
            steps=stored,
            armed=[(k, e, at) for k, e, at in armed],
            comes_due=lambda case: [(d.kind, d.event, d.at) for d in comes_due(case)],
            replayed_case=replayed,
        )

    # ------------------------------------------------------------------------------------------ rows and cases

    def _head(self, conn: Connection, case_id: str, key: str | None = None) -> Any:
        """The case's row; with ``key``, also ``keyed``: the index of its step stored with that idempotency key
        (``None``: none), read in the same statement."""
        if not isinstance(case_id, str) or not 0 < len(case_id) <= ID:
            raise CaseNotFound(str(case_id))
        query = sa.select(cases)
        if key is not None:
            keyed = sa.select(steps.c.seq).where(steps.c.case_id == cases.c.id, steps.c.idempotency_key == key)
            query = query.add_columns(keyed.scalar_subquery().label("keyed"))
        head = conn.execute(query.where(cases.c.id == case_id)).first()
        if head is None:
            raise CaseNotFound(case_id)
        return head

    def _by_key(self, conn: Connection, case_id: str, key: str) -> Step | None:
        seq = conn.scalar(sa.select(steps.c.seq).where(steps.c.case_id == case_id, steps.c.idempotency_key == key))
        if seq is None:
            return None
        head = self._head(conn, case_id)
        case = self._take(conn, head)
        self._keep(case)
        step: Step = case.history[seq]
        return step

    def _take(self, conn: Connection, head: Any) -> StoredCase:
        """The case at ``head``: this store's own copy when it is still the stored version, else restored."""
        with self._cache_lock:
            kept = self._cache.pop(head.id, None)
        if kept is not None and _is_stored_version(kept, head):
            kept.clock = self.clock
            return kept
        return self._restore(conn, head)

    def _kept_to_write(self, case_id: str, expected_version: int | None) -> StoredCase | None:
        """This store's own copy of the case, taken to decide an event on without reading the case first (the write
        then checks the stored version is still the copy's), unless it is not the version the caller expects."""
        if not isinstance(case_id, str):
            return None
        with self._cache_lock:
            kept = self._cache.get(case_id)
            if kept is None or (expected_version is not None and kept.version != expected_version):
                return None
            del self._cache[case_id]
        return kept

    def _kept_copy(self, head: Any) -> StoredCase | None:
        """A copy of this store's own copy of the case at ``head``, when it is still the stored version (reading
        it then needs neither its steps nor judging them again); else ``None``."""
        with self._cache_lock:
            kept = self._cache.get(head.id)
        if kept is None or not _is_stored_version(kept, head):
            return None
        out = kept.copy()
        out.clock = self.clock
        out.updated, out.next_due = head.updated, head.next_due
        return out

    def _keep(self, case: StoredCase) -> None:
        if case.group_id is not None:  # a linked case is decided with its group, read afresh each time
            return
        with self._cache_lock:
            self._cache[case.id] = case
            self._cache.move_to_end(case.id)
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)

    def _restore(self, conn: Connection, head: Any) -> StoredCase:
        """The case rebuilt from its row and its steps (``Case.restore`` of the snapshot they make)."""
        defn = self._started_on(head)
        rows = conn.execute(
            sa.select(steps).where(steps.c.case_id == head.id, steps.c.seq < head.version).order_by(steps.c.seq)
        ).all()
        data = {
            "format": self._format(defn),
            "definition": {"name": head.definition, "version": head.definition_version, "hash": head.definition_hash},
            "state": head.state,
            "created": _iso(head.created),
            "facts": head.facts,
            "history": [_plain_step(r) for r in rows],
        }
        link = conn.execute(sa.select(links.c.group_id, links.c.member).where(links.c.case_id == head.id)).first()
        try:
            # a linked case's rules read its group, which a case restored alone has not: verify replays its group
            case = StoredCase.restore(defn, data, clock=self.clock, rejudge=link is None)
        except DefinitionMismatch as e:  # pragma: no cover - _started_on gave the definition of this hash
            raise StoreError(f"case '{head.id}': {e}") from e
        if not isinstance(case, StoredCase) or len(rows) != head.version:
            raise StoreError(f"case '{head.id}' is at version {head.version} but {len(rows)} of its steps are stored")
        case.id = head.id
        case.updated = head.updated
        case.next_due = head.next_due
        case.group_id, case.member = (link.group_id, link.member) if link is not None else (None, None)
        return case


def _retryable(error: sa.exc.DBAPIError) -> bool:
    """A lost race (a step or key written by another writer first), a deadlock, or a busy SQLite file."""
    if isinstance(error, sa.exc.IntegrityError):
        return True
    if getattr(error.orig, "sqlstate", None) in ("40001", "40P01"):  # serialization failure, deadlock
        return True
    return isinstance(error, sa.exc.OperationalError) and "database is locked" in str(error.orig)


def _case_id(case_id: str) -> str:
    if not isinstance(case_id, str) or not 0 < len(case_id) <= ID or not case_id.isprintable():
        raise StoreError(f"a case id is 1 to {ID} printable characters (got {case_id!r})")
    return case_id


def _last_at(case: Case) -> dt.datetime:
    history = case.history
    return history[-1].at if history else case.created


def _iso(stamp: dt.datetime) -> str:
    return stamp.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return _iso(value if value.tzinfo is not None else value.replace(tzinfo=UTC))
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON data")


def _plain_payload(event: str, payload: Mapping[str, Any] | None) -> dict[str, Any]:
    """The payload as JSON data (what is stored and offered again on replay)."""
    if payload is None:
        return {}
    if not isinstance(payload, Mapping):
        raise PayloadError(event, [Problem(message=f"a payload is a mapping (got {type(payload).__name__})")])
    try:
        plain: dict[str, Any] = json.loads(json.dumps(payload, default=_json_value, allow_nan=False))
    except (TypeError, ValueError) as e:
        raise PayloadError(event, [Problem(message=f"the payload must be JSON data: {e}")]) from e
    return plain


def _findings(step: Step) -> list[dict[str, str]]:
    return [{"rule": f.rule, "kind": f.kind, "message": f.message, "source": f.source} for f in step.findings]


def _step_row(
    case_id: str,
    step: Step,
    now: dt.datetime,
    offered: tuple[Mapping[str, Any], str | None, str | None] | None,
    group_write: int | None = None,
    cascade_from: str | None = None,
) -> dict[str, Any]:
    """A step's row. ``offered``: the payload as offered (JSON data), the idempotency key and the actor; for a step
    the store made (a timer, a cascade) ``None``, and the step's own payload is stored as plain data."""
    if offered is None:
        payload: Mapping[str, Any] = to_plain(dict(step.payload)) if step.payload else {}
        key = actor = None
    else:
        payload, key, actor = offered
    return {
        "case_id": case_id,
        "seq": step.index,
        "event": step.event,
        "at": step.at,
        "source": step.source,
        "target": step.target,
        "accepted": step.accepted,
        "timer": step.timer,
        "payload": dict(payload),
        "findings": _findings(step),
        "idempotency_key": key,
        "actor": actor,
        "recorded": now,
        "group_write": group_write,
        "cascade_from": cascade_from,
    }


def _plain_step(row: Any) -> dict[str, Any]:
    """A step row in the snapshot's form."""
    return {
        "index": row.seq,
        "event": row.event,
        "at": _iso(row.at),
        "source": row.source,
        "target": row.target,
        "accepted": bool(row.accepted),
        "payload": row.payload,
        "findings": row.findings,
        "timer": bool(row.timer),
    }


def _stored_step(row: Any) -> Step:
    """A step row as a ``Step`` (its payload as stored, JSON data)."""
    return Step(
        index=row.seq,
        event=row.event,
        at=row.at,
        source=row.source,
        target=row.target,
        accepted=bool(row.accepted),
        payload=row.payload,
        findings=tuple(Finding(**f) for f in row.findings),
        timer=bool(row.timer),
    )


def _due_item(row: Any) -> DueItem:
    return DueItem(row.case_id, row.kind, row.event, row.due_at, tuple(row.rules))


def _is_stored_version(case: StoredCase, head: Any) -> bool:
    """Whether ``case`` is the case the row ``head`` describes: the same version, creation and definition."""
    same: bool = (
        case.version == head.version
        and case.created == head.created
        and case.definition.hash == head.definition_hash
    )
    return same
