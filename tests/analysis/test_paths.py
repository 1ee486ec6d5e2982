"""Model-based test generation: the fewest shortest scenarios covering states, transitions or rule outcomes."""

from __future__ import annotations

from pathlib import Path

import pytest
from _explored import BUILTINS, explored, path_set, run
from click.testing import CliRunner
from workflow_cli.main import main

from workflow.analysis.explore import COVER, cover_targets, targets_of
from workflow.core.compiled import compiled


@pytest.mark.parametrize("cover", COVER)
@pytest.mark.parametrize("name", BUILTINS)
def test_generated_paths_replay_and_cover_what_they_claim(name: str, cover: str) -> None:
    """Every generated scenario replays with every expectation met, and together they cover every target."""
    result = path_set(name, cover)
    comp = compiled(explored(name).definition)
    seen: set[tuple[str, ...]] = set()
    for scenario in result.scenarios:
        trace = run(scenario)
        assert trace.expectations_met, scenario["description"]
        probes = [s for s in scenario["steps"] if "expect" not in s]  # only a step that lets timers fire
        assert all(s["description"].startswith("any event") for s in probes)
        for t in trace.steps:
            seen.update(targets_of(comp, t.step))
    assert set(result.covered) <= seen
    assert len(result.scenarios) <= len(result.covered)


@pytest.mark.parametrize("name", BUILTINS)
def test_everything_but_always_refused_transitions_is_covered(name: str) -> None:
    """States and rule outcomes are all reachable; only transitions a rule always refuses stay uncovered."""
    ex = explored(name)
    assert path_set(name, "states").unreachable == ()
    assert path_set(name, "rules").unreachable == ()
    assert [t[1:] for t in path_set(name, "transitions").unreachable] == ex.uncovered_transitions()


def test_rule_cover_holds_both_outcomes_of_every_guard() -> None:
    """--cover rules asks every guard to allow and to refuse, every advice to advise, every state rule to refuse."""
    ex = explored("account_suspension")
    targets = cover_targets(ex, "rules")
    assert ("rule", "poa.revised", "allows") in targets
    assert ("rule", "poa.revised", "refuses") in targets
    assert ("rule", "advice.repeat_denials", "advises") in targets
    assert ("rule", "appeals.closed", "refuses") in targets
    assert set(path_set("account_suspension", "rules").covered) == set(targets)


def test_paths_are_shortest() -> None:
    """Each state is first reached by a scenario no longer than its breadth-first depth plus its refusals."""
    ex = explored("ip_complaint")
    for scenario in path_set("ip_complaint", "states").scenarios:
        trace = run(scenario)
        final = trace.final_state
        origin, _move, _step = ex.firsts[("state", final)]
        accepted = [t for t in trace.steps if t.step.accepted and not t.step.timer]
        assert len(accepted) <= len(ex.path(origin)) + 1


def test_cli_paths_writes_scenarios_that_simulate_replays(tmp_path: Path) -> None:
    """`workflow paths --out DIR` writes scenario files; `workflow simulate` replays each with exit 0."""
    runner = CliRunner()
    result = runner.invoke(main, ["paths", "verification", "--cover", "rules", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    files = sorted(tmp_path.glob("verification.rules.*.yaml"))
    assert len(files) == len(path_set("verification", "rules").scenarios)
    for f in files:
        replay = runner.invoke(main, ["simulate", "--scenario", str(f)])
        assert replay.exit_code == 0, replay.output


def test_cli_paths_exit_1_when_a_target_is_unreachable() -> None:
    """A transition no payload can take makes `workflow paths --cover transitions` exit 1 and name it."""
    result = CliRunner().invoke(main, ["paths", "linked_accounts", "--cover", "transitions"])
    assert result.exit_code == 1
    assert "unreachable: transition open_new_account suspended suspended" in result.output
