"""A definition as a ``transitions.Machine``, with the rules as its conditions, for apps that already use it.

An app that drives its models with ``transitions`` keeps doing so: ``machine_for(definition)`` builds a real
``transitions.Machine`` whose states are the definition's and whose transitions are its edges, one
``transitions`` transition per source state of each transition of the definition, added in definition order.
``transitions`` takes, of an event's transitions from the model's state, the first whose conditions all hold;
the engine takes the first candidate whose guards all pass, so the two choose alike. Each guard of an edge is
one condition of its transition: a callable that evaluates the rule, with its resolved parameters, on the
``Context`` of the model's case.

What this module adds to ``transitions``, and why:

- **A case per model.** The adapter keeps one ``workflow.Case`` per model (``add_model``): its facts, its
  history and the clock. Rules read the history (``escalate.once`` counts escalations), so it must be kept
  somewhere, and keeping it beside the model rather than on it leaves the app's class untouched: transitions
  sets the model's ``state`` attribute, as it always does, and the case's state follows the same steps.
  ``adapter.case(model)`` is the case: ``snapshot()`` it to save the model's story, and give it back to
  ``add_model(model, case=...)`` to resume.
- **Nothing attached to the model.** The machine is built with ``model_override=True``: transitions then
  binds a convenience method only where the model's class already declares one. A model that declares
  nothing gets nothing (no ``is_<state>``, no ``may_<event>``, no method per event); it is driven by name,
  ``adapter.trigger(model, "suspend", reason_class=...)``, which is transitions' own
  ``machine.events["suspend"].trigger(model, reason_class=...)`` after checking that the event exists. A
  class that wants ``model.trigger("suspend", ...)`` declares a typed ``trigger`` stub, which transitions
  replaces on each added model: that is transitions' convention for typed models, chosen by the app.
  ``auto_transitions=False``: no ``to_<state>`` events bypass the rules. ``send_event=True``: the payload
  reaches the conditions as ``EventData.kwargs``, by keyword.
- **Every refusal reported.** transitions stops at the first condition that fails, but a refused step must
  name every rule that refuses it. So a guard's condition that refuses also evaluates the guards after it
  on the same edge, for the report, before answering ``False``: each guard is evaluated exactly once per
  candidate, as the engine does, and transitions still makes the choice. ``adapter.last(model)`` is the
  step the model's last trigger recorded, with its findings (``refusals``, ``blocked_by``): the same
  findings, in the same order, as ``Case.fire`` gives, routes and advice included.
- **Every event everywhere.** Where a state has no transition for an event, the machine has one internal
  transition (``dest=None``) for it whose only condition is the state's refusal rule (``refuse_with``), so
  the trigger returns ``False`` with that rule's finding, as ``Case`` records it, instead of raising
  ``MachineError``.
- **The history.** An accepted step is recorded on the case in the machine's ``before_state_change`` (before
  the state changes, so the app's own ``before``/``on_enter``/``after`` callbacks see the case with the step);
  a refused one in ``finalize_event``. Both go through the public ``Case.apply`` with a ``Decision``. Due
  timers fire first, each through the machine as its own event and step, as ``Case.fire`` fires them.
- **The caller's mistakes raise** what ``Case`` raises: ``UnknownEvent`` (from ``adapter.trigger``; transitions
  itself raises ``AttributeError`` from a ``trigger`` stub and ``KeyError`` from ``machine.events``),
  ``PayloadError`` from ``check_payload`` (before anything is judged), ``RuleFailure`` for a rule that raises.
  Nothing is recorded for them.

Every condition and callback is a callable bound when the machine is built; no name is resolved when a
transition fires. The machine's ``prepare_event``, ``before_state_change`` and ``finalize_event`` lists hold
the adapter's callbacks: an app adds its own to them (``append``) rather than assigning new lists.

Caveats: ``transitions`` swallows and logs an exception raised in ``finalize_event``, so a case listener
(``Case.subscribe``) that raises on a refused step is logged rather than raised. ``may_<event>`` stubs run
``prepare_event`` (which fires and records due timers) and the conditions, but record nothing for the event
asked about: ask ``adapter.case(model).allowed()`` or ``why_not`` instead.
The machine is not queued (``queued=False``), and a model belongs to one adapter.

The engine itself does not run on this machine: ``Case`` decides on its own compiled table
(``workflow.core.compiled``), where every guard of every candidate is evaluated and explained and a refusal
leaves the case untouched, in one small loop. This adapter is for apps that want ``transitions``' model and
callbacks; the Hypothesis test in ``tests/adapters/test_transitions.py`` holds it to deciding every step as
``Case`` does.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from typing import Any

import attrs
from transitions import Machine

from workflow.core.case import Case
from workflow.core.clock import Clock
from workflow.core.compiled import EMPTY, BoundRule, Edge, compiled, run_rule, unique
from workflow.core.history import Finding, Step
from workflow.core.model import Definition
from workflow.core.rules import Context
from workflow.errors import ModelNotAdded, PayloadError, Problem, UnknownEvent, WrongDefinition

__all__ = ["Adapter", "machine_for"]

#: ends the ``name`` of every machine built here, so its "skip binding" warnings can be told apart
_NAME_MARK = " (workflow)"


class _QuietOverride(logging.Filter):
    """Drops transitions' "Skip binding ... model override policy" warnings for this module's machines only:
    with ``model_override=True`` not binding is the point, not a problem worth a warning per name."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (_NAME_MARK + ": Skip binding" in message and "model override policy" in message)


