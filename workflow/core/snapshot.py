"""A case from its snapshot: the data ``Case.snapshot()`` gives, structured back and checked against the definition.

The snapshot's own records (its head, each step and finding) are structured by the core's converter; every
fault is reported at once, with the path inside the snapshot, in one ``SnapshotError``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs

from workflow.core import structure as structuring
from workflow.core.clock import format_time
from workflow.core.compiled import Compiled, compiled
from workflow.core.history import Step
from workflow.core.model import Definition
from workflow.errors import DefinitionMismatch, FactsError, PayloadError, Problem, SnapshotError

SNAPSHOT_FORMAT = "workflow.case/1"
#: the event of the step a migration appends when it moves a case to another version of its definition; the steps
#: before the last such step were recorded on earlier versions and are kept as they were
MIGRATED = "migrated"
FINDING_KINDS = ("refusal", "advice", "route")


@attrs.frozen
class DefinitionRef:
    """The definition a snapshot was taken with."""

    name: str
    version: str
    hash: str


@attrs.frozen
class Head:
    """A snapshot less its history (each step is structured on its own, so every faulty step is reported)."""

    format: str
    definition: DefinitionRef
    state: structuring.NonEmpty
    created: dt.datetime
    facts: dict[str, Any] = attrs.field(factory=dict)
    history: Any = ()


@attrs.frozen
class Restored:
    """What a snapshot says of a case, checked: its state, facts, creation time and steps."""

    state: str
    facts: Mapping[str, Any]
    created: dt.datetime
    steps: tuple[Step, ...]


class _Faults:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: structuring.PathKey, message: str) -> None:
        where = structuring.format_path(path)
        self.problems.append(Problem(message=f"snapshot {where}: {message}" if where else message, path=where))

    def all(self, faults: structuring.Faults, under: structuring.PathKey = ()) -> None:
        for p, m in faults:
            self.add((*under, *p), m)


def restore(definition: Definition, data: Any, *, allow_definition_change: bool = False) -> Restored:
    """The case ``data`` describes, or ``SnapshotError`` listing every fault found (``DefinitionMismatch`` when
    it was taken with another version of the definition and ``allow_definition_change`` is false)."""
    if not isinstance(data, Mapping):
        raise SnapshotError(f"a snapshot is a mapping (got {structuring.describe_value(data)})")
    if data.get("format") != SNAPSHOT_FORMAT:
        raise SnapshotError(f"not a case snapshot: format {data.get('format')!r} (expected {SNAPSHOT_FORMAT!r})")
    head, shape = structuring.structure(data, Head)
    out = _Faults()
    out.all(shape)
    if head is None:
        raise SnapshotError(out.problems)
    if head.definition.name != definition.name:
        raise SnapshotError(f"snapshot is of definition '{head.definition.name}', not '{definition.name}'")
    if head.definition.hash != definition.hash and not allow_definition_change:
        raise DefinitionMismatch(definition.name, expected=definition.hash, got=head.definition.hash)
    if head.state not in definition.state_names:
        out.problems.append(
            Problem(f"snapshot state '{head.state}' is not a state of '{definition.name}'", path="state")
        )
    steps = _steps(definition, head.history, out, created=head.created, judged=head.definition.hash == definition.hash)
    at = compiled(definition).initial
    for st in steps:
        if st.accepted:
            at = st.target
    complete = isinstance(head.history, list | tuple) and len(steps) == len(head.history)
    if head.state != at and head.state in definition.state_names and complete:
        what = "the target of its last accepted step" if any(st.accepted for st in steps) else "the initial state"
        out.problems.append(Problem(f"snapshot state '{head.state}' is not {what}, '{at}'", path="state"))
    facts: Mapping[str, Any] = {}
    try:
        facts = compiled(definition).check_facts(head.facts)
    except FactsError as e:
        out.problems.append(Problem(f"snapshot {e}", path="facts"))
    if out.problems:
        raise SnapshotError(out.problems)
    return Restored(state=head.state, facts=facts, created=head.created, steps=tuple(steps))


def _judge_structure(comp: Compiled, step: Step, path: structuring.PathKey, out: _Faults) -> None:
    """Faults of ``step`` against the definition's transitions: a move it has no transition for, a move out of a
    terminal state, a ``timer`` mark on an event that is no timer from the step's source."""
    edges = comp.table[step.source].get(step.event, ())
    if step.accepted and step.source in comp.terminal and step.target != step.source:
        out.add(path, f"'{step.event}' leaves the terminal state '{step.source}'")
    elif step.accepted and not any(edge.dest == step.target for edge in edges):
        out.add(path, f"the definition has no transition '{step.event}' from '{step.source}' to '{step.target}'")
    if step.timer and not any(
        edge.transition.timer is not None
        for edge in comp.timers.get(step.source, ())
        if edge.transition.event == step.event
    ):
        out.add((*path, "timer"), f"'{step.event}' is not a timer of '{step.source}'")


