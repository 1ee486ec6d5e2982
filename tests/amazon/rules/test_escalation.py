"""The waiting and escalation rules (workflow.amazon.rules.escalation):
allowing and refusing on account_suspension through ``Case.fire``.

Tests are named after the rule ids. Each refusal checks ``accepted``, the exact ``blocked_by``, that no
advice rode on it, and that the finding is a sentence citing the source the definition gives (a simulated
clock throughout).
"""

from __future__ import annotations

from typing import Any

import pytest
from _suspension import (
    ACTIONS,
    MEASURES,
    accept,
    escalated,
    escalation,
    finding,
    letter,
    poa,
    refused,
    rejected,
    revised,
    sim_clock,
    submitted,
    variant,
)

import workflow

# --------------------------------------------------------------------------------------- patience.wait


def test_patience_wait_refuses_a_follow_up_within_five_business_days(suspension_def: workflow.Definition) -> None:
    """patience.wait refuses a follow-up 4 business days after the POA and says how long it has been."""
    case = submitted(suspension_def)  # Monday 2026-03-02
    sim_clock(case).set("2026-03-06T17:00:00Z")  # Friday: 4 business days
    step = case.fire("follow_up")
    refused(suspension_def, step, "patience.wait")
    assert "Only 4 business days" in step.findings[0].message
    assert case.state == "poa_submitted"


def test_patience_wait_allows_a_follow_up_after_five_business_days(suspension_def: workflow.Definition) -> None:
    """patience.wait lets a follow-up through on the 5th business day after the POA."""
    case = submitted(suspension_def)  # Monday 2026-03-02
    sim_clock(case).set("2026-03-09T08:00:00Z")  # next Monday, even before the hour of submission
    step = case.fire("follow_up")
    assert step.accepted
    assert (step.source, step.target) == ("poa_submitted", "poa_submitted")


def test_patience_wait_does_not_count_weekends(suspension_def: workflow.Definition) -> None:
    """patience.wait counts business days: Friday to Wednesday is 3, though 5 calendar days."""
    case = submitted(suspension_def, start="2026-03-06T09:00:00Z")  # a Friday
    sim_clock(case).set("2026-03-11T09:00:00Z")  # Wednesday
    step = case.fire("follow_up")
    refused(suspension_def, step, "patience.wait")
    assert "Only 3 business days" in step.findings[0].message
    sim_clock(case).set("2026-03-13T09:00:00Z")  # Friday: 5 business days
    assert case.fire("follow_up").accepted


def test_patience_wait_does_not_count_holidays(suspension_def: workflow.Definition) -> None:
    """patience.wait skips the definition's holidays: one in the week makes Friday to Friday 4 business days."""
    defn = variant(suspension_def, "holidays: []", 'holidays: ["2026-03-09"]')
    case = submitted(defn, start="2026-03-06T09:00:00Z")  # a Friday; Monday 9th is a holiday
    sim_clock(case).set("2026-03-13T09:00:00Z")
    refused(defn, case.fire("follow_up"), "patience.wait")
    sim_clock(case).set("2026-03-16T09:00:00Z")
    assert case.fire("follow_up").accepted


def test_patience_wait_reads_patience_days(suspension_def: workflow.Definition) -> None:
    """patience.wait waits the definition's patience_days, not a literal 5."""
    defn = variant(suspension_def, "patience_days: 5", "patience_days: 2")
    case = submitted(defn)
    sim_clock(case).set("2026-03-03T09:00:00Z")
    step = case.fire("follow_up")
    refused(defn, step, "patience.wait")
    assert "wait 2 business days" in step.findings[0].message
    sim_clock(case).set("2026-03-04T09:00:00Z")
    assert case.fire("follow_up").accepted


def test_patience_wait_counts_from_the_latest_submission(suspension_def: workflow.Definition) -> None:
    """patience.wait counts silence from the information provided, not from the first POA."""
    case = submitted(suspension_def)  # Monday 2nd
    accept(case, "request_info")
    sim_clock(case).set("2026-03-05T09:00:00Z")  # Thursday
    accept(case, "provide_info", documents=[{"kind": "invoice"}])
    sim_clock(case).set("2026-03-09T09:00:00Z")  # 5 business days after the POA, 2 after the information
    step = case.fire("follow_up")
    refused(suspension_def, step, "patience.wait")
    assert "Only 2 business days" in step.findings[0].message
    sim_clock(case).set("2026-03-12T09:00:00Z")
    assert case.fire("follow_up").accepted


