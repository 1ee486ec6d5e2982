"""Openings: when an event refused now only by rules that wait for time would be allowed, if nothing else changed.

A rule that refuses only until some time has passed (``patience.wait``: five business days of silence) declares
its opening (``workflow.core.rules.opening``): given a context it refuses, the earliest time it would allow the
same step. An event is open at a time when one of its transitions from the current state has no refusing rule
then, the payload-independent rules judged as ``Case.allowed`` judges them. ``Case.openings`` asks each refused
event's rules for their openings, tries the latest of them, and asks again until the event is allowed (an
opening) or a rule that time does not move still refuses (no opening).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
from typing import TYPE_CHECKING

import attrs

from workflow.core.clock import is_business_day
from workflow.core.compiled import EMPTY, BoundRule, Edge, compiled
from workflow.errors import RuleFailure

if TYPE_CHECKING:
    from workflow.core.case import Case

#: how many times an event's rules are asked again at a later time before it is given up on
ROUNDS = 8


@attrs.frozen
class Opening:
    """An event refused now that time alone opens: ``at``, the earliest time it would be allowed, and ``rules``,
    the ids of the rules that refuse it now (sorted)."""

    event: str
    at: dt.datetime
    rules: tuple[str, ...]


def business_days_reached(start: dt.datetime, days: int, holidays: Collection[dt.date] = ()) -> dt.datetime:
    """The earliest time at which ``business_days_between(start, t, holidays) >= days``: the start (midnight, in
    ``start``'s time zone) of the ``days``-th business date after ``start``'s date; ``start`` itself for 0."""
    if days <= 0:
        return start
    day = start.date()
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_business_day(day, holidays):
            counted += 1
    return dt.datetime.combine(day, dt.time(0), tzinfo=start.tzinfo)


def refusals(case: Case, event: str, edge: Edge, at: dt.datetime) -> list[BoundRule]:
    """The payload-independent guards of ``edge`` that refuse ``event`` on ``case`` as it stands, at ``at``."""
    ctx = case.context(event, EMPTY, at, edge.dest)
    out = []
    for check, params, bound in edge.fixed_checks:
        try:
            said = check(ctx, params)
        except Exception as e:
            raise RuleFailure(bound.rule.id, event, e) from e
        if said is not None:
            out.append(bound)
    return out


def reopens(case: Case, event: str, edge: Edge, at: dt.datetime, refusing: list[BoundRule]) -> dt.datetime | None:
    """When every one of ``refusing`` (refusing at ``at``) would allow ``edge`` by time alone: the latest of their
    openings, or ``None`` when one of them has none (or gives no time after ``at``)."""
    ctx = case.context(event, EMPTY, at, edge.dest)
    latest: dt.datetime | None = None
    for bound in refusing:
        opens = bound.rule.opens
        if opens is None:
            return None
        try:
            when = opens(ctx, bound.params)
        except Exception as e:
            raise RuleFailure(bound.rule.id, event, e) from e
        if when is None or when <= at:
            return None
        latest = when if latest is None or when > latest else latest
    return latest


def opening(case: Case, event: str, edges: tuple[Edge, ...], at: dt.datetime) -> Opening | None:
    """``event``'s opening on ``case`` as it stands, judged from ``at``: ``None`` when it is allowed at ``at`` or
    time alone does not open it."""
    now = {edge.token: refusals(case, event, edge, at) for edge in edges}
    if any(not refusing for refusing in now.values()):
        return None  # allowed already
    pending = dict(now)  # per candidate transition, what refuses it at the time tried
    when = at
    for _ in range(ROUNDS):
        times = {
            token: t
            for token, t in ((e.token, reopens(case, event, e, when, pending[e.token])) for e in edges)
            if t is not None
        }
        if not times:
            return None
        when = min(times.values())
        for edge in edges:
            pending[edge.token] = refusals(case, event, edge, when)
            if not pending[edge.token]:
                return Opening(event, when, tuple(sorted({b.id for b in now[edge.token]})))
    return None


def openings(case: Case, at: dt.datetime | None = None) -> tuple[Opening, ...]:
    """Every event of ``case``'s current state refused at ``at`` (default: the case's clock) that time alone
    opens, with the earliest time it would be allowed if nothing else changed; soonest first."""
    when = at if at is not None else case.clock.now()
    found = [o for o in _each(case, when) if o is not None]
    return tuple(sorted(found, key=lambda o: (o.at, o.event)))


def _each(case: Case, at: dt.datetime) -> Iterator[Opening | None]:
    for event, edges in compiled(case.definition).table[case.state].items():
        if any(bound.rule.opens is not None for edge in edges for bound in edge.guards):
            yield opening(case, event, edges, at)


__all__ = ["ROUNDS", "Opening", "business_days_reached", "opening", "openings", "refusals", "reopens"]
