"""``workflow`` — simulate, explain, validate and list the lifecycles. All behaviour lives in ``workflow``."""

from __future__ import annotations

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
from workflow.io.source import read
from workflow.run.explain import explain, explain_cases
from workflow.run.scenario import Trace, load_scenario, run_scenario
from workflow.run.walks import random_walks

from . import render

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_EXPECTATION, EXIT_INPUT = 0, 1, 2


def fail(message: str) -> None:
    """One line on stderr and exit 2: the input itself is wrong."""
    click.echo(f"workflow: error: {printable(message)}", err=True)
    sys.exit(EXIT_INPUT)


class Main(click.Group):
    """Turns every ``WorkflowError`` into one line on stderr and exit status 2; never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except WorkflowError as e:
            fail(str(e))
        except OSError as e:
            fail(f"{getattr(e, 'filename', '') or ''}: {e.strerror or e}".lstrip(": "))
        return None


@click.group(cls=Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(workflow.__version__, prog_name="workflow")
def main() -> None:
    """Model what happens to an Amazon seller account in trouble, and why a step is refused.

    Every refusal names its rule, says why in a sentence, and cites its source.
    """


def _json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@main.command()
@click.argument("definition", required=False)
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
) -> None:
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
        sys.exit(_trace_status(trace, strict))
    if definition is None or walks is None:
        raise click.UsageError("give --scenario FILE, or DEFINITION --random N [--seed S]")
    defn = load(definition)
    with _progress(walks, "walking") as advance:
        report = random_walks(defn, walks, seed, max_steps=max_steps, workers=workers, progress=advance)
    if as_json:
        _json(report.to_json())
    else:
        click.echo(render.walk_report(report))


def _trace_status(trace: Trace, strict: bool) -> int:
    if not trace.expectations_met or (strict and trace.blocked_offered):
        return EXIT_EXPECTATION
    return EXIT_OK


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
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
def validate(files: tuple[Path, ...]) -> None:
    """Check definition or scenario files (default: every built-in definition) and list every problem.

    Exit status 0 when all are valid, 1 when any has a problem.
    """
    targets = [str(f) for f in files] or list(builtin_names())
    bad = 0
    for target in targets:
        try:
            kind = _kind(target)
            if kind == "scenario":
                load_scenario(target)
            elif kind == "decision table":
                from workflow.amazon.health import load_table

                load_table(target)
            else:
                load(target)
        except DocumentError as e:
            bad += 1
            click.echo(f"invalid {target}: {len(e.problems)} problem{'s' if len(e.problems) != 1 else ''}")
            click.echo(e.report())
        except WorkflowError as e:
            bad += 1
            click.echo(f"invalid {target}: {e}")
        else:
            click.echo(f"ok {target} ({kind})")
    sys.exit(EXIT_EXPECTATION if bad else EXIT_OK)


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


def _kind(target: str) -> str:
    """``scenario`` for a file with ``steps:``, ``decision table`` for ``kind: decision_table``, else ``definition``."""
    p = Path(target)
    if p.exists() and p.is_file():
        try:  # by its keys when it parses (flow style and JSON too), else by its lines
            data = read(p, error=DocumentError).data
        except DocumentError:
            data = None
        if isinstance(data, dict):
            if "steps" in data:
                return "scenario"
            if data.get("kind") == "decision_table":
                return "decision table"
            return "definition"
        try:
            head = p.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "definition"
        if any(line.startswith("steps:") for line in head.splitlines()):
            return "scenario"
        if any(line.startswith("kind: decision_table") for line in head.splitlines()):
            return "decision table"
    return "definition"


@main.command()
@click.argument("definition", required=False)
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
