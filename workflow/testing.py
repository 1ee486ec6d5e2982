"""Property-based testing for apps that embed ``workflow``: Hypothesis strategies and a stateful test factory.

Requires Hypothesis, the ``testing`` extra (``pip install "seller-case-rules[testing]"``); nothing else in the
package imports this module.

- ``payloads(defn, event, valid=None, rule=None)``: payloads for ``event`` drawn from the representative
  classes of ``workflow.amazon.payload_classes`` (a complete plan, one missing an issue, a fabricated document, a
  letter asking for Jeff, each team, each choice ...). ``valid=True`` draws classes the definition's rules
  accept wherever the event's base payload is accepted; ``valid=False`` draws classes some payload rule refuses
  there; ``rule="poa.complete"`` draws classes that rule refuses. The classification is learnt once per
  definition by exploring it (``workflow.analysis.explore``).
- ``event_sequences(defn)``: lists of ``Action`` (an event, its payload, and an optional wait before it).
- ``state_machine(defn)``: a ``RuleBasedStateMachine`` class that fires events with representative payloads
  and waits on a simulated clock, and after every step checks the engine's guarantees (a refused step
  changes nothing and names its rules with their sources; an accepted step follows a declared transition;
  nothing leaves a terminal state; a snapshot restores to the same case) and the definition's invariants.

Paste this into your own tests (pytest collects ``TestMyLifecycle``)::

    import workflow
    from hypothesis import given, settings
    from workflow.testing import payloads, state_machine

    definition = workflow.load("account_suspension")          # or your own file: workflow.load_file(path)

    TestMyLifecycle = state_machine(definition).TestCase
    TestMyLifecycle.settings = settings(max_examples=25, stateful_step_count=20, deadline=None)

    @given(payloads(definition, "submit_poa", rule="poa.complete"))
    def test_an_incomplete_plan_is_refused(payload):
        case = workflow.Case(definition, clock=workflow.SimulatedClock("2026-03-02T09:00:00Z"))
        case.fire("suspend", reason_class="performance", issues=["order_defect_rate", "late_shipment_rate"])
        assert "poa.complete" in case.fire_payload("submit_poa", payload).blocked_by
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import attrs

from workflow.errors import MissingExtra

try:
    from hypothesis import strategies as st
    from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
except ModuleNotFoundError as missing:  # one line naming the extra, not a traceback into Hypothesis
    raise MissingExtra("workflow.testing", "Hypothesis", "testing") from missing

from workflow.amazon.payload_classes import PayloadClass, catalog
from workflow.analysis.explore import explore, time_thresholds
from workflow.core.case import Case
from workflow.core.clock import DEFAULT_START, Duration, SimulatedClock
from workflow.core.compiled import compiled
from workflow.core.history import Step
from workflow.core.invariants import violations
from workflow.core.model import Definition
from workflow.core.rules import REGISTRY

__all__ = ["Action", "classify", "event_sequences", "payloads", "state_machine"]


@attrs.frozen
class Classes:
    """What the rules make of each payload class of each event, learnt by exploration."""

    accepted: frozenset[tuple[str, str]]  # (event, label) accepted somewhere
    refused_by: Mapping[tuple[str, str], frozenset[str]]  # payload rules refusing it where base is accepted


#: Classes are judged in the configurations reached with base payloads only (waits allowed): the plain story
#: of the definition. A plan that repeats a rejected one, or an appeal to the team another notice named, is
#: invalid only in its context, and is left to exploration.


@cache
def _classify(defn: Definition) -> Classes:
    ex = explore(defn)
    comp = compiled(defn)
    classes = catalog(defn)
    accepted: set[tuple[str, str]] = set()
    refused: dict[tuple[str, str], set[str]] = {}
    payload_rules = {r for r, use in REGISTRY.items() if use.reads}
    for node in ex.nodes:
        if any(n.move is not None and n.move.event is not None and n.move.label != "base" for n in ex.path(node.id)):
            continue  # only the story told with base payloads: a context where "valid" means one thing
        case = node.case
        for event in comp.table[case.state]:
            verdicts = [(c, _decide(case, event, c)) for c in classes[event]]
            base_ok = verdicts[0][1].accepted
            for c, step in verdicts:
                if step.accepted:
                    accepted.add((event, c.label))
                elif base_ok:
                    refused.setdefault((event, c.label), set()).update(set(step.blocked_by) & payload_rules)
    return Classes(frozenset(accepted), {k: frozenset(v) for k, v in refused.items()})


def _decide(case: Case, event: str, cls: PayloadClass) -> Step:
    return case.check(event, **dict(cls.payload))


def classify(defn: Definition) -> Classes:
    """Which payload classes of ``defn`` are valid, and which rules refuse the others (cached per definition)."""
    return _classify(defn)


def payload_classes(
    defn: Definition, event: str, valid: bool | None = None, rule: str | None = None
) -> tuple[PayloadClass, ...]:
    """The payload classes ``payloads`` draws from (see the module docstring)."""
    all_classes = catalog(defn)[defn.event(event).name]
    if valid is None and rule is None:
        return all_classes
    known = classify(defn)
    out = []
    for c in all_classes:
        refusers = known.refused_by.get((event, c.label), frozenset())
        if rule is not None:
            if rule in refusers:
                out.append(c)
        elif (valid and not refusers and (event, c.label) in known.accepted) or (valid is False and refusers):
            out.append(c)
    return tuple(out)


def payloads(
    defn: Definition, event: str, valid: bool | None = None, rule: str | None = None
) -> st.SearchStrategy[dict[str, Any]]:
    """Payloads for ``event``: any class, only valid ones, only invalid ones, or those ``rule`` refuses.

    Raises ``ValueError`` when no class fits (say, ``rule`` never refuses a payload of ``event``).
    """
    chosen = payload_classes(defn, event, valid, rule)
    if not chosen:
        wanted = f"refused by {rule}" if rule else ("valid" if valid else "invalid")
        raise ValueError(f"no payload class of '{event}' in '{defn.name}' is {wanted}")
    return st.sampled_from(chosen).map(lambda c: dict(c.payload))


@attrs.frozen
class Action:
    """One move of an event sequence: wait (``None`` for no wait) then fire ``event`` with ``payload``."""

    event: str
    payload: Mapping[str, Any]
    wait: Duration | None = None


def _waits(defn: Definition) -> list[Duration]:
    return [*time_thresholds(defn), Duration(seconds=86400)]


def actions(defn: Definition) -> st.SearchStrategy[Action]:
    """One ``Action`` of ``defn``: any event, any of its payload classes, with or without a wait first."""
    classes = catalog(defn)
    moves = [(event, c) for event, cs in classes.items() for c in cs]
    waits: list[Duration | None] = [None, *_waits(defn)]
    return st.builds(
        lambda move, wait: Action(event=move[0], payload=dict(move[1].payload), wait=wait),
        st.sampled_from(moves),
        st.sampled_from(waits),
    )


def event_sequences(defn: Definition, *, min_size: int = 1, max_size: int = 12) -> st.SearchStrategy[list[Action]]:
    """Lists of ``Action``: event sequences of ``defn`` to run with ``run_actions``."""
    return st.lists(actions(defn), min_size=min_size, max_size=max_size)


def run_actions(defn: Definition, sequence: Sequence[Action], *, start: str = DEFAULT_START) -> Case:
    """Run a sequence on a new case with a simulated clock; returns the case."""
    clock = SimulatedClock(start, holidays=compiled(defn).holidays)
    case = Case(defn, clock=clock)
    for action in sequence:
        if action.wait is not None:
            clock.advance(action.wait)
        case.advance()
        case.fire_payload(action.event, action.payload)
    return case


def check_step(defn: Definition, step: Step) -> None:
    """The engine's guarantees on one recorded step (an ``AssertionError`` says which broke)."""
    comp = compiled(defn)
    declared = {(t.event, src, t.dest) for t in defn.transitions for src in t.sources}
    if step.accepted:
        assert (step.event, step.source, step.target) in declared, f"undeclared transition in {step}"
        assert step.source not in comp.terminal, f"step {step.index} '{step.event}' left terminal '{step.source}'"
        assert not step.blocked_by, f"an accepted step carries refusals: {step.blocked_by}"
    else:
        assert step.target == step.source, f"a refused step moved the case: {step}"
        assert step.blocked_by, f"a refused step names no rule: {step}"
        for f in step.refusals:
            assert f.rule in REGISTRY, f"unknown rule {f.rule}"
            assert f.source.strip() and f.message.strip(), f"refusal without source or message: {f}"


