"""``workflow case new|fire|show|history|list|due``: cases kept in the store (``--db``)."""

from __future__ import annotations

import os
import stat
import sys
import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import click
import yaml

from workflow import Step
from workflow.errors import DocumentError, Problem

from .status import FAILED, OK
from .store_cmd import db_option, emit_json, json_option, open_db, parse_time, store_module

WIDTH = 100


def _wrap(text: str, indent: str) -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ")


def _time(stamp: Any) -> str:
    return "-" if stamp is None else stamp.strftime("%Y-%m-%dT%H:%M:%SZ")


def read_data(source: str | None, what: str) -> Any:
    """YAML or JSON from a file, or from standard input for ``-``; ``None`` when no source is given."""
    if source is None:
        return None
    name = "<stdin>" if source == "-" else source
    if source != "-" and not stat.S_ISREG(os.stat(source).st_mode):  # a FIFO would block, a device never end
        raise DocumentError([Problem(message="not a regular file", file=name)])
    text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = str(getattr(e, "problem", None) or e)
        raise DocumentError([Problem(message=f"invalid YAML: {problem}", line=line, file=name)]) from e
    if data is not None and not isinstance(data, dict):
        raise DocumentError([Problem(message=f"{what} must be a mapping (got {type(data).__name__})", file=name)])
    return data


def steps_table(steps: Sequence[Step]) -> list[str]:
    lines = [f"{'#':>3}  {'at':<20}  {'event':<24}  {'state change':<34}  result"]
    for st in steps:
        change = f"{st.source} → {st.target}" if st.target != st.source else f"{st.source} (stays)"
        result = ("accepted" if st.accepted else "BLOCKED") + (" (timer)" if st.timer else "")
        lines.append(f"{st.index:>3}  {_time(st.at):<20}  {st.event:<24}  {change:<34}  {result}")
        for f in st.findings:
            mark = {"refusal": "✗", "route": "→"}.get(f.kind, f.kind)
            lines.append(_wrap(f"{mark} {f.rule}: {f.message} [{f.source}]", "       "))
    return lines


def _due_lines(items: Iterable[Any], with_case: bool) -> list[str]:
    lines = []
    for d in items:
        who = f"{d.case_id}  " if with_case else ""
        rules = f" ({', '.join(d.rules)})" if d.rules else ""
        lines.append(f"  {who}{_time(d.at)}  {d.kind} {d.event}{rules}")
    return lines


@click.group(name="case")
def case() -> None:
    """Cases kept in the store: create them, fire events at them, read them."""


@case.command(name="new")
@click.argument("definition")
@click.option("--id", "case_id", metavar="ID", help="The case's id (default: a generated one).")
@click.option("--facts", "facts_file", metavar="FILE", help="The case's facts, YAML or JSON ('-': standard input).")
@db_option
@json_option
def new_cmd(definition: str, case_id: str | None, facts_file: str | None, db: str, as_json: bool) -> None:
    """Create a case of DEFINITION (a built-in name or a definition file). Exit 1 when the id is taken."""
    facts = read_data(facts_file, "facts")
    with open_db(db) as st:
        created = st.create(definition, case_id=case_id, facts=facts)
        if as_json:
            emit_json(store_module().case_json(created, st.due_of(created.id)))
        else:
            click.echo(created.id)


@case.command(name="fire")
@click.argument("case_id", metavar="ID")
@click.argument("event")
@click.option("--with", "payload_file", metavar="FILE", help="The event's payload, YAML or JSON ('-': standard input).")
@click.option("--expect-version", type=click.IntRange(min=0), help="Refuse (exit 1) unless the case is at version N.")
@click.option("--idempotency-key", metavar="KEY", help="A key seen before on this case returns that first step.")
@click.option("--actor", metavar="NAME", help="Who fires the event (kept with the step).")
@db_option
@json_option
def fire_cmd(
    case_id: str,
    event: str,
    payload_file: str | None,
    expect_version: int | None,
    idempotency_key: str | None,
    actor: str | None,
    db: str,
    as_json: bool,
) -> int:
    """Offer EVENT to case ID and store the step, accepted or refused.

    Exit status 0 when the event was accepted, 1 when the rules refused it or the case had moved on (a
    conflict), 2 for bad input (unknown case or event, malformed payload).
    """
    payload = read_data(payload_file, "a payload") or {}
    with open_db(db) as st:
        step = st.fire(
            case_id, event, payload, expected_version=expect_version, idempotency_key=idempotency_key, actor=actor
        )
        module = store_module()
        if as_json:
            stored = st.get(case_id)
            emit_json({"step": module.step_json(step), "case": module.case_json(stored, st.due_of(case_id))})
        else:
            click.echo("\n".join(steps_table([step])))
    return OK if step.accepted else FAILED


