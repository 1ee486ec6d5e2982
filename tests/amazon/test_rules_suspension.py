"""Every rule account_suspension uses, allowing and refusing, driven through ``Case.fire`` on a simulated clock.

Tests are named after the rule ids (``test_poa_revised_...`` is a test of ``poa.revised``). Each refusal checks
``accepted``, the exact ``blocked_by``, that no advice rode on it, and that the finding is a sentence citing the
source the definition gives.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from _suspension import (
    ACTIONS,
    EVENTS,
    ISSUES,
    MEASURES,
    TABLE,
    accept,
    assert_cited,
    escalated,
    escalation,
    finding,
    in_state,
    letter,
    new_case,
    poa,
    rejected,
    revised,
    sample_payload,
    sim_clock,
    submitted,
    suspended,
)

import workflow
from workflow.amazon.rules import REGISTRY

#: every rule id account_suspension uses, each tested below
TESTED = (
    "advice.jeff_premature",
    "advice.no_legal_action",
    "advice.repeat_denials",
    "advice.seller_support",
    "appeals.closed",
    "escalate.after_review",
    "escalate.letter",
    "escalate.once",
    "escalate.strong_poa",
    "fraud.no_appeal",
    "patience.wait",
    "poa.addresses_all_issues",
    "poa.complete",
    "poa.genuine_documents",
    "poa.revised",
    "state.no_transition",
    "submit.deciding_team",
    "submit.in_writing",
)


def refused(defn: workflow.Definition, step: workflow.Step, *rule_ids: str) -> None:
    """``step`` was refused by exactly ``rule_ids``, with no advice, each finding a cited sentence."""
    assert not step.accepted
    assert step.target == step.source
    assert step.blocked_by == tuple(sorted(rule_ids))
    assert step.advice == ()
    for rule_id in rule_ids:
        assert_cited(defn, step, rule_id)


def variant(defn: workflow.Definition, old: str, new: str) -> workflow.Definition:
    """account_suspension with one line of its file changed (a parameter, say), loaded from text."""
    assert defn.origin is not None
    text = Path(defn.origin).read_text(encoding="utf-8")
    assert old in text
    return workflow.load(text=text.replace(old, new, 1))


def test_every_rule_of_the_definition_is_tested_here(suspension_def: workflow.Definition) -> None:
    """The rule ids account_suspension uses are exactly the ones this module tests."""
    assert suspension_def.rule_ids() == TESTED


def test_the_definition_knows_the_catalog_events(suspension_def: workflow.Definition) -> None:
    """The definition's events are the catalog's, so the parametrized tables below cover them all."""
    assert set(suspension_def.event_names) == set(EVENTS)


# --------------------------------------------------------------------------------------- state.no_transition


@pytest.mark.parametrize("state", [s for s in TABLE if s != "final_decision"])
@pytest.mark.parametrize("event", EVENTS)
def test_state_no_transition_follows_the_catalog_table(
    suspension_def: workflow.Definition, state: str, event: str
) -> None:
    """state.no_transition refuses exactly the events the catalog's table does not allow in a state."""
    case = in_state(suspension_def, state)
    sim_clock(case).advance("5bd")  # past every waiting rule, so that only the table can refuse
    step = case.check(event, **sample_payload(event))
    if event in TABLE[state]:
        assert step.accepted
        assert step.blocked_by == ()
    else:
        refused(suspension_def, step, "state.no_transition")


def test_state_no_transition_refuses_and_names_event_and_state(suspension_def: workflow.Definition) -> None:
    """state.no_transition: 'reject' while active is refused with a sentence naming both, citing its source."""
    case = new_case(suspension_def)
    step = case.fire("reject")
    refused(suspension_def, step, "state.no_transition")
    f = assert_cited(suspension_def, step, "state.no_transition")
    assert "'reject'" in f.message
    assert "'active'" in f.message
    assert f.source == REGISTRY["state.no_transition"].source
    assert case.state == "active"


def test_state_no_transition_allows_what_the_state_allows(suspension_def: workflow.Definition) -> None:
    """state.no_transition lets 'suspend' through while active."""
    case = new_case(suspension_def)
    step = case.fire("suspend", reason_class="performance", issues=list(ISSUES))
    assert step.accepted
    assert step.blocked_by == ()
    assert (step.source, step.target) == ("active", "suspended")


