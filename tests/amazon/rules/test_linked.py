"""The linked-account rules (workflow.amazon.rules.linked): the cascade, the reinstatement order and no new
accounts, allowing and refusing on linked_accounts cases, alone and in groups."""

from __future__ import annotations

import datetime as dt

import pytest
from _linked import OWN, START, make_group, reinstate_own

import workflow
import workflow.run.group
from workflow.amazon.rules import REGISTRY
from workflow.amazon.rules.linked import RELATED, enforced_now, own_violation
from workflow.run.group import CaseGroup


@pytest.fixture(scope="module")
def linked() -> workflow.Definition:
    return workflow.load("linked_accounts")


# ------------------------------------------------------------------------------------------------------- linked.cascade


def test_cascade_suspends_every_other_member(linked: workflow.Definition) -> None:
    """Suspending one account suspends the others, as related accounts that name the first."""
    group, _ = make_group(linked)
    result = group.fire("main", "suspend", **OWN)
    assert result.accepted
    assert group.states() == {"main": "suspended", "second": "suspended", "third": "suspended"}
    assert [name for name, _ in result.cascaded] == ["second", "third"]
    for name in ("second", "third"):
        step = group[name].history[-1]
        assert step.event == "suspend"
        assert step.payload["reason_class"] == RELATED
        assert step.payload["linked_account"] == "main"
    (effect,) = result.effects
    assert effect.rule == "linked.cascade"
    assert "'second' and 'third'" in effect.message


def test_cascaded_suspension_does_not_cascade_again(linked: workflow.Definition) -> None:
    """Each member is suspended once: the cascade reaches only members still active."""
    group, _ = make_group(linked)
    group.fire("second", "suspend", **OWN)
    assert [len(group[n].history) for n in group] == [1, 1, 1]


def test_cascade_leaves_members_outside_its_states_alone(linked: workflow.Definition) -> None:
    """A reinstated (closed) case is not reopened by a later suspension of another member."""
    group, clock = make_group(linked, "main", "second")
    group.fire("main", "suspend", **OWN)
    reinstate_own(group, clock, "main")
    clock.advance("1d")
    group.fire("second", "submit_appeal", linked_account="main", reinstatement_date=group["main"].history[-1].at.date())
    group.fire("second", "reinstate")
    group.add("third")
    result = group.fire("third", "suspend", **OWN)
    assert result.accepted
    assert result.cascaded == ()
    assert group.states() == {"main": "reinstated", "second": "reinstated", "third": "suspended"}


def test_cascade_rule_alone_has_nothing_to_say() -> None:
    """Outside a group the cascade rule sets off nothing."""
    case = workflow.Case(workflow.load("linked_accounts"), clock=workflow.SimulatedClock(START))
    step = case.fire("suspend", **OWN)
    assert step.accepted
    assert step.findings == ()


# ------------------------------------------------------------------------------------------- linked.reinstatement_order


def test_related_appeal_refused_until_the_own_violation_account_is_reinstated(linked: workflow.Definition) -> None:
    """The related account cannot appeal while the account enforced for its own violation is suspended."""
    group, _ = make_group(linked)
    group.fire("main", "suspend", **OWN)
    result = group.fire("second", "submit_appeal", linked_account="main", reinstatement_date="2026-03-02")
    assert result.blocked_by == ("linked.reinstatement_order",)
    assert "'main' is enforced for its own violation" in result.step.findings[0].message
    assert group["second"].state == "suspended"


def test_related_appeal_must_name_the_account_and_date(linked: workflow.Definition) -> None:
    """Once the account is reinstated, the appeal names it and its reinstatement date, exactly."""
    group, clock = make_group(linked)
    group.fire("main", "suspend", **OWN)
    when = reinstate_own(group, clock)
    missing = group.fire("second", "submit_appeal")
    assert missing.blocked_by == ("linked.reinstatement_order",)
    assert "are missing" in missing.step.findings[0].message
    wrong_name = group.fire("second", "submit_appeal", linked_account="third", reinstatement_date=when)
    assert "'third' is not an account of this group" in wrong_name.step.findings[0].message
    wrong_date = group.fire("second", "submit_appeal", linked_account="main", reinstatement_date=when - dt.timedelta(1))
    assert f"reinstated on {when}" in wrong_date.step.findings[0].message
    assert group.states()["second"] == "suspended"
    right = group.fire("second", "submit_appeal", linked_account="main", reinstatement_date=when)
    assert right.accepted
    assert group["second"].state == "appeal_submitted"


