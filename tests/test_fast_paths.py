"""The engine's fast constructions give exactly what the ordinary ones give."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from workflow.core.history import Finding, Step, new_step

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
