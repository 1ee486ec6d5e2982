"""Opening a store's database: the engine (one code path for SQLite and PostgreSQL) and its schema revision.

SQLite follows SQLAlchemy's documented pysqlite recipe: the driver's own transaction handling is switched off
on connect and the store emits ``BEGIN IMMEDIATE`` itself on begin, so a writer takes the write lock before it
reads and two processes sharing one file wait for each other (``busy_timeout``) instead of deadlocking. The
file is in WAL mode, so readers (``BEGIN`` deferred) do not wait for writers.

Alembic owns the schema: a new store is created at the head revision; an older one is moved up only on
purpose (``upgrade``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.pool import StaticPool

from ..errors import StoreError

#: how long a SQLite writer waits for another's lock before giving up, in milliseconds
BUSY_TIMEOUT_MS = 30_000
#: the execution option that makes a SQLite transaction a reader (``BEGIN``) rather than a writer
READ = "workflow_read"
#: SQLite's ``synchronous`` setting, given as ``?synchronous=`` on the URL (FULL: a commit survives power loss)
SYNCHRONOUS = ("OFF", "NORMAL", "FULL", "EXTRA")
#: the PostgreSQL advisory lock key held while the schema is created or upgraded
_SCHEMA_LOCK = 0x776F726B666C6F77  # "workflow"
_SCRIPTS = "workflow.store:migrations"


def parse_url(url: str) -> tuple[URL, str]:
    """The SQLAlchemy URL for ``url`` (``postgresql://`` means psycopg 3) and SQLite's ``synchronous`` setting."""
    if url.startswith("postgres://"):  # the short scheme many hosts hand out
        url = "postgresql://" + url[len("postgres://") :]
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError as e:
        raise StoreError(f"not a database URL: {url!r} (expected e.g. sqlite:///workflow.db)") from e
    synchronous = "FULL"
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        given = parsed.query.get("synchronous")
        if given is not None:
            synchronous = str(given).upper()
            if synchronous not in SYNCHRONOUS:
                raise StoreError(f"synchronous={given} (expected one of {', '.join(SYNCHRONOUS)})")
            parsed = parsed.difference_update_query(["synchronous"])
    elif backend == "postgresql":
        if "+" not in parsed.drivername:  # no driver named: psycopg 3, not SQLAlchemy's default psycopg2
            parsed = parsed.set(drivername="postgresql+psycopg")
    else:
        raise StoreError(f"unsupported database {backend!r} in {url!r} (sqlite:///FILE or postgresql://…)")
    return parsed, synchronous


def make_engine(url: str) -> Engine:
    """An engine for ``url``: SQLite (WAL, busy timeout, writes begin IMMEDIATE) or PostgreSQL (psycopg 3)."""
    parsed, synchronous = parse_url(url)
    if parsed.get_backend_name() == "postgresql":
        return sa.create_engine(parsed, pool_size=2, max_overflow=8)
    memory = parsed.database in (None, "", ":memory:")
    options: dict[str, Any] = {}
    if memory:  # one connection, or every connection would be a different empty database
        options = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    engine = sa.create_engine(parsed, **options)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # pysqlite emits no BEGIN of its own (nor COMMIT before DDL)
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not memory:
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA synchronous = {synchronous}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ) else "BEGIN IMMEDIATE")

    return engine


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction (on SQLite a deferred ``BEGIN``: readers do not take the write lock)."""
    with engine.connect() as conn:
        conn.execution_options(**{READ: True})
        with conn.begin():
            yield conn


def _config(conn: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", _SCRIPTS)
    config.attributes["connection"] = conn
    return config


def head_revision() -> str:
    """The revision this package's tables are written against."""
    head = ScriptDirectory.from_config(_config_without_connection()).get_current_head()
    if head is None:  # pragma: no cover - the package ships its revisions
        raise StoreError("the store's migrations are missing from the package")
    return head


def _config_without_connection() -> Config:
    config = Config()
    config.set_main_option("script_location", _SCRIPTS)
    return config


def _lock_schema(conn: Connection) -> None:
    """On PostgreSQL, one process at a time creates or upgrades the schema (SQLite: BEGIN IMMEDIATE did)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK})


def current_revision(conn: Connection) -> str | None:
    """The store's schema revision, or ``None`` for a database that holds no store yet."""
    return MigrationContext.configure(conn).get_current_revision()


def prepare(engine: Engine, *, upgrade: bool = False) -> str:
    """Create the store at head in a database that has none, or check (``upgrade``: move up) its revision.

    Returns the revision the store is at afterwards.
    """
    head = head_revision()
    with engine.begin() as conn:
        _lock_schema(conn)
        current = current_revision(conn)
        if current is None:
            if sa.inspect(conn).has_table("cases"):
                raise StoreError("the database has a 'cases' table but no store revision: not a workflow store")
            command.upgrade(_config(conn), "head")
            return head
        if current == head:
            return head
        known = {s.revision for s in ScriptDirectory.from_config(_config(conn)).walk_revisions()}
        if current not in known:
            raise StoreError(
                f"the store is at revision {current}, which this version of workflow does not know "
                f"(its newest is {head}): use a newer workflow"
            )
        if not upgrade:
            raise StoreError(
                f"the store is at revision {current} and this version of workflow needs {head}: "
                "run 'workflow store upgrade' first"
            )
        command.upgrade(_config(conn), "head")
        return head


def connect_error(url: str, error: Exception) -> StoreError:
    """A one-line ``StoreError`` for a database that cannot be reached or opened."""
    cause = str(getattr(error, "orig", None) or error).strip().splitlines()
    detail = cause[0] if cause else type(error).__name__
    return StoreError(f"cannot open the store at {_hide_password(url)}: {detail}")


def _hide_password(url: str) -> str:
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url
