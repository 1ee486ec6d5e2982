"""Commands that agree with each other: decision tables have their own command, explore's exit status follows its
documented rule with the exceptions declared as data, one step numbering, validate's error rule, plurals, output
suffixes, whole-sentence summaries; and the examples that travel with the package."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import click
import pytest
from _cli import run, write
from workflow_cli.main import main

import workflow
from workflow.amazon.rules import REGISTRY
from workflow.analysis.explore import RuleUse, explore
from workflow.core.text import counted
from workflow.run.examples import examples_dir, stories

ROOT = Path(__file__).resolve().parents[2]


def _commands(group: click.Group, prefix: str = "workflow") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in group.commands.items():
        found.append((f"{prefix} {name}", command))
        if isinstance(command, click.Group):
            found += _commands(command, f"{prefix} {name}")
    return found


@pytest.mark.parametrize("name,command", _commands(main), ids=[n for n, _ in _commands(main)])
def test_every_summary_is_a_whole_sentence(name: str, command: click.Command) -> None:
    """Each command's --help summary is its own short_help, a sentence ending in a full stop, shown whole."""
    assert command.short_help and command.short_help.endswith("."), name
    assert command.get_short_help_str(limit=45) == command.short_help


def test_group_help_cuts_no_summary() -> None:
    """`workflow --help` shows no summary cut short with '...'."""
    out = run("--help").output
    commands = out.split("Commands:", 1)[1]
    assert "..." not in commands and commands.count(".") >= len(main.commands)


def test_list_shows_decision_tables_apart_and_definition_commands_say_so() -> None:
    """`list` puts account_health under decision tables; a DEFINITION command given it says it is a table."""
    out = run("list").output
    lifecycles, tables = out.split("decision tables", 1)
    assert "account_health" not in lifecycles and "account_health" in tables
    for args in (("rules", "account_health"), ("explore", "account_health"), ("diagram", "account_health")):
        result = run(*args)
        assert result.exit_code == 2
        assert "'account_health' is a decision table" in result.stderr
        assert "workflow table show account_health" in result.stderr


def test_table_show_prints_every_rule_with_its_source() -> None:
    """`workflow table show account_health` lists each rule of the table and its source."""
    from workflow.amazon.health import load_table

    result = run("table", "show", "account_health")
    assert result.exit_code == 0
    table = load_table()
    for rule_id in table.rule_ids():
        assert rule_id in result.output
    assert all(m.source in result.output for m in table.metrics)
    data = json.loads(run("table", "show", "account_health", "--json").output)
    assert sorted(r["id"] for r in data["rules"]) == list(table.rule_ids())


def test_rules_that_may_never_allow_are_declared_in_the_registry() -> None:
    """appeals.closed and state.no_transition say why they never allow; explore of the main lifecycle is then ok."""
    for rule_id in ("appeals.closed", "state.no_transition", "advice.seller_support"):
        assert REGISTRY[rule_id].never_allows.endswith(".")
    ex = explore(workflow.load("account_suspension"))
    assert ex.ok and ex.never_allowed() == []
    assert {"appeals.closed", "state.no_transition"} <= set(ex.declared_never_allowing())


def test_an_undeclared_rule_that_never_allows_fails_explore() -> None:
    """A guard (or advice) that never allowed and declares no reason is a finding, whatever its kind."""
    ex = explore(workflow.load("account_suspension"))
    ex.rules["poa.revised"] = RuleUse("poa.revised", "guard", refused=3, allowed=0)
    ex.rules["advice.no_legal_action"] = RuleUse("advice.no_legal_action", "advice", refused=3, allowed=0)
    assert ex.never_allowed() == ["advice.no_legal_action", "poa.revised"]
    assert not ex.ok