def test_state_no_transition_is_the_refusal_of_reinstated(suspension_def: workflow.Definition) -> None:
    """state.no_transition (not appeals.closed) refuses every event once reinstated."""
    case = in_state(suspension_def, "reinstated")
    for event in EVENTS:
        refused(suspension_def, case.fire(event, **sample_payload(event)), "state.no_transition")
    assert case.state == "reinstated"


# --------------------------------------------------------------------------------------- appeals.closed


@pytest.mark.parametrize("event", EVENTS)
def test_appeals_closed_refuses_every_event_in_final_decision(suspension_def: workflow.Definition, event: str) -> None:
    """appeals.closed refuses every event of the definition after a final decision, and changes nothing."""
    case = in_state(suspension_def, "final_decision")
    before = len(case.history)
    step = case.fire(event, **sample_payload(event))
    refused(suspension_def, step, "appeals.closed")
    assert step.source == "final_decision"
    assert case.state == "final_decision"
    assert len(case.history) == before + 1
    assert "decided not to reinstate" in step.findings[0].message


def test_appeals_closed_allows_appeals_before_a_final_decision(suspension_def: workflow.Definition) -> None:
    """appeals.closed does not apply to a rejected case: a revised POA is still heard."""
    case = rejected(suspension_def)
    step = case.fire("submit_poa", poa=revised(1), to="seller_performance", channel="email")
    assert step.accepted
    assert "appeals.closed" not in step.blocked_by
    assert case.state == "poa_submitted"


def test_appeals_closed_is_cited_from_its_rule(suspension_def: workflow.Definition) -> None:
    """appeals.closed cites the notice that says appeals are closed."""
    step = in_state(suspension_def, "final_decision").fire("submit_poa", poa=revised(2))
    assert assert_cited(suspension_def, step, "appeals.closed").source == "N-NOTREINSTATE [S], T-SMARTSELLER [3p]"


# --------------------------------------------------------------------------------------- fraud.no_appeal


def test_fraud_no_appeal_refuses_submit_poa(suspension_def: workflow.Definition) -> None:
    """fraud.no_appeal refuses a flawless POA after a fraud suspension."""
    case = suspended(suspension_def, reason_class="fraud")
    step = case.fire("submit_poa", poa=revised(0), to="seller_performance", channel="email")
    refused(suspension_def, step, "fraud.no_appeal")
    assert "fraud" in step.findings[0].message
    assert case.state == "suspended"


def _fraud_case(defn: workflow.Definition, build: Any) -> workflow.Case:
    """A case built by ``build`` whose suspension notice is then recorded as fraud (as if tracked that way): a
    history the rules would not have accepted, so it is restored without re-deciding its steps."""
    data = build(defn).snapshot()
    suspend = next(st for st in data["history"] if st["event"] == "suspend")
    suspend["payload"]["reason_class"] = "fraud"
    clock = workflow.SimulatedClock(data["history"][-1]["at"])
    return workflow.Case.restore(defn, data, clock=clock, rejudge=False)


@pytest.mark.parametrize("build", [rejected, submitted], ids=["from_rejected", "from_poa_submitted"])
def test_fraud_no_appeal_refuses_escalate(suspension_def: workflow.Definition, build: Any) -> None:
    """fraud.no_appeal refuses an otherwise sound escalation of a fraud suspension."""
    case = _fraud_case(suspension_def, build)
    sim_clock(case).advance("5bd")
    step = case.fire("escalate", **escalation(revised(1)))
    refused(suspension_def, step, "fraud.no_appeal")


@pytest.mark.parametrize(
    ("reason_class", "team"),
    [
        ("performance", "seller_performance"),
        ("policy", "seller_performance"),
        ("related_account", "seller_performance"),
        ("verification", "seller_performance"),
        ("product_quality", "product_quality"),
        ("ip", "product_quality"),
    ],
)
def test_fraud_no_appeal_allows_every_other_reason_class(
    suspension_def: workflow.Definition, reason_class: str, team: str
) -> None:
    """fraud.no_appeal lets an appeal of any non-fraud suspension through to its enforcing team."""
    case = suspended(suspension_def, reason_class=reason_class)
    step = case.fire("submit_poa", poa=revised(0), to=team, channel="appeal_form")
    assert step.accepted
    assert step.blocked_by == ()


