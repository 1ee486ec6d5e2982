"""``workflow store init|verify|migrate|upgrade`` and ``workflow worker``: the case store and its timer loop.

Also what every store command shares: ``--db`` (default ``$WORKFLOW_DB``, else ``sqlite:///workflow.db``),
opening the store, and exit status 1 for a conflict (exit 2, bad input, is the top level's).
"""

from __future__ import annotations

import datetime as dt
import json
import signal
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

import workflow
from workflow.core.text import counted
from workflow.errors import BadOption, StoreError, printable

from .output import echo
from .status import FAILED, OK

if TYPE_CHECKING:
    from workflow.store import Store

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_DB = "sqlite:///workflow.db"

db_option = click.option(
    "--db",
    "db",
    metavar="URL",
    envvar="WORKFLOW_DB",
    default=DEFAULT_DB,
    show_default=True,
    show_envvar=True,
    help="The store: sqlite:///FILE or postgresql://USER@HOST/DB (default: $WORKFLOW_DB, else sqlite:///workflow.db "
    "in the working directory).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


def store_module() -> Any:
    """``workflow.store``, or one line saying which extra to install."""
    try:
        import workflow.store as module
    except ImportError as e:
        raise StoreError(f"the case store needs the 'store' extra: pip install 'seller-case-rules[store]' ({e})") from e
    return module


def open_db(db: str, clock: Any = None) -> Store:
    """The store at ``db`` (created at the head revision when new)."""
    store: Store = store_module().open_store(db, clock=clock)
    return store


def emit_json(data: Any) -> None:
    echo(json.dumps(data, indent=2, ensure_ascii=False), json=True)


def parse_time(text: str | None, what: str) -> dt.datetime | None:
    """An ISO 8601 time (``Z`` or an offset; none means UTC), or a usage error naming the option."""
    if text is None:
        return None
    raw = text.strip()
    try:
        stamp = dt.datetime.fromisoformat(raw[:-1] + "+00:00" if raw[-1:] in ("Z", "z") else raw)
    except ValueError:
        raise BadOption(what, text, "a time (e.g. 2026-03-02T09:00:00Z)") from None
    return stamp.replace(tzinfo=dt.timezone.utc) if stamp.tzinfo is None else stamp.astimezone(dt.timezone.utc)


@click.group(name="store", short_help="Create, check and upgrade the case store.")
def store() -> None:
    """The case store: create it, check it, move its schema up."""


@store.command(name="init", short_help="Create the store at the head schema revision.")
@db_option
@json_option
def init_cmd(db: str, as_json: bool) -> None:
    """Create the store at the head schema revision (an existing store at head is left as it is)."""
    module = store_module()
    with open_db(db) as st:
        revision = module.head_revision()
        url = st.url
    if as_json:
        emit_json({"db": url, "revision": revision})
    else:
        echo(f"store ready at {url} (schema revision {revision})")


@store.command(name="upgrade", short_help="Move the store's schema up to the head revision.")
@db_option
@json_option
def upgrade_cmd(db: str, as_json: bool) -> None:
    """Move the store's schema up to this version's head revision (creating the store if there is none)."""
    revision = store_module().upgrade_store(db)
    if as_json:
        emit_json({"db": db, "revision": revision})
    else:
        echo(f"store at schema revision {revision}")


@store.command(name="verify", short_help="Replay every stored case and check it.")
@db_option
@json_option
def verify_cmd(db: str, as_json: bool) -> int:
    """Replay every case's steps and check they rebuild its stored state, facts, version and due times.

    Exit status 0 when every case matches, 1 when any does not (each mismatch is listed).
    """
    with open_db(db) as st:
        report = st.verify()
    if as_json:
        emit_json(
            {
                "cases": report.cases,
                "steps": report.steps,
                "ok": report.ok,
                "mismatches": [
                    {"case": m.case_id, "what": m.what, "stored": m.stored, "replayed": m.replayed}
                    for m in report.mismatches
                ],
            }
        )
    else:
        for m in report.mismatches:
            echo(printable(str(m)))
        verdict = (
            "every case matches its replay" if report.ok else counted(len(report.mismatches), "mismatch", "mismatches")
        )
        echo(f"{counted(report.cases, 'case')}, {counted(report.steps, 'step')}: {verdict}")
    return OK if report.ok else FAILED


@store.command(name="migrate", short_help="Move cases to another definition version.")
@click.option("--to", "to_version", metavar="VERSION", required=True, help="The definition version to move to.")
@click.option("--definition", metavar="NAME", help="Only cases of this definition (default: every one with VERSION).")
@click.option("--dry-run", is_flag=True, help="Report what would move, and write nothing.")
@db_option
@json_option
def migrate_cmd(to_version: str, definition: str | None, dry_run: bool, db: str, as_json: bool) -> int:
    """Move in-flight cases to version VERSION of their definition, appending a 'migrated' step to each.

    A case moves when VERSION declares a migration from the case's version (its 'migrations:'). Every case
    moved, and every one that could not be and why, is reported. Exit status 0 when all moved, 1 when any
    could not.
    """
    with open_db(db) as st:
        report = st.migrate(to_version, definition=definition, dry_run=dry_run)
    if as_json:
        emit_json(
            {
                "to": report.to_version,
                "dry_run": report.dry_run,
                "moved": [
                    {"case": m.case_id, "from": m.from_version, "to": m.to_version, "state": [m.from_state, m.to_state]}
                    for m in report.moved
                ],
                "not_moved": [
                    {"case": n.case_id, "from": n.from_version, "reason": n.reason} for n in report.not_moved
                ],
            }
        )
    else:
        verb = "would move" if dry_run else "moved"
        for m in report.moved:
            change = m.from_state if m.from_state == m.to_state else f"{m.from_state} -> {m.to_state}"
            click.echo(printable(f"{verb} {m.case_id}: {m.from_version} -> {m.to_version} ({change})"))
        for n in report.not_moved:
            click.echo(printable(f"not moved {n.case_id} ({n.from_version}): {n.reason}"))
        click.echo(f"{len(report.moved)} {verb}, {len(report.not_moved)} not moved")
    return FAILED if report.not_moved else OK


def parse_every(text: str) -> float:
    """``30s``, ``5m``, ``1h`` as seconds."""
    try:
        duration = workflow.parse_duration(text)
    except ValueError:
        raise BadOption("--every", text, "a duration (e.g. 30s, 5m, 1h)") from None
    if duration.business_days or duration.seconds <= 0:
        raise BadOption("--every", text, "seconds, minutes or hours (e.g. 30s)")
    return float(duration.seconds)


@click.command(name="worker", short_help="Fire the store's timers as they come due.")
@db_option
@click.option("--every", default="30s", show_default=True, help="How often to fire what has come due (30s, 5m, 1h).")
@click.option("--once", is_flag=True, help="Fire what is due now once, then stop.")
@click.option("--batch", type=click.IntRange(min=1), default=100, show_default=True, help="Timers per pass at most.")
def worker(db: str, every: str, once: bool, batch: int) -> None:
    """Fire the store's timers as they come due, on the system clock, until SIGTERM or Ctrl-C.

    Several workers may share one store: each timer fires once. A stop signal ends the loop after the
    timer in hand; the exit status is then 0.
    """
    interval = parse_every(every)
    stop = threading.Event()

    def _stop(signum: int, _frame: Any) -> None:
        stop.set()

    previous = {s: signal.signal(s, _stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        with open_db(db) as st:
            echo(f"worker {st.worker} on {st.url}, every {every}", err=True)
            while not stop.is_set():
                fired = st.run_due(limit=batch)
                for f in fired:
                    n = len(f.steps)
                    echo(f"fired {f.event} on {f.case_id} ({n} step{'s' if n != 1 else ''})")
                if once:
                    break
                if len(fired) < batch:  # caught up: wait for the next pass (or a stop)
                    stop.wait(interval)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    echo("worker stopped", err=True)
