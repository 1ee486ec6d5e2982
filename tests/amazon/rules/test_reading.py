"""What the Amazon rules read of a case's history: the suspension, counts, rejected plans, days of silence."""

from __future__ import annotations

import datetime as dt
from typing import Any

from workflow.amazon.payloads import PlanOfAction, RootCause
from workflow.amazon.rules.reading import (
    cited_issues,
    escalations,
    rejected_poas,
    rejections,
    silence_days,
    suspension,
)
from workflow.core.history import History, Step
from workflow.core.rules import Context

MONDAY = dt.datetime(2026, 3, 2, 9, tzinfo=dt.timezone.utc)


def plan(text: str) -> PlanOfAction:
    return PlanOfAction(root_causes=(RootCause(issue="odr", text=text),))


def ctx(*steps: tuple[str, dict[str, Any]], facts: dict[str, Any] | None = None, days: int = 0) -> Context:
    """A context whose history holds ``steps`` (event, payload), accepted one day apart from Monday."""
    history = History(
        Step(index=i, event=e, at=MONDAY + dt.timedelta(days=i), source="s", target="t", accepted=True, payload=p)
        for i, (e, p) in enumerate(steps)
    )
    now = MONDAY + dt.timedelta(days=days)
    return Context("x", "s", "t", {}, facts or {}, history, now, {})


def test_suspension_is_the_latest_suspend_payload() -> None:
    """The latest accepted suspension's payload is what the rules read, and its issues are the cited ones."""
    c = ctx(("suspend", {"issues": ["a"]}), ("suspend", {"issues": ["b", "c"]}))
    assert suspension(c) == {"issues": ["b", "c"]}
    assert cited_issues(c) == ("b", "c")


def test_suspension_falls_back_to_the_facts_of_a_case_tracked_late() -> None:
    """Without a suspend step, the facts say what the suspension was; unset facts are left out."""
    c = ctx(facts={"reason_class": "fraud", "issues": None, "other": 1})
    assert suspension(c) == {"reason_class": "fraud"}
    assert cited_issues(c) == ()


def test_counts_add_the_facts_to_the_history() -> None:
    """Rejections and escalations before tracking (facts) count with those in the history."""
    c = ctx(("reject", {}), ("escalate", {}), ("reject", {}), facts={"rejections": 2, "escalations": 1})
    assert (rejections(c), escalations(c)) == (4, 2)


def test_rejected_poas_are_the_plans_in_front_of_each_rejection() -> None:
    """Each rejection rejects the latest plan submitted or escalated; a rejection with no plan yields none."""
    first, second = plan("one"), plan("two")
    c = ctx(
        ("reject", {}),
        ("submit_poa", {"poa": first}),
        ("reject", {}),
        ("escalate", {"poa": second}),
        ("reject", {}),
        ("submit_poa", {"poa": plan("pending")}),
    )
    assert list(rejected_poas(c)) == [first, second]


def test_silence_days_count_business_days_since_the_latest_submission() -> None:
    """From a Monday submission to the next Monday is five business days; with no submission, None."""
    assert silence_days(ctx(("submit_poa", {}), days=7)) == 5
    assert silence_days(ctx(("suspend", {}), days=7)) is None
    assert silence_days(ctx(("suspend", {}), days=7), counting=("suspend",)) == 5