def test_fraud_no_appeal_allows_escalate_of_other_cases(suspension_def: workflow.Definition) -> None:
    """fraud.no_appeal lets a sound escalation of a performance suspension through."""
    case = rejected(suspension_def)
    step = case.fire("escalate", **escalation(revised(1)))
    assert step.accepted
    assert case.state == "escalated"


# --------------------------------------------------------------------------------------- poa.complete


@pytest.mark.parametrize(
    ("plan", "blocked", "missing"),
    [
        (poa(issues=()), ("poa.addresses_all_issues", "poa.complete"), "root causes"),
        (poa(actions=()), ("poa.complete",), "corrective actions"),
        (poa(measures=()), ("poa.complete",), "preventive measures"),
        (poa(actions=("  ",)), ("poa.complete",), "corrective actions"),
        (
            {**poa(), "root_causes": [{"issue": i, "text": "  "} for i in ISSUES]},
            ("poa.complete",),
            "an explanation for each root cause",
        ),
    ],
    ids=["no_root_causes", "no_actions", "no_measures", "blank_action", "blank_root_cause"],
)
def test_poa_complete_refuses_a_missing_part(
    suspension_def: workflow.Definition, plan: dict[str, Any], blocked: tuple[str, ...], missing: str
) -> None:
    """poa.complete refuses a POA with an empty part and says which."""
    case = suspended(suspension_def)
    step = case.fire("submit_poa", poa=plan, to="seller_performance", channel="email")
    refused(suspension_def, step, *blocked)
    assert missing in assert_cited(suspension_def, step, "poa.complete").message


def test_poa_complete_allows_a_complete_poa(suspension_def: workflow.Definition) -> None:
    """poa.complete lets a POA with root causes, actions and measures through."""
    case = suspended(suspension_def)
    step = case.fire("submit_poa", poa=poa(documents=()), to="seller_performance", channel="email")
    assert step.accepted
    assert case.state == "poa_submitted"


# --------------------------------------------------------------------------------------- poa.addresses_all_issues


def test_poa_addresses_all_issues_refuses_an_unanswered_issue(suspension_def: workflow.Definition) -> None:
    """poa.addresses_all_issues names the cited issue no root cause answers, and only that one."""
    case = suspended(suspension_def, issues=("order_defect_rate", "late_shipment_rate"))
    step = case.fire("submit_poa", poa=poa(issues=("order_defect_rate",)), to="seller_performance")
    refused(suspension_def, step, "poa.addresses_all_issues")
    message = step.findings[0].message
    assert "late_shipment_rate" in message
    assert "order_defect_rate" not in message


def test_poa_addresses_all_issues_allows_issues_written_differently(suspension_def: workflow.Definition) -> None:
    """poa.addresses_all_issues matches issues whatever their case and spacing, and extra root causes are fine."""
    case = suspended(suspension_def, issues=("order_defect_rate",))
    step = case.fire(
        "submit_poa", poa=poa(issues=(" Order_Defect_Rate ", "inauthentic")), to="seller_performance", channel="email"
    )
    assert step.accepted
    assert step.blocked_by == ()


def test_poa_addresses_all_issues_allows_any_poa_when_nothing_was_cited(suspension_def: workflow.Definition) -> None:
    """poa.addresses_all_issues has nothing to ask when the notice cited no issue."""
    case = suspended(suspension_def, issues=())
    assert case.fire("submit_poa", poa=poa(issues=("inauthentic",))).accepted


# --------------------------------------------------------------------------------------- poa.genuine_documents


def test_poa_genuine_documents_refuses_a_fabricated_document(suspension_def: workflow.Definition) -> None:
    """poa.genuine_documents refuses a POA with a faked invoice and names it."""
    case = suspended(suspension_def)
    plan = poa(documents=({"kind": "invoice", "genuine": False}, {"kind": "licence"}))
    step = case.fire("submit_poa", poa=plan, to="seller_performance", channel="email")
    refused(suspension_def, step, "poa.genuine_documents")
    message = step.findings[0].message
    assert "The invoice attached is fabricated" in message
    assert "licence" not in message