def test_patience_wait_counts_from_the_submission_not_a_follow_up(suspension_def: workflow.Definition) -> None:
    """patience.wait, as the catalog states it: the days count from the last submission; a follow-up is none."""
    case = submitted(suspension_def)
    sim_clock(case).set("2026-03-09T09:00:00Z")
    accept(case, "follow_up")
    sim_clock(case).set("2026-03-10T09:00:00Z")
    assert case.fire("follow_up").accepted


def test_patience_wait_with_follow_ups_waiting_too(suspension_def: workflow.Definition) -> None:
    """patience.wait with follow_ups_wait_too: a second follow-up waits patience_days after the first."""
    defn = variant(suspension_def, "  patience_days: 5 ", "  follow_ups_wait_too: true\n  patience_days: 5 ")
    case = submitted(defn)
    sim_clock(case).set("2026-03-09T09:00:00Z")
    accept(case, "follow_up")
    sim_clock(case).set("2026-03-10T09:00:00Z")
    step = case.fire("follow_up")
    assert step.blocked_by == ("patience.wait",)
    assert "since the last submission or follow-up" in step.findings[0].message
    sim_clock(case).set("2026-03-16T09:00:00Z")
    assert case.fire("follow_up").accepted


def test_escalate_after_review_counts_from_the_submission_not_a_follow_up(
    suspension_def: workflow.Definition,
) -> None:
    """escalate.after_review: a follow-up does not restart the silence an escalation waits for."""
    case = submitted(suspension_def)
    sim_clock(case).set("2026-03-09T09:00:00Z")
    accept(case, "follow_up")
    assert "escalate.after_review" not in {f.rule for f in case.why_not("escalate")}


# --------------------------------------------------------------------------------------- escalate.after_review


def test_escalate_after_review_allows_right_after_a_rejection(suspension_def: workflow.Definition) -> None:
    """escalate.after_review lets an escalation through at the very moment of a rejection."""
    case = rejected(suspension_def)
    step = case.fire("escalate", **escalation(revised(1)))
    assert step.accepted
    assert (step.source, step.target) == ("rejected", "escalated")


def test_escalate_after_review_refuses_a_fresh_pending_appeal(suspension_def: workflow.Definition) -> None:
    """escalate.after_review refuses escalating a pending appeal before any silence."""
    case = submitted(suspension_def)
    step = case.fire("escalate", **escalation(revised(0)))
    refused(suspension_def, step, "escalate.after_review")
    assert "5 business days of silence" in step.findings[0].message
    assert "(so far 0)" in step.findings[0].message
    assert case.state == "poa_submitted"


def test_escalate_after_review_waits_patience_days_of_silence(suspension_def: workflow.Definition) -> None:
    """escalate.after_review from poa_submitted: refused after 4 business days, allowed after 5."""
    case = submitted(suspension_def)  # Monday 2nd
    sim_clock(case).set("2026-03-06T09:00:00Z")
    step = case.fire("escalate", **escalation(revised(0)))
    refused(suspension_def, step, "escalate.after_review")
    assert "(so far 4)" in step.findings[0].message
    sim_clock(case).set("2026-03-09T09:00:00Z")
    step = case.fire("escalate", **escalation(revised(0)))
    assert step.accepted
    assert (step.source, step.target) == ("poa_submitted", "escalated")


def test_escalate_after_review_does_not_count_weekends(suspension_def: workflow.Definition) -> None:
    """escalate.after_review: a POA sent Friday is not 5 business days old on Wednesday."""
    case = submitted(suspension_def, start="2026-03-06T09:00:00Z")
    sim_clock(case).set("2026-03-11T09:00:00Z")
    refused(suspension_def, case.fire("escalate", **escalation(revised(0))), "escalate.after_review")


def test_escalate_after_review_reads_patience_days(suspension_def: workflow.Definition) -> None:
    """escalate.after_review waits the definition's patience_days."""
    defn = variant(suspension_def, "patience_days: 5", "patience_days: 1")
    case = submitted(defn)
    sim_clock(case).advance("1bd")
    assert case.fire("escalate", **escalation(revised(0))).accepted


def test_escalate_after_review_a_new_appeal_after_a_rejection_is_pending(suspension_def: workflow.Definition) -> None:
    """escalate.after_review: once a revised POA is sent, the old rejection no longer opens escalation."""
    case = rejected(suspension_def, revised(0))
    accept(case, "submit_poa", poa=revised(1), to="seller_performance", channel="email")
    refused(suspension_def, case.fire("escalate", **escalation(revised(1))), "escalate.after_review")


