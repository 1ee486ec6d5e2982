"""What the Amazon rules read of a case's history, in one place.

The names of the lifecycle's events (``suspend``, ``submit_poa``, ``reject`` ...) are the public names of
the rule catalog; the rules below read them from history, never from the engine.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from workflow.amazon.payloads import PlanOfAction
from workflow.core.clock import business_days_between
from workflow.core.rules import Context, fact

SUSPEND = "suspend"
SUBMIT = "submit_poa"
PROVIDE_INFO = "provide_info"
REJECT = "reject"
ESCALATE = "escalate"
#: events that put something in front of a reviewer; the patience rules count silence from the latest one
SUBMISSIONS = (SUBMIT, PROVIDE_INFO, ESCALATE)
#: events whose payload carries a plan of action
POA_EVENTS = (SUBMIT, ESCALATE)


def suspension(ctx: Context) -> Mapping[str, Any]:
    """The payload of the latest accepted suspension, or the case's facts when it was tracked already suspended."""
    step = ctx.history.latest(SUSPEND)
    if step is not None:
        return step.payload
    return {k: ctx.facts.get(k) for k in ("reason_class", "issues", "team") if ctx.facts.get(k) is not None}


def cited_issues(ctx: Context) -> tuple[str, ...]:
    return tuple(suspension(ctx).get("issues") or ())


def rejections(ctx: Context) -> int:
    return int(fact(ctx, "rejections")) + ctx.history.count(REJECT)


def escalations(ctx: Context) -> int:
    return int(fact(ctx, "escalations")) + ctx.history.count(ESCALATE)


def rejected_poas(ctx: Context) -> Iterator[PlanOfAction]:
    """Every plan of action that was in front of the reviewer when an appeal was rejected."""
    current: PlanOfAction | None = None
    for step in ctx.history.accepted_steps():
        if step.event in POA_EVENTS:
            current = step.payload.get("poa", current)
        elif step.event == REJECT and current is not None:
            yield current


FOLLOW_UP = "follow_up"


def silence_days(ctx: Context, *, counting: tuple[str, ...] = SUBMISSIONS) -> int | None:
    """Business days since the latest of ``counting`` (by default the submissions), or ``None`` if none."""
    last = ctx.history.last(*counting)
    if last is None:
        return None
    return business_days_between(last.at, ctx.now, ctx.holidays)