def test_poa_genuine_documents_names_every_fabricated_document(suspension_def: workflow.Definition) -> None:
    """poa.genuine_documents names every faked document, in the plural."""
    case = suspended(suspension_def)
    plan = poa(documents=({"kind": "invoice", "genuine": False}, {"kind": "utility_bill", "genuine": False}))
    step = case.fire("submit_poa", poa=plan)
    refused(suspension_def, step, "poa.genuine_documents")
    assert "invoice and utility_bill attached are fabricated" in step.findings[0].message


def test_poa_genuine_documents_allows_genuine_documents(suspension_def: workflow.Definition) -> None:
    """poa.genuine_documents lets documents through that are genuine by default or by saying so."""
    case = suspended(suspension_def)
    plan = poa(documents=({"kind": "invoice"}, {"kind": "licence", "genuine": True}))
    assert case.fire("submit_poa", poa=plan, to="seller_performance", channel="email").accepted


# --------------------------------------------------------------------------------------- poa.revised


def test_poa_revised_refuses_the_rejected_poa_again(suspension_def: workflow.Definition) -> None:
    """poa.revised refuses re-sending the POA that was just rejected."""
    case = rejected(suspension_def, revised(0))
    step = case.fire("submit_poa", poa=revised(0), to="seller_performance", channel="email")
    refused(suspension_def, step, "poa.revised")
    assert case.state == "rejected"


def test_poa_revised_sees_through_case_spacing_and_order(suspension_def: workflow.Definition) -> None:
    """poa.revised counts a POA as the same one when only case, spacing or order differ."""
    plan = revised(0)
    case = rejected(suspension_def, plan)
    same = {
        "root_causes": [{"issue": r["issue"].upper(), "text": "  " + r["text"].upper()} for r in plan["root_causes"]],
        "corrective_actions": list(reversed(plan["corrective_actions"])),
        "preventive_measures": [m.replace(" ", "  ") for m in plan["preventive_measures"]],
        "documents": plan["documents"],
    }
    refused(suspension_def, case.fire("submit_poa", poa=same), "poa.revised")


def test_poa_revised_compares_with_every_rejected_poa(suspension_def: workflow.Definition) -> None:
    """poa.revised refuses the first rejected POA after a second, different one was rejected too."""
    case = rejected(suspension_def, revised(0))
    accept(case, "submit_poa", poa=revised(1), to="seller_performance", channel="email")
    accept(case, "reject")
    step = case.fire("submit_poa", poa=revised(0), to="seller_performance", channel="email")
    refused(suspension_def, step, "poa.revised")
    assert case.fire("submit_poa", poa=revised(2), to="seller_performance", channel="email").accepted


def test_poa_revised_counts_an_escalated_poa_that_was_rejected(suspension_def: workflow.Definition) -> None:
    """poa.revised refuses the POA that an escalation carried and that was then rejected."""
    case = escalated(suspension_def)  # escalated with revised(1)
    accept(case, "reject")
    refused(suspension_def, case.fire("submit_poa", poa=revised(1)), "poa.revised")


def test_poa_revised_allows_a_revised_poa(suspension_def: workflow.Definition) -> None:
    """poa.revised lets a POA through that differs from the rejected one."""
    case = rejected(suspension_def, revised(0))
    step = case.fire("submit_poa", poa=revised(1), to="seller_performance", channel="email")
    assert step.accepted
    assert step.blocked_by == ()


def test_poa_revised_allows_any_poa_after_rejections_it_has_no_poa_for(suspension_def: workflow.Definition) -> None:
    """poa.revised compares with rejected POAs it knows: rejections counted in the facts carry none."""
    case = suspended(suspension_def, facts={"rejections": 1})
    step = case.fire("submit_poa", poa=revised(0), to="seller_performance", channel="email")
    assert step.accepted
    assert step.blocked_by == ()


# --------------------------------------------------------------------------------------- submit.deciding_team


@pytest.mark.parametrize("team", ["seller_support", "catalog", "ert", "notice", "notice_dispute"])
def test_submit_deciding_team_refuses_teams_that_cannot_decide(suspension_def: workflow.Definition, team: str) -> None:
    """submit.deciding_team refuses a POA sent to a team that cannot decide appeals, naming the right one."""
    case = suspended(suspension_def)
    step = case.fire("submit_poa", poa=revised(0), to=team, channel="email")
    refused(suspension_def, step, "submit.deciding_team")
    assert "Seller Performance" in step.findings[0].message
    assert "cannot decide an appeal" in step.findings[0].message


