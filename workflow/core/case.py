"""``Case``: a definition, a current state, the case's facts and its history; ``fire(event)`` -> ``Step``.

The rules are evaluated by the engine on the compiled table (``workflow.core.compiled``): every guard of every
candidate transition is evaluated and explained, and a refused step changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import attrs

from workflow.core.clock import Clock, SystemClock, format_time
from workflow.core.compiled import EMPTY, BoundRule, Edge, compiled, run_rule, unique
from workflow.core.history import Finding, History, Step, new_step
from workflow.core.model import Definition
from workflow.core.rules import Context
from workflow.core.snapshot import SNAPSHOT_FORMAT, restore
from workflow.core.structure import to_plain
from workflow.errors import RuleFailure, UnknownEvent

_SYSTEM_CLOCK = SystemClock()



@attrs.frozen
class Verdict:
    """What would happen to an event now: the edge taken (if any) and every finding."""

    edge: Edge | None
    findings: tuple[Finding, ...]
    payload: Mapping[str, Any]

    @property
    def accepted(self) -> bool:
        return self.edge is not None


class Case:
    """One running case of a definition. Create it, ``fire`` events at it, ask it what is ``allowed``."""

    __slots__ = ("_comp", "_created", "_definition", "_facts", "_history", "clock", "state")

    def __init__(
        self,
        definition: Definition,
        *,
        clock: Clock | None = None,
        facts: Mapping[str, Any] | None = None,
    ) -> None:
        comp = compiled(definition)
        self._comp = comp
        self._definition = definition  # keeps it (and so its compiled structures) alive while the case lives
        self.clock: Clock = clock if clock is not None else _SYSTEM_CLOCK
        self.state: str = comp.initial
        self._facts = comp.fact_defaults if not facts else comp.check_facts(facts)
        self._history: History | None = None
        self._created = self.clock.now()

    # ----------------------------------------------------------------------------------------- reading

    @property
    def definition(self) -> Definition:
        return self._definition

    @property
    def facts(self) -> Mapping[str, Any]:
        return self._facts

    @property
    def history(self) -> tuple[Step, ...]:
        return tuple(self._history) if self._history is not None else ()

    @property
    def created(self) -> dt.datetime:
        return self._created

    @property
    def terminal(self) -> bool:
        return self.state in self._comp.terminal

    def __repr__(self) -> str:
        return f"<Case {self._definition.name} state={self.state!r} steps={len(self._history or ())}>"

    # ----------------------------------------------------------------------------------------- deciding

    def _context(self, event: str, payload: Mapping[str, Any], now: dt.datetime) -> Context:
        if self._history is None:
            self._history = History()
        return Context(
            event=event,
            state=self.state,
            target=self.state,
            payload=payload,
            facts=self._facts,
            history=self._history,
            now=now,
            resources=self._comp.resources,
            holidays=self._comp.holidays,
        )

    def _decide(
        self, event: str, payload: Mapping[str, Any], now: dt.datetime, *, reads_payload: bool = True
    ) -> Verdict:
        """What would happen to ``event`` (its payload checked) at ``now``: the edge taken and every finding."""
        edge, findings = self._judge(event, payload, now, reads_payload)
        return Verdict(edge=edge, findings=findings, payload=payload)

    def _judge(
        self, event: str, payload: Mapping[str, Any], now: dt.datetime, reads_payload: bool = True
    ) -> tuple[Edge | None, tuple[Finding, ...]]:
        comp = self._comp
        edges = comp.table[self.state].get(event)
        if not edges:
            ctx = self._context(event, payload, now)
            bound = comp.refusal[self.state]
            message = run_rule(bound, ctx, event) or f"'{event}' cannot happen now."
            return None, (bound.finding("refusal", message),)
        advice = comp.advice.get(event, ())
        if not edges[0].guards and not advice:  # no rule to ask: the first candidate is taken
            return edges[0], ()
        ctx = self._context(event, payload, now)
        findings: list[Finding] = []  # refusals of the candidates whose branch guards passed
        elsewhere: list[Finding] = []  # refusals of candidates a branch guard ruled out
        for edge in edges:  # in definition order: the first candidate whose guards all pass is taken
            ctx.target = edge.dest
            failed: list[Finding] | None = None
            applies = True
            for check, params, bound in edge.checks if reads_payload else edge.fixed_checks:
                try:
                    refusal = check(ctx, params)
                except Exception as e:
                    raise RuleFailure(bound.rule.id, event, e) from e
                if refusal is not None:
                    if failed is None:
                        failed = []
                    failed.append(bound.finding("refusal", refusal))
                    applies = applies and not bound.branch
            if failed is None:
                # why the earlier candidates were passed over: the route, not a refusal
                routes = [attrs.evolve(f, kind="route") for f in findings if f.kind == "refusal"]
                return self._advised(edge, ctx, advice, routes) if advice or routes else (edge, ())
            (findings if applies else elsewhere).extend(failed)
        return None, self._distinct(event, findings or elsewhere)  # when no candidate applied, every reason counts

    def _advised(
        self, edge: Edge, ctx: Context, advice: Sequence[BoundRule], findings: list[Finding]
    ) -> tuple[Edge, tuple[Finding, ...]]:
        """``edge`` taken, with what the advice rules of the event say (after ``findings``)."""
        ctx.target = edge.dest
        for bound in advice:
            said = run_rule(bound, ctx, ctx.event)
            if said is not None:
                findings.append(bound.finding("advice", said))
        return edge, self._distinct(ctx.event, findings)

    def _distinct(self, event: str, findings: list[Finding]) -> tuple[Finding, ...]:
        """``findings`` without repeats, where a rule may speak twice on ``event`` from here."""
        if len(findings) > 1 and (self.state, event) in self._comp.repeats:
            return tuple(unique(findings))
        return tuple(findings)

    def fire(self, event: str, /, **payload: Any) -> Step:
        """Offer ``event`` with its payload. Returns the step, accepted or refused; a refusal changes nothing.

        Raises ``UnknownEvent`` for an event the definition does not know and ``PayloadError`` for a
        malformed payload: those are the caller's mistakes, not the rules' decisions.
        """
        return self._fire_checked(event, self._comp.check_payload(event, payload))

    def fire_payload(
        self, event: str, payload: Mapping[str, Any], *, timer: bool = False, at: dt.datetime | None = None
    ) -> Step:
        """``fire`` with the payload as a mapping (for payload names that are not Python identifiers)."""
        return self._fire_checked(event, self._comp.check_payload(event, payload), timer, at)

    def _fire_checked(
        self, event: str, checked: Mapping[str, Any], timer: bool = False, at: dt.datetime | None = None
    ) -> Step:
        """``fire_payload`` for a payload already checked and structured by ``Compiled.check_payload`` (or built
        the same way: records for record fields, absent fields left out), e.g. one checked once and fired often."""
        if self._comp.timers and not timer:
            self.advance()
        now = at if at is not None else self.clock.now()
        edge, findings = self._judge(event, checked, now)
        return self._commit(event, edge, findings, checked, now, timer)

    def _record(self, event: str, verdict: Verdict, now: dt.datetime, timer: bool) -> Step:
        """Record ``verdict`` on ``event`` as the case's next step, moving the case if it was accepted."""
        return self._commit(event, verdict.edge, verdict.findings, verdict.payload, now, timer)

    def _commit(
        self,
        event: str,
        edge: Edge | None,
        findings: tuple[Finding, ...],
        payload: Mapping[str, Any],
        now: dt.datetime,
        timer: bool,
    ) -> Step:
        source = self.state
        history = self._history
        if history is None:
            history = self._history = History()
        step = new_step(
            len(history),
            event,
            now,
            source,
            edge.dest if edge is not None else source,
            edge is not None,
            payload,
            findings,
            timer,
        )
        if edge is not None:
            self.state = edge.dest
        history.append(step)
        return step

    def _settled(self, now: dt.datetime) -> Case:
        """The case as ``fire`` would see it at ``now``: itself, or, when a timer is already due, a throw-away
        copy with its due timers fired (this case is never changed)."""
        if not self._comp.timers:
            return self
        nxt = self.deadline()
        if nxt is None or nxt[0] > now:
            return self
        cls = type(self)  # a subclass (a group's member) keeps what its rules see
        copy = cls.__new__(cls)
        for klass in cls.__mro__:
            for name in getattr(klass, "__slots__", ()):
                if hasattr(self, name):
                    setattr(copy, name, getattr(self, name))
        copy._history = History(self._history or ())
        copy.advance(now)
        return copy

    def check(self, event: str, /, **payload: Any) -> Step:
        """What ``fire`` would return now, without changing the case (the step is not recorded).

        Timers already due are taken into account as ``fire`` would fire them first, on a copy of the case.
        """
        checked = self._comp.check_payload(event, payload)
        now = self.clock.now()
        return self._settled(now)._preview(event, checked, now)

    def _preview(self, event: str, checked: Mapping[str, Any], now: dt.datetime) -> Step:
        """The step this case would record for ``event`` (its payload already checked) at ``now``; not recorded."""
        verdict = self._decide(event, checked, now)
        edge = verdict.edge
        return Step(
            index=len(self._history or ()),
            event=event,
            at=now,
            source=self.state,
            target=edge.dest if edge is not None else self.state,
            accepted=edge is not None,
            payload=verdict.payload,
            findings=verdict.findings,
        )

    def allowed(self) -> tuple[str, ...]:
        """The events the state and the payload-independent rules allow now (payload rules aside).

        Timers already due count as fired, as ``fire`` would fire them first.
        """
        now = self.clock.now()
        case = self._settled(now)
        out = []
        for event in self._comp.table[case.state]:
            if case._decide(event, EMPTY, now, reads_payload=False).accepted:
                out.append(event)
        return tuple(out)

    def why_not(self, event: str, /, **payload: Any) -> tuple[Finding, ...]:
        """The refusals ``event`` would meet now. Without a payload, rules that read the payload are skipped.

        Timers already due count as fired, as ``fire`` would fire them first.
        """
        if event not in self._comp.payloads:
            raise UnknownEvent(event, tuple(self._comp.payloads))
        checked = self._comp.check_payload(event, payload) if payload else EMPTY
        now = self.clock.now()
        case = self._settled(now)
        verdict = case._decide(event, checked, now, reads_payload=bool(payload))
        return tuple(f for f in verdict.findings if f.kind == "refusal")

    # ----------------------------------------------------------------------------------------- time

    def entered_at(self) -> dt.datetime:
        """When the case entered its current state."""
        for step in reversed(self._history or ()):
            if step.accepted and step.target != step.source:
                return step.at
        return self._created

    def _stay(self, states: frozenset[str]) -> tuple[dt.datetime, int]:
        """When the case last entered ``states`` (moves among them do not count) and the index of that step."""
        for step in reversed(self._history or ()):
            if step.accepted and step.target != step.source and step.source not in states:
                return step.at, step.index
        return self._created, -1

    def deadline(self) -> tuple[dt.datetime, Edge] | None:
        """The next timed transition from the current state that has not fired yet, and when it falls due.

        A timer counts from when the case entered its transition's source states (moving among them does not
        reset it) and fires once per such stay, whether its guards accept it or refuse it.
        """
        edges = self._comp.timers.get(self.state)
        if not edges:
            return None
        best: tuple[dt.datetime, Edge] | None = None
        for edge in edges:
            assert edge.transition.timer is not None
            since, index = self._stay(frozenset(edge.transition.sources))
            history = self._history or ()
            if any(st.timer and st.event == edge.transition.event for st in history[index + 1 :]):
                continue
            due = edge.transition.timer.after.after(since, self._comp.holidays)
            if best is None or due < best[0]:
                best = (due, edge)
        return best

    def advance(self, now: dt.datetime | None = None) -> list[Step]:
        """Fire every timed transition whose deadline has passed by ``now`` (default: the clock), in order.

        Each timer step is recorded at its deadline. A timer fires once per stay in its source states: one
        whose guards refuse it is recorded as refused once, and a timer that keeps the case where it is
        does not fire again until the case leaves and comes back.
        """
        until = now if now is not None else self.clock.now()
        steps: list[Step] = []
        while True:
            nxt = self.deadline()
            if nxt is None or nxt[0] > until:
                return steps
            due, edge = nxt
            steps.append(self.fire_payload(edge.transition.event, {}, timer=True, at=due))

    # ----------------------------------------------------------------------------------------- persistence

    def snapshot(self) -> dict[str, Any]:
        """The whole case as JSON-safe data, naming the definition, its version and content hash."""
        defn = self._definition
        return {
            "format": SNAPSHOT_FORMAT,
            "definition": {"name": defn.name, "version": defn.version, "hash": defn.hash},
            "state": self.state,
            "created": format_time(self._created),
            "facts": to_plain(dict(self._facts)),
            "history": [step_to_plain(st) for st in self._history or ()],
        }

    @classmethod
    def restore(
        cls,
        definition: Definition,
        data: Mapping[str, Any],
        *,
        clock: Clock | None = None,
        allow_definition_change: bool = False,
    ) -> Case:
        """Rebuild a case from ``snapshot()`` data. Refuses a snapshot of another definition or content hash."""
        got = restore(definition, data, allow_definition_change=allow_definition_change)
        return cls._restored(definition, got.state, got.facts, got.created, got.steps, clock)

    @classmethod
    def _restored(
        cls,
        definition: Definition,
        state: str,
        facts: Mapping[str, Any],
        created: dt.datetime,
        steps: Sequence[Step],
        clock: Clock | None,
    ) -> Case:
        case = cls.__new__(cls)
        comp = compiled(definition)
        case._comp = comp
        case._definition = definition
        case.clock = clock if clock is not None else _SYSTEM_CLOCK
        case.state = state
        case._facts = MappingProxyType(dict(facts)) if facts else comp.fact_defaults
        case._history = History(steps) if steps else None
        case._created = created
        return case



def step_to_plain(step: Step) -> dict[str, Any]:
    """A step as JSON-safe data (the snapshot's and the trace's form)."""
    out: dict[str, Any] = {
        "index": step.index,
        "event": step.event,
        "at": format_time(step.at),
        "source": step.source,
        "target": step.target,
        "accepted": step.accepted,
        "payload": to_plain(dict(step.payload)),
        "findings": [{"rule": f.rule, "kind": f.kind, "message": f.message, "source": f.source} for f in step.findings],
    }
    if step.timer:
        out["timer"] = True
    return out


__all__ = ["Case", "Verdict", "step_to_plain"]
