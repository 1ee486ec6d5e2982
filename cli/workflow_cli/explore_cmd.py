"""``workflow explore`` and ``workflow paths``: exhaustive exploration of a definition, and model-based tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from workflow.analysis.explore import (
    COVER,
    DEFAULT_MAX_CONFIGS,
    Exploration,
    counterexample_scenario,
    dump_scenario,
    explore,
    paths,
)
from workflow.io.files import file_part
from workflow.io.load import load

from .params import definition_argument
from .status import FAILED, OK


def _options(fn: Any) -> Any:
    fn = click.option(
        "--max-configs",
        type=click.IntRange(min=1),
        default=DEFAULT_MAX_CONFIGS,
        show_default=True,
        help="Stop with an error when more configurations than this are reachable.",
    )(fn)
    return click.option(
        "--max-depth", type=click.IntRange(min=0), default=None, help="Explore paths of at most N moves."
    )(fn)


@click.command(name="explore")
@definition_argument()
@_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Where to write a counterexample scenario for each invariant broken.",
)
def explore_cmd(definition: str, max_configs: int, max_depth: int | None, as_json: bool, out_dir: Path) -> int:
    """Explore every reachable configuration of DEFINITION, breadth first, and check its invariants.

    Reports configurations and states reached, transitions never taken, dead ends (configurations from which
    no terminal state can be reached), rules that never refused or never allowed anything, and each declared
    invariant; for a broken invariant, writes the shortest counterexample as a scenario file that
    `workflow simulate --scenario` replays. Exit status: 0 when every invariant holds and every rule both
    refused and allowed; 1 otherwise; 2 when the input is wrong or the space exceeds --max-configs.
    """
    defn = load(definition)
    ex = explore(defn, max_configs=max_configs, max_depth=max_depth)
    written = []
    for inv_id in ex.violations:
        out_dir.mkdir(parents=True, exist_ok=True)
        target = out_dir / f"{file_part(defn.name)}.{file_part(inv_id)}.counterexample.yaml"
        target.write_text(dump_scenario(counterexample_scenario(ex, inv_id)), encoding="utf-8")
        written.append(str(target))
    if as_json:
        data = ex.to_json()
        data["counterexamples"] = written
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        click.echo(_summary(ex, written))
    return OK if ex.ok else FAILED


def _summary(ex: Exploration, written: list[str]) -> str:
    data = ex.to_json()
    lines = [
        f"{data['definition']} {data['version']}: {data['configurations']} configurations, depth {data['depth']}, "
        f"{data['steps_tried']} steps tried in {data['seconds']:.2f}s"
        + (" (truncated by --max-depth)" if ex.truncated else ""),
        f"states reached: {len(data['states']['reached'])}/{len(ex.definition.states)}"
        + (f"; never reached: {', '.join(data['states']['unreached'])}" if data["states"]["unreached"] else ""),
        f"transitions covered: {len(data['transitions']['covered'])}/{data['transitions']['declared']}",
    ]
    for t in data["transitions"]["uncovered"]:
        lines.append(f"  never taken: {t[0]} {t[1]} -> {t[2]}")
    lines.append(f"dead ends: {data['dead_end_count']}")
    for d in data["dead_ends"]:
        lines.append(f"  stuck in {d['state']} after: {' -> '.join(d['path'])}")
    lines.append("rules:")
    for rid, r in data["rules"].items():
        flag = ""
        if rid in data["never_refused"]:
            flag = "  ✗ never " + ("advised" if r["kind"] == "advice" else "refused")
        elif rid in data["never_allowed"]:
            flag = "  ✗ never allowed"
        if r["kind"] not in ("guard", "state", "advice"):
            lines.append(f"  {rid:<32} {r['kind']:<7} acts beyond the one case explored: not counted")
            continue
        what = ("advised", "silent") if r["kind"] == "advice" else ("refused", "allowed")
        lines.append(f"  {rid:<32} {r['kind']:<7} {what[0]} {r['refused']:>6}  {what[1]} {r['allowed']:>6}{flag}")
    lines.append("invariants:")
    for inv_id, res in data["invariants"].items():
        if res["holds"]:
            lines.append(f"  ✓ {inv_id}")
        else:
            lines.append(f"  ✗ {inv_id}: {res['message']} (after {res['steps']} steps)")
    for path in written:
        lines.append(f"counterexample written: {path}")
    lines.append("ok" if ex.ok else "FINDINGS: see ✗ above")
    return "\n".join(lines)


@click.command(name="paths")
@definition_argument()
@click.option(
    "--cover",
    type=click.Choice(COVER),
    default="transitions",
    show_default=True,
    help="Cover every state, every transition, or every rule both allowing and refusing.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write one scenario file per path into this directory (default: print them).",
)
@_options
def paths_cmd(definition: str, cover: str, out_dir: Path | None, max_configs: int, max_depth: int | None) -> int:
    """The fewest shortest scenarios covering every state, transition, or rule outcome of DEFINITION.

    Each step of each scenario expects what the engine does (accepted, or the refusing rule ids), so
    `workflow simulate --scenario FILE` re-checks the behaviour. Exit status 1 when some target cannot be
    reached at all (an unreachable state, a transition never taken, a rule that never answers one way).
    """
    defn = load(definition)
    result = paths(explore(defn, max_configs=max_configs, max_depth=max_depth), cover)
    for i, scenario in enumerate(result.scenarios, 1):
        text = dump_scenario(scenario)
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            target = out_dir / f"{file_part(defn.name)}.{cover}.{i:02d}.yaml"
            target.write_text(text, encoding="utf-8")
            click.echo(f"wrote {target} ({len(scenario['steps'])} steps)")
        else:
            click.echo("---")
            click.echo(text.rstrip())
    summary = f"{len(result.scenarios)} scenarios cover {len(result.covered)} {cover} targets of {defn.name}"
    click.echo(summary, err=out_dir is None)
    for t in result.unreachable:
        click.echo(f"unreachable: {' '.join(t)}", err=True)
    return FAILED if result.unreachable else OK
