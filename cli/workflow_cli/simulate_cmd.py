"""``workflow simulate`` and ``workflow explain``: run a scenario or random walks, and explain where a run ended."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from workflow.io.load import load
from workflow.run.examples import story
from workflow.run.explain import explain, explain_cases
from workflow.run.scenario import Trace, load_scenario, run_scenario
from workflow.run.walks import random_walks

from . import render
from .output import echo
from .params import at_most_cpus, definition_argument
from .status import FAILED, OK


@click.command(short_help="Run a scenario, an example, or random walks.")
@definition_argument(required=False)
@click.option(
    "--scenario",
    "scenario_path",
    type=click.Path(path_type=Path),  # a directory is refused by the reader, in one line
    help="Run this scenario file (its definition is named inside it).",
)
@click.option(
    "--example",
    "example",
    metavar="NAME",
    help="Run the example story NAME that comes with the package (see 'workflow examples').",
)
@click.option("--random", "walks", type=click.IntRange(min=1), help="Run N random walks of DEFINITION.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for --random; same seed, same walks.")
@click.option("--max-steps", type=click.IntRange(min=1), default=50, show_default=True, help="Longest random walk.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    callback=at_most_cpus,
    help="Processes for --random (same result); at most the machine's CPU count.",
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
    example: str | None,
    walks: int | None,
    seed: int,
    max_steps: int,
    as_json: bool,
    strict: bool,
    workers: int = 1,
) -> int:
    """Run a scenario (--scenario FILE, or --example NAME) or random walks (DEFINITION --random N --seed S).

    Exit status: 0 when every expectation held; 1 when one did not (or, with --strict, when a step the scenario
    offered was blocked: a timer refused on its own, or a step cascaded from another case, does not count); 2 when
    the input is wrong.
    """
    if scenario_path is not None or example is not None:
        if walks is not None or definition is not None or (scenario_path is not None and example is not None):
            raise click.UsageError("give one of --scenario FILE, --example NAME or DEFINITION --random N")
        path = scenario_path if scenario_path is not None else story(str(example)).path
        trace = run_scenario(load_scenario(path))
        if as_json:
            render.echo_json(trace.to_json())
        else:
            echo(render.trace_table(trace, str(scenario_path) if scenario_path is not None else str(example)))
        return _trace_status(trace, strict)
    if definition is None or walks is None:
        raise click.UsageError("give --scenario FILE, --example NAME, or DEFINITION --random N [--seed S]")
    defn = load(definition)
    with _progress(walks, "walking") as advance:
        report = random_walks(defn, walks, seed, max_steps=max_steps, workers=workers, progress=advance)
    if as_json:
        render.echo_json(report.to_json())
    else:
        echo(render.walk_report(report))
    return OK


def _trace_status(trace: Trace, strict: bool) -> int:
    if not trace.expectations_met or (strict and trace.blocked_offered):
        return FAILED
    return OK


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


@click.command(name="explain", short_help="Say what may happen after a scenario, and why not the rest.")
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
        render.echo_json(out)
    elif cases:
        echo(render.case_explanations(trace, cases))
    else:
        echo(render.explanation(trace, result))