def test_every_own_violation_account_must_be_reinstated(linked: workflow.Definition) -> None:
    """With two accounts enforced for their own violations, both must be reinstated first."""
    group, clock = make_group(linked, "a", "b", "related")
    group.fire("a", "suspend", **OWN)  # b and related follow as related accounts
    group.add("b2")  # an account that joins later and is suspended for a violation of its own
    group.fire("b2", "suspend", reason_class="policy")
    when = reinstate_own(group, clock, "a")
    refused = group.fire("related", "submit_appeal", linked_account="a", reinstatement_date=when)
    assert refused.blocked_by == ("linked.reinstatement_order",)
    assert "'b2'" in refused.step.findings[0].message
    reinstate_own(group, clock, "b2")
    assert group.fire("related", "submit_appeal", linked_account="a", reinstatement_date=when).accepted


def test_own_violation_appeal_is_not_a_related_appeal(linked: workflow.Definition) -> None:
    """The account suspended for its own violation appeals without naming anyone."""
    group, _ = make_group(linked)
    group.fire("main", "suspend", **OWN)
    assert group.fire("main", "submit_appeal").accepted


def test_reinstatement_order_outside_a_group_reads_the_facts(linked: workflow.Definition) -> None:
    """A lone related-account case reads the linked account and its reinstatement date from its facts."""
    pending = workflow.Case(linked, clock=workflow.SimulatedClock(START), facts={"linked_account": "main"})
    pending.fire("suspend", reason_class=RELATED)
    step = pending.fire("submit_appeal", linked_account="main", reinstatement_date="2026-03-01")
    assert step.blocked_by == ("linked.reinstatement_order",)
    done = workflow.Case(
        linked,
        clock=workflow.SimulatedClock(START),
        facts={"linked_account": "main", "linked_reinstated_on": "2026-03-01"},
    )
    done.fire("suspend", reason_class=RELATED)
    assert not done.fire("submit_appeal", linked_account="main", reinstatement_date="2026-02-28").accepted
    assert done.fire("submit_appeal", linked_account="main", reinstatement_date="2026-03-01").accepted


def test_reinstatement_order_without_any_record_asks_for_names(linked: workflow.Definition) -> None:
    """With nothing known about the linked account, the appeal must still name it and the date."""
    case = workflow.Case(linked, clock=workflow.SimulatedClock(START))
    case.fire("suspend", reason_class=RELATED)
    assert case.fire("submit_appeal").blocked_by == ("linked.reinstatement_order",)
    assert case.fire("submit_appeal", linked_account="main", reinstatement_date="2026-03-01").accepted


# ----------------------------------------------------------------------------------------------- linked.no_new_accounts


def test_no_new_account_while_any_linked_account_is_suspended(linked: workflow.Definition) -> None:
    """A suspended seller cannot open a new account, from any of its accounts."""
    group, _ = make_group(linked)
    assert group.fire("main", "open_new_account", name="fresh").accepted  # nothing suspended yet
    group.fire("main", "suspend", **OWN)
    for name in group:
        result = group.fire(name, "open_new_account", name="fresh")
        assert result.blocked_by == ("linked.no_new_accounts",)
        assert "closes any account opened" in result.step.findings[0].message


def test_new_account_allowed_again_once_reinstated(linked: workflow.Definition) -> None:
    """A lone account may open a new one before it is suspended, not while it is."""
    case = workflow.Case(linked, clock=workflow.SimulatedClock(START))
    assert case.fire("open_new_account", name="x").accepted
    case.fire("suspend", **OWN)
    assert case.fire("open_new_account", name="x").blocked_by == ("linked.no_new_accounts",)
    case.fire("submit_appeal")
    assert case.fire("open_new_account", name="x").blocked_by == ("linked.no_new_accounts",)


def test_history_helpers_read_enforcement() -> None:
    """own_violation and enforced_now read a member's history."""
    group = CaseGroup(workflow.load("linked_accounts"), ["a", "b"], clock=workflow.SimulatedClock(START))
    group.fire("a", "suspend", **OWN)
    members = {m.name: m for m in workflow.run.group.GroupView(group, "a").others()}
    assert own_violation(members["b"]) == (False, None)
    assert enforced_now(group["a"].history)
    assert enforced_now(group["b"].history)


# --------------------------------------------------------------------------------------------------------- the registry


def test_linked_rules_are_registered_with_sources() -> None:
    """The three rules of the catalog are in the registry with their sources."""
    assert REGISTRY["linked.cascade"].kind == "effect"
    assert REGISTRY["linked.reinstatement_order"].source == "N-RELATED-UK [S]"
    assert "N-REVIEWFAIL" in REGISTRY["linked.no_new_accounts"].source
