"""Openings: the time-waiting rules say when they open, and ``Case.openings`` agrees with the rules themselves."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import workflow
from workflow.core.compiled import EMPTY, compiled
from workflow.core.openings import business_days_reached, refusals
from workflow.core.rules import REGISTRY
from workflow.testing import payload_classes

SECOND = dt.timedelta(seconds=1)
LIFECYCLES = ("account_suspension", "verification", "ip_complaint")
#: the rules whose refusals time alone lifts
TIMED = (
    "patience.wait",
    "escalate.after_review",
    "verification.decision_5d",
    "ip.counter_notice_10d",
    "ip.timeout_90d",
)

POA = {
    "root_causes": [{"issue": "order_defect_rate", "text": "late carrier hand-off in December"}],
    "corrective_actions": ["moved to two-day carrier pickup"],
    "preventive_measures": ["daily late-shipment report reviewed by the owner"],
    "documents": [{"kind": "invoice", "genuine": True}],
}


def submitted(start: str = "2026-03-02T09:00:00Z") -> workflow.Case:
    """A suspended account whose plan of action went in at ``start``."""
    case = workflow.Case(workflow.load("account_suspension"), clock=workflow.SimulatedClock(start))
    case.fire("suspend", reason_class="performance", issues=["order_defect_rate"])
    assert case.fire("submit_poa", to="seller_performance", channel="email", poa=POA).accepted
    return case


def test_the_time_waiting_rules_declare_their_openings() -> None:
    """Each rule that refuses only until time has passed has an opening; a rule about the payload has none."""
    assert all(REGISTRY[r].opens is not None for r in TIMED)
    assert REGISTRY["escalate.strong_poa"].opens is None


def test_follow_up_opens_on_the_fifth_business_day() -> None:
    """Submitted on Monday 2 March: follow-up and escalation open at the start of Monday 9 March, the fifth
    business day after (Tuesday to Friday, then Monday)."""
    case = submitted()
    found = {o.event: o for o in case.openings()}
    monday = dt.datetime(2026, 3, 9, tzinfo=dt.timezone.utc)
    assert found["follow_up"].at == monday and found["follow_up"].rules == ("patience.wait",)
    assert found["escalate"].at == monday and found["escalate"].rules == ("escalate.after_review",)
    case.clock = workflow.SimulatedClock(monday)
    assert "follow_up" in case.allowed()
    case.clock = workflow.SimulatedClock(monday - SECOND)
    assert "follow_up" not in case.allowed()


def test_a_holiday_pushes_the_opening_back() -> None:
    """A weekday holiday in the five days is not a business day: the opening moves one business day later."""
    holiday = dt.date(2026, 3, 4)
    start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.timezone.utc)
    assert business_days_reached(start, 5, {holiday}) == dt.datetime(2026, 3, 10, tzinfo=dt.timezone.utc)
    assert business_days_reached(start, 0) == start


def test_an_event_allowed_now_or_refused_for_good_has_no_opening() -> None:
    """Once open, follow-up is no opening; a rejected case's follow-up (no transition) never opens."""
    case = submitted()
    assert {o.event for o in case.openings(dt.datetime(2026, 3, 20, tzinfo=dt.timezone.utc))} == set()
    case.fire("reject")
    assert "follow_up" not in {o.event for o in case.openings()}


def test_an_opening_waits_for_the_later_of_two_rules() -> None:
    """A copyright counter-notice: the lawsuit window opens ten calendar days after the counter-notice."""
    case = workflow.Case(workflow.load("ip_complaint"), clock=workflow.SimulatedClock("2026-03-02T09:00:00Z"))
    case.fire("receive_complaint", complaint_type="copyright")
    case.clock = workflow.SimulatedClock("2026-03-05T10:00:00Z")
    case.fire("file_counter_notice")
    found = {o.event: o for o in case.openings()}
    assert found["lawsuit_window_closed"].at == dt.datetime(2026, 3, 15, 10, tzinfo=dt.timezone.utc)
    # the 90 days run from the complaint, not from the counter-notice
    assert found["complaint_timed_out"].at == dt.datetime(2026, 5, 31, 9, tzinfo=dt.timezone.utc)


def _cases() -> st.SearchStrategy[tuple[workflow.Case, dt.datetime]]:
    """A case of a built-in lifecycle after a random walk (events its state has a transition for, mostly, each
    after a wait of up to a week), and a time from its present on."""

    @st.composite
    def draw(data: st.DrawFn) -> tuple[workflow.Case, dt.datetime]:
        defn = workflow.load(data(st.sampled_from(LIFECYCLES)))
        clock = workflow.SimulatedClock("2026-03-02T09:00:00Z")
        case = workflow.Case(defn, clock=clock)
        table = compiled(defn).table
        for _ in range(data(st.integers(0, 12))):
            clock.advance(f"{data(st.integers(0, 7 * 24))}h")
            case.advance()
            here = sorted(table[case.state]) or list(defn.event_names)
            event = data(st.sampled_from(here if data(st.integers(0, 9)) else list(defn.event_names)))
            classes = payload_classes(defn, event)
            case.fire_payload(event, dict(data(st.sampled_from(classes)).payload) if classes else {})
        later = dt.timedelta(seconds=data(st.integers(0, 15 * 86400)))
        return case, clock.now() + later

    return draw()


@given(_cases())
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_rule_allows_at_its_opening_and_refuses_a_second_before(drawn: tuple[workflow.Case, dt.datetime]) -> None:
    """Every time-waiting rule that refuses a step allows it at the time it gives, and refuses it a second before."""
    case, at = drawn
    for event, edges in compiled(case.definition).table[case.state].items():
        for edge in edges:
            for check, params, bound in edge.fixed_checks:
                opens = bound.rule.opens
                ctx = case.context(event, EMPTY, at, edge.dest)
                if opens is None or check(ctx, params) is None:
                    continue
                when = opens(ctx, params)
                if when is None:
                    continue
                assert when > at, (bound.id, when, at)
                assert check(case.context(event, EMPTY, when, edge.dest), params) is None, (bound.id, when)
                assert check(case.context(event, EMPTY, when - SECOND, edge.dest), params) is not None, (bound.id, when)


@given(_cases())
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_an_event_is_allowed_at_its_opening_and_refused_a_second_before(
    drawn: tuple[workflow.Case, dt.datetime],
) -> None:
    """Every opening: some transition of the event has no refusing rule at its time, and each has one just before."""
    case, at = drawn
    table = compiled(case.definition).table[case.state]
    listed = case.openings(at)
    assert [o.at for o in listed] == sorted(o.at for o in listed)
    for o in listed:
        edges = table[o.event]
        assert o.at > at
        assert o.rules and set(o.rules) <= set(TIMED)
        assert all(refusals(case, o.event, e, at) for e in edges)
        assert any(not refusals(case, o.event, e, o.at) for e in edges)
        assert all(refusals(case, o.event, e, o.at - SECOND) for e in edges)
