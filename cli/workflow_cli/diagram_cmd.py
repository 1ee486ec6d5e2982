"""``workflow diagram``: one definition, optionally with a run on it (the repository's diagrams/: ``tasks.py``)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from workflow import diagram as d
from workflow.io.load import load
from workflow.run.scenario import load_scenario, run_scenario

from .output import echo
from .params import definition_argument, write_file

#: a file suffix -> the format it implies when --format is not given
SUFFIX_FORMATS = {
    ".mmd": "mermaid",
    ".mermaid": "mermaid",
    ".dot": "dot",
    ".gv": "dot",
    ".svg": "svg",
    ".png": "png",
    ".html": "html",
    ".htm": "html",
}


@click.command(short_help="Draw a definition, or a run on it.")
@definition_argument(required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(d.FORMATS),
    help="Output format (default: from the -o file's suffix, which must name one; else mermaid). svg and png need "
    "Graphviz.",
)
@click.option(
    "--scenario",
    "scenario_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Draw this scenario's run on the process: steps numbered, refusals dashed, the final state emphasised.",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file instead of stdout."
)
def diagram(definition: str | None, fmt: str | None, scenario_path: Path | None, output: Path | None) -> None:
    """Draw DEFINITION, or the definition a --scenario names, with its run.

    Exit status 0 when drawn; 2 when the input is wrong or svg/png is asked for without Graphviz.
    """
    if fmt is None and output is not None:
        fmt = SUFFIX_FORMATS.get(output.suffix.lower())
        if fmt is None:  # never a format the user did not ask for under a name that says another
            raise click.UsageError(
                f"the suffix of '{output}' names no format (known: {', '.join(SUFFIX_FORMATS)}); give --format"
            )
    fmt = fmt or "mermaid"
    trace = None
    title = None
    if scenario_path is not None:
        scenario = load_scenario(scenario_path)
        defn = scenario.definition
        if definition is not None and load(definition).hash != defn.hash:
            raise click.UsageError(
                f"the scenario {scenario_path} runs definition '{defn.name}', not '{definition}'; "
                "give the scenario alone or with its own definition"
            )
        trace = run_scenario(scenario)
        title = d.run_title(trace, scenario_path.stem)
    elif definition is None:
        raise click.UsageError("give DEFINITION, or --scenario FILE (which names its definition)")
    else:
        defn = load(definition)
    data = d.draw(defn, fmt, trace, title=title)
    if output is not None:
        write_file(output, data)
        echo(f"wrote {output} ({fmt}, {len(data)} bytes)", err=True)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
