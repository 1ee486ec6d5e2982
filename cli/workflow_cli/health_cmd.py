"""``workflow health FILE``: judge a metrics snapshot with the account-health decision table."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import click

from workflow.amazon.health import Verdict, evaluate, load_table, read_snapshot, to_event

from .output import echo

WIDTH = 100


def _wrap(text: str, indent: str) -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ")


def render(verdict: Verdict, name: str) -> str:
    """The verdict for a person: level, what it allows, every rule that fired and why, with its source."""
    lines = [f"{verdict.table} {verdict.version} — {name} (marketplace {verdict.marketplace})", ""]
    action = to_event(verdict)
    allows = f"allows '{action[0]}'" if action is not None else "nothing to do"
    protected = "; protected by Account Health Assurance" if verdict.protected else ""
    lines.append(f"verdict: {verdict.level} ({allows}){protected}")
    if verdict.fired:
        lines.append("")
        lines.append("fired:")
    for f in verdict.fired:
        lines.append(f"  {f.rule}  [{f.level}]")
        lines.append(_wrap(f"{f.message} {f.meaning}", "      "))
        lines.append(_wrap(f"source: {f.source}", "      "))
    if verdict.restrictions:
        lines.append("")
        lines.append("restrictions:")
        for r in verdict.restrictions:
            lines.append(f"  {r.metric}: seller-fulfilled offers stopped in {r.scope} ({r.rule})")
    lines.append("")
    lines.append(f"judged: {', '.join(verdict.evaluated) or 'nothing'}")
    if verdict.not_given:
        lines.append(f"not in the snapshot: {', '.join(verdict.not_given)}")
    for note in verdict.notes:
        lines.append(_wrap(f"note: {note}", ""))
    return "\n".join(lines)


@click.command(short_help="Judge a metrics snapshot with the account-health table.")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--marketplace",
    metavar="CODE",
    help="Judge with this marketplace's parameters: a code of the table (US, UK, IN) or a marketplace id "
    "(default: the snapshot's, else the table's default, US).",
)
@click.option("--table", "table_path", type=click.Path(dir_okay=False, path_type=Path), help="Another table file.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def health(file: Path, marketplace: str | None, table_path: Path | None, as_json: bool) -> None:
    """Judge a metrics snapshot (YAML or JSON; this project's names or Amazon's account health report).

    Prints the verdict (healthy, warning, category_restriction or suspension_allowed) with every rule that
    fired, why, and its source. Exit status 0 when the snapshot was judged, whatever the verdict; 2 when the
    input is wrong.
    """
    table = load_table(table_path)
    verdict = evaluate(read_snapshot(file, table=table), table, marketplace=marketplace)
    if as_json:
        data = verdict.to_json()
        action = to_event(verdict)
        data["event"] = {"name": action[0], "payload": action[1]} if action is not None else None
        echo(json.dumps(data, indent=2, ensure_ascii=False), json=True)
    else:
        echo(render(verdict, str(file)))
