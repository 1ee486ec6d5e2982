"""The plan-of-action rules (workflow.amazon.rules.poa):
allowing and refusing on account_suspension through ``Case.fire``.

Tests are named after the rule ids. Each refusal checks ``accepted``, the exact ``blocked_by``, that no
advice rode on it, and that the finding is a sentence citing the source the definition gives (a simulated
clock throughout).
"""

from __future__ import annotations

from typing import Any

import pytest
from _suspension import (
    ISSUES,
    accept,
    assert_cited,
    escalated,
    poa,
    refused,
    rejected,
    revised,
    suspended,
)

import workflow

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
