"""The catalog rules (workflow.amazon.rules.catalog) allowing and refusing through Case.fire on catalog_case, the
definition that uses them; that definition's states and table; teams as data."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from _flows import accept, cited_sources, new_case, only, refuse, told_rules

import workflow
from workflow.amazon.rules import REGISTRY
from workflow.io.load import definitions_dir

NAME = "catalog_case"
RULE_IDS = (
    "catalog.no_direct_ert",
    "catalog.ert_on_reopens",
    "catalog.ert_email_only",
    "catalog.brand_registry_wins",
)
FLAG = {"requested_by": "internal_flag"}


def reopened(times: int, *, state: str = "outsourced", **facts: Any) -> workflow.Case:
    case = new_case(NAME, facts=facts or None)
    if state in ("captive", "technician"):
        accept(case, "route_to_captive")
    if state == "technician":
        accept(case, "route_to_technician")
    for _ in range(times):
        accept(case, "reopen")
    return case


def with_ert() -> workflow.Case:
    case = reopened(3)
    accept(case, "transfer_to_ert", **FLAG)
    return case


# ------------------------------------------------------------------------------------------ the definition


def test_states_are_those_of_the_catalog() -> None:
    """The states are exactly RULES.md §2's; resolved and closed are final."""
    defn = workflow.load(NAME)
    assert defn.state_names == ("outsourced", "captive", "ert", "technician", "resolved", "closed")
    assert defn.initial.name == "outsourced"
    assert {s.name for s in defn.states if s.terminal} == {"resolved", "closed"}


def test_every_rule_of_the_table_is_used_and_cited() -> None:
    """Each rule of the catalog table guards a transition and cites SEED2."""
    defn = workflow.load(NAME)
    assert set(RULE_IDS) <= set(defn.rule_ids())
    cited = cited_sources(NAME)
    for rule_id in RULE_IDS:
        sources = [src for (_, rid), src in cited.items() if rid == rule_id]
        assert sources and all("SEED2" in src for src in sources), rule_id


def test_the_stories_tell_every_rule() -> None:
    """Every rule catalog_case uses is expected, or refuses, in one of the examples."""
    missing = set(workflow.load(NAME).rule_ids()) - told_rules(NAME)
    assert missing <= {"state.no_transition"}
    assert set(RULE_IDS) <= told_rules(NAME)


# ------------------------------------------------------------------------------------------ catalog.no_direct_ert


@pytest.mark.parametrize("state", ["outsourced", "captive", "technician"])
def test_no_direct_ert_refuses_a_sellers_request(state: str) -> None:
    """However often the case was reopened, a seller asking for the ERT is refused."""
    case = reopened(5, state=state)
    found = only(refuse(case, "transfer_to_ert", requested_by="seller"), "catalog.no_direct_ert")
    assert "Escalation Resolution Team" in found.message  # the team's name, read from teams.yaml


def test_no_direct_ert_allows_the_internal_flag() -> None:
    """The internal flag sends a case reopened often enough to the ERT."""
    case = reopened(3, state="captive")
    assert accept(case, "transfer_to_ert", **FLAG).target == "ert"


def test_a_seller_asking_early_meets_both_rules() -> None:
    """A seller asking for the ERT on a fresh case is refused by both ERT rules at once."""
    step = refuse(new_case(NAME), "transfer_to_ert", requested_by="seller")
    assert step.blocked_by == ("catalog.ert_on_reopens", "catalog.no_direct_ert")


# ------------------------------------------------------------------------------------------ catalog.ert_on_reopens


def test_ert_on_reopens_refuses_before_the_threshold() -> None:
    """Two reopenings are not enough for the ERT (default threshold 3)."""
    found = only(refuse(reopened(2), "transfer_to_ert", **FLAG), "catalog.ert_on_reopens")
    assert "reopened 3 times" in found.message and "2 times" in found.message


def test_ert_on_reopens_counts_reopenings_before_the_case_was_tracked() -> None:
    """A case tracked after two reopenings needs one more."""
    case = reopened(0, reopens=2)
    only(refuse(case, "transfer_to_ert", **FLAG), "catalog.ert_on_reopens")
    accept(case, "reopen")
    assert accept(case, "transfer_to_ert", **FLAG).target == "ert"