def test_escalate_after_review_counts_from_the_information_provided(suspension_def: workflow.Definition) -> None:
    """escalate.after_review counts silence from the latest submission, here the information provided."""
    case = submitted(suspension_def)
    accept(case, "request_info")
    sim_clock(case).set("2026-03-05T09:00:00Z")
    accept(case, "provide_info", documents=[{"kind": "invoice"}])
    sim_clock(case).set("2026-03-09T09:00:00Z")
    refused(suspension_def, case.fire("escalate", **escalation(revised(0))), "escalate.after_review")


# --------------------------------------------------------------------------------------- escalate.strong_poa


@pytest.mark.parametrize(
    ("plan", "weakness"),
    [
        (poa(actions=(), measures=MEASURES), "it is incomplete"),
        (poa(issues=("order_defect_rate",)), "it leaves a cited issue unanswered"),
        (poa(documents=({"kind": "invoice", "genuine": False},)), "it includes a fabricated document"),
        (revised(0), "it repeats a rejected plan"),
    ],
    ids=["incomplete", "unanswered_issue", "fabricated_document", "not_revised"],
)
def test_escalate_strong_poa_refuses_a_weak_poa(
    suspension_def: workflow.Definition, plan: dict[str, Any], weakness: str
) -> None:
    """escalate.strong_poa refuses an escalation whose POA fails one of the POA rules, and says which."""
    case = rejected(suspension_def, revised(0))
    step = case.fire("escalate", target="executive_seller_relations", poa=plan, letter=letter(plan))
    refused(suspension_def, step, "escalate.strong_poa")
    assert weakness in step.findings[0].message
    assert case.state == "rejected"


def test_escalate_strong_poa_refuses_an_escalation_without_poa(suspension_def: workflow.Definition) -> None:
    """escalate.strong_poa refuses an escalation carrying no POA (and the letter then quotes nothing)."""
    case = rejected(suspension_def)
    step = case.fire("escalate", target="senior_investigator", letter=letter(revised(1)))
    refused(suspension_def, step, "escalate.letter", "escalate.strong_poa")
    assert "carries none" in finding(step, "escalate.strong_poa").message


def test_escalate_strong_poa_allows_the_pending_poa(suspension_def: workflow.Definition) -> None:
    """escalate.strong_poa accepts the POA still pending after the silence: it was never rejected."""
    case = submitted(suspension_def, revised(0))
    sim_clock(case).advance("5bd")
    assert case.fire("escalate", **escalation(revised(0))).accepted


# --------------------------------------------------------------------------------------- escalate.letter


@pytest.mark.parametrize(
    ("make", "fault"),
    [
        (lambda p: letter(p, asks_for=None), "ask for a senior investigator"),
        (lambda p: letter(p, asks_for="jeff"), "ask for a senior investigator"),
        (lambda p: letter(p, n=1), "restate 2 to 3 key actions (it restates 1)"),
        (lambda p: letter(p, n=4), "restate 2 to 3 key actions (it restates 4)"),
        (
            lambda p: {**letter(p), "key_actions": [ACTIONS[0], "hired a new accountant"]},
            "'hired a new accountant' is not one",
        ),
        (
            lambda p: {**letter(p), "key_actions": ["a", "e"]},
            "'a' is not one",
        ),
        (
            lambda p: {**letter(p), "key_actions": [ACTIONS[0], ACTIONS[0].upper()]},
            "restate 2 to 3 key actions (it restates 1)",
        ),
    ],
    ids=[
        "no_ask",
        "asks_jeff",
        "one_action",
        "four_actions",
        "action_not_in_poa",
        "fragments_of_actions",
        "one_action_twice",
    ],
)
def test_escalate_letter_refuses_a_bad_letter(suspension_def: workflow.Definition, make: Any, fault: str) -> None:
    """escalate.letter refuses a letter that asks for no one right or restates the wrong actions, and says why."""
    plan = revised(1)
    case = rejected(suspension_def)
    step = case.fire("escalate", target="executive_seller_relations", poa=plan, letter=make(plan))
    refused(suspension_def, step, "escalate.letter")
    assert fault in step.findings[0].message


def test_escalate_letter_refuses_no_letter(suspension_def: workflow.Definition) -> None:
    """escalate.letter refuses an escalation that carries no letter."""
    case = rejected(suspension_def)
    step = case.fire("escalate", target="executive_seller_relations", poa=revised(1))
    refused(suspension_def, step, "escalate.letter")
    assert "needs a letter" in step.findings[0].message


