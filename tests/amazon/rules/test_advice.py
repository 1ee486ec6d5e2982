"""The advice rules (workflow.amazon.rules.advice):
allowing and refusing on account_suspension through ``Case.fire``.

Tests are named after the rule ids. Each refusal checks ``accepted``, the exact ``blocked_by``, that no
advice rode on it, and that the finding is a sentence citing the source the definition gives (a simulated
clock throughout).
"""

from __future__ import annotations

import pytest
from _suspension import (
    MEASURES,
    TABLE,
    accept,
    assert_cited,
    escalation,
    in_state,
    letter,
    new_case,
    poa,
    refused,
    rejected,
    revised,
    submitted,
    suspended,
    variant,
)

import workflow

# --------------------------------------------------------------------------------------- advice.seller_support


@pytest.mark.parametrize("state", [s for s, events in TABLE.items() if events])
def test_advice_seller_support_applies_in_every_open_state(suspension_def: workflow.Definition, state: str) -> None:
    """advice.seller_support annotates contact_seller_support, which goes through and leaves the case where it is."""
    case = in_state(suspension_def, state)
    step = case.fire("contact_seller_support", question="when will my appeal be read?")
    assert step.accepted
    assert step.blocked_by == ()
    assert step.advice == ("advice.seller_support",)
    assert (step.source, step.target, case.state) == (state, state, state)
    assert_cited(suspension_def, step, "advice.seller_support")


def test_advice_seller_support_does_not_apply_to_other_events(suspension_def: workflow.Definition) -> None:
    """advice.seller_support stays off steps that are not a contact with Seller Support."""
    case = new_case(suspension_def)
    assert case.fire("warn", metric="order_defect_rate").advice == ()


def test_advice_seller_support_does_not_apply_to_a_refused_contact(suspension_def: workflow.Definition) -> None:
    """advice.seller_support rides only on accepted steps: not on a contact refused after reinstatement."""
    case = in_state(suspension_def, "reinstated")
    step = case.fire("contact_seller_support")
    assert not step.accepted
    assert step.advice == ()


# --------------------------------------------------------------------------------------- advice.jeff_premature


def test_advice_jeff_premature_applies_to_an_escalation_to_jeff(suspension_def: workflow.Definition) -> None:
    """advice.jeff_premature annotates an accepted escalation to Jeff."""
    case = rejected(suspension_def)
    step = case.fire("escalate", **escalation(revised(1), target="jeff"))
    assert step.accepted
    assert step.advice == ("advice.jeff_premature",)
    assert "Jeff" in assert_cited(suspension_def, step, "advice.jeff_premature").message


@pytest.mark.parametrize("target", ["executive_seller_relations", "senior_investigator", "seller_performance_manager"])
def test_advice_jeff_premature_does_not_apply_to_other_targets(
    suspension_def: workflow.Definition, target: str
) -> None:
    """advice.jeff_premature stays off escalations to anyone but Jeff."""
    step = rejected(suspension_def).fire("escalate", **escalation(revised(1), target=target))
    assert step.accepted
    assert step.advice == ()


def test_advice_jeff_premature_does_not_apply_to_a_refused_escalation(suspension_def: workflow.Definition) -> None:
    """advice.jeff_premature rides only on accepted steps: not on a too-early escalation to Jeff."""
    step = submitted(suspension_def).fire("escalate", **escalation(revised(0), target="jeff"))
    refused(suspension_def, step, "escalate.after_review")


# --------------------------------------------------------------------------------------- advice.no_legal_action


def test_advice_no_legal_action_applies_to_a_threatening_poa(suspension_def: workflow.Definition) -> None:
    """advice.no_legal_action annotates an accepted POA that mentions a lawyer, quoting the word."""
    case = suspended(suspension_def)
    plan = poa(measures=(*MEASURES, "our lawyer reviews every listing"))
    step = case.fire("submit_poa", poa=plan, to="seller_performance", channel="email")
    assert step.accepted
    assert step.advice == ("advice.no_legal_action",)
    assert "'lawyer'" in assert_cited(suspension_def, step, "advice.no_legal_action").message


