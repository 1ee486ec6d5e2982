"""``Case``: a definition, a current state, the case's facts and its history; ``fire(event)`` -> ``Step``.

``transitions`` is the state machine underneath and stays private: there is one ``transitions.Machine`` per
definition (built once, with ``auto_transitions=False`` and no models registered). The rules are evaluated
by the engine before the machine is asked to move, so every guard of every candidate transition is
evaluated and explained; a refused step changes nothing.

The hot path is prepared per definition, once: a table of edges by state and event, each checked against
the machine's own transition (``machine.events[event].transitions[source]``, in the machine's order), with
its guards bound and unpacked. A definition holds no code, so the machine carries no callbacks (no
``prepare``, ``conditions``, ``before``/``after``, ``on_enter``/``on_exit``, ``on_final``; checked when it is
built): running a ``transitions.Transition`` would only set the state, after creating an ``EventData`` and
walking empty callback lists. An accepted step is therefore applied with the machine's own ``set_state`` on
the case, given the destination's ``State`` looked up once (BENCHMARKS.md has what each costs).
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import attrs
from transitions import Machine

from workflow.amazon import payloads as payload_types
from workflow.core.clock import Clock, SystemClock, format_time
from workflow.core.history import Finding, History, Step, new_step
from workflow.core.model import Definition, PerDefinition, RuleRef, Transition
from workflow.core.rules import REGISTRY, Context, Rule
from workflow.errors import DefinitionMismatch, PayloadError, Problem, SnapshotError, UnknownEvent, WorkflowError
from workflow.io import schema as s
from workflow.io.source import format_path

SNAPSHOT_FORMAT = "workflow.case/1"
_SYSTEM_CLOCK = SystemClock()


class RuleFailure(WorkflowError):
    """A rule function raised instead of answering; the case was left unchanged."""

    def __init__(self, rule_id: str, event: str, error: BaseException) -> None:
        self.rule_id = rule_id
        self.event = event
        self.error = error
        super().__init__(f"rule '{rule_id}' failed on event '{event}': {type(error).__name__}: {error}")


@attrs.frozen
class BoundRule:
    """A rule as used in one place of a definition, with its parameters resolved."""

    rule: Rule
    params: Mapping[str, Any]
    source: str
    branch: bool = False
    #: the findings this rule gave here, by message: a rule says the same few sentences again and again, and a
    #: finding is frozen, so cases share them (bounded: once full, new sentences are not kept)
    said: dict[str, Finding] = attrs.field(factory=dict, eq=False, repr=False)

    @property
    def id(self) -> str:
        return self.rule.id

    def finding(self, kind: str, message: str) -> Finding:
        found = self.said.get(message)
        if found is None or found.kind != kind:
            found = Finding(self.rule.id, kind, message, self.source)
            if len(self.said) < _SAID:
                self.said[message] = found
        return found


#: how many different findings a bound rule keeps for reuse
_SAID = 256


@attrs.frozen
class Edge:
    """A compiled transition from one source state: its guards, bound, and the machine's transition it runs."""

    transition: Transition
    dest: str
    guards: tuple[BoundRule, ...]
    token: int
    #: the machine's ``State`` of ``dest`` (read off the machine's own transition), which ``set_state`` sets
    target: Any = attrs.field(default=None, eq=False, repr=False)
    #: per guard, what deciding needs, unpacked once: (check, params, the bound guard)
    checks: tuple[tuple[Any, Mapping[str, Any], BoundRule], ...] = attrs.field(default=(), eq=False, repr=False)
    #: the same for the guards that do not read the payload (what ``allowed`` and ``why_not`` ask)
    fixed_checks: tuple[tuple[Any, Mapping[str, Any], BoundRule], ...] = attrs.field(default=(), eq=False, repr=False)


def _bind(defn: Definition, ref: RuleRef) -> BoundRule:
    rule = REGISTRY[ref.id]
    params = {name: defn.parameter(ref, name, default) for name, default in rule.params.items()}
    return BoundRule(rule=rule, params=MappingProxyType(params), source=ref.source, branch=ref.branch)