@pytest.mark.parametrize(("asks_for", "n"), [("senior_investigator", 2), ("seller_performance_manager", 3)])
def test_escalate_letter_allows_a_good_letter(suspension_def: workflow.Definition, asks_for: str, n: int) -> None:
    """escalate.letter lets through a letter asking for the right reviewer with 2 or 3 of the POA's actions."""
    plan = revised(1)
    case = rejected(suspension_def)
    step = case.fire("escalate", target="senior_investigator", poa=plan, letter=letter(plan, asks_for=asks_for, n=n))
    assert step.accepted
    assert step.blocked_by == ()


def test_escalate_letter_allows_an_action_restated_in_a_sentence(suspension_def: workflow.Definition) -> None:
    """escalate.letter recognises a POA action quoted inside a longer sentence of the letter."""
    plan = revised(1)
    keys = [f"As our plan says, we {ACTIONS[0]}.", MEASURES[1]]
    case = rejected(suspension_def)
    step = case.fire(
        "escalate",
        target="executive_seller_relations",
        poa=plan,
        letter={"asks_for": "senior_investigator", "key_actions": keys},
    )
    assert step.accepted, step.findings


def test_escalate_letter_allows_restated_actions_in_other_case(suspension_def: workflow.Definition) -> None:
    """escalate.letter recognises the POA's actions whatever their case and spacing."""
    plan = revised(1)
    keys = [ACTIONS[0].upper(), "  " + MEASURES[1]]
    case = rejected(suspension_def)
    step = case.fire(
        "escalate",
        target="executive_seller_relations",
        poa=plan,
        letter={"asks_for": "seller_performance_manager", "key_actions": keys},
    )
    assert step.accepted


# --------------------------------------------------------------------------------------- escalate.once


@pytest.mark.parametrize("target", ["executive_seller_relations", "senior_investigator", "seller_performance_manager"])
def test_escalate_once_refuses_a_second_escalation_whatever_the_target(
    suspension_def: workflow.Definition, target: str
) -> None:
    """escalate.once refuses a second escalation after the first was rejected, to any target."""
    case = escalated(suspension_def)
    accept(case, "reject")
    step = case.fire("escalate", **escalation(revised(2), target=target))
    refused(suspension_def, step, "escalate.once")
    assert "whatever its target" in step.findings[0].message
    assert case.state == "rejected"


def test_escalate_once_refuses_a_second_escalation_to_jeff_without_advice(suspension_def: workflow.Definition) -> None:
    """escalate.once refuses a second escalation to Jeff, and the refused step carries no advice."""
    case = escalated(suspension_def)
    accept(case, "reject")
    refused(suspension_def, case.fire("escalate", **escalation(revised(2), target="jeff")), "escalate.once")


@pytest.mark.parametrize("facts", [{"escalations": 1}, {"esr_reviewed": True}], ids=["escalations", "esr_reviewed"])
def test_escalate_once_reads_the_facts(suspension_def: workflow.Definition, facts: dict[str, Any]) -> None:
    """escalate.once refuses the first tracked escalation of a case already escalated or reviewed before."""
    case = rejected(suspension_def, facts=facts)
    step = case.fire("escalate", **escalation(revised(1)))
    refused(suspension_def, step, "escalate.once")


def test_escalate_once_allows_the_first_escalation(suspension_def: workflow.Definition) -> None:
    """escalate.once lets a first escalation through, whatever the earlier rejections."""
    case = rejected(suspension_def, facts={"rejections": 3, "escalations": 0, "esr_reviewed": False})
    step = case.fire("escalate", **escalation(revised(1), target="senior_investigator"))
    assert step.accepted
    assert step.blocked_by == ()


def test_escalate_once_is_a_question_about_accepted_escalations(suspension_def: workflow.Definition) -> None:
    """escalate.once does not count a refused escalation: after one, a sound one is still heard."""
    case = rejected(suspension_def)
    assert not case.fire("escalate", target="jeff", poa=revised(1)).accepted
    assert case.fire("escalate", **escalation(revised(1))).accepted


def test_escalate_several_rules_refuse_together(suspension_def: workflow.Definition) -> None:
    """Every escalation guard is evaluated: a fresh, weak, letterless second escalation lists them all."""
    case = escalated(suspension_def)
    accept(case, "reject")
    accept(case, "submit_poa", poa=revised(3), to="seller_performance", channel="email")
    step = case.fire("escalate", target="jeff", poa=poa(actions=()))
    refused(suspension_def, step, "escalate.after_review", "escalate.letter", "escalate.once", "escalate.strong_poa")