_LOGGER = logging.getLogger("transitions.core")
if not any(isinstance(f, _QuietOverride) for f in _LOGGER.filters):
    _LOGGER.addFilter(_QuietOverride())


def machine_for(
    definition: Definition,
    model: object | None = None,
    *,
    clock: Clock | None = None,
    facts: Mapping[str, Any] | None = None,
) -> Adapter:
    """A ``transitions.Machine`` for ``definition`` (``.machine``), with its rules as conditions.

    ``clock`` is every model's case's clock (default: the system clock). With ``model``, it is added at once
    with ``facts``; add more with ``add_model``.
    """
    adapter = Adapter(definition, clock=clock)
    if model is not None:
        adapter.add_model(model, facts=facts)
    return adapter


@attrs.define
class _Candidate:
    """One edge tried: the refusals its guards gave, and whether it applied (no branch guard refused)."""

    edge: Edge
    refusals: list[Finding] = attrs.field(factory=list)
    applies: bool = True


@attrs.define
class _Attempt:
    """One trigger of one model, from ``prepare_event`` to the step it records."""

    event: str
    payload: Mapping[str, Any]
    at: dt.datetime
    timer: bool
    ctx: Context
    tried: list[_Candidate] = attrs.field(factory=list)
    #: the state's refusal, when it has no transition for the event
    refusal: Finding | None = None


@attrs.define
class _Bound:
    """What the adapter keeps for one model."""

    case: Case
    attempt: _Attempt | None = None
    #: the deadline of the timer being fired through the machine, read by the nested trigger
    timer_due: dt.datetime | None = None
    last: Step | None = None


