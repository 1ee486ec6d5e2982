"""``workflow validate``, ``workflow rules`` and ``workflow list``: check definitions, and list what is built in."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from workflow.amazon.rules import REGISTRY
from workflow.errors import DocumentError, NotFound, WorkflowError
from workflow.io.load import builtin_names, load, resolve
from workflow.run.scenario import load_scenario

from . import render
from .output import echo
from .params import definition_argument
from .status import FAILED, OK


@click.command(short_help="Check definitions, scenarios and decision tables.")
@definition_argument("definitions", required=False, nargs=-1)
@click.option(
    "--scenario",
    "scenarios",
    multiple=True,
    type=click.Path(path_type=Path),
    help="A scenario file to check (repeatable).",
)
@click.option(
    "--table",
    "tables",
    multiple=True,
    type=click.Path(path_type=Path),
    help="A decision table file to check, such as definitions/tables/account_health.yaml (repeatable).",
)
def validate(definitions: tuple[str, ...], scenarios: tuple[Path, ...], tables: tuple[Path, ...]) -> int:
    """Check definitions, scenario files (--scenario) and decision tables (--table), and list every problem.

    Each is checked as what it is given as; nothing is guessed from a file's contents. With nothing given,
    checks every built-in definition. Exit status 0 when all are valid, 1 when any has a problem; 2, as for
    every command, when one cannot be checked at all: a file that does not exist or cannot be read, or an
    unknown built-in name (one line on stderr).
    """
    from workflow.amazon.health import load_table

    checks: list[tuple[str, str, Callable[[], object]]] = []
    if not (definitions or scenarios or tables):
        definitions = builtin_names()
    checks += [(ref, "definition", functools.partial(load, ref)) for ref in definitions]
    checks += [(str(path), "scenario", functools.partial(load_scenario, path)) for path in scenarios]
    checks += [(str(path), "decision table", functools.partial(load_table, path)) for path in tables]
    for path in (*scenarios, *tables):
        if not path.is_file():  # nothing to check: the input is wrong, as any command says it (stderr, 2)
            load_scenario(path)
    bad = 0
    for target, kind, check in checks:
        try:
            check()
        except NotFound:
            raise
        except DocumentError as e:
            bad += 1
            echo(f"invalid {target}: {len(e.problems)} problem{'s' if len(e.problems) != 1 else ''}")
            echo(e.report())
        except WorkflowError as e:
            bad += 1
            echo(f"invalid {target}: {e}")
        else:
            echo(f"ok {target} ({kind})")
    return FAILED if bad else OK


def health_tables() -> list[dict[str, Any]]:
    """The built-in decision tables, as ``list`` shows them: no states or events, their rules."""
    from workflow.amazon.health import builtin_tables, load_table, tables_dir

    out = []
    for name in builtin_tables():
        path = tables_dir() / f"{name}.yaml"
        table = load_table(path)
        out.append(
            {
                "name": table.name,
                "kind": "decision table",
                "version": table.version,
                "states": 0,
                "events": 0,
                "rules": len(table.rule_ids()),
                "description": table.description,
                "file": str(path),
            }
        )
    return out


@click.command(short_help="List the rules with what they say and their sources.")
@definition_argument(required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def rules(definition: str | None, as_json: bool) -> None:
    """The rules: id, what it says and its source (those DEFINITION uses, with where it uses them)."""
    rows: list[tuple[str, str, str, str, tuple[str, ...]]]
    if definition is None:
        rows = [(r.id, r.kind, r.summary, r.source, ()) for r in sorted(REGISTRY.values(), key=lambda r: r.id)]
    else:
        defn = load(definition)
        rows = [(r.id, r.kind, r.summary, src, where) for r, src, where in render.rule_uses(defn)]
    if as_json:
        render.echo_json(
            [
                {"id": i, "kind": k, "rule": s, "source": src, "used_on": list(w)}
                | {"never_allows": REGISTRY[i].never_allows}
                for i, k, s, src, w in rows
            ]
        )
    else:
        echo(render.rules_table(rows))


@click.command(name="list", short_help="List the built-in lifecycles and decision tables.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_cmd(as_json: bool) -> None:
    """The built-in definitions: the lifecycles, and the decision tables (rules as data, no states)."""
    items = []
    for name in builtin_names():
        defn = load(name)
        items.append(
            {
                "name": name,
                "kind": "lifecycle",
                "version": defn.version,
                "states": len(defn.states),
                "events": len(defn.events),
                "rules": len(defn.rule_ids()),
                "description": defn.description,
                "file": str(resolve(name)),
            }
        )
    items.extend(health_tables())
    if as_json:
        render.echo_json(items)
    else:
        echo(render.definitions_table(items))
