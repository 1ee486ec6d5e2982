"""``workflow diagram``: one definition, optionally with a run on it; ``workflow diagrams``: regenerate them all."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from workflow.diagram import render as d
from workflow.io.load import load
from workflow.run.simulate import load_scenario, run_scenario

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


@click.command()
@click.argument("definition", required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(d.FORMATS),
    help="Output format (default: from the -o file's suffix, else mermaid). svg and png need Graphviz.",
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
    """Draw DEFINITION (a built-in name or a YAML file), or the definition a --scenario names, with its run.

    Exit status 0 when drawn; 2 when the input is wrong or svg/png is asked for without Graphviz.
    """
    if fmt is None:
        fmt = SUFFIX_FORMATS.get(output.suffix.lower(), "mermaid") if output is not None else "mermaid"
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
        output.write_bytes(data)
        click.echo(f"wrote {output} ({fmt}, {len(data)} bytes)", err=True)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


@click.command()
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("diagrams"),
    show_default=True,
    help="Where the diagrams live.",
)
@click.option(
    "--example",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=d.EXAMPLE_RUN,
    show_default=True,
    help="The scenario whose run is drawn on the main lifecycle.",
)
@click.option(
    "--readme",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("README.md"),
    show_default=True,
    help="A Markdown file whose blocks marked '<!-- diagrams/NAME.mmd -->' carry that diagram; skipped if absent.",
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when a diagram is missing, stale or orphaned.")
def diagrams(directory: Path, example: Path, readme: Path, check: bool) -> None:
    """Regenerate the .mmd, .dot and .svg of every built-in definition, and the example run, in --dir.

    Needs Graphviz for the .svg files. Exit status 0 when done (or, with --check, all up to date); 1 when
    --check finds a difference; 2 when Graphviz is missing or an input is wrong.
    """
    files = d.builtin_diagrams(example, svg=True)
    markdown = readme.read_text(encoding="utf-8") if readme.is_file() else None
    embedded = d.embed(markdown, files) if markdown is not None else None
    present = {p.name for p in directory.glob("*") if p.suffix in d.DIAGRAM_SUFFIXES} if directory.is_dir() else set()
    stale = sorted(
        name for name, data in files.items() if name not in present or (directory / name).read_bytes() != data
    )
    orphans = sorted(present - set(files))
    if check:
        for name in stale:
            click.echo(f"stale: {directory / name}" if name in present else f"missing: {directory / name}")
        for name in orphans:
            click.echo(f"orphan: {directory / name} (no built-in definition or example run draws it)")
        if embedded != markdown:
            click.echo(f"stale: {readme} (a diagram it carries)")
        if stale or orphans or embedded != markdown:
            click.echo("run 'workflow diagrams' to regenerate them", err=True)
            sys.exit(1)
        click.echo(f"{len(files)} diagrams in {directory} are up to date")
        return
    directory.mkdir(parents=True, exist_ok=True)
    for name in stale:
        (directory / name).write_bytes(files[name])
    for name in orphans:
        (directory / name).unlink()
    click.echo(f"{len(files)} diagrams in {directory}: {len(stale)} written, {len(orphans)} removed")
    if embedded is not None and embedded != markdown:
        readme.write_text(embedded, encoding="utf-8")
        click.echo(f"{readme}: its diagrams brought up to date")
