"""Embedding account health: a verdict on a metrics snapshot drives `warn` / `suspend` on an account_suspension case."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

import workflow
from workflow.amazon.health import evaluate, to_event

START = "2026-03-02T09:00:00Z"


def drive(case: workflow.Case, snapshot: dict[str, Any]) -> workflow.Step | None:
    """Judge the snapshot and offer the event its verdict allows to the case; healthy offers nothing."""
    event = to_event(evaluate(snapshot))
    if event is None:
        return None
    name, payload = event
    return case.fire(name, **payload)


def test_warning_verdict_warns_the_case() -> None:
    """An at-risk rating warns an active account; the case records the metric."""
    case = workflow.Case(workflow.load("account_suspension"), clock=workflow.SimulatedClock(START))
    step = drive(case, {"metrics": {"account_health_rating": 150}})
    assert step is not None
    assert step.accepted
    assert case.state == "warning"
    assert step.payload["metric"] == "account_health_rating"


def test_suspension_verdict_suspends_with_the_breached_metrics_as_issues() -> None:
    """A contractual breach suspends; the notice cites the metric, so the POA must answer it."""
    case = workflow.Case(workflow.load("account_suspension"), clock=workflow.SimulatedClock(START))
    step = drive(case, {"marketplace": "IN", "metrics": {"cancel_rate": 0.022, "late_shipment_rate": 0.05}})
    assert step is not None
    assert step.accepted
    assert case.state == "suspended"
    assert step.payload["issues"] == ("cancel_rate", "late_shipment_rate")
    weak = case.fire(
        "submit_poa",
        poa={
            "root_causes": [{"issue": "cancel_rate", "text": "stock counts were wrong"}],
            "corrective_actions": ["recounted stock"],
            "preventive_measures": ["weekly stock audit"],
        },
    )
    assert weak.blocked_by == ("poa.addresses_all_issues",)


def test_protected_account_is_only_warned() -> None:
    """The same breach on an account Account Health Assurance protects only warns it."""
    case = workflow.Case(workflow.load("account_suspension"), clock=workflow.SimulatedClock(START))
    step = drive(case, {"metrics": {"cancel_rate": 0.05}, "account": {"aha_enrolled": True}})
    assert step is not None
    assert step.event == "warn"
    assert case.state == "warning"


def test_healthy_verdict_leaves_the_case_alone() -> None:
    """A healthy snapshot offers no event."""
    case = workflow.Case(workflow.load("account_suspension"), clock=workflow.SimulatedClock(START))
    assert drive(case, {"metrics": {"order_defect_rate": 0.001, "account_health_rating": 600}}) is None
    assert case.history == ()


rates = st.floats(min_value=0, max_value=0.2, allow_nan=False)


class HealthDrivenCase(RuleBasedStateMachine):
    """Snapshots arrive one after another and their verdicts drive a case; a case is suspended only for cause."""

    def __init__(self) -> None:
        super().__init__()
        self.case = workflow.Case(workflow.load("account_suspension"), clock=workflow.SimulatedClock(START))
        self.suspending_verdicts = 0

    @rule(
        odr=rates,
        cancel=rates,
        vtr=st.floats(min_value=0.8, max_value=1, allow_nan=False),
        rating=st.integers(0, 1000),
        marketplace=st.sampled_from(["US", "UK", "IN"]),
        protected=st.booleans(),
    )
    def snapshot(self, odr: float, cancel: float, vtr: float, rating: int, marketplace: str, protected: bool) -> None:
        data = {
            "marketplace": marketplace,
            "metrics": {
                "order_defect_rate": odr,
                "cancel_rate": cancel,
                "valid_tracking_rate": vtr,
                "account_health_rating": rating,
            },
            "account": {"aha_enrolled": protected},
        }
        verdict = evaluate(data)
        before = self.case.state
        step = drive(self.case, data)
        if verdict.action is None:
            assert step is None
        else:
            assert step is not None
            if verdict.action == "suspend":
                assert not protected
                self.suspending_verdicts += step.accepted
            if step.accepted:
                assert before in ("active", "warning")

    @rule()
    def recover(self) -> None:
        if self.case.state == "warning":
            assert self.case.fire("recover").accepted

    @invariant()
    def suspended_only_after_a_suspending_verdict(self) -> None:
        """The case is suspended only when some verdict allowed a suspension."""
        if self.case.state == "suspended":
            assert self.suspending_verdicts >= 1
            suspension = next(s for s in self.case.history if s.accepted and s.event == "suspend")
            assert suspension.payload["issues"]


TestHealthDrivenCase = HealthDrivenCase.TestCase
