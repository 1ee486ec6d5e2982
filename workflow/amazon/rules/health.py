"""The account-health rules: each decides whether one metric of a snapshot is off target, and says why.

They are decision-table rules (kind ``table``): ``workflow.amazon.health`` evaluates them on a metrics snapshot,
with the parameters the table (``definitions/tables/account_health.yaml``) gives for the marketplace. The
rules judge a ``Reading``: its ``metrics`` under the table's metric names (rates as fractions; a rate given per
scope, such as a category, as a mapping of scope to rate), and what the snapshot says about the ``account``
(``aha_enrolled``, ``months_above_threshold``, ``days_below_threshold``, ``emergency_contact``,
``professional_plan``, ``unreachable_hours``, ``fraud_suspected``). What a breach
*means* (a warning, a suspension allowed, a category restriction) is the table's to say, not the rule's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs

from workflow.core.rules import TABLE, register


@attrs.frozen
class Reading:
    """What a decision-table rule judges: one metrics snapshot of an account, for one marketplace."""

    metrics: Mapping[str, Any]
    account: Mapping[str, Any]
    marketplace: str
    as_of: dt.datetime | None = None


LOWER = "below"  # the metric must stay under its target
HIGHER = "at_least"  # the metric must reach its target


def pct(value: float) -> str:
    """0.0225 -> '2.25%'; 0.01 -> '1%'."""
    text = f"{value * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


def off_target(value: Any, target: float, direction: str) -> list[tuple[str, float]]:
    """The scopes (``""`` for the whole account, else a category) whose value misses the target."""
    items = value.items() if isinstance(value, Mapping) else (("", value),)
    out = []
    for scope, v in items:
        miss = v >= target if direction == LOWER else v < target
        if miss:
            out.append((str(scope), float(v)))
    return out


def _rate_rule(reading: Reading, params: Mapping[str, Any], metric: str, label: str, direction: str) -> str | None:
    value = reading.metrics.get(metric)
    if value is None:
        return None
    target = float(params["target"])
    misses = off_target(value, target, direction)
    if not misses:
        return None
    want = f"under {pct(target)}" if direction == LOWER else f"at least {pct(target)}"
    window = f" over {params['window']}" if params.get("window") else ""
    if len(misses) == 1 and not misses[0][0]:
        return f"{label} is {pct(misses[0][1])}{window}; the target is {want}."
    parts = ", ".join(f"{scope} {pct(v)}" for scope, v in misses)
    return f"{label} misses the target ({want}{window}) in: {parts}."


@register(
    "health.odr",
    kind=TABLE,
    summary="Order defect rate over 60 days under 1%; a breach brings a warning and allows a suspension.",
    source="A-ODR-US [S]",
    params={"target": 0.01, "window": "60 days"},
    reads=("order_defect_rate",),
)
def odr(reading: Reading, params: Mapping[str, Any]) -> str | None:
    return _rate_rule(reading, params, "order_defect_rate", "Order defect rate", LOWER)


@register(
    "health.cancel_rate",
    kind=TABLE,
    summary=(
        "Pre-fulfilment cancel rate over 7 days under 2.5% (India: under 2%); a breach brings a warning and "
        "allows a suspension."
    ),
    source="A-CR-UK, A-CR-IN [S]",
    params={"target": 0.025, "window": "7 days"},
    reads=("cancel_rate",),
)
def cancel_rate(reading: Reading, params: Mapping[str, Any]) -> str | None:
    return _rate_rule(reading, params, "cancel_rate", "Pre-fulfilment cancel rate", LOWER)


@register(
    "health.late_shipment",
    kind=TABLE,
    summary="Late shipment rate over 10 and 30 days under 4%; a breach brings a warning and allows a suspension.",
    source="A-SPAPI [S]",
    params={"target": 0.04, "window": "10 and 30 days"},
    reads=("late_shipment_rate",),
)
def late_shipment(reading: Reading, params: Mapping[str, Any]) -> str | None:
    return _rate_rule(reading, params, "late_shipment_rate", "Late shipment rate", LOWER)


@register(
    "health.valid_tracking",
    kind=TABLE,
    summary=(
        "Valid tracking rate at least 95%, per category; a breach restricts seller-fulfilled offers in that "
        "category only, never the account."
    ),
    source="A-VTR-EU [S]",
    params={"target": 0.95, "window": "30 days"},
    reads=("valid_tracking_rate",),
)
def valid_tracking(reading: Reading, params: Mapping[str, Any]) -> str | None:
    return _rate_rule(reading, params, "valid_tracking_rate", "Valid tracking rate", HIGHER)


@register(
    "health.on_time_delivery",
    kind=TABLE,
    summary="On-time delivery over 14 days at least 97% (recommended); a breach is a warning only.",
    source="A-OTD-US [S]",
    params={"target": 0.97, "window": "14 days"},
    reads=("on_time_delivery_rate",),
)
def on_time_delivery(reading: Reading, params: Mapping[str, Any]) -> str | None:
    return _rate_rule(reading, params, "on_time_delivery_rate", "On-time delivery rate", HIGHER)


@register(
    "health.contact_response",
    kind=TABLE,
    summary="At least 90% of buyer messages answered within 24 hours; a breach is a warning only.",
    source="A-CRT-US [S]",
    params={"target": 0.9, "window": "30 days"},
    reads=("contact_response_rate",),
)
def contact_response(reading: Reading, params: Mapping[str, Any]) -> str | None:
    label = "Share of buyer messages answered within 24 hours"
    return _rate_rule(reading, params, "contact_response_rate", label, HIGHER)


def ahr_band(rating: float, params: Mapping[str, Any]) -> str:
    """``healthy``, ``at_risk`` or ``unhealthy`` for an Account Health Rating."""
    if rating >= float(params["healthy_from"]):
        return "healthy"
    if rating >= float(params["at_risk_from"]):
        return "at_risk"
    return "unhealthy"


@register(
    "health.ahr",
    kind=TABLE,
    summary=(
        "Account Health Rating (0-1000): 200 and above healthy; 100-199 at risk; 99 and below eligible for "
        "deactivation."
    ),
    source="A-AHR-BANNER, T-ECB-2022 [S]",
    params={"healthy_from": 200, "at_risk_from": 100},
    reads=("account_health_rating",),
)
def ahr(reading: Reading, params: Mapping[str, Any]) -> str | None:
    rating = reading.metrics.get("account_health_rating")
    if rating is None:
        return None
    band = ahr_band(float(rating), params)
    shown = f"{float(rating):g}"
    if band == "at_risk":
        return (
            f"Account Health Rating {shown} is At Risk ({params['at_risk_from']}-{int(params['healthy_from']) - 1}); "
            f"{params['healthy_from']} and above is healthy."
        )
    if band == "unhealthy":
        return (
            f"Account Health Rating {shown} is Unhealthy (below {params['at_risk_from']}): the account is "
            "eligible for deactivation."
        )
    return None


def aha_status(facts: Mapping[str, Any], params: Mapping[str, Any]) -> tuple[bool, str]:
    """Whether Account Health Assurance protects the account now, and why (or why not)."""
    months = int(params["months"])
    rating = params["min_rating"]
    enrolled = facts.get("aha_enrolled")
    if enrolled is None:
        held = facts.get("months_above_threshold")
        below = facts.get("days_below_threshold")
        if held is None:
            return False, "the snapshot says nothing about Account Health Assurance"
        if facts.get("professional_plan") is False:
            return False, "Account Health Assurance is for the Professional selling plan only"
        if int(held) < months:
            return False, f"the rating has held at {rating} or above for {held} months, fewer than {months}"
        if below is not None and int(below) > int(params["max_days_below"]):
            return False, f"the rating was below {rating} on {below} days (at most {params['max_days_below']})"
        if facts.get("emergency_contact") is False:
            return False, "no valid emergency contact number is on file"
    elif not enrolled:
        return False, "the account is not enrolled in Account Health Assurance"
    if facts.get("fraud_suspected"):
        return False, "Account Health Assurance does not cover suspected fraud"
    hours = facts.get("unreachable_hours")
    if hours is not None and float(hours) >= float(params["contact_hours"]):
        return False, (
            f"Amazon could not reach the seller for {float(hours):g} hours "
            f"(the protection holds only if reached within {params['contact_hours']} hours)"
        )
    return True, (
        f"Account Health Assurance (rating {rating} or above for {months} months): the account is not deactivated "
        f"as long as Amazon reaches the seller within {params['contact_hours']} hours and the seller works with them; "
        "suspected fraud is not covered."
    )


@register(
    "health.aha_protection",
    kind=TABLE,
    summary=(
        "Account Health Assurance (AHR at least 250 for 6 months): no deactivation unless fraud, or the seller "
        "was unreachable for 72 hours."
    ),
    source="A-AHA [S]",
    params={"min_rating": 250, "months": 6, "max_days_below": 10, "contact_hours": 72},
)
def aha_protection(reading: Reading, params: Mapping[str, Any]) -> str | None:
    protected, why = aha_status(reading.account, params)
    return why if protected else None