def test_ert_reopen_threshold_is_a_parameter() -> None:
    """With ert_reopen_threshold 5, three reopenings are refused and five accepted."""
    text = (definitions_dir() / f"{NAME}.yaml").read_text(encoding="utf-8")
    text = text.replace("ert_reopen_threshold: 3", "ert_reopen_threshold: 5")
    case = workflow.Case(workflow.load(text=text), clock=workflow.SimulatedClock("2026-03-02T09:00:00Z"))
    for _ in range(3):
        accept(case, "reopen")
    only(refuse(case, "transfer_to_ert", **FLAG), "catalog.ert_on_reopens")
    accept(case, "reopen")
    accept(case, "reopen")
    assert accept(case, "transfer_to_ert", **FLAG).target == "ert"


# ------------------------------------------------------------------------------------------ catalog.ert_email_only


@pytest.mark.parametrize("channel", ["phone", "chat"])
def test_ert_email_only_refuses_other_channels(channel: str) -> None:
    """The ERT is not reached by phone or chat."""
    found = only(refuse(with_ert(), "contact", channel=channel), "catalog.ert_email_only")
    assert f"never by {channel}" in found.message


def test_ert_email_only_allows_email() -> None:
    """An email to the ERT goes through; the case stays with the ERT."""
    step = accept(with_ert(), "contact", channel="email", question="Any news?")
    assert (step.source, step.target) == ("ert", "ert")


def test_the_other_tiers_take_the_phone() -> None:
    """Tier 1 may be called; the email-only rule is the ERT's."""
    assert accept(new_case(NAME), "contact", channel="phone").target == "outsourced"


def test_ert_email_only_reads_the_channels_from_the_teams_file(tmp_path: Path) -> None:
    """With a teams file where the ERT takes the phone, a call to the ERT goes through: no list in the rule."""
    shutil.copy(definitions_dir() / f"{NAME}.yaml", tmp_path / f"{NAME}.yaml")
    teams = (definitions_dir() / "teams.yaml").read_text(encoding="utf-8")
    marker = "works by email only.\n    source: SEED2 [S]\n    channels: [email]"
    assert marker in teams
    (tmp_path / "teams.yaml").write_text(teams.replace(marker, marker.replace("[email]", "[email, phone]")))
    text = (
        (tmp_path / f"{NAME}.yaml")
        .read_text(encoding="utf-8")
        .replace("name: catalog_case\n", "name: catalog_case\nteams: teams.yaml\n")
    )
    (tmp_path / f"{NAME}.yaml").write_text(text)
    defn = workflow.load_file(tmp_path / f"{NAME}.yaml")
    case = workflow.Case(defn, clock=workflow.SimulatedClock("2026-03-02T09:00:00Z"), facts={"reopens": 3})
    accept(case, "transfer_to_ert", **FLAG)
    assert accept(case, "contact", channel="phone").target == "ert"
    only(refuse(case, "contact", channel="chat"), "catalog.ert_email_only")


# ------------------------------------------------------------------------------------------ catalog.brand_registry_wins


def test_brand_registry_wins_refuses_an_override() -> None:
    """The ERT's fix that would reverse a Brand Registry decision is refused; the case stays with the ERT."""
    found = only(refuse(with_ert(), "resolve", overrides_brand_registry=True), "catalog.brand_registry_wins")
    assert "Brand Registry" in found.message


@pytest.mark.parametrize("payload", [{}, {"overrides_brand_registry": False, "text": "variation merged"}])
def test_brand_registry_wins_allows_a_fix_that_overrides_nothing(payload: dict[str, Any]) -> None:
    """A fix that leaves Brand Registry's decision alone resolves the case."""
    case = with_ert()
    assert accept(case, "resolve", **payload).target == "resolved"
    assert case.terminal


def test_no_tier_below_the_ert_overrides_brand_registry_either() -> None:
    """The captive tier cannot override Brand Registry."""
    only(refuse(reopened(0, state="captive"), "resolve", overrides_brand_registry=True), "catalog.brand_registry_wins")


# ------------------------------------------------------------------------------------------ the table


@pytest.mark.parametrize("end", ["resolve", "close"])
def test_final_states_accept_nothing(end: str) -> None:
    """resolved and closed refuse every event with state.no_transition."""
    case = with_ert()
    accept(case, end)
    for event in workflow.load(NAME).event_names:
        payload = {"transfer_to_ert": FLAG, "contact": {"channel": "email"}}.get(event, {})
        only(refuse(case, event, **payload), "state.no_transition")


def test_rules_say_what_they_check() -> None:
    """Each catalog rule is a registered guard with a summary and SEED2 as its source."""
    for rule_id in RULE_IDS:
        rule = REGISTRY[rule_id]
        assert rule.kind == "guard"
        assert rule.summary.endswith(".")
        assert "SEED2" in rule.source
