"""``workflow examples``: the example stories that come with the package, listed or copied out."""

from __future__ import annotations

from pathlib import Path

import click

from workflow.run.examples import copy_examples, examples_dir, stories


@click.group(invoke_without_command=True, short_help="List the example stories, or copy them out.")
@click.pass_context
def examples(ctx: click.Context) -> None:
    """List the example stories that come with the package: name, the definition it runs, and its title.

    Run one with `workflow simulate --example NAME`; `workflow examples copy DIR` writes them all out to start
    your own from.
    """
    if ctx.invoked_subcommand is not None:
        return
    for s in stories():
        click.echo(f"{s.name:<40} {s.definition:<19} {s.title}")
    snapshots = sorted(p.name for p in (examples_dir() / "health").glob("*") if p.is_file())
    if snapshots:
        click.echo(f"\nmetric snapshots for 'workflow health' (in health/): {', '.join(snapshots)}")


@examples.command(short_help="Write every example into a directory.")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def copy(directory: Path) -> None:
    """Write every example scenario, and the metric snapshots under health/, into DIRECTORY (created if need
    be; files of the same name are replaced, nothing else is touched)."""
    written = copy_examples(directory)
    click.echo(f"wrote {len(written)} example file{'s' if len(written) != 1 else ''} into {directory}")
