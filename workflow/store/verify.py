"""Integrity: a stored case's steps, replayed on its definition, must rebuild what its row says."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from .. import Case, CaseGroup, Definition, SimulatedClock, Step, WorkflowError, replay
from ..core.snapshot import MIGRATED
from ..core.structure import to_plain
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
    replayed_case: Case | None = None,
) -> list[Mismatch]:
    """Every way the stored case differs from its replay: steps, state, facts, version, and what is armed.

    ``replayed_case``: the case replayed already (a linked case, replayed with its group by ``replay_group``).
    """

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
    if replayed_case is not None:
        case = replayed_case
    else:
        try:
            case = replay_since_migration(defn, list(steps), facts=head["facts"], created=head["created"])
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


@attrs.frozen
class GroupRow:
    """A linked case's step as stored: the step, the group write that made it, and the member a cascade came from."""

    step: Step
    write: int | None
    cascade_from: str | None


def replay_group(
    defn: Definition, members: Mapping[str, tuple[Mapping[str, Any], dt.datetime, Sequence[GroupRow]]]
) -> CaseGroup:
    """The group rebuilt by offering its stored events again, write by write, as the store decided them.

    ``members``: per member, its facts, when it was created and its steps. In each group write, the event a
    member was offered (the step no cascade set off) is fired at the group again, at its own time, so its
    cascades reach the others as they did; a write of timer steps only advances its member.
    """
    group = CaseGroup(defn)
    for name in sorted(members):
        facts, created, _ = members[name]
        group.join(name, Case(defn, clock=SimulatedClock(created), facts=facts))
    writes: dict[int, list[tuple[str, GroupRow]]] = {}
    for name, (_, _, rows) in members.items():
        for row in rows:
            writes.setdefault(row.write if row.write is not None else -1, []).append((name, row))
    for write in sorted(writes):
        batch = writes[write]
        offered = [(n, r) for n, r in batch if not r.step.timer and r.cascade_from is None]
        for name, row in offered:
            at = row.step.at
            for _, c in group.items():
                c.clock = SimulatedClock(at)
            group.fire_payload(name, row.step.event, to_plain(dict(row.step.payload)))
        for name, row in batch:
            case = group[name]
            if row.step.timer and case.version <= row.step.index:
                case.advance(row.step.at)
    return group


def replay_since_migration(
    defn: Definition, steps: Sequence[Step], *, facts: Mapping[str, Any], created: dt.datetime
) -> Case:
    """``replay`` of a case's steps; for a migrated case, of the steps after its last ``migrated`` step, from the
    case as that step left it (the steps before were judged on earlier versions and are kept as recorded)."""
    last = max((i for i, st in enumerate(steps) if st.event == MIGRATED), default=-1)
    if last < 0:
        return replay(defn, list(steps), facts=facts, created=created)
    mark = steps[last]
    clock = SimulatedClock(mark.at)
    checked = Case(defn, clock=clock, facts=facts).facts
    case = Case.rebuild(defn, state=mark.target, created=created, history=steps[: last + 1], facts=checked, clock=clock)
    for step in steps[last + 1 :]:
        if step.timer:
            continue
        if step.at > clock.now():
            clock.set(step.at)
        case.fire_payload(step.event, to_plain(dict(step.payload)))
    if len(steps) > last + 1 and steps[-1].timer:
        case.advance(steps[-1].at)
    return case
