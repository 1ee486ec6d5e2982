"""Rules about where a case stands: no transition from here, appeals closed, fraud not appealable."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workflow.amazon.rules import reading
from workflow.core.rules import STATE, Context, register


@register(
    "state.no_transition",
    kind=STATE,
    summary="The event does not apply in the case's current state.",
    source="the lifecycle's transition table [I]",
    never_allows="It is asked only where the state has no transition for the event, so it refuses every time.",
)
def no_transition(ctx: Context, params: Mapping[str, Any]) -> str | None:
    return f"'{ctx.event}' cannot happen while the case is '{ctx.state}'."


@register(
    "appeals.closed",
    kind=STATE,
    summary="After final_decision no appeal, follow-up or escalation is accepted.",
    source="N-NOTREINSTATE [S], T-SMARTSELLER [3p]",
    never_allows="It is asked only in a closed state, for an event that state does not take: it always refuses.",
)
def appeals_closed(ctx: Context, params: Mapping[str, Any]) -> str | None:
    return (
        "Amazon has decided not to reinstate this account; after a final decision no appeal, "
        "follow-up or escalation is read."
    )


@register(
    "fraud.no_appeal",
    summary="A suspension with reason_class: fraud (confirmed) cannot be appealed.",
    source="A-BSA3-EXPL [S]",
)
def fraud_no_appeal(ctx: Context, params: Mapping[str, Any]) -> str | None:
    if reading.suspension(ctx).get("reason_class") == "fraud":
        return "This account was suspended for confirmed fraud; Amazon does not take appeals for fraud."
    return None