def test_explore_names_no_rule_in_its_code() -> None:
    """The exceptions to explore's exit rule are data: no rule id is written in the exploration's code."""
    for path in (ROOT / "workflow" / "analysis" / "explore.py", ROOT / "cli" / "workflow_cli" / "explore_cmd.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
        assert not strings & set(REGISTRY), path


def test_explore_exit_status_and_summary_follow_the_rule() -> None:
    """`explore account_suspension` exits 0, says the declared rules never allow as registered, and prints ok."""
    result = run("explore", "account_suspension")
    assert result.exit_code == 0
    lines = {line.split()[0]: line for line in result.output.splitlines() if line.startswith("  ") and "." in line}
    assert "as its registration says" in lines["appeals.closed"]
    assert "✗" not in lines["appeals.closed"]
    assert result.output.rstrip().endswith("ok")


def test_one_step_numbering(tmp_path: Path) -> None:
    """Table #, JSON index, the diagram's labels and Step.index all number a step the same, from 0."""
    scenario = ROOT / "examples" / "appeal_by_phone.yaml"
    trace = workflow.simulate(scenario)
    indexes = [s.step.index for s in trace.steps]
    assert indexes == list(range(len(indexes)))
    data = json.loads(run("simulate", "--scenario", scenario, "--json").output)
    assert [s["index"] for s in data["steps"]] == indexes
    table = run("simulate", "--scenario", scenario).output
    assert [int(line.split()[0]) for line in table.splitlines() if line[:3].strip().isdigit()] == indexes
    mermaid = run("diagram", "--scenario", scenario).output
    assert '"(1) ✗ submit_poa' in mermaid and '"(0) suspend"' in mermaid


def test_validate_missing_file_is_an_input_error() -> None:
    """validate of a file that does not exist says so on stderr and exits 2, as every command does."""
    for args in (("--scenario", "missing.yaml"), ("--table", "missing.yaml"), ("./missing.yaml",)):
        result = run("validate", *args)
        assert result.exit_code == 2, args
        assert result.stdout == "" and result.stderr.startswith("workflow: error: ")


def test_plurals() -> None:
    """Counts are followed by the right form of their noun."""
    assert [counted(n, "step") for n in (0, 1, 2)] == ["0 steps", "1 step", "2 steps"]
    assert counted(1, "mismatch", "mismatches") == "1 mismatch"


def test_one_step_run_says_one_step(tmp_path: Path) -> None:
    """A scenario of one step ends with '1 step', not '1 steps'."""
    path = write(tmp_path, "definition: account_suspension\nsteps:\n  - event: warn\n")
    assert "; 1 step, 0 blocked;" in run("simulate", "--scenario", path).output
    assert "after 1 step the case" in run("explain", "--scenario", path).output


def test_paths_summary_names_its_targets(tmp_path: Path) -> None:
    """`paths --cover states` says how many states its scenarios cover, without 'states targets'."""
    result = run("paths", "account_suspension", "--cover", "states", "--out", tmp_path)
    assert re.search(r"^\d+ scenarios? covering \d+ states? of account_suspension$", result.output, flags=re.M)
    assert "states targets" not in result.output + result.stderr


def test_output_suffix_that_names_no_format_is_an_error(tmp_path: Path) -> None:
    """`diagram -o as.txt` refuses (exit 2) and writes nothing; with --format it writes that format."""
    target = tmp_path / "as.txt"
    result = run("diagram", "account_suspension", "-o", target)
    assert result.exit_code == 2 and "names no format" in result.stderr
    assert not target.exists()
    assert run("diagram", "account_suspension", "-o", target, "--format", "dot").exit_code == 0
    assert target.read_text().startswith("digraph")


def test_examples_lists_every_story_with_its_definition() -> None:
    """`workflow examples` has a line per example scenario naming its definition."""
    out = run("examples").output
    for story in stories():
        assert any(line.split()[:2] == [story.name, story.definition] for line in out.splitlines()), story.name
    assert len(stories()) == len(list(examples_dir().glob("*.yaml"))) > 20


def test_examples_copy_then_simulate(tmp_path: Path) -> None:
    """`examples copy DIR` writes every story and snapshot; a copied scenario runs from there, as does --example."""
    result = run("examples", "copy", tmp_path / "x")
    assert result.exit_code == 0
    copied = sorted(p.relative_to(tmp_path / "x") for p in (tmp_path / "x").rglob("*") if p.is_file())
    assert copied == sorted(p.relative_to(examples_dir()) for p in examples_dir().rglob("*") if p.is_file())
    scenario = tmp_path / "x" / "strong_poa_after_one_rejection.yaml"
    assert run("simulate", "--scenario", scenario).exit_code == 0
    by_name = run("simulate", "--example", "strong_poa_after_one_rejection")
    assert (
        by_name.exit_code == 0
        and by_name.output.splitlines()[2:] == run("simulate", "--scenario", scenario).output.splitlines()[2:]
    )
    unknown = run("simulate", "--example", "no_such_story")
    assert unknown.exit_code == 2 and "no example 'no_such_story'" in unknown.stderr


def test_wheel_carries_the_examples() -> None:
    """pyproject.toml force-includes examples/ into the package, where examples_dir() looks first."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"examples" = "workflow/_examples"' in text
