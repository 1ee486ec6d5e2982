"""Exhaustive exploration: every built-in definition explored, its invariants checked, its rules all firing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _explored import BUILTINS, explored, mutant_texts, run, without_rule
from click.testing import CliRunner
from workflow_cli.main import main

import workflow
from workflow.analysis.explore import counterexample_scenario, dump_scenario, explore
from workflow.errors import ExplorationLimit
from workflow.run.scenario import load_scenario, run_scenario

TINY = """
name: tiny
version: "1"
states:
  open: {initial: true}
  done: {terminal: true}
events:
  close: {description: closes the case}
  note: {description: a note; the case stays}
transitions:
  - event: close
    from: open
    to: done
    guards:
      - {rule: fraud.no_appeal, source: "A-BSA3-EXPL [S]"}
  - {event: note, from: open}
"""


@pytest.mark.parametrize("name", BUILTINS)
def test_every_state_is_reached_and_every_invariant_holds(name: str) -> None:
    """Exploration of each built-in reaches every state and breaks none of its invariants."""
    ex = explored(name)
    assert not ex.truncated
    assert ex.unreached_states() == []
    assert ex.violations == {}
    assert len(ex.nodes) >= len(ex.definition.states)


@pytest.mark.parametrize("name", BUILTINS)
def test_every_rule_both_refuses_and_allows(name: str) -> None:
    """No rule of a built-in is dead: each guard refused and allowed something, each advice was given."""
    ex = explored(name)
    assert ex.never_refused() == []
    assert ex.never_allowed() == []
    used = set(ex.definition.rule_ids())
    assert used <= set(ex.rules)


@pytest.mark.parametrize("name", BUILTINS)
def test_transitions_never_taken_are_the_ones_a_rule_always_refuses(name: str) -> None:
    """A declared transition exploration never takes is one whose guard refuses every attempt (by design)."""
    ex = explored(name)
    comp = workflow.core.compiled.compiled(ex.definition)
    for event, source, _dest in ex.uncovered_transitions():
        assert source in ex.states_reached
        guards = {g.id for e in comp.table[source][event] for g in e.guards}
        assert guards, f"{event} from {source} has no guard and was never taken"
        assert all(ex.rules[g].refused > 0 for g in guards)


def test_patience_rule_meets_both_outcomes_on_the_simulated_clock() -> None:
    """Waiting patience_days is an explicit move, so patience.wait both refuses and allows a follow-up."""
    rules = explored("account_suspension").rules
    assert rules["patience.wait"].refused > 0
    assert rules["patience.wait"].allowed > 0
    assert rules["escalate.after_review"].refused > 0


def test_a_fraud_suspension_is_a_dead_end() -> None:
    """A case suspended for fraud can never reach a terminal state: exploration reports it as a dead end."""
    ex = explored("account_suspension")
    assert ex.dead_ends
    for i in ex.dead_ends:
        assert ex.nodes[i].case.state == "suspended"
        moves = [n.move.describe() for n in ex.path(i) if n.move is not None]
        assert "suspend[reason_class=fraud]" in moves


def test_counts_the_rules_read_are_kept_apart() -> None:
    """The catalog case reaches the ERT only after ert_reopen_threshold reopenings: counts are in the key."""
    ex = explored("catalog_case")
    assert "ert" in ex.states_reached
    origin, _move, step = ex.firsts[("state", "ert")]
    reopens = [n for n in ex.path(origin) if n.move is not None and n.move.event == "reopen"]
    assert len(reopens) == workflow.load("catalog_case").parameters["ert_reopen_threshold"]
    assert step.event == "transfer_to_ert"


def test_a_rule_that_can_never_fire_is_reported() -> None:
    """A guard whose facts never occur (fraud.no_appeal with no suspension) is reported as never refusing."""
    ex = explore(workflow.load(text=TINY, file="tiny.yaml"))
    assert ex.never_refused() == ["fraud.no_appeal"]
    assert not ex.ok


def test_a_removed_guard_yields_the_shortest_counterexample_that_replays() -> None:
    """Without escalate.once a case is escalated twice; the counterexample scenario replays the violation."""
    mutant = without_rule("account_suspension", "escalate.once")
    ex = explore(mutant, max_depth=7)  # breadth first: the first violation found is the shortest
    assert set(ex.violations) == {"escalated_at_most_once"}
    data = counterexample_scenario(ex, "escalated_at_most_once")
    events = [s["event"] for s in data["steps"]]
    assert events.count("escalate") == 2
    assert data["steps"][-1]["expect"] == "blocked"
    trace = run(data, mutant)
    assert trace.steps[-1].step.accepted  # the violation happens again on replay ...
    assert not trace.expectations_met  # ... and the scenario says it should not have
    assert [t.met for t in trace.steps[:-1]] == [True] * (len(trace.steps) - 1)
    # shortest: no exploration bounded one move shorter finds it
    assert (
        "escalated_at_most_once"
        not in explore(mutant, max_depth=len(ex.path(ex.violations["escalated_at_most_once"].node))).violations
    )
    real = {**data, "definition": "account_suspension"}
    assert run_scenario(load_scenario(text=dump_scenario(real))).expectations_met  # the real definition holds


def test_the_bound_stops_exploration_with_a_clear_message() -> None:
    """A reachable space larger than --max-configs stops with an error naming the bound, not a hang."""
    with pytest.raises(ExplorationLimit, match=r"more than 25 configurations.*--max-configs"):
        explore(workflow.load("account_suspension"), max_configs=25)


def test_max_depth_truncates() -> None:
    """--max-depth bounds the moves explored and says the result is truncated."""
    ex = explore(workflow.load("ip_complaint"), max_depth=2)
    assert ex.truncated
    assert max(n.depth for n in ex.nodes) <= 2
    assert len(ex.nodes) < len(explored("ip_complaint").nodes)


def test_cli_explore_json_and_exit_status(tmp_path: Path) -> None:
    """`workflow explore --json` prints the report and exits 0 when every invariant holds and every rule fires."""
    result = CliRunner().invoke(main, ["explore", "ip_complaint", "--json", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["definition"] == "ip_complaint"
    assert data["configurations"] == len(explored("ip_complaint").nodes)
    assert data["transitions"]["uncovered"] == []
    assert all(v["holds"] for v in data["invariants"].values())
    assert list(tmp_path.iterdir()) == []


def test_cli_explore_writes_counterexamples_and_exits_1(tmp_path: Path) -> None:
    """On a broken invariant `workflow explore` writes the counterexample, and `simulate` exits 1 on it."""
    mutant = without_rule("ip_complaint", "ip.timeout_90d")
    assert mutant.invariants
    src = tmp_path / "ip_no_timeout.yaml"
    src.write_text(mutant_texts[("ip_complaint", "ip.timeout_90d")], encoding="utf-8")
    result = CliRunner().invoke(main, ["explore", str(src), "--out", str(tmp_path / "cx")])
    assert result.exit_code == 1, result.output
    written = sorted((tmp_path / "cx").glob("*.yaml"))
    assert written, result.output
    replay = CliRunner().invoke(main, ["simulate", "--scenario", str(written[0])])
    assert replay.exit_code == 1, replay.output


def test_cli_explore_bound_is_one_line_exit_2() -> None:
    """The bound reached is an input-level error: one line on stderr, exit status 2."""
    result = CliRunner().invoke(main, ["explore", "account_suspension", "--max-configs", "10"])
    assert result.exit_code == 2
    assert "more than 10 configurations" in result.output
    assert "Traceback" not in result.output


SELLER_GATE = """
name: gate
version: "1"
states:
  open: {initial: true}
  closed: {}
  gone: {terminal: true}
