"""The submission rules (workflow.amazon.rules.submit):
allowing and refusing on account_suspension through ``Case.fire``.

Tests are named after the rule ids. Each refusal checks ``accepted``, the exact ``blocked_by``, that no
advice rode on it, and that the finding is a sentence citing the source the definition gives (a simulated
clock throughout).
"""

from __future__ import annotations

from typing import Any

import pytest
from _suspension import (
    refused,
    revised,
    suspended,
)

import workflow

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
