"""Replay: a case rebuilt by offering its recorded steps again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from workflow.core.case import Case
from workflow.core.clock import SimulatedClock
from workflow.core.history import Step
from workflow.core.model import Definition
from workflow.core.structure import to_plain
from workflow.errors import SnapshotError, WorkflowError


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
    for step in steps:
        if step.timer:
            continue
        if step.at > clock.now():
            clock.set(step.at)
        try:
            case.fire_payload(step.event, to_plain(dict(step.payload)))
        except WorkflowError as e:  # pragma: no cover - a recorded step was valid when recorded
            raise SnapshotError(f"cannot replay step {step.index} '{step.event}': {e}") from e
    if steps and steps[-1].timer:  # timers that fell due after the last offered step
        case.advance(steps[-1].at)
    return case
