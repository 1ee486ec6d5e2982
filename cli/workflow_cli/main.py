"""``workflow`` — simulate, explain, validate and list the lifecycles. All behaviour lives in ``workflow``.

Errors become exit statuses here and nowhere else: ``EXIT_STATUSES`` maps each kind of error to a click exception
(one line on stderr, an exit status), and ``Main`` raises it, and turns a command's returned status into the exit
status. Commands return ``status.OK`` or ``status.FAILED``, or raise; none exits by itself.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

import workflow
from workflow.amazon.rules import REGISTRY
from workflow.errors import DocumentError, WorkflowError, printable
from workflow.io.load import builtin_names, load, resolve
from workflow.run.explain import explain, explain_cases
from workflow.run.scenario import Trace, load_scenario, run_scenario
from workflow.run.walks import random_walks

from . import render
from .params import definition_argument
from .status import FAILED, INPUT, OK


class InputError(click.ClickException):
    """The input is wrong: one line on stderr, ``workflow: error: ...``, and exit status 2."""

    exit_code = INPUT

    def show(self, file: Any = None) -> None:
        click.echo(f"workflow: error: {printable(self.message)}", err=True)


#: error class -> the click exception it becomes (and so its exit status); the first class an error is an
#: instance of decides, so a subclass goes before its base
EXIT_STATUSES: tuple[tuple[type[Exception], type[click.ClickException]], ...] = (
    (WorkflowError, InputError),  # every error of the package: a file, YAML, a name, an event, a payload, a limit
    (OSError, InputError),  # a file that cannot be read or written
)


def as_click(error: Exception) -> click.ClickException | None:
    """``error`` as the click exception ``EXIT_STATUSES`` gives it, or None for one it does not know (a bug)."""
    for cls, click_cls in EXIT_STATUSES:
        if isinstance(error, cls):
            return click_cls(message(error))
    return None


def message(error: Exception) -> str:
    """An error as the one line the user reads."""
    if isinstance(error, OSError) and not isinstance(error, WorkflowError):
        return f"{getattr(error, 'filename', '') or ''}: {error.strerror or error}".lstrip(": ")
    return str(error)


class Main(click.Group):
    """Turns every known error into its click exception (never a traceback), and a command's returned status
    into the exit status."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            status = super().invoke(ctx)
        except Exception as e:
            converted = as_click(e)
            if converted is None:
                raise
            raise converted from e
        if status:
            raise click.exceptions.Exit(int(status))
        return status


