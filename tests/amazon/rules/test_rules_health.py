"""The account-health rules (workflow.amazon.rules.health): each firing off target and silent on target in the
decision table, Account Health Assurance holding and not, and the helpers they share."""

from __future__ import annotations

from typing import Any

import pytest
from _health import PROTECTED, verdict_for

from workflow.amazon.health import load_table
from workflow.amazon.rules import REGISTRY
from workflow.amazon.rules.health import HIGHER, LOWER, Reading, aha_status, ahr_band, off_target, pct

# ------------------------------------------------------------------------------------------------ each rule both ways

CASES = [
    ("health.odr", "order_defect_rate", 0.0099, 0.01, "suspension_allowed"),
    ("health.cancel_rate", "cancel_rate", 0.0249, 0.025, "suspension_allowed"),
    ("health.late_shipment", "late_shipment_rate", 0.0399, 0.04, "suspension_allowed"),
    ("health.valid_tracking", "valid_tracking_rate", 0.95, 0.949, "category_restriction"),
    ("health.on_time_delivery", "on_time_delivery_rate", 0.97, 0.969, "warning"),
    ("health.contact_response", "contact_response_rate", 0.9, 0.89, "warning"),
    ("health.ahr", "account_health_rating", 200, 199, "warning"),
]


@pytest.mark.parametrize(("rule", "metric", "ok", "bad", "level"), CASES, ids=[c[0] for c in CASES])
def test_rule_passes_on_target_and_fires_off_target(rule: str, metric: str, ok: float, bad: float, level: str) -> None:
    """On target the rule is judged and stays silent; off target it fires with its level and source."""
    quiet = verdict_for({metric: ok})
    assert rule in quiet.evaluated
    assert quiet.fired == ()
    assert quiet.level == "healthy"
    loud = verdict_for({metric: bad})
    (fired,) = loud.fired
    assert (fired.rule, fired.level, fired.metric) == (rule, level, metric)
    assert fired.source == next(
        r.source
        for r in [*load_table().metrics, load_table().rating]
        if r is not None and getattr(r, "rule", None) == rule
    )
    assert loud.level == level


def test_cancel_rate_depends_on_the_marketplace() -> None:
    """2.2% cancels breach India's 2% target but not the UK's or the US's 2.5%."""
    assert verdict_for({"cancel_rate": 0.022}, "IN").level == "suspension_allowed"
    assert verdict_for({"cancel_rate": 0.022}, "UK").level == "healthy"
    assert verdict_for({"cancel_rate": 0.019}, "IN").level == "healthy"
    assert "under 2%" in verdict_for({"cancel_rate": 0.022}, "IN").fired[0].message


def test_ahr_bands() -> None:
    """200 and above healthy; 100-199 at risk (a warning); 99 and below eligible for deactivation."""
    assert verdict_for({"account_health_rating": 1000}).level == "healthy"
    assert verdict_for({"account_health_rating": 100}).level == "warning"
    unhealthy = verdict_for({"account_health_rating": 99})
    assert unhealthy.level == "suspension_allowed"
    assert "eligible for deactivation" in unhealthy.fired[0].message


def test_valid_tracking_restricts_only_the_categories_below_target() -> None:
    """A per-category rate restricts the categories that miss it, never the account."""
    verdict = verdict_for({"valid_tracking_rate": {"books": 0.91, "toys": 0.97, "garden": 0.94}})
    assert verdict.level == "category_restriction"
    assert [r.scope for r in verdict.restrictions] == ["books", "garden"]
    assert verdict.action == "warn"
    assert verdict_for({"valid_tracking_rate": {"books": 0.96}}).restrictions == ()


def test_level_is_the_most_severe_fired() -> None:
    """Several breaches: the verdict takes the most severe level and lists every rule."""
    verdict = verdict_for({"on_time_delivery_rate": 0.9, "valid_tracking_rate": 0.9, "late_shipment_rate": 0.05})
    assert {f.rule for f in verdict.fired} == {
        "health.on_time_delivery",
        "health.valid_tracking",
        "health.late_shipment",
    }
    assert verdict.level == "suspension_allowed"


# ------------------------------------------------------------------------------------------------ AHA protection


def test_aha_protection_turns_a_suspension_into_a_warning() -> None:
    """A protected account with a contractual breach is warned, not deactivated, and the rule says why."""
    verdict = verdict_for({"order_defect_rate": 0.02}, account=PROTECTED)
    assert verdict.protected
    assert verdict.level == "warning"
    assert [f.rule for f in verdict.fired] == ["health.odr", "health.aha_protection"]
    assert "72 hours" in verdict.fired[-1].message


