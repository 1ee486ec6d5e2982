"""``Case``: a definition, a current state, the case's facts and its history; ``fire(event)`` -> ``Step``.

The rules are evaluated by the engine on the compiled table (``workflow.core.compiled``): every guard of every
candidate transition is evaluated and explained, and a refused step changes nothing.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import attrs

from workflow.core.clock import Clock, SimulatedClock, SystemClock, format_time
from workflow.core.compiled import EMPTY, BoundRule, Edge, compiled, run_rule, unique
from workflow.core.history import Finding, History, Step
from workflow.core.model import Definition, Transition
from workflow.core.openings import Opening, openings
from workflow.core.retrace import retrace
from workflow.core.rules import Context
from workflow.core.snapshot import MIGRATED, SNAPSHOT_FORMAT, restore
from workflow.core.structure import slot_setters, to_plain
from workflow.errors import (
    ConcurrentUse,
    HistoryDeparture,
    RuleFailure,
    StaleDecision,
    TimerLimit,
    UnjudgedDecision,
    UnknownEvent,
    WorkflowError,
)

_SYSTEM_CLOCK = SystemClock()
#: the cases being decided on or changed now (by ``id``), and the thread doing it: a case is not shared by threads
_IN_USE: dict[int, int] = {}
_get_ident = threading.get_ident

#: the most timer steps one call fires (``advance``, or deciding an event with timers due): past it, ``TimerLimit``
MAX_TIMER_STEPS = 10_000


@attrs.frozen
class Decision:
    """What a case would do with an event, judged on the case as it stood and not yet recorded.

    ``Case.decide`` makes one without changing anything; ``Case.apply`` records it, and only on the very case
    and version it was made on. ``step`` is the step it records; ``due`` holds the timer steps that had fallen
    due when it was made, recorded first, as ``fire`` fires due timers before the event.
    """

    case: Case = attrs.field(eq=False, repr=False)
    #: the case's version (the number of steps in its history) the decision was made on
    version: int
    step: Step
    #: the transition taken from the step's source (``None`` when refused)
    edge: Edge | None = attrs.field(eq=False, repr=False)
    due: tuple[Step, ...] = ()
    #: set by the case that judged the decision, and bound to what it judged: ``apply`` records only a sealed
    #: decision whose case, version, step and due timers are still the ones sealed (see ``Case.apply``)
    seal: tuple[object, ...] | None = attrs.field(default=None, eq=False, repr=False)

    @classmethod
    def make(
        cls,
        case: Case,
        event: str,
        payload: Mapping[str, Any],
        at: dt.datetime,
        edge: Edge | None,
        findings: tuple[Finding, ...],
        *,
        source: str | None = None,
        timer: bool = False,
        due: tuple[Step, ...] = (),
    ) -> Decision:
        """The decision to take ``edge`` (or refuse, when ``None``) for ``event`` on ``case`` as it stands, with
        ``findings``: its step comes next after the case's history and ``due``. Not sealed: ``apply`` refuses it
        (it shows what a step would be; only the case's own ``decide`` judges one to record)."""
        return _build(case, event, payload, at, edge, findings, source, timer, due, sealed=False)

    @property
    def accepted(self) -> bool:
        return self.step.accepted

    @property
    def event(self) -> str:
        return self.step.event

    @property
    def payload(self) -> Mapping[str, Any]:
        return self.step.payload

    @property
    def at(self) -> dt.datetime:
        return self.step.at

    @property
    def source(self) -> str:
        return self.step.source

    @property
    def target(self) -> str:
        return self.step.target

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.step.findings

    @property
    def timer(self) -> bool:
        return self.step.timer

    @property
    def blocked_by(self) -> tuple[str, ...]:
        return self.step.blocked_by

    @property
    def advice(self) -> tuple[str, ...]:
        return self.step.advice

    def refused(self, findings: Sequence[Finding]) -> Decision:
        """The same decision turned into a refusal for ``findings`` (a group refuses an event its cascade cannot
        carry out). A refusal changes nothing but the history, so a sealed decision stays sealed."""
        step = attrs.evolve(self.step, accepted=False, target=self.step.source, findings=tuple(findings))
        refusal = attrs.evolve(self, edge=None, step=step, seal=None)
        return _sealed(refusal) if self.sealed else refusal

    @property
    def sealed(self) -> bool:
        """Whether the decision is as the case judged it (``Case.decide``): only such a decision is applied."""
        seal = self.seal
        return (
            seal is not None
            and seal[0] is _SEAL
            and seal[1] is self.case
            and seal[2] == self.version
            and seal[3] is self.step
            and seal[4] is self.due
        )


#: what only the engine puts in a decision's seal
_SEAL = object()


def _sealed(decision: Decision) -> Decision:
    """``decision`` sealed as judged by its case."""
    return attrs.evolve(decision, seal=(_SEAL, decision.case, decision.version, decision.step, decision.due))


def _build(
    case: Case,
    event: str,
    payload: Mapping[str, Any],
    at: dt.datetime,
    edge: Edge | None,
    findings: tuple[Finding, ...],
    source: str | None,
    timer: bool,
    due: tuple[Step, ...],
    *,
    sealed: bool,
) -> Decision:
    """The decision ``Decision.make`` describes; sealed when the case itself judged it."""
    version = case.version
    step = _step(
        version + len(due), event, at, source if source is not None else case.state, edge, payload, findings, timer
    )
    return Decision(case, version, step, edge, due, (_SEAL, case, version, step, due) if sealed else None)


def _step(
    index: int,
    event: str,
    at: dt.datetime,
    here: str,
    edge: Edge | None,
    payload: Mapping[str, Any],
    findings: tuple[Finding, ...],
    timer: bool = False,
) -> Step:
    """The step at ``index`` that takes ``edge`` from ``here``, or refuses when there is none."""
    step = _new(Step)
    _index(step, index)
    _event(step, event)
    _at(step, at)
    _source(step, here)
    if edge is None:
        _target(step, here)
        _accepted(step, False)
    else:
        _target(step, edge.dest)
        _accepted(step, True)
    _payload(step, payload)
    _findings(step, findings)
    _timer(step, timer)
    return step


# A step is built by setting its slots one by one, not through attrs' frozen ``__init__`` (which sets each through
# ``object.__setattr__``): every event builds one, and this takes 0.53 against 0.74 µs (benchmarks/pieces.py),
# about 3% of a random walk's time (BENCHMARKS.md, "The targets"). tests/core/test_case.py checks that every
# field of every step is set and that the step equals Step(...)'s.
_new = object.__new__
_index, _event, _at, _source, _target, _accepted, _payload, _findings, _timer = slot_setters(
    Step, "index", "event", "at", "source", "target", "accepted", "payload", "findings", "timer"
)


Listener = Callable[[Step], None]


class Case:
    """One running case of a definition. Create it, ``fire`` events at it, ask it what is ``allowed``.

    ``fire(event, **payload)`` is ``apply(decide(event, **payload))``: ``decide`` judges the event on the case
    as it stands (its due timers taken into account) and changes nothing; ``apply`` records the decision.
    Without a clock a case reads the system clock (``SystemClock``); simulations pass a ``SimulatedClock``.

    A case is not thread-safe: give each thread its own case, or guard a shared one with a lock of your own.
    Concurrent use is detected, not tolerated: ``decide``, ``apply``, ``fire`` and ``advance`` mark the case as
    in use by their thread, and the same calls from another thread meanwhile raise ``ConcurrentUse`` and change
    nothing, so a history is never interleaved. The mark costs ~0.2 µs a ``fire``; a lock in every case would
    add ~105 B to each (BENCHMARKS.md, "Sharing a case between threads").
    """

    __slots__ = (
        "_comp",
        "_created",
        "_definition",
        "_facts",
        "_history",
        "_last_at",
        "_listeners",
        "_stays",
        "_version",
        "clock",
        "group",
        "state",
    )

    def __init__(
        self,
        definition: Definition,
        *,
        clock: Clock | None = None,
        facts: Mapping[str, Any] | None = None,
        group: Any = None,
    ) -> None:
        comp = compiled(definition)
        self._comp = comp
        self._definition = definition  # keeps it (and so its compiled structures) alive while the case lives
        self.clock: Clock = clock if clock is not None else _SYSTEM_CLOCK
        self.state: str = comp.initial
        self._facts = comp.fact_defaults if not facts else comp.check_facts(facts)
        self._history = History()
        self._version = 0  # len(self._history), kept as steps are recorded: read on every decision
        self._last_at: dt.datetime | None = None  # when the last step happened
        self._created = self.clock.now()
        self._listeners: tuple[Listener, ...] = ()
        #: per timed transition (by id): (its source states, steps read, when the stay began, its step's index,
        #: whether the timer fired since), brought up to date from the steps recorded since (see ``_stay``)
        self._stays: dict[int, tuple[frozenset[str], int, dt.datetime, int, bool]] | None = None  # made when read
        #: what the case's rules see as ``ctx.group`` when it belongs to a group (``workflow.run.group``)
        self.group = group

    @classmethod
    def rebuild(
        cls,
        definition: Definition,
        *,
        state: str,
        created: dt.datetime,
        history: Sequence[Step] = (),
        facts: Mapping[str, Any] | None = None,
        clock: Clock | None = None,
        group: Any = None,
    ) -> Case:
        """A case as recorded: in ``state``, created at ``created``, with ``history`` and ``facts`` as given.

        Nothing is judged again here: ``Case.restore`` checks a snapshot before it rebuilds the case from it.
        """
        case = cls(definition, clock=clock, group=group)
        case.state = state
        case._created = created
        if facts:
            case._facts = MappingProxyType(dict(facts))
        case._history = History(history)
        case._version = len(history)
        case._last_at = history[-1].at if history else None
        return case

    # ----------------------------------------------------------------------------------------- reading

    @property
    def definition(self) -> Definition:
        return self._definition

    @property
    def facts(self) -> Mapping[str, Any]:
        return self._facts

    @property
    def history(self) -> tuple[Step, ...]:
        """Every step so far, accepted or refused, oldest first (a copy)."""
        return tuple(self._history)

    @property
    def log(self) -> History:
        """The case's own ``History`` (no copy), indexed by event as rules read it. Read it; never change it."""
        return self._history

    @property
    def version(self) -> int:
        """The number of steps in the case's history, accepted and refused: every step adds one."""
        return self._version

    @property
    def created(self) -> dt.datetime:
        return self._created

    @property
    def terminal(self) -> bool:
        return self.state in self._comp.terminal

    def __repr__(self) -> str:
        return f"<Case {self._definition.name} state={self.state!r} steps={len(self._history)}>"

    # ----------------------------------------------------------------------------------------- copies

    def copy(self) -> Case:
        """An independent copy: the same definition, facts, clock and group; its own history from here on."""
        return self._copied(type(self))

    def _copied(self, kind: type[Case]) -> Case:
        """An independent copy made as a ``kind`` (a plain ``Case`` for a throw-away, whatever a subclass adds)."""
        out = kind.rebuild(
            self._definition,
            state=self.state,
            created=self._created,
            history=self._history,
            facts=self._facts,
            clock=self.clock,
            group=self.group,
        )
        out._stays = dict(self._stays) if self._stays else None  # the same steps: what timers need is the same too
        return out

    def fork(self, clock: Clock | None = None) -> Case:
        """A copy on a clock of its own (by default a simulated one at this case's present time), to try what
        would happen later without touching the case or its clock."""
        if clock is None:
            clock = SimulatedClock(self.clock.now(), holidays=self._comp.holidays)
        out = self.copy()
        out.clock = clock
        return out

    # ----------------------------------------------------------------------------------------- watching

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(step)`` after each step the case records (timer steps included); returns the function
        that stops it. Listeners are called once a whole decision (its due timer steps and its step) is recorded;
        a listener that raises does not undo it."""
        self._listeners = (*self._listeners, listener)

        def unsubscribe() -> None:
            self._listeners = tuple(x for x in self._listeners if x is not listener)

        return unsubscribe

    # ----------------------------------------------------------------------------------------- deciding

    def check_payload(self, event: str, payload: Mapping[str, Any]) -> Mapping[str, Any]:
        """``payload`` checked and structured for ``event`` (records built, absent fields left out).

        Raises ``UnknownEvent`` or ``PayloadError``. The result can be given to ``decide_payload`` as it is.
        """
        return self._comp.check_payload(event, payload)

    def context(self, event: str, payload: Mapping[str, Any], at: dt.datetime, target: str | None = None) -> Context:
        """What a rule reads about ``event`` (its payload already checked) offered at ``at``, moving to ``target``."""
        state = self.state
        comp = self._comp
        # by position, in Context's field order (0.19 against 0.37 µs by keyword, benchmarks/pieces.py; one is made
        # per event that asks a rule); tests/core/test_case_seams.py checks each field
        return Context(
            event,
            state,
            state if target is None else target,
            payload,
            self._facts,
            self._history,
            at,
            comp.resources,
            comp.holidays,
            self.group,
        )

    def decide(self, event: str, /, **payload: Any) -> Decision:
        """What ``fire`` would do now, judged and not recorded: nothing changes, the clock is only read.

        Raises ``UnknownEvent`` for an event the definition does not know and ``PayloadError`` for a malformed
        payload: those are the caller's mistakes, not the rules' decisions.
        """
        return self.decide_payload(event, payload)

    def decide_payload(
        self, event: str, payload: Mapping[str, Any], *, at: dt.datetime | None = None, checked: bool = False
    ) -> Decision:
        """``decide`` with the payload as a mapping, at ``at`` (default: the clock's now; a step is never dated
        before the one before it). ``checked=True`` says ``payload`` came from ``check_payload`` for this event."""
        values = payload if checked else self._comp.check_payload(event, payload)
        claimed = self._claim()
        try:
            return self._decide(event, values, at)
        finally:
            if claimed:
                del _IN_USE[id(self)]

    def _decide(self, event: str, values: Mapping[str, Any], at: dt.datetime | None) -> Decision:
        now, case, due = self._moment(event, at)
        edge, findings = case._judge(event, values, now, True)
        return _build(self, event, values, now, edge, findings, case.state, False, due, sealed=True)

    def _moment(self, event: str, at: dt.datetime | None) -> tuple[dt.datetime, Case, tuple[Step, ...]]:
        """When an event offered now (or ``at``) happens, the case it meets there, and the timer steps due first."""
        last = self._last_at
        if at is None:
            now = self.clock.now()
            if last is not None and now < last:  # a clock set back never dates a step before the one before it
                now = last
        elif last is not None and at < last:
            raise WorkflowError(
                f"'{event}' at {format_time(at)} would come before the case's last step ({format_time(last)})"
            )
        else:
            now = at
        if self._comp.timers:
            case, due = self._settled(now)
            return now, case, due
        return now, self, ()

    def apply(self, decision: Decision) -> Step:
        """Record ``decision`` (and the timer steps due before it) as the case's next steps; returns its step.

        Raises ``StaleDecision`` for a decision made on another case, or on this one at another version. The
        decision is recorded whole before any listener is called. ``ConcurrentUse`` when another thread is
        using the case.
        """
        claimed = self._claim()
        try:
            return self._commit(decision)
        finally:
            if claimed:
                del _IN_USE[id(self)]

    def _claim(self) -> bool:
        """Mark the case as in use by this thread; False when this thread already uses it (a listener firing
        again), ``ConcurrentUse`` when another thread does. One atomic dict operation decides between threads."""
        me = _get_ident()
        key = id(self)
        if _IN_USE.get(key) == me:
            return False
        owner = _IN_USE.setdefault(key, me)
        if owner != me:
            raise ConcurrentUse(repr(self), owner)
        return True

    def _commit(self, decision: Decision) -> Step:
        """``apply`` once the case is claimed."""
        if not decision.sealed:
            raise UnjudgedDecision(decision.event)
        if decision.case is not self or decision.version != self._version:
            raise StaleDecision(
                decision.event,
                expected=decision.version,
                got=self._version,
                other_case=decision.case is not self,
            )
        self._append((*decision.due, decision.step))
        return decision.step

    def _append(self, steps: tuple[Step, ...]) -> None:
        """Record ``steps`` (the timer steps due, then the decision's own), whole, before any listener hears."""
        for step in steps:
            self._record(step)
        for listener in self._listeners:
            for step in steps:
                listener(step)

    def _append_one(self, step: Step) -> None:
        """``_append((step,))`` with ``_record`` written out (a step with no timer step before it: most)."""
        if step.accepted:
            self.state = step.target
        self._history.append(step)
        self._version += 1
        self._last_at = step.at
        for listener in self._listeners:
            listener(step)

    def fire(self, event: str, /, **payload: Any) -> Step:
        """Offer ``event`` with its payload: ``apply(decide(event, **payload))``. Returns the step, accepted or
        refused; a refusal changes nothing but the history, where it is recorded."""
        return self.fire_payload(event, payload)

    def fire_payload(self, event: str, payload: Mapping[str, Any]) -> Step:
        """``fire`` with the payload as a mapping (for payload names that are not Python identifiers)."""
        values = self._comp.check_payload(event, payload)
        # what apply(decide(...)) records, without the Decision in between: judged and recorded in one call,
        # nothing can come between them to make it stale (tests/core/test_case_seams.py checks they agree).
        # ``_claim`` and ``_moment`` are written out here for the commonest case (not in use, no timer due):
        # the hot path of every event (BENCHMARKS.md, "The targets")
        me = _get_ident()
        key = id(self)
        claimed = _IN_USE.get(key) != me
        if claimed:
            owner = _IN_USE.setdefault(key, me)
            if owner != me:
                raise ConcurrentUse(repr(self), owner)
        try:
            if self._comp.timers:
                now, case, due = self._moment(event, None)
            else:
                now = self.clock.now()
                last = self._last_at
                if last is not None and now < last:  # as in _moment
                    now = last
                case, due = self, ()
            edge, findings = case._judge(event, values, now, True)
            step = _step(self._version + len(due), event, now, case.state, edge, values, findings)
            if due:
                self._append((*due, step))
            else:
                self._append_one(step)
            return step
        finally:
            if claimed:
                del _IN_USE[key]

    def check(self, event: str, /, **payload: Any) -> Step:
        """The step ``fire`` would record now, without changing the case (the step is not recorded)."""
        return self.decide_payload(event, payload).step

    def allowed(self) -> tuple[str, ...]:
        """The events the state and the payload-independent rules allow now (payload rules aside).

        Timers already due count as fired, as ``fire`` would fire them first.
        """
        now = self.clock.now()
        case, _ = self._settled(now)
        return tuple(
            event for event in self._comp.table[case.state] if case._judge(event, EMPTY, now, False)[0] is not None
        )

    def why_not(self, event: str, /, **payload: Any) -> tuple[Finding, ...]:
        """The refusals ``event`` would meet now, judged with ``payload``.

        Without a payload, the rules that read it cannot be judged: each is listed after the refusals as a
        finding of kind ``unjudged`` (it may refuse once the payload is given), never left out in silence.
        Timers already due count as fired, as ``fire`` would fire them first.
        """
        if event not in self._comp.payloads:
            raise UnknownEvent(event, tuple(self._comp.payloads))
        checked = self._comp.check_payload(event, payload) if payload else EMPTY
        now = self.clock.now()
        case, _ = self._settled(now)
        _, findings = case._judge(event, checked, now, bool(payload))
        refusals = tuple(f for f in findings if f.kind == "refusal")
        if payload:
            return refusals
        unjudged: dict[str, Finding] = {}
        for edge in self._comp.table[case.state].get(event, ()):
            for bound in edge.guards:
                if bound.rule.reads and bound.rule.id not in unjudged:
                    said = f"Not judged: it reads the payload ({', '.join(bound.rule.reads)}), and none was given."
                    unjudged[bound.rule.id] = bound.finding("unjudged", said)
        return refusals + tuple(unjudged.values())

    def openings(self, at: dt.datetime | None = None) -> tuple[Opening, ...]:
        """The events refused at ``at`` (default: now) only by rules that wait for time, each with the earliest
        time it would be allowed if nothing else changed, and the rules refusing it now; soonest first.

        Payload rules aside, as ``allowed``; judged on the case as it stands (timers due meanwhile not fired).
        """
        return openings(self, at)

    def _settled(self, now: dt.datetime) -> tuple[Case, tuple[Step, ...]]:
        """The case as an event at ``now`` meets it, and the timer steps due by then: itself and none, or a
        throw-away copy with those timers fired (this case is never changed)."""
        if not self._comp.timers:
            return self, ()
        nxt = self.deadline()
        if nxt is None or nxt[0] > now:
            return self, ()
        copy = self._copied(Case)
        return copy, copy._fire_due(now)

    def _judge(
        self, event: str, payload: Mapping[str, Any], now: dt.datetime, reads_payload: bool
    ) -> tuple[Edge | None, tuple[Finding, ...]]:
        """The edge ``event`` takes from here at ``now`` (if any) and every finding."""
        comp = self._comp
        edges = comp.table[self.state].get(event)
        if not edges:
            ctx = self.context(event, payload, now)
            bound = comp.refusal[self.state]
            message = run_rule(bound, ctx, event) or f"'{event}' cannot happen now."
            return None, (comp.finding(bound, "refusal", message),)
        advice = comp.advice.get(event, ())
        if not edges[0].guards and not advice:  # no rule to ask: the first candidate is taken
            return edges[0], ()
        ctx = self.context(event, payload, now)
        said = comp.said
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
                    found = said.get((id(bound), "refusal", refusal))  # comp.finding's lookup, without the call
                    if found is None:
                        found = comp.finding(bound, "refusal", refusal)
                    if failed is None:
                        failed = [found]
                    else:
                        failed.append(found)
                    applies = applies and not bound.branch
            if failed is None:
                # why the earlier candidates were passed over: the route, not a refusal
                routes = [attrs.evolve(f, kind="route") for f in findings if f.kind == "refusal"]
                return self._advised(edge, ctx, advice, routes) if advice or routes else (edge, ())
            (findings if applies else elsewhere).extend(failed)
        found_all = findings or elsewhere  # when no candidate applied, every reason counts
        if len(found_all) > 1 and (self.state, event) in comp.repeats:
            return None, tuple(unique(found_all))
        return None, tuple(found_all)

    def _advised(
        self, edge: Edge, ctx: Context, advice: Sequence[BoundRule], findings: list[Finding]
    ) -> tuple[Edge, tuple[Finding, ...]]:
        """``edge`` taken, with what the advice rules of the event say (after ``findings``)."""
        ctx.target = edge.dest
        event = ctx.event
        comp = self._comp
        for bound in advice:
            try:
                said = bound.rule.check(ctx, bound.params)
            except Exception as e:
                raise RuleFailure(bound.rule.id, event, e) from e
            if said is not None:
                findings.append(comp.finding(bound, "advice", said))
        if len(findings) > 1 and (self.state, event) in comp.repeats:  # a rule that spoke twice, once
            return edge, tuple(unique(findings))
        return edge, tuple(findings)

    def _record(self, step: Step) -> Step:
        if step.accepted:
            self.state = step.target
        self._history.append(step)
        self._version += 1
        self._last_at = step.at
        return step

    # ----------------------------------------------------------------------------------------- time

    def entered_at(self) -> dt.datetime:
        """When the case entered its current state."""
        for step in reversed(self._history):
            if step.accepted and step.target != step.source:
                return step.at
        return self._created

    def _stay(self, transition: Transition) -> tuple[dt.datetime, bool]:
        """When the case last entered the timed ``transition``'s source states (moves among them do not count),
        and whether its timer fired since. Kept per timer and brought up to date from the steps recorded since it
        was last asked, so a long history is read once, not on every decision."""
        stays = self._stays
        if stays is None:  # a case whose timers were never asked about carries no table (most cases: memory)
            stays = self._stays = {}
        kept = stays.get(id(transition))  # the definition, and so the transition, lives as long as the case
        if kept is None:
            kept = (frozenset(transition.sources), 0, self._created, -1, False)
        states, read, since, index, fired = kept
        event = transition.event
        history = self._history
        for i in range(read, len(history)):
            step = history[i]
            if step.accepted and step.target != step.source and step.source not in states:
                since, index, fired = step.at, step.index, False
            elif step.timer and step.event == event and step.index > index:
                fired = True
        stays[id(transition)] = (states, len(history), since, index, fired)
        return since, fired

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
            timer = edge.transition.timer
            assert timer is not None
            since, fired = self._stay(edge.transition)
            if fired:
                continue
            due = timer.after.after(since, self._comp.holidays)
            if best is None or due < best[0]:
                best = (due, edge)
        return best

    def advance(self, now: dt.datetime | None = None) -> list[Step]:
        """Fire every timed transition whose deadline has passed by ``now`` (default: the clock), in order.

        Each timer step is recorded at its deadline. A timer fires once per stay in its source states: one
        whose guards refuse it is recorded as refused once, and a timer that keeps the case where it is
        does not fire again until the case leaves and comes back. All or nothing: the timers are fired on a copy
        first, so a rule that fails (``RuleFailure``) or more than ``MAX_TIMER_STEPS`` steps (``TimerLimit``)
        leave the case as it was.
        """
        until = now if now is not None else self.clock.now()
        claimed = self._claim()
        try:
            _, due = self._settled(until)
            if due:
                self._append(due)
            return list(due)
        finally:
            if claimed:
                del _IN_USE[id(self)]

    def _fire_due(self, until: dt.datetime) -> tuple[Step, ...]:
        """Record every timer step due by ``until`` on this case, for ``_settled``'s throw-away copy (no listener
        hears of them), up to ``MAX_TIMER_STEPS``."""
        steps: list[Step] = []
        while True:
            nxt = self.deadline()
            if nxt is None or nxt[0] > until:
                return tuple(steps)
            due, edge = nxt
            if len(steps) >= MAX_TIMER_STEPS:
                raise TimerLimit(MAX_TIMER_STEPS, self.state, due)
            event = edge.transition.event
            taken, findings = self._judge(event, EMPTY, due, True)
            steps.append(self._record(_step(self._version, event, due, self.state, taken, EMPTY, findings, True)))

    def decide_timer(self, until: dt.datetime | None = None) -> Decision | None:
        """The decision on the next timer due by ``until`` (default: the clock's now), judged at its deadline and
        not recorded; ``None`` when no timer is due by then (``advance`` records every due timer at once)."""
        nxt = self.deadline()
        if nxt is None or nxt[0] > (until if until is not None else self.clock.now()):
            return None
        return self._timer_decision(*nxt)

    def _timer_decision(self, due: dt.datetime, edge: Edge) -> Decision:
        event = edge.transition.event
        taken, findings = self._judge(event, EMPTY, due, True)
        return _build(self, event, EMPTY, due, taken, findings, None, True, (), sealed=True)

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
            "history": [step_to_plain(st) for st in self._history],
        }

    @classmethod
    def restore(
        cls,
        definition: Definition,
        data: Mapping[str, Any],
        *,
        clock: Clock | None = None,
        allow_definition_change: bool = False,
        rejudge: bool = True,
    ) -> Case:
        """Rebuild a case from ``snapshot()`` data. Refuses a snapshot of another definition or content hash.

        The history is judged again, not trusted: its times run forward from ``created``, each accepted step is a
        transition of the definition, none leaves a terminal state, only timers' steps are marked ``timer``; and
        (``rejudge``, when the snapshot was taken with this very definition) its steps are offered again, each
        at its time, to a fresh case with the snapshot's facts, which must decide each as recorded (accepted or
        refused, target, the rules that refused it; timers falling due when recorded). That is sound because a
        rule reads only the case's facts, its history so far, the step's payload and time, and the definition:
        all restored. Not restored: ``ctx.group``, so the members of a group are restored with
        ``rejudge=False`` (their structure still judged). A ``SnapshotError`` lists every fault, naming the
        first bad step (a ``HistoryDeparture`` when the rules decide a step otherwise).
        """
        got = restore(definition, data, allow_definition_change=allow_definition_change)
        if rejudge and data["definition"]["hash"] == definition.hash:
            # after a migration, only the steps since the last one were decided on this definition
            since = max((i for i, st in enumerate(got.steps) if st.event == MIGRATED), default=-1)
            if since < 0:
                fresh = cls(definition, clock=SimulatedClock(got.created), facts=got.facts)
            else:
                mark = got.steps[since]
                fresh = cls.rebuild(
                    definition,
                    state=mark.target,
                    created=got.created,
                    history=got.steps[: since + 1],
                    facts=got.facts,
                    clock=SimulatedClock(mark.at),
                )
            departure = retrace(fresh, got.steps[since + 1 :], checked=True)
            if departure is not None:
                index = departure.index + since + 1
                raise HistoryDeparture(index, departure.expected, departure.got, field=departure.field)
        return cls.rebuild(
            definition, state=got.state, created=got.created, history=got.steps, facts=got.facts, clock=clock
        )


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


__all__ = ["MAX_TIMER_STEPS", "Case", "Decision", "Listener", "step_to_plain"]
