"""The rule registry and what rules read (workflow.core.rules)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pytest

import workflow  # noqa: F401  (registers the Amazon rules)
from workflow.core.history import History
from workflow.core.rules import ADVICE, GUARD, REGISTRY, Context, Rule, fact, get, register


def context(**facts: Any) -> Context:
    now = dt.datetime(2026, 3, 2, 9, tzinfo=dt.timezone.utc)
    return Context("e", "s", "t", {}, facts, History(), now, {})


def test_register_records_the_rule_under_its_id() -> None:
    """The decorated function is returned unchanged and registered with everything it declares."""
    rule_id = "test.rules_probe"

    def check(ctx: Any, params: Mapping[str, Any]) -> str | None:
        return None

    try:
        assert (
            register(rule_id, summary="S.", source="X [S]", kind=ADVICE, params={"n": 1}, counts=("e",))(check) is check
        )
        rule = get(rule_id)
        assert rule == Rule(
            id=rule_id, kind=ADVICE, summary="S.", source="X [S]", check=check, params={"n": 1}, counts=("e",)
        )
        assert rule.check is check
    finally:
        REGISTRY.pop(rule_id, None)


def test_an_id_is_registered_once() -> None:
    """Registering an id already taken raises and leaves the first rule in place."""
    first = REGISTRY["poa.complete"]
    with pytest.raises(RuntimeError, match="registered twice"):
        register("poa.complete", summary="S.", source="X")(lambda ctx, params: None)
    assert REGISTRY["poa.complete"] is first


def test_rules_default_to_guards() -> None:
    """A rule registered without a kind is a guard."""
    assert REGISTRY["poa.complete"].kind == GUARD


def test_fact_gives_the_default_for_an_unset_or_undeclared_fact() -> None:
    """A fact set to None or absent reads as the default; a set fact, even falsy, as itself."""
    ctx = context(rejections=None, escalations=0, reason_class="fraud")
    assert fact(ctx, "rejections") == 0
    assert fact(ctx, "missing", "none") == "none"
    assert fact(ctx, "escalations", 5) == 0
    assert fact(ctx, "reason_class") == "fraud"
