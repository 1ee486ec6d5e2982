"""The Amazon pack's payload records and type names: structuring plain data, comparing plans, normalising text."""

from __future__ import annotations

from typing import Any

import pytest

import workflow
from workflow.amazon.payloads import Document, EscalationLetter, PlanOfAction, RootCause, normalise
from workflow.errors import PayloadError

PLAN: dict[str, Any] = {
    "root_causes": [{"issue": "order_defect_rate", "text": "Late carrier hand-off"}],
    "corrective_actions": ["refunded every affected buyer"],
    "preventive_measures": ["weekly carrier audit"],
    "documents": [{"kind": "invoice"}],
}


def checked(event: str, **payload: Any) -> Any:
    """The payload ``event`` carries once account_suspension has structured it."""
    case = workflow.Case(workflow.load("account_suspension"), clock=workflow.SimulatedClock("2026-03-02T09:00:00Z"))
    case.fire("suspend", reason_class="performance", issues=["order_defect_rate"])
    return case.decide(event, **payload).payload


def test_a_poa_field_is_structured_into_a_plan_of_action() -> None:
    """A plain dict under a ``poa`` field becomes a frozen PlanOfAction with its records and defaults."""
    plan = checked("submit_poa", poa=PLAN)["poa"]
    assert isinstance(plan, PlanOfAction)
    assert plan.root_causes == (RootCause(issue="order_defect_rate", text="Late carrier hand-off"),)
    assert plan.documents == (Document(kind="invoice"),)
    assert plan.documents[0].genuine and plan.documents[0].issued is None


def test_a_misspelt_poa_field_is_reported_with_its_path() -> None:
    """An unknown key inside a plan is a PayloadError naming where it is."""
    with pytest.raises(PayloadError) as caught:
        checked("submit_poa", poa={**PLAN, "root_cause": []})
    assert any("root_cause" in p.path or "root_cause" in p.message for p in caught.value.problems)


def test_an_empty_document_kind_is_refused() -> None:
    """A document's kind may not be empty."""
    with pytest.raises(PayloadError):
        checked("submit_poa", poa={**PLAN, "documents": [{"kind": ""}]})


def test_actions_and_texts_gather_the_plans_words() -> None:
    """``actions`` is corrective then preventive; ``texts`` adds the root causes' texts first."""
    plan = PlanOfAction(
        root_causes=(RootCause(issue="odr", text="why"),), corrective_actions=("fix",), preventive_measures=("watch",)
    )
    assert plan.actions() == ("fix", "watch")
    assert plan.texts() == ("why", "fix", "watch")


def test_content_key_ignores_case_spacing_and_order() -> None:
    """Two plans that differ only in case, spacing and the order of their items are the same plan."""
    a = PlanOfAction(corrective_actions=("Refunded  buyers", "audit"), root_causes=(RootCause("ODR", "Late"),))
    b = PlanOfAction(corrective_actions=("audit", "refunded buyers"), root_causes=(RootCause("odr", " late "),))
    assert a.content_key() == b.content_key()


def test_content_key_tells_a_fabricated_document_apart() -> None:
    """The same words with a fabricated document are another plan."""
    genuine = PlanOfAction(documents=(Document(kind="invoice"),))
    fabricated = PlanOfAction(documents=(Document(kind="invoice", genuine=False),))
    assert genuine.content_key() != fabricated.content_key()


@pytest.mark.parametrize("text", ["  Two   Words ", "A" * 300 + "  B"])
def test_normalise_lowers_and_collapses_spaces(text: str) -> None:
    """Short and long texts alike are lower-cased with single spaces."""
    assert normalise(text) == " ".join(text.lower().split())


def test_a_team_field_takes_only_the_teams_of_the_definition() -> None:
    """A ``team`` field accepts a team the teams resource names and refuses any other, saying which are allowed."""
    assert checked("submit_poa", poa=PLAN, to="seller_performance")["to"] == "seller_performance"
    with pytest.raises(PayloadError) as caught:
        checked("submit_poa", poa=PLAN, to="the_ceo")
    assert "seller_performance" in str(caught.value) and "the_ceo" in str(caught.value)


def test_a_letter_is_structured_from_plain_data() -> None:
    """An escalation's letter becomes an EscalationLetter, key actions as a tuple."""
    letter = checked("escalate", poa=PLAN, letter={"asks_for": "senior_investigator", "key_actions": ["a", "b"]})
    assert letter["letter"] == EscalationLetter(asks_for="senior_investigator", key_actions=("a", "b"))
