"""Integrity: a stored case's steps, replayed on its definition, must rebuild what its row says."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .. import Case, Definition, Step, WorkflowError, replay
from ..errors import HistoryDeparture
from .records import Mismatch

#: the fields of a step that replaying must give again (the payload is offered again, so it is not compared)
STEP_FIELDS = ("event", "at", "source", "target", "accepted", "timer", "findings")


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def check_case(
    defn: Definition,
    *,
    case_id: str,
    head: Mapping[str, Any],
    steps: Sequence[Step],
    armed: Sequence[tuple[str, str, dt.datetime]],
    comes_due: Callable[[Case], list[tuple[str, str, dt.datetime]]],
) -> list[Mismatch]:
    """Every way the stored case differs from its replay: steps, state, facts, version, and what is armed."""

    def differs(what: str, stored: Any, replayed: Any) -> None:
        out.append(Mismatch(case_id, what, _plain(stored), _plain(replayed)))

    out: list[Mismatch] = []
    if head["definition_hash"] != defn.hash:
        differs("definition hash", head["definition_hash"], defn.hash)
        return out
    numbers = [st.index for st in steps]
    if numbers != list(range(len(steps))):
        differs("step numbers", numbers, list(range(len(steps))))
    if head["version"] != len(steps):
        differs("version", head["version"], len(steps))
    try:
        case = replay(defn, list(steps), facts=head["facts"], created=head["created"])
    except HistoryDeparture as e:  # the first step the definition does not rebuild as stored
        differs(f"step {e.index} {e.field}", e.expected, e.got)
        return out
    except (WorkflowError, TypeError, ValueError) as e:
        differs("replay", "its steps", f"failed: {e}")
        return out
    replayed = case.history
    if len(replayed) != len(steps):
        differs("number of steps", len(steps), len(replayed))
    for stored, again in zip(steps, replayed, strict=False):
        for name in STEP_FIELDS:
            if getattr(stored, name) != getattr(again, name):
                differs(f"step {stored.index} {name}", getattr(stored, name), getattr(again, name))
    if case.state != head["state"]:
        differs("state", head["state"], case.state)
    facts = case.snapshot()["facts"]
    if dict(head["facts"]) != facts:
        differs("facts", head["facts"], facts)
    due = comes_due(case)
    if list(armed) != due:
        differs("due", list(armed), due)
    next_due = due[0][2] if due else None
    if head["next_due"] != next_due:
        differs("next due", head["next_due"], next_due)
    return out