def state_machine(defn: Definition) -> type[RuleBasedStateMachine]:
    """A ``RuleBasedStateMachine`` class driving one case of ``defn`` (see the module docstring)."""
    classes = catalog(defn)
    comp = compiled(defn)
    events = list(defn.event_names)
    waits = _waits(defn)

    class DefinitionMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.clock = SimulatedClock(DEFAULT_START, holidays=comp.holidays)
            self.case = Case(defn, clock=self.clock)

        def _after(self, before_state: str, before: int) -> None:
            new = self.case.history[before:]
            assert new, "a step was not recorded"
            state = before_state
            for step in new:
                assert step.source == state, f"step {step.index} starts from {step.source}, the case was in {state}"
                check_step(defn, step)
                state = step.target
            assert self.case.state == state, f"the case is in {self.case.state}, its last step says {state}"

        @rule(data=st.data())
        def fire(self, data: st.DataObject) -> None:
            here = list(comp.table[self.case.state]) or events
            event = data.draw(st.one_of(st.sampled_from(here), st.sampled_from(events)), label="event")
            cls = data.draw(st.sampled_from(classes[event]), label="payload class")
            before_state, before = self.case.state, len(self.case.history)
            self.case.fire_payload(event, cls.payload)
            self._after(before_state, before)

        @precondition(lambda self: not self.case.terminal)
        @rule(wait=st.sampled_from(waits))
        def wait(self, wait: Duration) -> None:
            self.clock.advance(wait)
            before_state, before = self.case.state, len(self.case.history)
            if self.case.advance():
                self._after(before_state, before)

        @invariant()
        def definition_invariants_hold(self) -> None:
            broken = violations(defn, self.case.state, self.case.history)
            assert not broken, f"invariants broken: {broken}"

        @invariant()
        def snapshot_restores_the_same_case(self) -> None:
            again = Case.restore(defn, self.case.snapshot())
            assert again.state == self.case.state
            assert [(s.event, s.accepted, s.target) for s in again.history] == [
                (s.event, s.accepted, s.target) for s in self.case.history
            ]

    DefinitionMachine.__name__ = f"{defn.name.title().replace('_', '')}Machine"
    DefinitionMachine.__qualname__ = DefinitionMachine.__name__
    return DefinitionMachine