class Compiled:
    """Everything the engine needs per definition, prepared once and shared by every case."""

    def __init__(self, defn: Definition) -> None:
        # weakly: the definition's cases hold it, and the cache of compiled definitions must not keep it alive
        self._definition = weakref.ref(defn)
        team_ids = defn.teams.ids()
        self.payloads: dict[str, s.Record] = {
            e.name: s.Record(
                fields={
                    f.name: s.Field(payload_types.payload_schema(f.type, f.choices, team_ids), required=f.required)
                    for f in e.payload
                },
                name=f"the payload of '{e.name}'",
            )
            for e in defn.events
        }
        #: for an event with no required field, an empty payload needs no checking
        self.optional_payload = frozenset(e.name for e in defn.events if not any(f.required for f in e.payload))
        #: per event, its fields in declaration order with their compiled fast checks
        self.fast_payloads: dict[str, tuple[tuple[str, bool, Any], ...]] = {
            event: tuple((name, f.required, s.compile_fast(f.schema)) for name, f in spec.fields.items())
            for event, spec in self.payloads.items()
        }
        self.initial = defn.initial.name
        self.machine = Machine(
            model=None,
            states=[{"name": st.name, "final": st.terminal} for st in defn.states],
            transitions=[
                {"trigger": t.event, "source": src, "dest": t.dest} for t in defn.transitions for src in t.sources
            ],
            initial=self.initial,
            auto_transitions=False,
            send_event=True,
            ignore_invalid_triggers=False,
        )
        _check_quiet(self.machine)
        self.set_state = self.machine.set_state
        self.states = {st.name: self.machine.get_state(st.name) for st in defn.states}
        moves = {
            (name, src): iter(found)
            for name, event in self.machine.events.items()
            for src, found in event.transitions.items()
        }
        self.table: dict[str, dict[str, tuple[Edge, ...]]] = {st.name: {} for st in defn.states}
        self.timers: dict[str, tuple[Edge, ...]] = {}
        token = 0
        for t in defn.transitions:
            guards = tuple(_bind(defn, g) for g in t.guards)
            for src in t.sources:
                edge = Edge(
                    transition=t,
                    dest=t.dest,
                    guards=guards,
                    token=token,
                    target=self.states[_machine_transition(moves, t.event, src, t.dest).dest],
                    checks=tuple((g.rule.check, g.params, g) for g in guards),
                    fixed_checks=tuple((g.rule.check, g.params, g) for g in guards if not g.rule.reads),
                )
                token += 1
                if t.timer is not None:
                    self.timers[src] = (*self.timers.get(src, ()), edge)
                self.table[src][t.event] = (*self.table[src].get(t.event, ()), edge)
        self.refusal: dict[str, BoundRule] = {
            st.name: _bind(defn, RuleRef(id=st.refuse_with, source=REGISTRY[st.refuse_with].source))
            for st in defn.states
        }
        self.advice: dict[str, tuple[BoundRule, ...]] = {}
        for a in defn.advice:
            bound = _bind(defn, a.rule)
            for ev in a.events:
                self.advice[ev] = (*self.advice.get(ev, ()), bound)
        self.fact_defaults: Mapping[str, Any] = MappingProxyType({f.name: f.default for f in defn.facts})
        self.terminal = frozenset(st.name for st in defn.states if st.terminal)
        self.teams = defn.teams
        #: the (state, event) pairs where a rule may speak twice (it guards several candidates, or also advises):
        #: only their findings need deduplicating
        self.repeats = frozenset(
            (state, event)
            for state, row in self.table.items()
            for event, edges in row.items()
            if _may_repeat([g.id for e in edges for g in e.guards] + [a.id for a in self.advice.get(event, ())])
        )
        self.holidays = frozenset(
            d for d in (_as_date(x) for x in defn.parameters.get("holidays", ())) if d is not None
        )

    @property
    def definition(self) -> Definition:
        """The definition compiled (alive as long as someone holds it: every case of it does)."""
        defn = self._definition()
        if defn is None:  # pragma: no cover - a Compiled is reached only through a live definition or case
            raise WorkflowError("the compiled definition is gone")
        return defn

    def check_payload(self, event: str, payload: Mapping[str, Any]) -> Mapping[str, Any]:
        """The payload checked and structured (records built, absent fields left out), or ``PayloadError``."""
        fields = self.fast_payloads.get(event)
        if fields is None:
            raise UnknownEvent(event, tuple(self.payloads))
        if not payload and event in self.optional_payload:
            return _EMPTY
        out: dict[str, Any] = {}
        given = 0
        invalid = missing = s.INVALID
        get = payload.get
        for name, required, check in fields:  # declaration order, as the slow path gives it
            value = get(name, missing)
            if value is missing:
                if required:
                    break
                continue
            given += 1
            value = check(value)
            if value is invalid:
                break
            if value is not None:
                out[name] = value
        else:
            if given == len(payload):  # no unknown field
                return MappingProxyType(out)
        checked, faults = s.run(self.payloads[event], payload)
        if faults:
            raise PayloadError(event, [Problem(message=m, path=format_path(p)) for p, m in faults])
        return MappingProxyType({k: v for k, v in checked.items() if v is not None})  # pragma: no cover


_EMPTY: Mapping[str, Any] = MappingProxyType({})
#: by the definition's identity (hashing a whole definition on every new case would cost more than compiling
#: once); an entry goes when its definition is collected, so dropped definitions do not stay alive through it
_COMPILED: PerDefinition[Compiled] = PerDefinition()


def compiled(defn: Definition) -> Compiled:
    """The per-definition structures, built on first use and kept for the life of the definition."""
    return _COMPILED.get_or_make(defn, Compiled)


def _machine_transition(moves: Mapping[tuple[str, str], Any], event: str, source: str, dest: str) -> Any:
    """The machine's next transition of ``event`` from ``source``, which must lead to ``dest``."""
    found = next(moves[(event, source)], None)
    if found is None or found.dest != dest:  # pragma: no cover - the machine is built from the same list
        raise WorkflowError(f"the state machine has no transition '{event}' from '{source}' to '{dest}'")
    return found