@click.group(cls=Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(workflow.__version__, prog_name="workflow")
def main() -> None:
    """Model what happens to an Amazon seller account in trouble, and why a step is refused.

    Every refusal names its rule, says why in a sentence, and cites its source.
    """


def _json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@main.command()
@definition_argument(required=False)
@click.option(
    "--scenario",
    "scenario_path",
    type=click.Path(path_type=Path),  # a directory is refused by the reader, in one line
    help="Run this scenario file (its definition is named inside it).",
)
@click.option("--random", "walks", type=click.IntRange(min=1), help="Run N random walks of DEFINITION.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for --random; same seed, same walks.")
@click.option("--max-steps", type=click.IntRange(min=1), default=50, show_default=True, help="Longest random walk.")
@click.option(
    "--workers", type=click.IntRange(min=1), default=1, show_default=True, help="Processes for --random (same result)."
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
@click.option(
    "--strict",
    is_flag=True,
    help="Exit 1 when a step the scenario offered was blocked (refused timers and cascades do not count).",
)
def simulate(
    definition: str | None,
    scenario_path: Path | None,
    walks: int | None,
    seed: int,
    max_steps: int,
    as_json: bool,
    strict: bool,
    workers: int = 1,
) -> int:
    """Run a scenario (--scenario FILE) or random walks (DEFINITION --random N --seed S).

    Exit status: 0 when every expectation held; 1 when one did not (or, with --strict, when a step the scenario
    offered was blocked: a timer refused on its own, or a step cascaded from another case, does not count); 2 when
    the input is wrong.
    """
    if scenario_path is not None:
        if walks is not None or definition is not None:
            raise click.UsageError("give either --scenario FILE or DEFINITION --random N, not both")
        trace = run_scenario(load_scenario(scenario_path))
        if as_json:
            _json(trace.to_json())
        else:
            click.echo(render.trace_table(trace, str(scenario_path)))
        return _trace_status(trace, strict)
    if definition is None or walks is None:
        raise click.UsageError("give --scenario FILE, or DEFINITION --random N [--seed S]")
    defn = load(definition)
    with _progress(walks, "walking") as advance:
        report = random_walks(defn, walks, seed, max_steps=max_steps, workers=workers, progress=advance)
    if as_json:
        _json(report.to_json())
    else:
        click.echo(render.walk_report(report))
    return OK


def _trace_status(trace: Trace, strict: bool) -> int:
    if not trace.expectations_met or (strict and trace.blocked_offered):
        return FAILED
    return OK


T = TypeVar("T")


class _Progress:
    """A progress bar on stderr when a run is long enough to want one; silent otherwise.

    Entering gives the callback ``random_walks`` takes: it moves the bar on by the walks just finished.
    """

    def __init__(self, n: int, label: str) -> None:
        self.n = n
        self.label = label
        self.bar: Any = None

    def __enter__(self) -> Callable[[int], None]:
        if self.n >= 500 and sys.stderr.isatty():
            self.bar = click.progressbar(length=self.n, label=self.label, file=sys.stderr)
            self.bar.__enter__()
            return self.bar.update  # type: ignore[no-any-return]
        return _ignore

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


def _ignore(done: int) -> None:
    """No bar: progress is not shown."""


def _progress(n: int, label: str) -> _Progress:
    return _Progress(n, label)


@main.command(name="explain")
@click.option(
    "--scenario",
    "scenario_path",
    required=True,
    type=click.Path(path_type=Path),
    help="The scenario to run first.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def explain_cmd(scenario_path: Path, as_json: bool) -> None:
    """After a scenario: the events allowed now, and for every other event the rules that refuse it.

    A scenario with named cases is explained case by case (in JSON, under "cases"; the top-level keys are the
    first case's).
    """
    trace = run_scenario(load_scenario(scenario_path))
    result = explain(trace.case)
    cases = explain_cases(trace)
    if as_json:
        out = {"definition": trace.definition.name, "final_state": trace.final_state, **result.to_json()}
        if cases:
            out["cases"] = {name: r.to_json() for name, r in cases.items()}
        _json(out)
    elif cases:
        click.echo(render.case_explanations(trace, cases))
    else:
        click.echo(render.explanation(trace, result))


@main.command()
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
    checks every built-in definition. Exit status 0 when all are valid, 1 when any has a problem.
    """
    from workflow.amazon.health import load_table

    checks: list[tuple[str, str, Callable[[], object]]] = []
    if not (definitions or scenarios or tables):
        definitions = builtin_names()
    checks += [(ref, "definition", functools.partial(load, ref)) for ref in definitions]
    checks += [(str(path), "scenario", functools.partial(load_scenario, path)) for path in scenarios]
    checks += [(str(path), "decision table", functools.partial(load_table, path)) for path in tables]
    bad = 0
    for target, kind, check in checks:
        try:
            check()
        except DocumentError as e:
            bad += 1
            click.echo(f"invalid {target}: {len(e.problems)} problem{'s' if len(e.problems) != 1 else ''}")
            click.echo(e.report())
        except WorkflowError as e:
            bad += 1
            click.echo(f"invalid {target}: {e}")
        else:
            click.echo(f"ok {target} ({kind})")
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


@main.command()
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
        _json([{"id": i, "kind": k, "rule": s, "source": src, "used_on": list(w)} for i, k, s, src, w in rows])
    else:
        click.echo(render.rules_table(rows))


@main.command(name="list")
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
        _json(items)
    else:
        click.echo(render.definitions_table(items))


from .diagram_cmd import diagram  # noqa: E402

main.add_command(diagram)

from .health_cmd import health  # noqa: E402

main.add_command(health)

from .explore_cmd import explore_cmd, paths_cmd  # noqa: E402

main.add_command(explore_cmd)
main.add_command(paths_cmd)

if __name__ == "__main__":  # pragma: no cover
    main()
