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
import json
import os
import random
import socket
import time
import uuid
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from .. import Case, Clock, Definition, Finding, Step, SystemClock, load
from ..errors import (
    CaseExists,
    CaseNotFound,
    ConflictError,
    DefinitionMismatch,
    PayloadError,
    Problem,
    StoreError,
)
from . import database
from .records import CasePage, CaseSummary, DueItem, Fired, Mismatch, StoredCase, StoreStats, VerifyReport
from .tables import ID, cases, steps, timers
from .verify import check_case

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


class Store:
    """Cases in a database. Open one with ``open_store``; one ``Store`` per process (it holds a connection pool)."""

    def __init__(self, engine: Engine, *, clock: Clock | None = None) -> None:
        self._engine = engine
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.stats = StoreStats()
        self._definitions: dict[str, Definition] = {}
        self._formats: dict[str, str] = {}
        self._cache: OrderedDict[str, StoredCase] = OrderedDict()
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

    def _definition(self, name: str) -> Definition:
        defn = self._definitions.get(name)
        if defn is None:
            defn = self._definitions[name] = load(name)
        return defn

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
        plain_facts = case.snapshot()["facts"]
        due = comes_due(case)
        next_due = due[0].at if due else None
        try:
            with self._engine.begin() as conn:
                if conn.scalar(sa.select(cases.c.id).where(cases.c.id == cid)) is not None:
                    raise CaseExists(cid)
                conn.execute(
                    cases.insert().values(
                        id=cid,
                        definition=defn.name,
                        definition_version=defn.version,
                        definition_hash=defn.hash,
                        state=case.state,
                        facts=plain_facts,
                        version=0,
                        created=case.created,
                        updated=case.created,
                        next_due=next_due,
                    )
                )
                self._arm(conn, cid, 0, due)
        except sa.exc.IntegrityError as e:  # created by another writer since the check
            raise CaseExists(cid) from e
        case.id = cid
        case.updated = case.created
        case.next_due = next_due
        return case

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
        plain = _plain_payload(event, payload)
        attempts = 0
        while True:
            attempts += 1
            try:
                with self._engine.begin() as conn:
                    if idempotency_key is not None:
                        earlier = self._by_key(conn, case_id, idempotency_key)
                        if earlier is not None:
                            return earlier
                    head = self._head(conn, case_id)
                    if expected_version is not None and head.version != expected_version:
                        raise ConflictError(case_id, expected_version, head.version)
                    case = self._take(conn, head)
                    case.clock = _NotBefore(self.clock, _last_at(case))
                    step = case.fire_payload(event, plain)
                    new = case.history[head.version :]
                    meta = {step.index: (plain, idempotency_key, actor)}
                    self._commit(conn, head, case, new, meta)
            except (_LostRace, sa.exc.DBAPIError) as e:
                self._lost(e, case_id, attempts)
                continue
            self._keep(case)
            return step

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
            if case is not None and done is not None:
                self._keep(case)
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
        meta: Mapping[int, tuple[Mapping[str, Any], str | None, str | None]],
    ) -> None:
        """Write ``new`` steps of ``case`` (read at ``head``): timers re-armed, case row, then the steps."""
        now = self.clock.now()
        version = head.version + len(new)
        # what was armed goes first: timer rows are locked before the case row, the order run_due takes them in
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
                [_step_row(head.id, st, now, *meta.get(st.index, ({}, None, None))) for st in new],
            )
        self._arm(conn, head.id, version, due)
        case.id = head.id
        case.updated = now
        case.next_due = next_due

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

    # ------------------------------------------------------------------------------------------ reading

    def get(self, case_id: str) -> StoredCase:
        """The case as stored (on the store's clock). ``case.version == len(case.history)``."""
        with database.reading(self._engine) as conn:
            return self._restore(conn, self._head(conn, case_id))

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
        while True:
            with database.reading(self._engine) as conn:
                heads = conn.execute(sa.select(cases).where(cases.c.id > after).order_by(cases.c.id).limit(batch)).all()
                if not heads:
                    break
                ids = [h.id for h in heads]
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
            for head in heads:
                n_cases += 1
                n_steps += len(by_case[head.id])
                mismatches.extend(self._check(head, by_case[head.id], due_by_case[head.id]))
            after = ids[-1]
        return VerifyReport(n_cases, n_steps, tuple(mismatches))

    def _check(self, head: Any, rows: Sequence[Any], armed: Sequence[Any]) -> builtins.list[Mismatch]:
        try:
            defn = self._definition(head.definition)
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
        )

    # ------------------------------------------------------------------------------------------ rows and cases

    def _head(self, conn: Connection, case_id: str) -> Any:
        if not isinstance(case_id, str) or not 0 < len(case_id) <= ID:
            raise CaseNotFound(str(case_id))
        head = conn.execute(sa.select(cases).where(cases.c.id == case_id)).first()
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
        kept = self._cache.pop(head.id, None)
        if (
            kept is not None
            and kept.version == head.version
            and kept.created == head.created
            and kept.definition.hash == head.definition_hash
        ):
            kept.clock = self.clock
            return kept
        return self._restore(conn, head)

    def _keep(self, case: StoredCase) -> None:
        self._cache[case.id] = case
        self._cache.move_to_end(case.id)
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)

    def _restore(self, conn: Connection, head: Any) -> StoredCase:
        """The case rebuilt from its row and its steps (``Case.restore`` of the snapshot they make)."""
        defn = self._definition(head.definition)
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
        try:
            case = StoredCase.restore(defn, data, clock=self.clock)
        except DefinitionMismatch as e:
            raise StoreError(
                f"case '{head.id}' was started on '{head.definition}' version {head.definition_version} "
                f"(hash {head.definition_hash[:12]}), but the definition loaded now is version {defn.version} "
                f"(hash {defn.hash[:12]})"
            ) from e
        if not isinstance(case, StoredCase) or len(rows) != head.version:
            raise StoreError(f"case '{head.id}' is at version {head.version} but {len(rows)} of its steps are stored")
        case.id = head.id
        case.updated = head.updated
        case.next_due = head.next_due
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
    case_id: str, step: Step, now: dt.datetime, payload: Mapping[str, Any], key: str | None, actor: str | None
) -> dict[str, Any]:
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
