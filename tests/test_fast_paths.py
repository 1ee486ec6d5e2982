"""The engine's fast constructions give exactly what the ordinary ones give."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from workflow.history import Finding, Step

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
def test_step_record_equals_step(found: tuple[Finding, ...], accepted: bool, timer: bool, index: int) -> None:
    """Step.record(...) is equal, field by field, to Step(...) with the same values (blocked_by, advice too)."""
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
    fast = Step.record(index, "submit_poa", at, "suspended", "poa_submitted", accepted, payload, found, timer)
    assert fast == made
    assert (fast.blocked_by, fast.advice) == (made.blocked_by, made.advice)
    assert fast.blocked_by == tuple(sorted({f.rule for f in found if f.kind == "refusal"}))
    assert repr(fast) == repr(made)
