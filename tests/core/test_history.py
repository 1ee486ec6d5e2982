"""Findings, steps and the history view the rules read (workflow.core.history)."""

from __future__ import annotations

import datetime as dt

from workflow.core.history import Finding, History, Step

AT = dt.datetime(2026, 3, 2, 9, tzinfo=dt.timezone.utc)


def step(index: int, event: str, *, accepted: bool = True, findings: tuple[Finding, ...] = ()) -> Step:
    return Step(index=index, event=event, at=AT, source="a", target="b", accepted=accepted, findings=findings)


def test_a_finding_is_known_by_its_rule_id() -> None:
    """``id`` is the rule's id."""
    assert Finding("poa.complete", "refusal", "Missing.", "S").id == "poa.complete"


def test_blocked_by_and_advice_are_sorted_unique_rule_ids_by_kind() -> None:
    """Refusals and advice are told apart, each list sorted and without repeats; routes are neither."""
    findings = (
        Finding("b.rule", "refusal", "x", "S"),
        Finding("a.rule", "refusal", "y", "S"),
        Finding("b.rule", "refusal", "z", "S"),
        Finding("c.rule", "advice", "w", "S"),
        Finding("d.rule", "route", "v", "S"),
    )
    s = step(0, "e", accepted=False, findings=findings)
    assert s.blocked_by == ("a.rule", "b.rule")
    assert s.advice == ("c.rule",)
    assert [f.rule for f in s.refusals] == ["b.rule", "a.rule", "b.rule"]
    assert [f.rule for f in s.routes] == ["d.rule"]


def test_a_single_finding_counts_only_for_its_own_kind() -> None:
    """One advice finding is no refusal."""
    s = step(0, "e", findings=(Finding("c.rule", "advice", "w", "S"),))
    assert (s.blocked_by, s.advice) == ((), ("c.rule",))


def test_history_indexes_accepted_steps_by_event() -> None:
    """``count``, ``accepted`` and ``last`` see accepted steps only, oldest first."""
    h = History([step(0, "submit"), step(1, "submit", accepted=False), step(2, "reject"), step(3, "submit")])
    assert len(h) == 4 and h[1].accepted is False
    assert h.count("submit") == 2 and h.count("escalate") == 0
    assert [s.index for s in h.accepted("submit")] == [0, 3]
    assert [s.index for s in h.accepted_steps()] == [0, 2, 3]


def test_last_takes_the_latest_of_several_events() -> None:
    """Asked for several events, ``last`` gives the latest accepted step of any of them, or None."""
    h = History([step(0, "submit"), step(1, "escalate"), step(2, "submit", accepted=False)])
    assert h.last("submit", "escalate") == h[1]
    assert h.last("submit") == h[0]
    assert h.last("reject", "follow_up") is None


def test_latest_is_the_last_accepted_step_of_one_event() -> None:
    """``latest(event)`` is ``last(event)``: a refused step after it does not count, an unseen event is None."""
    h = History([step(0, "submit"), step(1, "escalate"), step(2, "submit"), step(3, "submit", accepted=False)])
    assert h.latest("submit") is h[2] is h.last("submit")
    assert h.latest("escalate") is h[1]
    assert h.latest("reject") is None


def test_pop_forgets_the_last_step_everywhere() -> None:
    """Popping an accepted step takes it out of the index too."""
    h = History([step(0, "submit"), step(1, "submit")])
    h.pop()
    assert len(h) == 1 and h.count("submit") == 1 and h.last("submit") == h[0] == h.latest("submit")
