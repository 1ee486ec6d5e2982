"""``workflow.testing``: payload strategies that mean what they say, event sequences, the stateful test factory."""

from __future__ import annotations

import re
from typing import Any

import pytest
from _explored import BUILTINS, explored, without_rule
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test

import workflow
import workflow.testing as wt
from workflow.core.case import Case
from workflow.core.clock import DEFAULT_START as START
from workflow.core.compiled import compiled
from workflow.core.invariants import violations

FEW = settings(max_examples=15, stateful_step_count=15, deadline=None)


def _base_contexts(name: str, event: str) -> list[Case]:
    """Cases told with base payloads only in which ``event`` with its base payload is accepted (up to 10)."""
    ex = explored(name)
    defn = ex.definition
    base = wt.catalog(defn)[event][0]
    out = []
    for node in ex.nodes:
        if any(n.move is not None and n.move.event is not None and n.move.label != "base" for n in ex.path(node.id)):
            continue
        if event in compiled(defn).table[node.case.state] and node.case.check(event, **base.payload).accepted:
            out.append(node.case)
    return out[:10]


def _fire(case: Case, event: str, payload: dict[str, Any]) -> workflow.Step:
    """``payload`` fired on a copy of ``case`` (the case itself is shared and stays as it is)."""
    copy = Case.restore(case.definition, case.snapshot(), clock=workflow.SimulatedClock(case.clock.now()))
    return copy.fire_payload(event, payload)


@pytest.mark.parametrize("name", BUILTINS)
def test_state_machine_holds_for_every_builtin(name: str) -> None:
    """The generated stateful test passes on every built-in: engine guarantees and invariants hold."""
    run_state_machine_as_test(wt.state_machine(workflow.load(name)), settings=FEW)


def test_state_machine_catches_a_broken_definition() -> None:
    """Without state.no_transition a closed catalog case refuses with another rule: the stateful test fails."""
    mutant = without_rule("catalog_case", "state.no_transition")
    fast = settings(max_examples=100, stateful_step_count=10, deadline=None, phases=(Phase.generate, Phase.shrink))
    with pytest.raises(AssertionError, match=r"(resolved|closed)_case_accepts_nothing"):
        run_state_machine_as_test(wt.state_machine(mutant), settings=fast)


@pytest.mark.parametrize("name", BUILTINS)
@given(data=st.data())
@settings(max_examples=20, deadline=None)
def test_valid_payloads_are_accepted_and_invalid_ones_refused(name: str, data: st.DataObject) -> None:
    """In the plain story, valid payloads pass, invalid ones are refused, and rule=X payloads are refused by X."""
    defn = workflow.load(name)
    events = [e for e in defn.event_names if wt.payload_classes(defn, e, valid=False)]
    if not events:
        assert wt.classify(defn).refused_by == {} or all(not v for v in wt.classify(defn).refused_by.values())
        return
    event = data.draw(st.sampled_from(events))
    cases = _base_contexts(name, event)
    assert cases
    good = data.draw(wt.payloads(defn, event, valid=True))
    assert all(_fire(case, event, good).accepted for case in cases)
    bad = data.draw(wt.payloads(defn, event, valid=False))
    assert any(not _fire(case, event, bad).accepted for case in cases)
    known = wt.classify(defn).refused_by
    rules = sorted({r for c in wt.payload_classes(defn, event, valid=False) for r in known[(event, c.label)]})
    rule = data.draw(st.sampled_from(rules))
    payload = data.draw(wt.payloads(defn, event, rule=rule))
    assert any(rule in _fire(case, event, payload).blocked_by for case in cases)


def test_every_payload_rule_of_account_suspension_has_payloads_it_refuses() -> None:
    """Each rule that reads submit_poa's or escalate's payload has a payload class it refuses."""
    defn = workflow.load("account_suspension")
    for rule in (
        "poa.complete",
        "poa.addresses_all_issues",
        "poa.genuine_documents",
        "submit.deciding_team",
        "submit.in_writing",
    ):
        assert wt.payload_classes(defn, "submit_poa", rule=rule), rule
    for rule in ("escalate.strong_poa", "escalate.letter"):
        assert wt.payload_classes(defn, "escalate", rule=rule), rule


def test_no_payload_fits_raises() -> None:
    """Asking for payloads a rule never refuses is an error that names the event and the rule."""
    with pytest.raises(ValueError, match=r"'recover'.*refused by poa\.complete"):
        wt.payloads(workflow.load("account_suspension"), "recover", rule="poa.complete")


@pytest.mark.parametrize("name", BUILTINS)
@given(data=st.data())
@settings(max_examples=15, deadline=None)
def test_event_sequences_keep_the_engine_guarantees(name: str, data: st.DataObject) -> None:
    """Any generated event sequence leaves a history where every step keeps the guarantees and invariants."""
    defn = workflow.load(name)
    sequence = data.draw(wt.event_sequences(defn, max_size=10))
    case = wt.run_actions(defn, sequence)
    assert len(case.history) >= len(sequence)
    for step in case.history:
        wt.check_step(defn, step)
    assert violations(defn, case.state, case.history) == []


def test_check_step_rejects_a_refusal_that_moved() -> None:
    """check_step fails on a refused step that changed state (the guarantee it checks can fail)."""
    defn = workflow.load("account_suspension")
    case = Case(defn, clock=workflow.SimulatedClock(START))
    step = case.fire("reject")
    assert not step.accepted
    wt.check_step(defn, step)
    import attrs

    with pytest.raises(AssertionError, match="moved the case"):
        wt.check_step(defn, attrs.evolve(step, target="rejected"))


def test_the_documented_example_runs() -> None:
    """The example in workflow.testing's docstring, pasted as is, defines a passing test and a stateful test."""
    doc = wt.__doc__ or ""
    block = doc.split("::", 1)[1]
    code = "\n".join(line[4:] for line in block.splitlines() if line.startswith("    ") or not line.strip())
    assert re.search(r"state_machine\(definition\)", code)
    namespace: dict[str, Any] = {}
    exec(compile(code, "workflow.testing example", "exec"), namespace)
    namespace["test_an_incomplete_plan_is_refused"]()
    case_class = namespace["TestMyLifecycle"]
    case_class("runTest").runTest()
