"""Replay: a case rebuilt by offering its recorded steps again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from workflow.core.case import Case
from workflow.core.clock import SimulatedClock
from workflow.core.history import Step
from workflow.core.model import Definition
from workflow.core.retrace import retrace
from workflow.errors import HistoryDeparture


def replay(
    definition: Definition,
    steps: list[Step] | tuple[Step, ...],
    *,
    facts: Mapping[str, Any] | None = None,
    created: dt.datetime | None = None,
) -> Case:
    """A new case built by offering ``steps`` again, each at its own time. Timer steps fire by themselves.

    ``created`` is when the case was created (``Case.created``, a snapshot's ``created``): timers count from it.
    It is required when the history holds a timer step, since when that timer fell due depends on it. Without
    it, the case counts as created at the first step's time: that rebuilds the same history (a timer due before
    a step would have been recorded before it), but later deadlines may count from a later start.

    Raises ``HistoryDeparture`` (a ``SnapshotError``) naming the first step the definition does not rebuild as
    recorded (its index, the step as recorded and as rebuilt), rather than returning a case in another state.
    """
    if created is None and any(step.timer for step in steps):
        raise TypeError(
            "replay of a history with timer steps needs created= (when the case was created: Case.created "
            "or the snapshot's 'created'); the timers count from it"
        )
    start = (
        created if created is not None else (steps[0].at if steps else dt.datetime(2026, 1, 5, tzinfo=dt.timezone.utc))
    )
    clock = SimulatedClock(start)
    case = Case(definition, clock=clock, facts=facts)
    departure = retrace(case, steps)
    if departure is not None:
        raise HistoryDeparture(departure.index, departure.expected, departure.got, field=departure.field)
    offered = [step.at for step in steps if not step.timer]
    if offered and offered[-1] > clock.now():  # the clock stands at the last step offered, as it did then
        clock.set(offered[-1])
    return case
