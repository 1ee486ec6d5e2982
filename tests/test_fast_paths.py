"""The engine's fast constructions give exactly what the ordinary ones give."""

from __future__ import annotations

import random
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow.amazon.payloads import Document, EscalationLetter, PlanOfAction, RootCause
from workflow.io.schema import RecordBuilder
from workflow.run import generate


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
