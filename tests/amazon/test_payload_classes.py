"""The payload-class catalog: representative payloads per field type, base first, one factor at a time."""

from __future__ import annotations

import pytest

import workflow
from workflow.amazon.payload_classes import (
    CATALOG,
    OMIT,
    PayloadClass,
    catalog,
    event_classes,
    field_classes,
    team_classes,
)
from workflow.core.model import Event, PayloadField
from workflow.core.structure import PAYLOAD_TYPES


@pytest.fixture(scope="module")
def defn() -> workflow.Definition:
    return workflow.load("account_suspension")


def test_a_required_field_is_never_omitted(defn: workflow.Definition) -> None:
    """A required ``poa`` starts with the complete plan and has no ``omitted`` class."""
    classes = field_classes(PayloadField(name="poa", type="poa", required=True), defn)
    assert classes[0].name == "complete"
    assert "omitted" not in [c.name for c in classes]
    assert all(c.value is not OMIT for c in classes)


def test_an_optional_field_is_omitted_as_a_variant(defn: workflow.Definition) -> None:
    """An optional ``str`` is present at base and left out as its last class."""
    classes = field_classes(PayloadField(name="text", type="str"), defn)
    assert [c.name for c in classes] == ["neutral", "legal", "omitted"]
    assert classes[-1].value is OMIT


def test_choices_make_the_classes_and_omitting_is_the_base(defn: workflow.Definition) -> None:
    """A field with choices has one class per choice, after leaving it out (the engine's default)."""
    classes = field_classes(PayloadField(name="channel", type="str", choices=("email", "phone")), defn)
    assert [c.name for c in classes] == ["omitted", "email", "phone"]


def test_team_classes_keep_one_team_per_role(defn: workflow.Definition) -> None:
    """No two team classes are the same team, and each is a team of the definition."""
    names = [c.name for c in team_classes(defn)]
    assert len(names) == len(set(names))
    assert set(names) <= set(defn.resources["teams"].ids())


def test_a_list_with_choices_tries_all_of_them_then_each_alone(defn: workflow.Definition) -> None:
    """A required ``list[str]`` with choices starts with every choice, then one class per choice."""
    classes = field_classes(PayloadField(name="issues", type="list[str]", required=True, choices=("a", "b")), defn)
    assert [(c.name, c.value) for c in classes] == [("all", ["a", "b"]), ("a", ["a"]), ("b", ["b"])]


def test_every_type_the_core_knows_has_classes_here() -> None:
    """The catalog covers every registered payload type, so no definition falls back to random values for them."""
    assert set(PAYLOAD_TYPES) <= set(CATALOG)


def test_event_classes_vary_one_field_at_a_time(defn: workflow.Definition) -> None:
    """Every variant differs from the base in exactly the field its label names."""
    classes = event_classes(defn, defn.event("escalate"))
    base = classes[0]
    assert (base.label, base.field) == ("base", None)
    for c in classes[1:]:
        assert c.label == f"{c.field}={c.cls}"
        changed = {k for k in base.payload.keys() | c.payload.keys() if base.payload.get(k) != c.payload.get(k)}
        assert changed == {c.field}


def test_an_event_without_payload_has_only_its_base(defn: workflow.Definition) -> None:
    """An event with no fields is tried once, with an empty payload."""
    assert event_classes(defn, Event(name="reject")) == (PayloadClass(event="reject", label="base", payload={}),)


def test_catalog_covers_every_event_and_the_engine_accepts_every_base(defn: workflow.Definition) -> None:
    """Every event has classes, and each base payload passes the definition's payload checks."""
    classes = catalog(defn)
    assert set(classes) == set(defn.event_names)
    case = workflow.Case(defn, clock=workflow.SimulatedClock("2026-03-02T09:00:00Z"))
    for event, (base, *_) in classes.items():
        case.decide(event, **base.payload)  # raises PayloadError if the base were malformed
