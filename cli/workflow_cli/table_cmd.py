"""``workflow table show``: a decision table (rules as data, no states), which the DEFINITION commands do not take.

Decision tables have their own commands: ``workflow table show NAME`` prints one, ``workflow health FILE`` judges a
metrics snapshot with it, and ``workflow list`` lists them apart from the lifecycles.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import click

from workflow.amazon.health import Table, builtin_tables, load_table, tables_dir
from workflow.errors import NotFound
from workflow.io.load import is_path

WIDTH = 100


def find_table(ref: str) -> Table:
    """A built-in table by its name, or a table file given as a path (the rule of DEFINITION arguments)."""
    if is_path(ref):
        return load_table(Path(ref))
    if ref not in builtin_tables():
        raise NotFound(ref, known=builtin_tables())
    return load_table(tables_dir() / f"{ref}.yaml")


def _params(params: Any) -> str:
    return ", ".join(f"{k}={v}" for k, v in params.items())


def render(table: Table) -> str:
    """The table for a person: every rule, the metric it judges, its parameters, what a breach means, its source."""
    lines = [f"{table.name} {table.version} (decision table)"]
    lines += textwrap.wrap(" ".join(table.description.split()), WIDTH, initial_indent="  ", subsequent_indent="  ")
    lines += ["", f"marketplaces: {', '.join(table.marketplaces)} (default {table.default_marketplace})", ""]
    for m in table.metrics:
        lines.append(f"{m.rule}  ({m.metric}{'; contractual' if m.contractual else ''})")
        lines.append(f"    parameters: {_params(m.params)}")
        for code, (source, params) in m.by_marketplace.items():
            lines.append(f"    in {code}: {_params(params) or 'the same'}" + (f"; source {source}" if source else ""))
        lines.append(f"    a breach: {m.on_breach}")
        lines.append(f"    source: {m.source}")
    for r in (table.rating, table.protection):
        if r is not None:
            lines.append(f"{r.rule}")
            lines.append(f"    parameters: {_params(r.params)}")
            lines.append(f"    source: {r.source}")
    return "\n".join(lines)


@click.group(short_help="Show a decision table.")
def table() -> None:
    """Decision tables: rules as data with no states (account health). `workflow health FILE` judges a snapshot
    with one; the commands that take a DEFINITION take lifecycles only."""


@table.command(short_help="Print a decision table's rules, parameters and sources.")
@click.argument("name", metavar="TABLE")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def show(name: str, as_json: bool) -> None:
    """Print TABLE: every rule, the metric it judges, its parameters per marketplace, what a breach means, and
    its source.

    TABLE is a built-in decision table's name (see 'workflow list'), or a table file given as a path.
    """
    t = find_table(name)
    if as_json:
        data = {
            "name": t.name,
            "version": t.version,
            "description": t.description,
            "rules": [
                {
                    "id": m.rule,
                    "metric": m.metric,
                    "parameters": dict(m.params),
                    "on_breach": m.on_breach,
                    "contractual": m.contractual,
                    "source": m.source,
                }
                for m in t.metrics
            ]
            + [
                {"id": r.rule, "parameters": dict(r.params), "source": r.source}
                for r in (t.rating, t.protection)
                if r is not None
            ],
        }
        click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    else:
        click.echo(render(t))