class Adapter:
    """A ``transitions.Machine`` for a definition (``machine``) and the case kept behind each of its models."""

    def __init__(self, definition: Definition, *, clock: Clock | None = None) -> None:
        self.definition = definition
        self.clock = clock
        self._comp = compiled(definition)
        self._bound: dict[int, _Bound] = {}
        comp = self._comp
        events = [e.name for e in definition.events]
        #: the machine; drive it by event name (see the module docstring)
        self.machine: Any = Machine(
            model=None,
            states=[{"name": st.name, "final": st.terminal} for st in definition.states],
            initial=comp.initial,
            auto_transitions=False,
            send_event=True,
            model_override=True,
            queued=False,
            name=definition.name + _NAME_MARK,
            prepare_event=self._prepare_event,
            before_state_change=self._record_accepted,
            finalize_event=self._record_refused,
        )
        for state, row in comp.table.items():
            for event, edges in row.items():
                for edge in edges:  # definition order: transitions takes the first whose conditions hold
                    self.machine.add_transition(
                        event,
                        state,
                        edge.dest,
                        prepare=[_Prepare(self._attempt, edge)],
                        conditions=[_Guard(self._attempt, edge, i) for i in range(len(edge.guards))],
                    )
            for event in events:
                if event not in row:
                    refusal = _Refusal(self._attempt, comp.refusal[state])
                    self.machine.add_transition(event, state, None, conditions=[refusal])

    # ----------------------------------------------------------------------------------------- models

    def add_model(self, model: object, *, facts: Mapping[str, Any] | None = None, case: Case | None = None) -> Case:
        """Add ``model`` to the machine with a new case (with ``facts``), or with ``case`` to resume one; the
        model is put in the case's state. Returns the case."""
        if case is None:
            case = Case(self.definition, clock=self.clock, facts=facts)
        elif case.definition.hash != self.definition.hash:
            raise WrongDefinition(self.definition.name, case.definition.name)
        self._bound[id(model)] = _Bound(case)  # the machine holds the model, so its id stays its own until removed
        self.machine.add_model(model, initial=case.state)
        return case

    def remove_model(self, model: object) -> None:
        """Take ``model`` off the machine and forget its case."""
        self.machine.remove_model(model)
        del self._bound[id(model)]

    def case(self, model: object) -> Case:
        """The case behind ``model``: its state, facts and history (read it; drive the model through the machine)."""
        return self._of(model).case

    def last(self, model: object) -> Step | None:
        """The step ``model``'s last trigger recorded, accepted or refused, with its findings (``None`` before
        any, or when the last trigger raised)."""
        return self._of(model).last

    def trigger(self, model: object, event: str, /, **payload: Any) -> bool:
        """Offer ``event`` to ``model`` through the machine; ``True`` when accepted. Raises ``UnknownEvent`` for an
        event the definition does not know, ``PayloadError`` for a malformed payload."""
        self._of(model)
        found = self.machine.events.get(event)
        if found is None:
            raise UnknownEvent(event, tuple(e.name for e in self.definition.events))
        return bool(found.trigger(model, **payload))

    def _of(self, model: object) -> _Bound:
        bound = self._bound.get(id(model))
        if bound is None:
            raise ModelNotAdded(model, self.definition.name)
        return bound

    # ----------------------------------------------------------------------------------------- callbacks

    def _prepare_event(self, ed: Any) -> None:
        """Before any transition is tried: check the payload, fire due timers, and open the attempt."""
        bound = self._of(ed.model)
        event: str = ed.event.name
        case = bound.case
        if bound.timer_due is not None:  # a due timer fired by ``_fire_due``: at its deadline, without payload
            at, timer, payload = bound.timer_due, True, EMPTY
            bound.timer_due = None
        else:
            if ed.args:
                raise PayloadError(event, [Problem(message="the payload is given by keyword, not by position")])
            payload = case.check_payload(event, ed.kwargs)
            history = case.log
            at = case.clock.now()
            at = max(at, history[-1].at) if history else at  # a step is never dated before the one before it
            timer = False
            self._fire_due(ed.model, bound, at)
            ed.state = self.machine.get_state(case.state)  # the event meets the state the timers left
        bound.attempt = _Attempt(event=event, payload=payload, at=at, timer=timer, ctx=case.context(event, payload, at))

    def _fire_due(self, model: object, bound: _Bound, at: dt.datetime) -> None:
        """Fire, through the machine, every timer of the model's case due by ``at``, each at its deadline."""
        while (nxt := bound.case.deadline()) is not None and nxt[0] <= at:
            due, edge = nxt
            bound.timer_due = due
            self.machine.events[edge.transition.event].trigger(model)

    def _record_accepted(self, ed: Any) -> None:
        """The transition's conditions held: record the accepted step, with routes and advice, as ``Case``."""
        bound = self._of(ed.model)
        attempt = bound.attempt
        if attempt is None or not attempt.tried:
            raise RuntimeError(f"transition {ed.transition!r} is not one of the definition's")
        edge = attempt.tried[-1].edge
        findings = [attrs.evolve(f, kind="route") for c in attempt.tried[:-1] if c.applies for f in c.refusals]
        ctx = attempt.ctx
        ctx.target = edge.dest
        for advice in self._comp.advice.get(attempt.event, ()):
            said = run_rule(advice, ctx, attempt.event)
            if said is not None:
                findings.append(advice.finding("advice", said))
        bound.last = self._apply(bound, attempt, edge, findings)

    def _record_refused(self, ed: Any) -> None:
        """After every trigger: a refused one (no error, no transition taken) is recorded with every refusal."""
        bound = self._bound.get(id(ed.model))
        if bound is None:
            return
        attempt, bound.attempt = bound.attempt, None
        if ed.error is not None:
            bound.last = None  # the caller's mistake or a failing rule: nothing is recorded
            return
        if attempt is None:
            return  # accepted, and recorded already
        if attempt.refusal is not None:
            findings = [attempt.refusal]
        else:
            applying = [f for c in attempt.tried if c.applies for f in c.refusals]
            findings = applying or [f for c in attempt.tried for f in c.refusals]  # none applied: every reason
        bound.last = self._apply(bound, attempt, None, findings)

    def _apply(self, bound: _Bound, attempt: _Attempt, edge: Edge | None, findings: list[Finding]) -> Step:
        """Record what the machine decided. The case records only decisions it judged itself, so the machine's
        answer is checked against the case's own: the same move (or refusal), the same rules refusing and
        advising. They agree by construction (the conditions are the case's rules), and a disagreement is a bug."""
        bound.attempt = None
        case = bound.case
        if attempt.timer:
            decision = case.decide_timer(attempt.at)
        else:
            decision = case.decide_payload(attempt.event, attempt.payload, at=attempt.at, checked=True)
        said = tuple(unique(findings))
        mine = (
            edge is not None,
            edge.dest if edge is not None else case.state,
            sorted({f.rule for f in said if f.kind == "refusal"}),
            sorted({f.rule for f in said if f.kind == "advice"}),
        )
        if decision is None or decision.event != attempt.event or mine != (
            decision.accepted,
            decision.target,
            sorted(decision.blocked_by),
            sorted(decision.advice),
        ):
            raise RuntimeError(f"the machine and the case disagree on '{attempt.event}': {mine} against {decision}")
        return case.apply(decision)

    def _attempt(self, ed: Any) -> _Attempt:
        attempt = self._of(ed.model).attempt
        if attempt is None:
            raise RuntimeError("a condition ran outside a trigger")
        return attempt