@pytest.mark.parametrize(
    ("account", "why"),
    [
        ({**PROTECTED, "months_above_threshold": 5}, "fewer than 6"),
        ({**PROTECTED, "days_below_threshold": 11}, "on 11 days"),
        ({**PROTECTED, "emergency_contact": False}, "emergency contact"),
        ({**PROTECTED, "professional_plan": False}, "Professional"),
        ({**PROTECTED, "unreachable_hours": 72}, "72 hours"),
        ({**PROTECTED, "fraud_suspected": True}, "fraud"),
        ({"aha_enrolled": False}, "not enrolled"),
    ],
)
def test_aha_protection_does_not_hold(account: dict[str, Any], why: str) -> None:
    """Not eligible, unreachable for 72 hours, or suspected of fraud: the suspension stays allowed."""
    verdict = verdict_for({"order_defect_rate": 0.02}, account=account)
    assert not verdict.protected
    assert verdict.level == "suspension_allowed"
    assert "health.aha_protection" not in [f.rule for f in verdict.fired]
    assert any(why in note for note in verdict.notes)


def test_aha_enrolment_notice_is_enough() -> None:
    """An account that says it is enrolled is protected; without a breach it is a note, not a fired rule."""
    verdict = verdict_for({"order_defect_rate": 0.001}, account={"aha_enrolled": True})
    assert verdict.protected
    assert verdict.level == "healthy"
    assert verdict.fired == ()
    assert verdict.notes


# ------------------------------------------------------------------------------------------- the rules called alone

AHA = REGISTRY["health.aha_protection"].params


def reading(**metrics: Any) -> Reading:
    return Reading(metrics=metrics, account={}, marketplace="US")


def test_a_rule_says_nothing_of_a_metric_the_snapshot_lacks() -> None:
    """A rate rule judges only the metric it reads: absent, it lets the snapshot through."""
    rule = REGISTRY["health.odr"]
    assert rule.check(reading(cancel_rate=0.5), rule.params) is None
    assert rule.check(reading(order_defect_rate=0.5), rule.params) is not None


def test_a_rate_rule_names_the_value_the_target_and_the_window() -> None:
    """An account-wide breach is one sentence with the rate, the window and the target, as percentages."""
    rule = REGISTRY["health.late_shipment"]
    said = rule.check(reading(late_shipment_rate=0.05), rule.params)
    assert said == "Late shipment rate is 5% over 10 and 30 days; the target is under 4%."


def test_a_per_category_breach_names_each_category_missing_the_target() -> None:
    """A rate given per category lists only the categories that miss it."""
    rule = REGISTRY["health.valid_tracking"]
    said = rule.check(reading(valid_tracking_rate={"books": 0.9, "toys": 0.99}), rule.params)
    assert said is not None and "books 90%" in said and "toys" not in said


def test_pct_writes_a_fraction_as_a_short_percentage() -> None:
    """Trailing zeros go: 0.0225 is 2.25%, 0.01 is 1%, 0.5 is 50%."""
    assert [pct(v) for v in (0.0225, 0.01, 0.5)] == ["2.25%", "1%", "50%"]


def test_off_target_compares_in_the_direction_given() -> None:
    """For a ceiling the target itself misses; for a floor only what is below it does."""
    assert off_target(0.01, 0.01, LOWER) == [("", 0.01)]
    assert off_target(0.95, 0.95, HIGHER) == []
    assert off_target({"a": 0.9, "b": 0.96}, 0.95, HIGHER) == [("a", 0.9)]


@pytest.mark.parametrize(("rating", "band"), [(1000, "healthy"), (200, "healthy"), (199, "at_risk"), (99, "unhealthy")])
def test_ahr_band_follows_the_rules_thresholds(rating: float, band: str) -> None:
    """The bands' lower bounds are the rule's parameters, each inclusive."""
    assert ahr_band(rating, REGISTRY["health.ahr"].params) == band


def test_aha_status_explains_both_ways() -> None:
    """A protected account gets the protection's terms; suspected fraud removes it, and the reason says so."""
    held, why = aha_status(PROTECTED, AHA)
    assert held and "72 hours" in why
    held, why = aha_status({**PROTECTED, "fraud_suspected": True}, AHA)
    assert not held and "fraud" in why