def test_advice_no_legal_action_applies_to_a_threatening_letter(suspension_def: workflow.Definition) -> None:
    """advice.no_legal_action annotates an escalation whose letter threatens to sue."""
    plan = revised(1)
    case = rejected(suspension_def)
    step = case.fire(
        "escalate",
        target="senior_investigator",
        poa=plan,
        letter={**letter(plan), "text": "Reinstate us or we will sue."},
    )
    assert step.accepted
    assert step.advice == ("advice.no_legal_action",)
    assert_cited(suspension_def, step, "advice.no_legal_action")


def test_advice_no_legal_action_does_not_apply_to_words_that_contain_a_term(
    suspension_def: workflow.Definition,
) -> None:
    """advice.no_legal_action matches whole words: 'issue' and 'pursue' are not 'sue'."""
    case = suspended(suspension_def)
    plan = poa(measures=(*MEASURES, "we pursue every issue the same day"))
    step = case.fire("submit_poa", poa=plan, to="seller_performance", channel="email")
    assert step.accepted
    assert step.advice == ()


def test_advice_no_legal_action_does_not_apply_to_a_refused_poa(suspension_def: workflow.Definition) -> None:
    """advice.no_legal_action rides only on accepted steps: not on a POA sent by phone."""
    case = suspended(suspension_def)
    plan = poa(measures=(*MEASURES, "we will take legal action"))
    refused(suspension_def, case.fire("submit_poa", poa=plan, channel="phone"), "submit.in_writing")


def test_advice_no_legal_action_does_not_apply_to_seller_support(suspension_def: workflow.Definition) -> None:
    """advice.no_legal_action is declared for POAs and escalations only, not for questions to Seller Support."""
    step = suspended(suspension_def).fire("contact_seller_support", question="should I call a lawyer?")
    assert step.advice == ("advice.seller_support",)


# --------------------------------------------------------------------------------------- advice.repeat_denials


def test_advice_repeat_denials_applies_after_two_rejections(suspension_def: workflow.Definition) -> None:
    """advice.repeat_denials annotates an accepted POA after two rejections, counting them."""
    case = rejected(suspension_def, revised(0))
    accept(case, "submit_poa", poa=revised(1), to="seller_performance", channel="email")
    accept(case, "reject")
    step = case.fire("submit_poa", poa=revised(2), to="seller_performance", channel="email")
    assert step.accepted
    assert step.advice == ("advice.repeat_denials",)
    assert "2 rejections" in assert_cited(suspension_def, step, "advice.repeat_denials").message


def test_advice_repeat_denials_counts_rejections_before_tracking(suspension_def: workflow.Definition) -> None:
    """advice.repeat_denials adds the rejections fact to the ones in history."""
    case = suspended(suspension_def, facts={"rejections": 2})
    step = case.fire("submit_poa", poa=revised(0), to="seller_performance", channel="email")
    assert step.accepted
    assert step.advice == ("advice.repeat_denials",)


def test_advice_repeat_denials_does_not_apply_after_one_rejection(suspension_def: workflow.Definition) -> None:
    """advice.repeat_denials stays off the POA that follows a single rejection."""
    case = rejected(suspension_def, revised(0))
    step = case.fire("submit_poa", poa=revised(1), to="seller_performance", channel="email")
    assert step.accepted
    assert step.advice == ()


def test_advice_repeat_denials_does_not_apply_to_a_refused_poa(suspension_def: workflow.Definition) -> None:
    """advice.repeat_denials rides only on accepted steps: not on a re-sent rejected POA."""
    case = suspended(suspension_def, facts={"rejections": 2})
    accept(case, "submit_poa", poa=revised(0), to="seller_performance", channel="email")
    accept(case, "reject")
    refused(suspension_def, case.fire("submit_poa", poa=revised(0)), "poa.revised")


def test_advice_repeat_denials_reads_its_parameter(suspension_def: workflow.Definition) -> None:
    """advice.repeat_denials uses the definition's repeat_denials_after."""
    defn = variant(suspension_def, "repeat_denials_after: 2", "repeat_denials_after: 1")
    case = rejected(defn, revised(0))
    step = case.fire("submit_poa", poa=revised(1), to="seller_performance", channel="email")
    assert step.advice == ("advice.repeat_denials",)
    assert "follows 1 rejection;" in step.findings[0].message
