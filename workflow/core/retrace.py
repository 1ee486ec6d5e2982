"""Retracing a recorded history: its steps offered again, in order and each at its own time, to a fresh case,
and compared with what that case records. The first step where they differ is where the record departs.

Timer steps are not offered: they fire by themselves, as they did when recorded (``decide`` fires the timers due
before an event; the timers due after the last offered step fire by ``advance``). What is compared is what the
definition and its rules decide: the event, the time, whether the step was a timer, its source and target,
whether it was accepted, and the rules that refused it (``blocked_by``). The findings' sentences are not
compared: they are the rules' wording, not their decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import attrs

from workflow.core.clock import format_time
from workflow.core.history import Step
from workflow.core.structure import to_plain
from workflow.errors import WorkflowError

if TYPE_CHECKING:  # the case module imports this one
    from workflow.core.case import Case


@attrs.frozen
class Departure:
    """Where a recorded history and its retracing part: step ``index``, as recorded and as retraced."""

    index: int
    expected: str
    got: str
    #: the first field of the step that differs (one of ``FIELDS``), or ``"step"`` when one side has no step
    field: str = "step"


def describe(step: Step | None) -> str:
    """A step as the departure names it (its decision, not its findings' sentences)."""
    if step is None:
        return "no step"
    kind = "timer " if step.timer else ""
    if step.accepted:
        what = f"accepted '{step.source}' -> '{step.target}'"
    else:
        refused = f" by {', '.join(step.blocked_by)}" if step.blocked_by else ""
        what = f"refused in '{step.source}'{refused}"
    return f"#{step.index} {kind}'{step.event}' at {format_time(step.at)} {what}"


#: what retracing must give again for a step, in the order a departure names the first that differs
FIELDS = ("index", "event", "at", "timer", "source", "target", "accepted", "blocked_by")


def retrace(case: Case, steps: Sequence[Step], *, checked: bool = False) -> Departure | None:
    """Offer ``steps`` again to ``case`` (fresh: created when the history began, with its facts), recording what
    it decides; the first departure from ``steps``, or None when the case rebuilt them all.

    ``checked=True`` says each step's payload is already structured for its event (a restored snapshot's are);
    otherwise it is offered again as plain data, as a caller would. On a departure ``case`` holds the steps
    before it.
    """
    done = 0  # the recorded steps matched so far
    for k, step in enumerate(steps):
        if step.timer:
            continue
        payload = step.payload if checked else to_plain(dict(step.payload))
        try:
            decision = case.decide_payload(step.event, payload, at=step.at, checked=checked)
        except WorkflowError as e:  # the timers recorded before it are judged first: they came first
            before = _compare(steps[done:k], done, case.advance(step.at)) if k > done else None
            return before or Departure(k, describe(step), f"an error: {e}")
        found = _compare(steps[done : k + 1], done, (*decision.due, decision.step))
        if found is not None:
            return found
        case.apply(decision)
        done = k + 1
    if done < len(steps):  # timer steps after the last offered one
        return _compare(steps[done:], done, case.advance(steps[-1].at))
    return None


def _compare(want: Sequence[Step], start: int, got: Sequence[Step]) -> Departure | None:
    """The first departure of ``got`` from ``want``, the recorded steps from index ``start`` on."""
    for offset in range(max(len(want), len(got))):
        w = want[offset] if offset < len(want) else None
        g = got[offset] if offset < len(got) else None
        if w is None or g is None:
            return Departure(start + offset, describe(w), describe(g))
        field = next((f for f in FIELDS if getattr(w, f) != getattr(g, f)), None)
        if field is not None:
            return Departure(start + offset, describe(w), describe(g), field)
    return None


__all__ = ["FIELDS", "Departure", "describe", "retrace"]