@case.command(name="show")
@click.argument("case_id", metavar="ID")
@db_option
@json_option
def show_cmd(case_id: str, db: str, as_json: bool) -> None:
    """The case: where it stands, what it may do now, what comes due, and its history."""
    with open_db(db) as st:
        stored = st.get(case_id)
        due = st.due_of(case_id)
    if as_json:
        emit_json(store_module().case_json(stored, due))
        return
    defn = stored.definition
    terminal = " (terminal)" if stored.terminal else ""
    lines = [
        f"{stored.id}: {defn.name} {defn.version}, state {stored.state}{terminal}, version {stored.version}",
        f"created {_time(stored.created)}, updated {_time(stored.updated)}",
        f"allowed now: {', '.join(stored.allowed()) or 'nothing'}",
    ]
    if due:
        lines.append("due:")
        lines.extend(_due_lines(due, with_case=False))
    if stored.history:
        lines.append("")
        lines.extend(steps_table(stored.history))
    click.echo("\n".join(lines))


@case.command(name="history")
@click.argument("case_id", metavar="ID")
@db_option
@json_option
def history_cmd(case_id: str, db: str, as_json: bool) -> None:
    """The case's steps, oldest first, accepted and refused."""
    with open_db(db) as st:
        steps = st.history(case_id)
    if as_json:
        step_json = store_module().step_json
        emit_json({"id": case_id, "history": [step_json(s) for s in steps]})
    else:
        click.echo("\n".join(steps_table(steps)) if steps else "no steps yet")


@case.command(name="list")
@click.option("--definition", metavar="NAME", help="Only cases of this definition.")
@click.option("--state", metavar="STATE", help="Only cases in this state.")
@click.option("--due-before", metavar="TIME", help="Only cases with something due by this time (ISO 8601).")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True, help="Cases per page.")
@click.option("--cursor", metavar="CURSOR", help="The page after this cursor (a list's 'next').")
@db_option
@json_option
def list_cmd(
    definition: str | None,
    state: str | None,
    due_before: str | None,
    limit: int,
    cursor: str | None,
    db: str,
    as_json: bool,
) -> None:
    """The stored cases, by id."""
    before = parse_time(due_before, "--due-before")
    with open_db(db) as st:
        page = st.list(definition=definition, state=state, due_before=before, limit=limit, cursor=cursor)
    if as_json:
        emit_json(store_module().list_json(page))
        return
    lines = [f"{'id':<34}  {'definition':<20}  {'state':<28}  {'version':>7}  {'updated':<20}  next due"]
    for c in page:
        row = f"{c.id:<34}  {c.definition:<20}  {c.state:<28}  {c.version:>7}"
        lines.append(f"{row}  {_time(c.updated):<20}  {_time(c.next_due)}")
    if page.next is not None:
        lines.append(f"more: --cursor {page.next}")
    click.echo("\n".join(lines))


@case.command(name="due")
@click.option("--now", "now_text", metavar="TIME", help="What is due by this time (ISO 8601; default: now).")
@db_option
@json_option
def due_cmd(now_text: str | None, db: str, as_json: bool) -> None:
    """What has come due across all cases, soonest first."""
    now = parse_time(now_text, "--now")
    with open_db(db) as st:
        items = st.due(now)
    if as_json:
        due_json = store_module().due_json
        emit_json({"due": [due_json(d, with_case=True) for d in items]})
    else:
        click.echo("\n".join(_due_lines(items, with_case=True)) if items else "nothing due")
