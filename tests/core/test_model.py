"""The declaration records (workflow.core.model): looking states and events up, rule ids, parameters."""

from __future__ import annotations

import pytest

import workflow
from workflow.core.model import Definition, Event, PayloadField, RuleRef, State, Transition

MINI = """
name: mini
version: "1"
parameters: {patience_days: 9}
states:
  open: {initial: true, refuse_with: appeals.closed}
  shut: {terminal: true}
events:
  close:
    payload:
      poa: {type: poa, required: true}
transitions:
  - event: close
    from: open
    to: shut
    guards:
      - {rule: poa.complete, source: "S1 [S]"}
      - {rule: patience.wait, source: "S2 [S]", params: {patience_days: 3}}
advice:
  - {rule: advice.seller_support, source: "S3 [S]", events: close}
"""


@pytest.fixture(scope="module")
def mini() -> Definition:
    return workflow.load(text=MINI, file="mini.yaml")


def test_states_and_events_are_looked_up_by_name(mini: Definition) -> None:
    """``state``/``event`` find by name and raise KeyError for an unknown one; ``initial`` is the marked state."""
    assert mini.initial == mini.state("open")
    assert mini.state_names == ("open", "shut") and mini.event_names == ("close",)
    assert mini.event("close").field("poa") == PayloadField(name="poa", type="poa", required=True)
    assert mini.event("close").field("nothing") is None
    with pytest.raises(KeyError):
        mini.state("nowhere")
    with pytest.raises(KeyError):
        mini.event("nothing")


def test_rule_ids_gather_guards_advice_and_state_refusals(mini: Definition) -> None:
    """Every rule the definition uses, once, sorted: guards, advice and the states' refusal rules."""
    assert mini.rule_ids() == (
        "advice.seller_support",
        "appeals.closed",
        "patience.wait",
        "poa.complete",
        "state.no_transition",
    )


def test_a_parameter_is_the_uses_own_then_the_definitions_then_the_default(mini: Definition) -> None:
    """patience.wait's use sets 3; poa.complete's use does not, so the definition's 9 applies; else the default."""
    complete, wait = mini.transitions[0].guards
    assert mini.parameter(wait, "patience_days", 5) == 3
    assert mini.parameter(complete, "patience_days", 5) == 9
    assert mini.parameter(complete, "unset", 5) == 5


def test_records_are_frozen_and_their_mappings_read_only() -> None:
    """A rule use's parameters cannot be changed after it is made, nor its fields."""
    ref = RuleRef(id="r", source="S", params={"a": 1})
    with pytest.raises(TypeError):
        ref.params["a"] = 2  # type: ignore[index]
    with pytest.raises(AttributeError):
        ref.id = "other"  # type: ignore[misc]


def test_equal_definitions_are_equal_whatever_their_origin() -> None:
    """The origin is not part of a definition's identity; the hash of its content is."""
    a = workflow.load(text=MINI, file="a.yaml")
    b = workflow.load(text=MINI, file="b.yaml")
    assert a == b and hash(a) == hash(b) and a.hash and a.hash == b.hash


def test_a_definition_can_be_built_from_records() -> None:
    """A Definition made by hand answers the same questions as a loaded one."""
    defn = Definition(
        name="hand",
        version="1",
        description="",
        states=(State("a", initial=True), State("b", terminal=True)),
        events=(Event("go"),),
        transitions=(Transition(event="go", sources=("a",), dest="b"),),
    )
    assert defn.initial.name == "a"
    assert defn.rule_ids() == ("state.no_transition",)
