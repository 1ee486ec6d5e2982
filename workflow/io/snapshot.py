"""Snapshots and replay: a case as data and back, and a case rebuilt from its history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from workflow.amazon.payloads import to_plain
from workflow.core.clock import Clock, SimulatedClock
from workflow.core.history import Finding, Step
from workflow.core.model import Definition
from workflow.errors import DefinitionMismatch, FactsError, PayloadError, Problem, SnapshotError, WorkflowError
from workflow.io import schema as s
from workflow.io.source import format_path

if TYPE_CHECKING:
    from workflow.core.case import Case

FACT_SCHEMAS: Mapping[str, s.Schema] = {
    "str": s.Str(),
    "int": s.Int(),
    "number": s.Number(),
    "bool": s.Bool(),
    "date": s.Date(),
    "timestamp": s.Timestamp(),
    "list[str]": s.ListOf(s.Str()),
}


def fact_schema(defn: Definition) -> s.Record:
    return s.Record(
        fields={f.name: s.Field(s.Optional(FACT_SCHEMAS[f.type]), default=f.default) for f in defn.facts},
        name=f"the facts of '{defn.name}'",
    )


def check_facts(defn: Definition, given: Mapping[str, Any]) -> Mapping[str, Any]:
    """The case's facts: the definition's defaults overlaid with ``given``, each checked against its type."""
    out, faults = s.run(fact_schema(defn), dict(given))
    if faults:
        raise FactsError([Problem(message=m, path=format_path(p)) for p, m in faults])
    return MappingProxyType(dict(out))


_FINDING = s.record(
    "a finding",
    rule=s.Field(s.Str(), required=True),
    kind=s.Field(s.Str(choices=("refusal", "advice", "route")), required=True),
    message=s.Field(s.Str(), required=True),
    source=s.Field(s.Str(), required=True),
)
_STEP = s.record(
    "a step",
    index=s.Field(s.Int(minimum=0), required=True),
    event=s.Field(s.Str(nonempty=True), required=True),
    at=s.Field(s.Timestamp(), required=True),
    source=s.Field(s.Str(nonempty=True), required=True),
    target=s.Field(s.Str(nonempty=True), required=True),
    accepted=s.Field(s.Bool(), required=True),
    payload=s.Field(s.MapOf(s.AnyOf((s.Scalar(), s.ListOf(s.Scalar()), s.MapOf(s.Scalar())))), default={}),
    findings=s.Field(s.ListOf(_FINDING), default=()),
    timer=s.Field(s.Bool(), default=False),
)
_SNAPSHOT = s.record(
    "a case snapshot",
    format=s.Field(s.Str(), required=True),
    definition=s.Field(
        s.record(
            "the snapshot's definition",
            name=s.Field(s.Str(), required=True),
            version=s.Field(s.Str(), required=True),
            hash=s.Field(s.Str(), required=True),
        ),
        required=True,
    ),
    state=s.Field(s.Str(nonempty=True), required=True),
    created=s.Field(s.Timestamp(), required=True),
    facts=s.Field(s.MapOf(s.Optional(s.AnyOf((s.Scalar(), s.ListOf(s.Scalar()))))), default={}),  # null: unset
    history=s.Field(s.ListOf(_STEP), default=()),
)


def restore_case(
    cls: type[Case],
    definition: Definition,
    data: Mapping[str, Any],
    *,
    clock: Clock | None,
    allow_definition_change: bool,
) -> Case:
    from workflow.core.case import SNAPSHOT_FORMAT
    from workflow.core.compiled import compiled

    if not isinstance(data, Mapping):
        raise SnapshotError(f"a snapshot is a mapping (got {s.describe_value(data)})")
    if data.get("format") != SNAPSHOT_FORMAT:
        raise SnapshotError(f"not a case snapshot: format {data.get('format')!r} (expected {SNAPSHOT_FORMAT!r})")
    raw_steps = data.get("history", ())
    head = {k: v for k, v in data.items() if k != "history"}
    checked, faults = s.run(
        s.Record(fields={k: v for k, v in _SNAPSHOT.fields.items() if k != "history"}, name="a case snapshot"), head
    )
    if faults:
        p, m = faults[0]
        raise SnapshotError(f"snapshot {format_path(p)}: {m}")
    meta = checked["definition"]
    if meta["name"] != definition.name:
        raise SnapshotError(f"snapshot is of definition '{meta['name']}', not '{definition.name}'")
    if meta["hash"] != definition.hash and not allow_definition_change:
        raise DefinitionMismatch(definition.name, expected=definition.hash, got=meta["hash"])
    if checked["state"] not in definition.state_names:
        raise SnapshotError(f"snapshot state '{checked['state']}' is not a state of '{definition.name}'")
    comp = compiled(definition)
    if not isinstance(raw_steps, list | tuple):
        raise SnapshotError("snapshot history must be a list")
    steps = []
    at = comp.initial  # the state the steps so far leave the case in
    for i, raw in enumerate(raw_steps):
        body = dict(raw) if isinstance(raw, Mapping) else raw
        payload = body.pop("payload", {}) if isinstance(body, dict) else {}
        if not isinstance(payload, Mapping):
            raise SnapshotError(f"snapshot history[{i}].payload: expected a mapping (got {s.describe_value(payload)})")
        st, faults = s.run(
            s.Record(fields={k: v for k, v in _STEP.fields.items() if k != "payload"}, name="a step"),
            body,
            ("history", i),
        )
        if faults:
            p, m = faults[0]
            raise SnapshotError(f"snapshot {format_path(p)}: {m}")
        if st["event"] not in comp.payloads:
            raise SnapshotError(f"snapshot history[{i}]: unknown event '{st['event']}'")
        try:
            structured = comp.check_payload(st["event"], payload)
        except PayloadError as e:
            raise SnapshotError(f"snapshot history[{i}].payload: {e}") from e
        if st["index"] != i:
            raise SnapshotError(f"snapshot history[{i}]: index {st['index']} out of order")
        for end in ("source", "target"):
            if st[end] not in definition.state_names:
                raise SnapshotError(f"snapshot history[{i}].{end}: '{st[end]}' is not a state of '{definition.name}'")
        if st["source"] != at:
            raise SnapshotError(
                f"snapshot history[{i}].source: '{st['source']}', but the steps before leave the case in '{at}'"
            )
        if not st["accepted"] and st["target"] != st["source"]:
            raise SnapshotError(
                f"snapshot history[{i}]: a refused step stays in '{st['source']}' (target '{st['target']}')"
            )
        if st["accepted"]:
            at = st["target"]
        steps.append(
            Step(
                index=i,
                event=st["event"],
                at=st["at"],
                source=st["source"],
                target=st["target"],
                accepted=st["accepted"],
                payload=structured,
                findings=tuple(Finding(**f) for f in st["findings"]),
                timer=st["timer"],
            )
        )
    if checked["state"] != at:
        what = "the target of its last accepted step" if any(st.accepted for st in steps) else "the initial state"
        raise SnapshotError(f"snapshot state '{checked['state']}' is not {what}, '{at}'")
    try:
        facts = check_facts(definition, checked["facts"])
    except FactsError as e:
        raise SnapshotError(f"snapshot {e}") from e
    return cls.rebuild(
        definition, state=checked["state"], created=checked["created"], history=steps, facts=facts, clock=clock
    )


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
    from workflow.core.case import Case

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
