"""The records a case produces: findings (why a rule refused or advised) and steps; and the history view rules read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import attrs


@attrs.frozen
class Finding:
    """One rule's say on one step: a refusal (the step did not happen) or advice (it did, with a warning)."""

    rule: str
    #: "refusal", "advice", "route" (why an earlier transition of a branch was passed over), or "unjudged" (from
    #: ``Case.why_not`` without a payload: a rule that reads the payload, not judged)
    kind: str
    message: str
    source: str

    @property
    def id(self) -> str:
        """The rule's id (the same as ``rule``)."""
        return self.rule


@attrs.frozen(eq=True, hash=False)
class Step:
    """One event offered to a case, accepted or not. ``blocked_by`` and ``advice`` hold sorted rule ids."""

    index: int
    event: str
    at: dt.datetime
    source: str
    target: str
    accepted: bool
    payload: Mapping[str, Any] = attrs.field(factory=dict)
    findings: tuple[Finding, ...] = ()
    timer: bool = False

    @property
    def blocked_by(self) -> tuple[str, ...]:
        """The sorted ids of the rules that refused the step (read from ``findings`` when asked)."""
        return _rule_ids(self.findings, "refusal")

    @property
    def advice(self) -> tuple[str, ...]:
        """The sorted ids of the rules that advised on the step."""
        return _rule_ids(self.findings, "advice")

    @property
    def refusals(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.kind == "refusal")

    @property
    def routes(self) -> tuple[Finding, ...]:
        """Why a branch's earlier transitions were passed over on this accepted step."""
        return tuple(f for f in self.findings if f.kind == "route")


def _rule_ids(findings: tuple[Finding, ...], kind: str) -> tuple[str, ...]:
    """The sorted ids of the rules whose findings are of ``kind``, each once."""
    if not findings:
        return ()
    if len(findings) == 1:
        return (findings[0].rule,) if findings[0].kind == kind else ()
    return tuple(sorted({f.rule for f in findings if f.kind == kind}))


class History(Sequence[Step]):
    """A case's steps, oldest first, with an index of accepted steps by event for the rules that ask."""

    __slots__ = ("_by_event", "_steps")

    def __init__(self, steps: Sequence[Step] = ()) -> None:
        self._steps: list[Step] = []
        self._by_event: dict[str, list[Step]] = {}
        for step in steps:
            self.append(step)

    def append(self, step: Step) -> None:
        self._steps.append(step)
        if step.accepted:
            self._by_event.setdefault(step.event, []).append(step)

    def pop(self) -> None:
        step = self._steps.pop()
        if step.accepted:
            self._by_event[step.event].pop()

    def __len__(self) -> int:
        return len(self._steps)

    def __iter__(self) -> Iterator[Step]:
        return iter(self._steps)

    def __getitem__(self, i: Any) -> Any:
        return self._steps[i]

    def accepted(self, event: str) -> Sequence[Step]:
        """Every accepted step of ``event``, oldest first."""
        return self._by_event.get(event, ())

    def count(self, event: Any) -> int:
        """How many times ``event`` was accepted."""
        return len(self._by_event.get(event, ()))

    def latest(self, event: str) -> Step | None:
        """The latest accepted step of ``event`` (``last`` of one event, the question rules ask most)."""
        steps = self._by_event.get(event)
        return steps[-1] if steps else None

    def last(self, *events: str) -> Step | None:
        """The latest accepted step of any of ``events``."""
        if len(events) == 1:
            return self.latest(events[0])
        best: Step | None = None
        for event in events:
            steps = self._by_event.get(event)
            if steps and (best is None or steps[-1].index > best.index):
                best = steps[-1]
        return best

    def accepted_steps(self) -> Iterator[Step]:
        """Every accepted step, oldest first."""
        return (s for s in self._steps if s.accepted)
