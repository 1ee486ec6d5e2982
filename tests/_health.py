"""Helpers shared by the account-health tests: a verdict for some metrics, an account that AHA protects."""

from __future__ import annotations

from typing import Any

from workflow.amazon.health import evaluate

PROTECTED = {"months_above_threshold": 6, "days_below_threshold": 10, "emergency_contact": True}


def verdict_for(metrics: dict[str, Any], marketplace: str = "US", account: dict[str, Any] | None = None) -> Any:
    return evaluate({"marketplace": marketplace, "metrics": metrics, "account": account or {}})