def _steps(definition: Definition, raw_steps: Any, out: _Faults, *, created: dt.datetime, judged: bool) -> list[Step]:
    """The snapshot's steps, each structured and checked against the definition and the steps before it.

    Times never run backwards and no step comes before the case was created. When the snapshot was taken with
    this very definition (``judged``), its structure holds too: an accepted step is a transition the definition
    has for its event from its source to its target, none leaves a terminal state, and only a timer's event is
    marked ``timer``. (A snapshot of another version of the definition is held only to its names.)"""
    if not isinstance(raw_steps, list | tuple):
        out.add(("history",), f"expected a list of steps (got {structuring.describe_value(raw_steps)})")
        return []
    comp = compiled(definition)
    steps: list[Step] = []
    at: str | None = comp.initial  # the state the steps so far leave the case in (None: unknown after a bad step)
    last = created  # when the step before happened (the case's creation, before the first)
    migrated = max(
        (i for i, r in enumerate(raw_steps) if isinstance(r, Mapping) and r.get("event") == MIGRATED), default=-1
    )
    for i, raw in enumerate(raw_steps):
        path = ("history", i)
        body = dict(raw) if isinstance(raw, Mapping) else raw
        payload = body.pop("payload", {}) if isinstance(body, dict) else {}
        step, faults = structuring.structure(body, Step)
        out.all(faults, path)
        if step is None:
            at = None  # where the case went is unknown: the steps after it are not held to it
            continue
        if i <= migrated:  # recorded on an earlier version: kept as recorded, its payload checked where it still fits
            if step.index != i:
                out.add(path, f"index {step.index} out of order")
            if i == migrated:
                if step.target not in definition.state_names:
                    out.add((*path, "target"), f"'{step.target}' is not a state of '{definition.name}'")
                at = step.target
            if isinstance(payload, Mapping):
                with contextlib.suppress(PayloadError):  # an event that changed since: its payload as recorded
                    payload = comp.check_payload(step.event, payload) if step.event in comp.payloads else payload
                step = attrs.evolve(step, payload=payload)
            last = max(last, step.at)
            steps.append(step)
            continue
        for j, f in enumerate(step.findings):
            if f.kind not in FINDING_KINDS:
                out.add((*path, "findings", j, "kind"), f"unknown value '{f.kind}' (known: {', '.join(FINDING_KINDS)})")
        if step.index != i:
            out.add(path, f"index {step.index} out of order")
        if step.event not in comp.payloads:
            out.add(path, f"unknown event '{step.event}'")
        elif not isinstance(payload, Mapping):
            out.add((*path, "payload"), f"expected a mapping (got {structuring.describe_value(payload)})")
        else:
            try:
                step = attrs.evolve(step, payload=comp.check_payload(step.event, payload))
            except PayloadError as e:
                out.add((*path, "payload"), str(e))
        ends_known = True
        for end in ("source", "target"):
            if getattr(step, end) not in definition.state_names:
                out.add((*path, end), f"'{getattr(step, end)}' is not a state of '{definition.name}'")
                ends_known = False
        if ends_known and at is not None and step.source != at:
            out.add((*path, "source"), f"'{step.source}', but the steps before leave the case in '{at}'")
        if not step.accepted and step.target != step.source:
            out.add(path, f"a refused step stays in '{step.source}' (target '{step.target}')")
        if step.at < last:
            before = "the case was created" if last is created else "the step before it"
            out.add((*path, "at"), f"{format_time(step.at)} is before {before} ({format_time(last)})")
        else:
            last = step.at
        if judged and ends_known and step.event in comp.payloads:
            _judge_structure(comp, step, path, out)
        if step.accepted:
            at = step.target
        steps.append(step)
    return steps
