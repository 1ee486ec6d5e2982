"""Errors and exit statuses: every exception lives in workflow.errors with fields; the CLI maps them in one place."""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import json
import pkgutil
from pathlib import Path

import pytest
from _cli import run, write
from workflow_cli import main as cli_main
from workflow_cli import simulate_cmd
from workflow_cli.status import FAILED, INPUT, OK

import workflow
from workflow import errors
from workflow.analysis.explore import explore
from workflow.core.clock import SimulatedClock

ROOT = Path(__file__).resolve().parents[2]
SUSPEND = "  - event: suspend\n    with: {reason_class: performance, issues: [order_defect_rate]}\n"


def _scenario(tmp_path: Path, expect: str) -> Path:
    return write(tmp_path, f"definition: account_suspension\nsteps:\n{SUSPEND}    expect: {expect}\n")


# ----------------------------------------------------------------------------------- where exceptions live


def test_every_exception_class_of_the_package_is_defined_in_errors() -> None:
    """Importing every module of workflow finds no public exception class defined outside workflow/errors.py."""
    outside = set()
    for info in pkgutil.walk_packages(workflow.__path__, "workflow."):
        module = importlib.import_module(info.name)
        if info.name == "workflow.errors":
            continue
        for name, value in vars(module).items():
            is_error = isinstance(value, type) and issubclass(value, BaseException)
            if is_error and value.__module__ == info.name and not name.startswith("_"):
                outside.add(f"{info.name}.{name}")
    assert outside == set()