def test_submit_deciding_team_refuses_executive_seller_relations(suspension_def: workflow.Definition) -> None:
    """submit.deciding_team: Executive Seller Relations reviews escalations but does not decide appeals."""
    case = suspended(suspension_def)
    step = case.fire("submit_poa", poa=revised(0), to="executive_seller_relations", channel="email")
    refused(suspension_def, step, "submit.deciding_team")


@pytest.mark.parametrize("reason_class", ["product_quality", "ip"])
def test_submit_deciding_team_sends_product_quality_cases_to_product_quality(
    suspension_def: workflow.Definition, reason_class: str
) -> None:
    """submit.deciding_team refuses Seller Performance for a product_quality/ip suspension and takes Product Quality."""
    case = suspended(suspension_def, reason_class=reason_class)
    step = case.fire("submit_poa", poa=revised(0), to="seller_performance", channel="email")
    refused(suspension_def, step, "submit.deciding_team")
    assert "enforced by Product Quality" in step.findings[0].message
    step = case.fire("submit_poa", poa=revised(0), to="product_quality", channel="email")
    assert step.accepted
    assert step.blocked_by == ()


def test_submit_deciding_team_refuses_product_quality_for_a_performance_case(
    suspension_def: workflow.Definition,
) -> None:
    """submit.deciding_team refuses Product Quality when Seller Performance enforced."""
    case = suspended(suspension_def, reason_class="performance")
    step = case.fire("submit_poa", poa=revised(0), to="product_quality", channel="email")
    refused(suspension_def, step, "submit.deciding_team")
    assert "enforced by Seller Performance" in step.findings[0].message


def test_submit_deciding_team_follows_the_team_the_notice_names(suspension_def: workflow.Definition) -> None:
    """submit.deciding_team reads the enforcing team from the suspension when the notice names it."""
    case = suspended(suspension_def, reason_class="policy", team="product_quality")
    refused(suspension_def, case.fire("submit_poa", poa=revised(0), to="seller_performance"), "submit.deciding_team")
    assert case.fire("submit_poa", poa=revised(0), to="product_quality").accepted


def test_submit_deciding_team_allows_the_enforcing_team_or_none(suspension_def: workflow.Definition) -> None:
    """submit.deciding_team lets a POA through to Seller Performance, or with no team (the appeal route)."""
    assert suspended(suspension_def).fire("submit_poa", poa=revised(0), to="seller_performance").accepted
    assert suspended(suspension_def).fire("submit_poa", poa=revised(0)).accepted


# --------------------------------------------------------------------------------------- submit.in_writing


@pytest.mark.parametrize("channel", ["phone", "chat"])
@pytest.mark.parametrize(("reason_class", "team"), [("performance", "seller_performance"), ("ip", "product_quality")])
def test_submit_in_writing_refuses_phone_and_chat(
    suspension_def: workflow.Definition, channel: str, reason_class: str, team: str
) -> None:
    """submit.in_writing refuses an appeal by phone or chat, naming the channel."""
    case = suspended(suspension_def, reason_class=reason_class)
    step = case.fire("submit_poa", poa=revised(0), to=team, channel=channel)
    refused(suspension_def, step, "submit.in_writing")
    assert f"never by {channel}" in step.findings[0].message


@pytest.mark.parametrize("channel", ["email", "appeal_form", None])
def test_submit_in_writing_allows_email_and_the_appeal_form(
    suspension_def: workflow.Definition, channel: str | None
) -> None:
    """submit.in_writing lets an appeal through by email, by the appeal form, or with no channel (the form)."""
    case = suspended(suspension_def)
    payload: dict[str, Any] = {"poa": revised(0), "to": "seller_performance"}
    if channel is not None:
        payload["channel"] = channel
    step = case.fire("submit_poa", **payload)
    assert step.accepted
    assert step.blocked_by == ()


def test_submit_in_writing_and_deciding_team_both_refuse(suspension_def: workflow.Definition) -> None:
    """submit.in_writing judges the deciding team's channels when the POA went to Seller Support by phone."""
    case = suspended(suspension_def)
    step = case.fire("submit_poa", poa=revised(0), to="seller_support", channel="phone")
    refused(suspension_def, step, "submit.deciding_team", "submit.in_writing")


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
