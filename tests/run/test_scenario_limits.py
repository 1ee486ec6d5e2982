"""Durations and dates at the edge: a scenario that would move the clock too far is one located error, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from workflow_cli.main import main

from workflow.errors import ScenarioError
from workflow.run.scenario import load_scenario, run_scenario


def run(*args: str | Path) -> Result:
    """``workflow ARGS`` in-process; stdout and stderr kept apart."""
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def one_line_error(result: Result) -> str:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("workflow: error: ")
    return lines[0]


def test_a_huge_after_is_refused_in_one_line(tmp_path: Path) -> None:
    """after: 99999999999999d names the bound and the step's line, exit 2."""
    path = write(tmp_path, "definition: account_suspension\nsteps:\n  - event: suspend\n    after: 99999999999999d\n")
    line = one_line_error(run("simulate", "--scenario", path))
    assert f"{path}:4 steps[0].after: duration too long" in line
    assert "at most 36500 days" in line


def test_an_after_past_year_9999_is_refused_in_one_line(tmp_path: Path) -> None:
    """start 9999-12-31 and after: 2d is a located scenario problem, not 'date value out of range'."""
    text = "definition: account_suspension\nstart: 9999-12-31T00:00:00Z\nsteps:\n  - event: suspend\n    after: 2d\n"
    line = one_line_error(run("simulate", "--scenario", write(tmp_path, text)))
    assert "steps[0].after: 9999-12-31T00:00:00Z + 2d is past the last date the clock can hold" in line


def test_a_timer_due_past_year_9999_stops_the_run_at_its_step(tmp_path: Path) -> None:
    """A complaint received in December 9999 has its 90-day timer due after 9999: a ScenarioError at step 1."""
    text = (
        "definition: ip_complaint\nstart: 9999-12-01T09:00:00Z\nsteps:\n"
        "  - event: receive_complaint\n    with: {complaint_type: trademark}\n"
        "  - event: request_retraction\n    after: 1d\n"
    )
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        run_scenario(load_scenario(path))
    (problem,) = info.value.problems
    assert (problem.path, problem.line, problem.file) == ("steps[1]", 6, str(path))
    assert "+ 90d is past the last date" in problem.message
    assert "steps[1]" in one_line_error(run("simulate", "--scenario", path))


def test_a_group_scenario_past_year_9999_is_located_too(tmp_path: Path) -> None:
    """The same bound holds for a scenario with named cases."""
    text = (
        "definition: linked_accounts\nstart: 9999-12-31T00:00:00Z\ncases: {a: , b: }\nsteps:\n"
        "  - case: a\n    event: suspend\n    after: 5bd\n    with: {reason_class: performance}\n"
    )
    line = one_line_error(run("simulate", "--scenario", write(tmp_path, text)))
    assert "steps[0].after:" in line and "past the last date" in line
