"""The Amazon pack's payload records and type names: structuring plain data, comparing plans, normalising text."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import workflow
from workflow.amazon import generate
from workflow.amazon.payloads import Document, EscalationLetter, PlanOfAction, RootCause, normalise, plain_plan
from workflow.core import structure
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


# ------------------------------------------------------------------------------------ the plan's fast path

_WORD = st.sampled_from(["order_defect_rate", "  spaced  ", "Late carrier hand-off"])
_TEXT = st.one_of(_WORD, st.sampled_from(["", "   "]))
_ANY = st.one_of(
    st.none(), st.booleans(), st.integers(-1, 1), _TEXT, st.sampled_from(["2025-06-20", " 2025-06-20 ", "2025-13-01"])
)
_SCALAR = st.one_of(_ANY, st.just(dt.date(2025, 6, 20)), st.just(dt.datetime(2025, 6, 20, 9)))


def _mostly(good: st.SearchStrategy[Any], odd: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``good`` seven times in eight, else ``odd``: values the fast path takes are common, odd ones not rare."""
    return st.integers(0, 7).flatmap(lambda i: odd if i == 0 else good)


def _record(required: str, optional: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """Mostly a mapping as a record's fields would be written, now and then with an odd value or key in it."""
    fields = st.fixed_dictionaries({required: _mostly(_WORD, _TEXT)}, optional=optional)
    keys = st.sampled_from((required, *optional, "extra"))
    odd = st.tuples(fields, keys, _SCALAR).map(lambda t: {**t[0], t[1]: t[2]})  # one key odd, or one too many
    return _mostly(fields, st.one_of(odd, odd, _SCALAR))


_FLAG = _mostly(st.booleans(), _SCALAR)
_CAUSE = _record("issue", {"text": _mostly(_TEXT, _SCALAR)})
_DOCUMENT = _record(
    "kind",
    {
        "genuine": _FLAG,
        "legible": _FLAG,
        "matches_registration": _FLAG,
        "screenshot": _FLAG,
        "issued": _mostly(st.sampled_from(["2025-06-20", " 2025-06-20 ", "2025-13-01"]), _SCALAR),
        "issuer": _mostly(st.one_of(_TEXT, st.none()), _SCALAR),
    },
)


def _listed(items: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    listed = st.lists(items, max_size=3)
    return _mostly(st.one_of(listed, listed.map(tuple)), _SCALAR)


_PLAN_FIELDS = {
    "root_causes": _listed(_CAUSE),
    "corrective_actions": _listed(_mostly(_TEXT, _SCALAR)),
    "preventive_measures": _listed(_mostly(_TEXT, _SCALAR)),
    "documents": _listed(_DOCUMENT),
}
_PLANS = _mostly(
    st.fixed_dictionaries({}, optional=_PLAN_FIELDS),
    st.one_of(st.fixed_dictionaries({}, optional={**_PLAN_FIELDS, "extra": _SCALAR}), _SCALAR),
)


#: plans of one root cause or one document, so that each odd field is met often
_ONE_RECORD_PLANS = st.one_of(_CAUSE.map(lambda c: {"root_causes": [c]}), _DOCUMENT.map(lambda d: {"documents": [d]}))


@settings(max_examples=1500, deadline=None)
@given(st.one_of(_PLANS, _ONE_RECORD_PLANS))
def test_the_plans_fast_path_gives_what_cattrs_gives_or_leaves_it_to_cattrs(value: Any) -> None:
    """``plain_plan`` never takes a value cattrs refuses, and what it gives is the plan cattrs makes."""
    try:
        expected = structure.DETAILED.structure(value, PlanOfAction)
    except Exception:
        expected = None
    fast = plain_plan(value)
    if expected is None:
        assert fast is None
    elif fast is not None:
        assert fast == expected
        assert [type(d.issued) for d in fast.documents] == [type(d.issued) for d in expected.documents]


def test_the_plans_fast_path_takes_the_plans_the_generator_writes() -> None:
    """Plans as JSON and keyword arguments give them go the fast way (else it would be dead weight)."""
    rng = random.Random(7)
    defn = workflow.load("account_suspension")
    plans = [generate.payload(rng, defn.event("submit_poa"), defn).get("poa") for _ in range(200)]
    plans = [p for p in plans if p is not None]
    assert len(plans) > 100
    assert all(plain_plan(p) == structure.DETAILED.structure(p, PlanOfAction) for p in plans)


def test_a_plan_the_fast_path_leaves_is_still_structured_or_explained() -> None:
    """A plan in a shape the fast path does not take (a tuple subclass, a date object) is cattrs' to decide."""
    odd = {**PLAN, "documents": [{"kind": "invoice", "issued": dt.date(2025, 6, 20)}]}
    assert plain_plan(odd) is None
    assert checked("submit_poa", poa=odd)["poa"].documents[0].issued == dt.date(2025, 6, 20)
    with pytest.raises(PayloadError) as caught:
        checked("submit_poa", poa={**PLAN, "documents": [{"kind": "invoice", "genuine": "yes"}]})
    assert "poa.documents[0].genuine" in str(caught.value)
