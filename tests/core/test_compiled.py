"""The compiled table (workflow.core.compiled): edges by state and event, bound guards, payload and facts checks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import workflow
from workflow.core.compiled import EMPTY, BoundRule, bind, compiled, may_repeat, run_rule, unique
from workflow.core.history import Finding, History
from workflow.core.model import RuleRef
from workflow.core.rules import REGISTRY, Context, Rule
from workflow.errors import FactsError, PayloadError, RuleFailure, UnknownEvent


@pytest.fixture(scope="module")
def defn() -> workflow.Definition:
    return workflow.load("account_suspension")


def test_compiled_is_made_once_per_definition(defn: workflow.Definition) -> None:
    """Every case of a definition shares one compiled table, which knows its definition."""
    assert compiled(defn) is compiled(defn)
    assert compiled(defn).definition is defn


def test_the_table_has_an_edge_per_source_state(defn: workflow.Definition) -> None:
    """Each transition appears under each of its source states, with its guards bound in order."""
    table = compiled(defn).table
    for t in defn.transitions:
        for src in t.sources:
            edge = next(e for e in table[src][t.event] if e.transition is t)
            assert edge.dest == t.dest
            assert [g.id for g in edge.guards] == [g.id for g in t.guards]
    assert "reject" not in table["active"]


def test_fixed_checks_leave_out_the_guards_that_read_the_payload(defn: workflow.Definition) -> None:
    """What ``allowed`` asks is every guard that needs no payload."""
    (edge,) = compiled(defn).table["suspended"]["submit_poa"]
    assert [b.id for _, _, b in edge.fixed_checks] == [g.id for g in edge.guards if not g.rule.reads]
    assert len(edge.fixed_checks) < len(edge.checks)


def test_bind_resolves_parameters_and_keeps_the_cited_source(defn: workflow.Definition) -> None:
    """A bound rule has every parameter its rule declares, the use's source and its id."""
    bound = bind(defn, RuleRef(id="patience.wait", source="HERE [S]", params={"patience_days": 2}))
    assert bound.id == "patience.wait" and bound.source == "HERE [S]"
    assert bound.params["patience_days"] == 2
    assert set(bound.params) == set(REGISTRY["patience.wait"].params)
    assert bound.finding("refusal", "Wait.") == Finding("patience.wait", "refusal", "Wait.", "HERE [S]")


def test_equal_findings_are_shared(defn: workflow.Definition) -> None:
    """The same sentence from the same bound rule is one finding; another kind is another finding."""
    comp = compiled(defn)
    bound = comp.refusal["active"]
    first = comp.finding(bound, "refusal", "Not now.")
    assert comp.finding(bound, "refusal", "Not now.") is first
    assert comp.finding(bound, "advice", "Not now.").kind == "advice"


def test_check_payload_structures_refuses_and_names_the_event(defn: workflow.Definition) -> None:
    """A good payload comes back structured; a bad one raises PayloadError; an unknown event UnknownEvent."""
    comp = compiled(defn)
    checked = comp.check_payload("provide_info", {"documents": [{"kind": "invoice"}]})
    assert checked["documents"][0].kind == "invoice"
    assert comp.check_payload("reject", {}) is EMPTY
    with pytest.raises(PayloadError) as caught:
        comp.check_payload("provide_info", {"documents": "not a list", "extra": 1})
    assert caught.value.event == "provide_info" and len(caught.value.problems) == 2
    with pytest.raises(UnknownEvent):
        comp.check_payload("nothing", {})


def test_check_facts_overlays_the_defaults(defn: workflow.Definition) -> None:
    """Facts not given keep the definition's defaults; a fact of the wrong type is a FactsError."""
    comp = compiled(defn)
    facts = comp.check_facts({"rejections": 2})
    assert facts["rejections"] == 2
    assert set(facts) == {f.name for f in defn.facts}
    with pytest.raises(FactsError):
        comp.check_facts({"rejections": "many"})


def test_a_rule_that_raises_is_a_rule_failure() -> None:
    """An exception inside a rule is wrapped with the rule's id and the event."""
    now = dt.datetime(2026, 3, 2, tzinfo=dt.timezone.utc)
    ctx = Context("submit_poa", "suspended", "poa_submitted", {}, {}, History(), now, {})
    boom = Rule(id="test.boom", kind="guard", summary="S.", source="S", check=lambda ctx, params: str(1 // 0))
    broken = BoundRule(rule=boom, params={}, source="S")
    with pytest.raises(RuleFailure) as caught:
        run_rule(broken, ctx, "submit_poa")
    assert (caught.value.rule_id, caught.value.event) == ("test.boom", "submit_poa")
    assert isinstance(caught.value.__cause__, ZeroDivisionError)


def test_may_repeat_and_unique() -> None:
    """A rule listed twice may speak twice; ``unique`` keeps the first of each (rule, message)."""
    assert may_repeat(["a", "b", "a"]) and not may_repeat(["a", "b"])
    a, b = Finding("r", "refusal", "x", "S1"), Finding("r", "refusal", "x", "S2")
    c = Finding("r", "refusal", "y", "S1")
    assert unique([a, b, c]) == [a, c]


def test_holidays_are_read_from_the_parameters() -> None:
    """Dates in the ``holidays`` parameter become the compiled table's dates (anything else is refused at load)."""
    text = "name: h\nversion: '1'\nparameters: {holidays: ['2026-12-25', '2026-12-26']}\n"
    text += "states: {a: {initial: true}, z: {terminal: true}}\nevents: {go: {}}\n"
    text += "transitions: [{event: go, from: a, to: z}]\n"
    holidays: Any = compiled(workflow.load(text=text)).holidays
    assert holidays == frozenset({dt.date(2026, 12, 25), dt.date(2026, 12, 26)})
