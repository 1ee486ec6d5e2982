"""The engine's fast constructions give exactly what the ordinary ones give."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow.amazon.payloads import Document, EscalationLetter, PlanOfAction, RootCause
from workflow.core.history import Finding, Step, new_step
from workflow.io.schema import RecordBuilder
from workflow.run import generate

findings = st.lists(
    st.builds(
        Finding,
        rule=st.sampled_from(("a.one", "b.two", "c.three")),
        kind=st.sampled_from(("refusal", "advice", "route")),
        message=st.sampled_from(("no", "careful")),
        source=st.just("S"),
    ),
    max_size=5,
).map(tuple)


@given(found=findings, accepted=st.booleans(), timer=st.booleans(), index=st.integers(0, 99))
def test_new_step_equals_step(found: tuple[Finding, ...], accepted: bool, timer: bool, index: int) -> None:
    """new_step(...) is equal, field by field, to Step(...) with the same values (blocked_by, advice too)."""
    at = dt.datetime(2026, 3, 2, 9, tzinfo=dt.timezone.utc)
    payload = {"poa": None}
    made = Step(
        index=index,
        event="submit_poa",
        at=at,
        source="suspended",
        target="poa_submitted",
        accepted=accepted,
        payload=payload,
        findings=found,
        timer=timer,
    )
    fast = new_step(index, "submit_poa", at, "suspended", "poa_submitted", accepted, payload, found, timer)
    assert fast == made
    assert (fast.blocked_by, fast.advice) == (made.blocked_by, made.advice)
    assert fast.blocked_by == tuple(sorted({f.rule for f in found if f.kind == "refusal"}))
    assert repr(fast) == repr(made)


@given(seed=st.integers(0, 5000))
def test_payload_records_built_fast_equal_the_classes_own(seed: int) -> None:
    """A plan, its root causes and documents, and a letter built from a dict equal (and hash as) attrs-built ones."""
    rng = random.Random(seed)
    doc = generate.document(rng)
    full_doc = {f.name: doc.get(f.name, f.default) for f in attrs.fields(Document)}
    cases: tuple[tuple[type[Any], dict[str, Any]], ...] = (
        (Document, full_doc),
        (RootCause, {"issue": "order_defect_rate", "text": rng.choice(generate.TEXTS)}),
        (EscalationLetter, {"asks_for": None, "key_actions": ("a", "b"), "text": ""}),
    )
    for cls, data in cases:
        assert RecordBuilder(cls).simple  # built without __init__, so the comparison below means something
        fast, slow = RecordBuilder(cls)(data), cls(**data)
        assert fast == slow and hash(fast) == hash(slow) and repr(fast) == repr(slow)
        assert attrs.astuple(fast, recurse=False) == attrs.astuple(slow, recurse=False)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            fast.text = "changed"
    plan: dict[str, Any] = {
        "root_causes": (RootCause("x", "y"),),
        "corrective_actions": ("a",),
        "preventive_measures": (),
        "documents": (),
    }
    fast_plan = RecordBuilder(PlanOfAction)(plan)
    assert fast_plan == PlanOfAction(**plan) and fast_plan.content_key() == PlanOfAction(**plan).content_key()
    with pytest.raises(TypeError):
        RecordBuilder(RootCause)({"issue": "x", "text": "y", "extra": 1})  # other keys: the class's own error


def test_a_rule_saying_the_same_sentence_again_gives_an_equal_finding() -> None:
    """Findings kept by a bound rule equal fresh ones, of their own kind, and no more than the bound are kept."""
    from workflow.core.compiled import _SAID, BoundRule
    from workflow.core.rules import REGISTRY

    bound = BoundRule(rule=REGISTRY["poa.complete"], params={}, source="S")
    first = bound.finding("refusal", "missing parts")
    again = bound.finding("refusal", "missing parts")
    assert again is first and again == Finding("poa.complete", "refusal", "missing parts", "S")
    advice = bound.finding("advice", "missing parts")  # another kind: never the refusal kept
    assert advice.kind == "advice" and advice == Finding("poa.complete", "advice", "missing parts", "S")
    for i in range(_SAID * 2):
        assert bound.finding("refusal", f"sentence {i}").message == f"sentence {i}"
    assert len(bound.said) == _SAID
