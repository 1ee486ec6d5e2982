"""`why_not` says what it did not judge: without a payload, each payload rule is an `unjudged` finding."""

from __future__ import annotations

import workflow


def _suspended(clock: workflow.SimulatedClock) -> workflow.Case:
    case = workflow.Case(workflow.load("account_suspension"), clock=clock)
    case.fire("suspend", reason_class="performance", issues=["order_defect_rate"])
    return case


def test_without_a_payload_payload_rules_are_unjudged(clock: workflow.SimulatedClock) -> None:
    """submit_poa asked without a payload lists every guard that reads it as unjudged, none as a refusal."""
    case = _suspended(clock)
    findings = case.why_not("submit_poa")
    readers = {g.id for t in case.definition.transitions if t.event == "submit_poa" for g in t.guards}
    readers = {r for r in readers if workflow.RULES[r].reads}
    assert {f.rule for f in findings} == readers
    assert {f.kind for f in findings} == {"unjudged"}
    assert all("none was given" in f.message and f.source for f in findings)


def test_with_a_payload_every_rule_is_judged(clock: workflow.SimulatedClock) -> None:
    """Given the payload, why_not answers what fire would: refusals only, and none when it would be accepted."""
    case = _suspended(clock)
    poa = {
        "root_causes": [{"issue": "order_defect_rate", "text": "parcels left at the wrong door"}],
        "corrective_actions": ["signature on delivery"],
        "preventive_measures": ["weekly claim review"],
    }
    refused = case.why_not("submit_poa", to="seller_performance", channel="phone", poa=poa)
    assert [(f.rule, f.kind) for f in refused] == [("submit.in_writing", "refusal")]
    assert case.why_not("submit_poa", to="seller_performance", channel="email", poa=poa) == ()
    assert case.check("submit_poa", to="seller_performance", channel="email", poa=poa).accepted


def test_refusals_come_before_what_was_not_judged(clock: workflow.SimulatedClock) -> None:
    """A payload-free refusal is reported as a refusal, ahead of the unjudged rules of the same event."""
    case = _suspended(clock)
    _ = case.fire(
        "submit_poa",
        to="seller_performance",
        channel="email",
        poa={
            "root_causes": [{"issue": "order_defect_rate", "text": "x"}],
            "corrective_actions": ["y"],
            "preventive_measures": ["z"],
        },
    )
    kinds = [f.kind for f in case.why_not("escalate")]
    assert kinds[0] == "refusal" and set(kinds[1:]) == {"unjudged"}
    assert case.why_not("warn")[0].kind == "refusal"
    assert all(f.kind == "refusal" for f in case.why_not("warn"))


def test_a_case_without_a_clock_reads_the_system_clock() -> None:
    """Case(definition) with no clock uses the system clock, as its docstring and the docs say."""
    case = workflow.Case(workflow.load("account_suspension"))
    assert isinstance(case.clock, workflow.SystemClock)
    assert "system clock" in (workflow.Case.__doc__ or "")
