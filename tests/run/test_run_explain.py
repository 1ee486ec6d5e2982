"""Explaining where a case stands (workflow.run.explain): what is allowed now, what refuses the rest, and why.

Named ``test_run_explain.py``: ``test_explain.py`` is the command's test module (tests/cli), and test basenames
are unique across folders.
"""

from __future__ import annotations

from pathlib import Path

from _suspension import TABLE, accept, new_case

import workflow
from workflow.run.explain import explain, explain_cases

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_allowed_are_the_events_the_state_takes(suspension_def: workflow.Definition) -> None:
    """A fresh account_suspension case may be warned, suspended or contact seller support, and nothing else."""
    told = explain(new_case(suspension_def))
    assert told.state == "active"
    assert set(told.allowed) == TABLE["active"]


def test_every_other_event_is_refused_with_its_rules(suspension_def: workflow.Definition) -> None:
    """Each event not allowed has at least one refusal, and here the state's table refuses them."""
    told = explain(new_case(suspension_def))
    assert set(told.refused) == set(suspension_def.event_names) - set(told.allowed)
    for findings in told.refused.values():
        assert [f.rule for f in findings] == ["state.no_transition"]


def test_payload_rules_are_named_for_allowed_events_only(suspension_def: workflow.Definition) -> None:
    """Once suspended, submit_poa is allowed subject to the rules that read its payload (poa.complete among them)."""
    case = new_case(suspension_def)
    accept(case, "suspend", reason_class="performance", issues=["order_defect_rate"])
    told = explain(case)
    assert set(told.depends_on_payload) <= set(told.allowed)
    assert "poa.complete" in told.depends_on_payload["submit_poa"]
    assert "state.no_transition" not in {r for rules in told.depends_on_payload.values() for r in rules}


def test_to_json_is_plain_data_with_each_refusals_source(suspension_def: workflow.Definition) -> None:
    """The JSON form lists the allowed events and, per refused event, rule, message and source."""
    told = explain(new_case(suspension_def))
    data = told.to_json()
    assert data["state"] == "active" and data["allowed"] == list(told.allowed)
    (first,) = data["refused"]["reject"]
    assert set(first) == {"rule", "message", "source"} and first["rule"] == "state.no_transition"


def test_explain_cases_names_each_member_of_a_group_scenario() -> None:
    """A scenario with cases is explained case by case; a one-case scenario has nothing to add."""
    group = workflow.run_scenario(workflow.load_scenario(EXAMPLES / "linked_accounts_suspended_together.yaml"))
    told = explain_cases(group)
    assert told and all(e.state == group.group[name].state for name, e in told.items())  # type: ignore[index]
    single = workflow.run_scenario(workflow.load_scenario(EXAMPLES / "incomplete_poa.yaml"))
    assert explain_cases(single) == {}