#: the callback lists ``Transition.execute`` and ``State.enter``/``exit`` would run
_MACHINE_CALLBACKS = ("before_state_change", "after_state_change", "prepare_event", "finalize_event", "on_exception")
_TRANSITION_CALLBACKS = ("prepare", "conditions", "before", "after")
_STATE_CALLBACKS = ("on_enter", "on_exit")


def _check_quiet(machine: Machine) -> None:
    """Refuse a machine with any callback: moving the case by ``set_state`` would skip it."""
    lists = [getattr(machine, name) for name in _MACHINE_CALLBACKS]
    lists += [getattr(machine, "on_final", [])]
    lists += [getattr(st, name) for st in machine.states.values() for name in _STATE_CALLBACKS]
    lists += [
        getattr(t, name)
        for event in machine.events.values()
        for found in event.transitions.values()
        for t in found
        for name in _TRANSITION_CALLBACKS
    ]
    if any(lists):  # a definition holds no code, so none is ever added to the machine it is built into
        raise WorkflowError("the state machine of a definition must carry no callbacks")


def _as_date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


@attrs.frozen
class Verdict:
    """What would happen to an event now: the edge taken (if any) and every finding."""

    edge: Edge | None
    findings: tuple[Finding, ...]
    payload: Mapping[str, Any]

    @property
    def accepted(self) -> bool:
        return self.edge is not None


assert tuple(f.name for f in attrs.fields(Context))[:9] == (
    "event",
    "state",
    "target",
    "payload",
    "facts",
    "history",
    "now",
    "teams",
    "holidays",
), "Case._context passes these positionally"


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
        self._facts = comp.fact_defaults if not facts else _check_facts(definition, facts)
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
        # positional: twice as fast as keywords, and one is built per event that asks a rule
        return Context(
            event,
            self.state,
            self.state,
            payload,
            self._facts,
            self._history,
            now,
            self._comp.teams,
            self._comp.holidays,
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
            message = _run(bound, ctx, event) or f"'{event}' cannot happen now."
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
            said = _run(bound, ctx, ctx.event)
            if said is not None:
                findings.append(bound.finding("advice", said))
        return edge, self._distinct(ctx.event, findings)

    def _distinct(self, event: str, findings: list[Finding]) -> tuple[Finding, ...]:
        """``findings`` without repeats, where a rule may speak twice on ``event`` from here."""
        if len(findings) > 1 and (self.state, event) in self._comp.repeats:
            return tuple(_unique(findings))
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
            self._comp.set_state(edge.target, self)
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
            if case._decide(event, _EMPTY, now, reads_payload=False).accepted:
                out.append(event)
        return tuple(out)

    def why_not(self, event: str, /, **payload: Any) -> tuple[Finding, ...]:
        """The refusals ``event`` would meet now. Without a payload, rules that read the payload are skipped.

        Timers already due count as fired, as ``fire`` would fire them first.
        """
        if event not in self._comp.payloads:
            raise UnknownEvent(event, tuple(self._comp.payloads))
        checked = self._comp.check_payload(event, payload) if payload else _EMPTY
        now = self.clock.now()
        case = self._settled(now)
        if payload:
            verdict = case._decide(event, checked, now)
        else:
            verdict = case._decide(event, _EMPTY, now, reads_payload=False)
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
            "facts": payload_types.to_plain(dict(self._facts)),
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
        from workflow.io.snapshot import restore_case

        return restore_case(cls, definition, data, clock=clock, allow_definition_change=allow_definition_change)

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


def _run(bound: BoundRule, ctx: Context, event: str) -> str | None:
    try:
        return bound.rule.check(ctx, bound.params)
    except Exception as e:
        raise RuleFailure(bound.rule.id, event, e) from e


def _may_repeat(rule_ids: list[str]) -> bool:
    return len(rule_ids) != len(set(rule_ids))


def _unique(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str]] = set()
    out = []
    for f in findings:
        key = (f.rule, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _check_facts(defn: Definition, given: Mapping[str, Any]) -> Mapping[str, Any]:
    from workflow.io.snapshot import check_facts

    return check_facts(defn, given)


def step_to_plain(step: Step) -> dict[str, Any]:
    """A step as JSON-safe data (the snapshot's and the trace's form)."""
    out: dict[str, Any] = {
        "index": step.index,
        "event": step.event,
        "at": format_time(step.at),
        "source": step.source,
        "target": step.target,
        "accepted": step.accepted,
        "payload": payload_types.to_plain(dict(step.payload)),
        "findings": [{"rule": f.rule, "kind": f.kind, "message": f.message, "source": f.source} for f in step.findings],
    }
    if step.timer:
        out["timer"] = True
    return out


__all__ = [
    "Case",
    "Compiled",
    "DefinitionMismatch",
    "RuleFailure",
    "SnapshotError",
    "Verdict",
    "compiled",
    "step_to_plain",
]