events:
  close: {actor: amazon}
  reopen: {actor: amazon}
  appeal: {actor: seller}
  end: {actor: amazon}
transitions:
  - {event: close, from: open, to: closed}
  - {event: end, from: closed, to: gone}
  - {event: reopen, from: closed, to: open}
  - {event: appeal, from: closed}
invariants:
  - id: closed_refuses_the_seller
    check: refuses_all
    params: {state: closed, rule: state.no_transition, actor: seller}
"""


def test_refuses_all_can_be_about_one_actor_s_events() -> None:
    """refuses_all with actor: seller ignores Amazon's events in the state and catches an accepted seller event."""
    ex = explore(workflow.load(text=SELLER_GATE, file="gate.yaml"))
    v = ex.violations["closed_refuses_the_seller"]
    assert v.step.event == "appeal"
    assert "(seller event)" in v.message
    data = counterexample_scenario(ex, "closed_refuses_the_seller")
    assert [s["event"] for s in data["steps"]] == ["close", "appeal"]
    assert data["steps"][-1]["expect"] == ["state.no_transition"]
    only_amazon = SELLER_GATE.replace("  - {event: appeal, from: closed}\n", "")
    assert explore(workflow.load(text=only_amazon, file="gate.yaml")).violations == {}


def test_a_rule_counting_an_event_the_definition_lacks_does_not_loop() -> None:
    """advice.repeat_denials counts 'reject' events; a definition without that event is still explored."""
    text = TINY.replace(
        "  - {event: note, from: open}\n",
        "  - {event: note, from: open}\n"
        "advice:\n  - {rule: advice.repeat_denials, events: note, source: T-ECHRIS-POA}\n",
    )
    ex = explore(workflow.load(text=text, file="tiny.yaml"))
    assert "advice.repeat_denials" in ex.never_refused()  # it counts rejections this lifecycle never has
