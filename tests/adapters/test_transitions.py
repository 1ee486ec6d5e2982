"""``workflow.adapters.transitions``: a ``transitions.Machine`` that accepts and refuses exactly as ``Case`` does.

The property test runs the same generated walk (events with representative payloads from
``workflow.testing.actions``, waits long enough for every rule's day counts and every timer) on a ``Case``
and on a model driven through the adapter's machine, on one simulated clock, and compares them after every
step: the trigger's answer with the step's ``accepted``, the model's state with the case's, and the adapter's
recorded steps with the case's, field by field (findings, timers and advice included).

It can fail: ``test_a_wrong_binding_is_caught`` breaks the machine's conditions on purpose and shows that the
same comparison finds a walk where it differs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

import workflow
from workflow.adapters.transitions import Adapter, machine_for
from workflow.core.clock import Duration
from workflow.core.compiled import compiled
from workflow.errors import ModelNotAdded, WrongDefinition
from workflow.testing import Action, actions

START = "2026-03-02T09:00:00Z"  # a Monday
LIFECYCLES = ("account_suspension", "ip_complaint", "linked_accounts", "verification", "catalog_case")
SUSPEND = {"reason_class": "performance", "issues": ["order_defect_rate", "late_shipment_rate"]}
POA = {
    "root_causes": [
        {"issue": "order_defect_rate", "text": "late carrier hand-off in December"},
        {"issue": "late_shipment_rate", "text": "orders confirmed before they were packed"},
    ],
    "corrective_actions": ["moved to two-day carrier pickup"],
    "preventive_measures": ["daily late-shipment report reviewed by the owner"],
}

Walk = Sequence[tuple[Action, Duration | None]]


class Account:
    """An app's model: it declares nothing for the machine to bind."""

    state: str


def walks(defn: workflow.Definition) -> st.SearchStrategy[list[tuple[Action, Duration | None]]]:
    """Walks of ``defn``: actions (each with its own optional wait), each after an optional timer-long wait."""
    timers = sorted(
        {e.transition.timer.after for es in compiled(defn).timers.values() for e in es if e.transition.timer}, key=str
    )
    extra: list[Duration | None] = [None, *timers]
    return st.lists(st.tuples(actions(defn), st.sampled_from(extra)), max_size=14)


def differences(defn: workflow.Definition, walk: Walk, spoil: Callable[[Adapter], None] | None = None) -> list[str]:
    """Run ``walk`` on a ``Case`` and through the adapter on one clock; what differed, step by step."""
    clock = workflow.SimulatedClock(START, holidays=compiled(defn).holidays)
    case = workflow.Case(defn, clock=clock)
    model = Account()
    adapter = machine_for(defn, model, clock=clock)
    if spoil is not None:
        spoil(adapter)
    out: list[str] = []
    for n, (action, wait) in enumerate(walk):
        for pause in (action.wait, wait):
            if pause is not None:
                clock.advance(pause)
        try:
            step = case.fire_payload(action.event, action.payload)
        except workflow.WorkflowError as e:
            with pytest.raises(type(e)):
                adapter.trigger(model, action.event, **action.payload)
            continue
        try:
            answer = adapter.trigger(model, action.event, **action.payload)
        except RuntimeError as e:  # the adapter found the machine and the case disagreeing, and recorded nothing
            out.append(f"{n} {action.event}: {e}")
            break
        if answer != step.accepted:
            out.append(f"{n} {action.event}: trigger answered {answer}, Case accepted={step.accepted}")
        if model.state != case.state:
            out.append(f"{n} {action.event}: model in {model.state!r}, case in {case.state!r}")
        if adapter.last(model) != step:
            out.append(f"{n} {action.event}: step {adapter.last(model)} != {step}")
        if adapter.case(model).history != case.history:
            out.append(f"{n} {action.event}: histories differ")
    return out


@pytest.mark.parametrize("name", LIFECYCLES)
def test_the_machine_decides_every_step_as_case_does(name: str) -> None:
    """On generated walks of every built-in lifecycle the machine accepts, refuses and records as ``Case``."""
    defn = workflow.load(name)

    @settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
    @given(walks(defn))
    def check(walk: Walk) -> None:
        assert differences(defn, walk) == []

    check()


def _conditions_always_hold(adapter: Adapter) -> None:
    """Spoil the machine: every rule's condition answers True (the rules are not bound at all)."""
    for event in adapter.machine.events.values():
        for candidates in event.transitions.values():
            for t in candidates:
                if t.dest is not None:  # the definition's edges, not the states' refusals
                    for c in t.conditions:
                        c.func = lambda ed: True


def _first_guard_dropped(adapter: Adapter) -> None:
    """Spoil the machine: each transition loses its first condition (one rule left unbound per edge)."""
    for event in adapter.machine.events.values():
        for candidates in event.transitions.values():
            for t in candidates:
                if t.dest is not None:
                    t.conditions = t.conditions[1:]


@pytest.mark.parametrize("spoil", [_conditions_always_hold, _first_guard_dropped])
def test_a_wrong_binding_is_caught(spoil: Callable[[Adapter], None]) -> None:
    """The comparison the property test makes finds a walk where a wrongly bound machine differs from Case."""
    defn = workflow.load("account_suspension")
    walk = find(
        walks(defn),
        lambda w: bool(differences(defn, w, spoil)),
        settings=settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck)),
    )
    assert differences(defn, walk, spoil)
    assert differences(defn, walk) == []


