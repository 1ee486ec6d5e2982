"""The tests bite: take any rule out of a built-in definition and a generated path or an invariant fails.

For every rule id a built-in uses (guards, advice, state refusals, cascades), the definition is rebuilt
without it and the scenarios ``workflow paths --cover rules`` generated for the real definition are run on
the mutant. A path fails when one of its expectations is no longer met: each step expects its outcome
(accepted, or the rules that refuse it), and an accepted step also the state it leads to and the advice it
carries, so a lost refusal, a lost route and lost advice all make ``workflow simulate`` exit 1.
Invariants that name a rule are checked by exploring the mutant. A cascade acts between cases, which
exploring one case cannot show: its loss is caught by the example stories of several linked cases.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest
from _explored import BUILTINS, path_set, run, without_rule

import workflow
from workflow.analysis.explore import explore
from workflow.run.scenario import Trace, load_scenario, run_scenario

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

#: rules a single-case exploration cannot see: a cascade acts on the other cases of a linked group, so
#: its loss is shown by the example stories of several cases instead
GROUP_ONLY = {("linked_accounts", "linked.cascade")}

USES = [(name, rule) for name in BUILTINS for rule in workflow.load(name).rule_ids()]


def _replay(trace: Trace) -> list[tuple[object, ...]]:
    return [(t.step.event, t.step.accepted, t.step.target, t.step.blocked_by, t.step.advice) for t in trace.steps]


def path_failures(name: str, mutant: workflow.Definition) -> tuple[int, int]:
    """How many generated rule-cover paths miss an expectation, and how many replay differently, on ``mutant``."""
    unmet = differ = 0
    for scenario in path_set(name, "rules").scenarios:
        real, changed = run(scenario), run(scenario, mutant)
        assert real.expectations_met
        unmet += not changed.expectations_met
        differ += _replay(real) != _replay(changed)
    return unmet, differ


@pytest.mark.parametrize(("name", "rule"), USES, ids=[f"{n}:{r}" for n, r in USES])
def test_removing_a_rule_makes_a_generated_path_fail(name: str, rule: str) -> None:
    """Without ``rule`` at least one generated path of ``name`` fails: no rule is decorative."""
    mutant = without_rule(name, rule)
    unmet, differ = path_failures(name, mutant)
    if (name, rule) in GROUP_ONLY:
        assert (unmet, differ) == (0, 0)  # the finding: one case alone cannot show a cascade's loss ...
        assert group_stories_failing(name, mutant)  # ... the stories of cases acting together do
        return
    assert unmet > 0  # the scenarios' own expectations fail: `workflow simulate` would exit 1


def group_stories_failing(name: str, mutant: workflow.Definition) -> list[str]:
    """The example scenarios with several cases of ``name`` that, run on ``mutant``, miss an expectation."""
    failing = []
    for path in sorted(EXAMPLES.glob("*.yaml")):
        scenario = load_scenario(path)
        if scenario.definition.name == name and scenario.cases:
            assert run_scenario(scenario).expectations_met, path.name
            if not run_scenario(attrs.evolve(scenario, definition=mutant)).expectations_met:
                failing.append(path.name)
    return failing


INVARIANT_RULES = [
    (name, inv.id, str(inv.params["rule"]))
    for name in BUILTINS
    for inv in workflow.load(name).invariants
    if "rule" in inv.params and inv.params["rule"] in workflow.load(name).rule_ids()
]


@pytest.mark.parametrize(
    ("name", "invariant", "rule"), INVARIANT_RULES, ids=[f"{n}:{i}" for n, i, _ in INVARIANT_RULES]
)
def test_an_invariant_naming_a_rule_catches_its_loss(name: str, invariant: str, rule: str) -> None:
    """Exploring the definition without the rule an invariant names finds that invariant broken."""
    ex = explore(without_rule(name, rule), max_depth=6, max_configs=200_000)
    assert invariant in ex.violations


def test_at_most_once_escalation_is_an_invariant_that_catches_escalate_once() -> None:
    """escalated_at_most_once names an event, not a rule: it is what catches escalate.once going missing."""
    ex = explore(without_rule("account_suspension", "escalate.once"), max_depth=6)
    assert set(ex.violations) == {"escalated_at_most_once"}