_AttemptOf = Callable[[Any], _Attempt]


@attrs.frozen(eq=False)
class _Prepare:
    """A transition's ``prepare``: the edge becomes the candidate its conditions speak for."""

    attempt_of: _AttemptOf
    edge: Edge

    def __call__(self, ed: Any) -> None:
        attempt = self.attempt_of(ed)
        attempt.tried.append(_Candidate(self.edge))
        attempt.ctx.target = self.edge.dest


@attrs.frozen(eq=False)
class _Guard:
    """A transition's condition: guard ``index`` of ``edge``, evaluated on the model's case.

    When it refuses, the guards after it on the edge are evaluated too (transitions would stop here), so the
    step names every rule that refuses it.
    """

    attempt_of: _AttemptOf
    edge: Edge
    index: int

    def __call__(self, ed: Any) -> bool:
        attempt = self.attempt_of(ed)
        candidate = attempt.tried[-1]
        guards = self.edge.guards
        if _refuse(guards[self.index], attempt, candidate) is None:
            return True
        for bound in guards[self.index + 1 :]:
            _refuse(bound, attempt, candidate)
        return False

    def __repr__(self) -> str:
        t = self.edge.transition
        return f"<rule {self.edge.guards[self.index].id} on {t.event}: {', '.join(t.sources)} -> {self.edge.dest}>"


def _refuse(bound: BoundRule, attempt: _Attempt, candidate: _Candidate) -> str | None:
    """Evaluate ``bound`` for ``candidate``; a refusal is noted on it (a branch guard's: it does not apply)."""
    said = run_rule(bound, attempt.ctx, attempt.event)
    if said is not None:
        candidate.refusals.append(bound.finding("refusal", said))
        candidate.applies = candidate.applies and not bound.branch
    return said


@attrs.frozen(eq=False)
class _Refusal:
    """The condition of a state's internal transition for an event it has no transition for: the state's
    refusal rule, which always refuses, saying why."""

    attempt_of: _AttemptOf
    bound: BoundRule

    def __call__(self, ed: Any) -> bool:
        attempt = self.attempt_of(ed)
        message = run_rule(self.bound, attempt.ctx, attempt.event) or f"'{attempt.event}' cannot happen now."
        attempt.refusal = self.bound.finding("refusal", message)
        return False

    def __repr__(self) -> str:
        return f"<rule {self.bound.id}: the state refuses the event>"