def test_no_command_exits_by_itself() -> None:
    """No module of the CLI calls sys.exit (or exit/quit): statuses are returned, errors raised."""
    calls = []
    for path in sorted((ROOT / "cli" / "workflow_cli").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                f = node.func
                name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
                if name in ("exit", "quit", "_exit"):
                    calls.append(f"{path.name}:{node.lineno}")
    assert calls == []


# ----------------------------------------------------------------------------------- structured fields


def test_not_found_carries_the_name_and_the_known_names() -> None:
    """An unknown built-in name raises NotFound whose fields say what was asked and what is known."""
    with pytest.raises(errors.NotFound) as info:
        workflow.load("account_suspensoin")
    assert info.value.name == "account_suspensoin"
    assert info.value.path is None
    assert "account_suspension" in info.value.known
    assert info.value.reason == "missing"


def test_time_out_of_range_carries_the_start_and_the_duration() -> None:
    """A clock pushed past 9999 raises TimeOutOfRange with the instant it started from and the duration."""
    clock = SimulatedClock("9999-12-30T00:00:00Z")
    with pytest.raises(errors.TimeOutOfRange) as info:
        clock.advance(workflow.parse_duration("5d"))
    assert info.value.start == dt.datetime(9999, 12, 30, tzinfo=dt.timezone.utc)
    assert info.value.duration == "5d"
    assert isinstance(info.value, ValueError)


def test_exploration_limit_carries_the_bound() -> None:
    """Exploring past max_configs raises ExplorationLimit naming the definition and the bound."""
    with pytest.raises(errors.ExplorationLimit) as info:
        explore(workflow.load("account_suspension"), max_configs=7)
    assert (info.value.definition, info.value.max_configs) == ("account_suspension", 7)
    assert info.value.depth >= 1


def test_unknown_marketplace_carries_the_known_codes() -> None:
    """Judging for a marketplace the table lacks raises UnknownMarketplace with the codes it knows."""
    from workflow.amazon.health import evaluate

    with pytest.raises(errors.UnknownMarketplace) as info:
        evaluate({"marketplace": "US", "metrics": {}}, marketplace="ATLANTIS")
    assert info.value.marketplace == "ATLANTIS"
    assert "US" in info.value.known


# ----------------------------------------------------------------------------------- the one mapping


@pytest.mark.parametrize(
    "error",
    [
        errors.NotFound("x", known=("a",)),
        errors.ScenarioError([errors.Problem("bad", file="s.yaml", line=3)]),
        errors.UnknownEvent("x", ("a",)),
        errors.GraphvizMissing("svg"),
        errors.ExplorationLimit("d", 5, 2),
        errors.RuleFailure("r.x", "e", RuntimeError("boom")),
        FileNotFoundError(2, "No such file or directory", "gone.yaml"),
    ],
)
def test_every_known_error_becomes_an_input_error(error: Exception) -> None:
    """The table turns each error of the package, and an unreadable file, into a click exception exiting 2."""
    converted = cli_main.as_click(error)
    assert converted is not None
    assert converted.exit_code == INPUT
    assert "\n" not in converted.message


def test_an_unknown_error_is_not_hidden() -> None:
    """An exception that is not the package's (a bug) is not mapped: it keeps its traceback."""
    assert cli_main.as_click(RuntimeError("bug")) is None


def test_a_bug_in_a_command_is_not_reported_as_bad_input(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A RuntimeError inside a command propagates instead of becoming exit 2."""

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(simulate_cmd, "load_scenario", broken)
    with pytest.raises(RuntimeError, match="bug"):
        run("simulate", "--scenario", _scenario(tmp_path, "accepted"))


# ----------------------------------------------------------------------------------- the contract, end to end


def test_simulate_exits_0_when_every_expectation_held(tmp_path: Path) -> None:
    """All expectations held: exit 0, the JSON on stdout, nothing on stderr."""
    result = run("simulate", "--scenario", _scenario(tmp_path, "accepted"), "--json")
    assert result.exit_code == OK
    assert json.loads(result.stdout)["expectations_met"] is True
    assert result.stderr == ""


def test_simulate_exits_1_when_an_expectation_did_not_hold(tmp_path: Path) -> None:
    """An expectation missed: exit 1, the JSON still printed whole, nothing on stderr."""
    result = run("simulate", "--scenario", _scenario(tmp_path, "blocked"), "--json")
    assert result.exit_code == FAILED
    assert json.loads(result.stdout)["expectations_met"] is False
    assert result.stderr == ""


def test_simulate_strict_exits_1_when_a_step_was_blocked(tmp_path: Path) -> None:
    """--strict: a blocked step the scenario offered is a failure even without expectations."""
    path = write(tmp_path, "definition: account_suspension\nsteps:\n  - event: reinstate\n")
    assert run("simulate", "--scenario", path).exit_code == OK
    assert run("simulate", "--scenario", path, "--strict").exit_code == FAILED


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (
            "definition: account_suspension\nsteps:\n  - event: suspendd\n",
            "scenario.yaml:3 steps[0].event: unknown event",
        ),
        ("definition: nope\nsteps: []\n", "scenario.yaml:1 definition: no built-in definition 'nope'"),
        ("definition: [\n", "scenario.yaml:2: invalid YAML"),
    ],
)
def test_simulate_exits_2_with_one_line_naming_the_file_and_where(tmp_path: Path, text: str, line: str) -> None:
    """Bad input: exit 2, nothing on stdout, one line on stderr naming the file and where in it."""
    path = write(tmp_path, text)
    result = run("simulate", "--scenario", path)
    assert result.exit_code == INPUT
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("workflow: error: ")
    assert line in result.stderr
    assert str(path) in result.stderr


def test_a_missing_file_exits_2_naming_it(tmp_path: Path) -> None:
    """A scenario file that is not there: exit 2 and one line with its name."""
    result = run("simulate", "--scenario", tmp_path / "gone.yaml")
    assert result.exit_code == INPUT
    assert "gone.yaml" in result.stderr and result.stderr.count("\n") == 1


def test_validate_exits_1_when_a_file_has_a_problem(tmp_path: Path) -> None:
    """validate is a check: an invalid file is a finding (exit 1), not an error of validate's own input."""
    good = ROOT / "definitions" / "account_suspension.yaml"
    assert run("validate", good).exit_code == OK
    bad = write(tmp_path, "name: x\nstates: []\n", "broken.yaml")
    assert run("validate", good, bad).exit_code == FAILED


def test_explore_past_its_bound_exits_2() -> None:
    """An exploration stopped by --max-configs is reported in one line, exit 2."""
    result = run("explore", "account_suspension", "--max-configs", "5")
    assert result.exit_code == INPUT
    assert "more than 5 configurations" in result.stderr and result.stderr.count("\n") == 1