@pytest.fixture
def suspension() -> workflow.Definition:
    return workflow.load("account_suspension")


def test_nothing_is_attached_to_the_model(suspension: workflow.Definition) -> None:
    """The machine binds no method to a model that declares none: only transitions' ``state`` is set."""
    model = Account()
    adapter = machine_for(suspension, model, clock=workflow.SimulatedClock(START))
    adapter.trigger(model, "suspend", **SUSPEND)
    adapter.trigger(model, "escalate")
    assert vars(model) == {"state": "suspended"}
    assert "trigger" not in dir(model) and not any(name.startswith(("is_", "may_", "to_")) for name in dir(model))


def test_a_refusal_reports_every_rule(suspension: workflow.Definition) -> None:
    """An escalation refused by three guards of one edge names all three, as ``Case`` does, though transitions
    stops at the first condition that fails."""
    clock = workflow.SimulatedClock(START)
    model = Account()
    adapter = machine_for(suspension, model, clock=clock)
    case = workflow.Case(suspension, clock=clock)
    for event, payload in (
        ("suspend", SUSPEND),
        ("submit_poa", {"to": "seller_performance", "channel": "email", "poa": POA}),
    ):
        assert adapter.trigger(model, event, **payload) is True
        case.fire_payload(event, payload)
    assert adapter.trigger(model, "escalate") is False
    step = adapter.last(model)
    assert step is not None and step == case.fire("escalate")
    assert step.blocked_by == ("escalate.after_review", "escalate.letter", "escalate.strong_poa")
    assert all(f.message and f.source for f in step.refusals)
    assert model.state == "poa_submitted" and adapter.case(model).state == "poa_submitted"


def test_an_event_the_state_does_not_take_is_refused_not_raised(suspension: workflow.Definition) -> None:
    """An event the definition knows but the state has no transition for returns False with the state's refusal."""
    model = Account()
    adapter = machine_for(suspension, model, clock=workflow.SimulatedClock(START))
    assert adapter.trigger(model, "reinstate") is False
    step = adapter.last(model)
    assert step is not None and not step.accepted and step.blocked_by
    assert (
        step.blocked_by == workflow.Case(suspension, clock=workflow.SimulatedClock(START)).fire("reinstate").blocked_by
    )


def test_mistakes_raise_and_record_nothing(suspension: workflow.Definition) -> None:
    """An unknown event raises ``UnknownEvent``, a bad payload ``PayloadError``; neither is recorded."""
    model = Account()
    adapter = machine_for(suspension, model, clock=workflow.SimulatedClock(START))
    with pytest.raises(workflow.UnknownEvent) as unknown:
        adapter.trigger(model, "suspended")
    assert unknown.value.event == "suspended" and "suspend" in unknown.value.known
    with pytest.raises(workflow.PayloadError) as bad:
        adapter.trigger(model, "suspend", reason_class="performance", issues=["order_defect_rate"], colour="red")
    assert bad.value.event == "suspend"
    assert adapter.case(model).history == () and adapter.last(model) is None and model.state == "active"
    with pytest.raises(ModelNotAdded):
        adapter.trigger(Account(), "suspend", **SUSPEND)


def test_history_reading_rules_see_the_models_steps(suspension: workflow.Definition) -> None:
    """Steps taken through the machine are the case's history, which ``escalate.once`` reads."""
    clock = workflow.SimulatedClock(START)
    model = Account()
    adapter = machine_for(suspension, model, clock=clock)
    adapter.trigger(model, "suspend", **SUSPEND)
    adapter.trigger(model, "submit_poa", to="seller_performance", channel="email", poa=POA)
    assert [(s.event, s.accepted) for s in adapter.case(model).history] == [("suspend", True), ("submit_poa", True)]
    assert adapter.case(model).log.count("submit_poa") == 1


def test_a_saved_case_resumes_on_a_new_model(suspension: workflow.Definition) -> None:
    """``add_model(model, case=...)`` puts the model in the case's state; a case of another definition is refused."""
    clock = workflow.SimulatedClock(START)
    case = workflow.Case(suspension, clock=clock)
    case.fire_payload("suspend", SUSPEND)
    adapter = machine_for(suspension, clock=clock)
    model = Account()
    assert adapter.add_model(model, case=case) is case
    assert model.state == "suspended"
    with pytest.raises(WrongDefinition):
        adapter.add_model(Account(), case=workflow.Case(workflow.load("verification"), clock=clock))


def test_a_declared_trigger_stub_is_bound(suspension: workflow.Definition) -> None:
    """transitions' convention for typed models: a class that declares ``trigger`` gets it bound by the machine."""

    class Typed:
        state: str

        def trigger(self, name: str, **payload: Any) -> bool:
            raise RuntimeError("bound by the machine")

    model = Typed()
    adapter = machine_for(suspension, model, clock=workflow.SimulatedClock(START))
    assert model.trigger("suspend", **SUSPEND) is True
    assert adapter.case(model).state == "suspended" == model.state
