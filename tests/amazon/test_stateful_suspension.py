"""A Hypothesis state machine over account_suspension: generated events, payloads (sound, weak and malformed) and
clock moves, with the case's invariants checked after every step."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from _suspension import EVENTS, START, sample_payload
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

import workflow
from workflow.amazon import generate
from workflow.amazon.teams import teams_of
from workflow.core.invariants import violations

DEFN = workflow.load("account_suspension")
TEAMS = teams_of(DEFN).ids()


def choices(event: str, name: str) -> tuple[str, ...]:
    field = DEFN.event(event).field(name)
    assert field is not None
    assert field.choices
    return field.choices


TARGETS = choices("escalate", "target")
REASONS = choices("suspend", "reason_class")
CHANNELS = choices("submit_poa", "channel")
RARE = ("reinstate", "decide_final", "contact_seller_support")

# ------------------------------------------------------------------------------------------ payload strategies
# Built from workflow/generate.py's vocabulary, so that plans and notices meet often.

texts = st.sampled_from(("late carrier hand-off", "an unvetted supplier", "no stock checks", "our lawyer was away"))
documents = st.lists(
    st.fixed_dictionaries(
        {"kind": st.sampled_from(generate.DOC_KINDS)},
        optional={
            "genuine": st.booleans(),
            "issued": st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2026, 12, 31)).map(str),
            "issuer": st.sampled_from(generate.ISSUERS),
        },
    ),
    max_size=2,
)
plans = st.fixed_dictionaries(
    {
        "root_causes": st.lists(
            st.fixed_dictionaries({"issue": st.sampled_from(generate.ISSUES), "text": texts}),
            max_size=4,
            unique_by=lambda r: r["issue"],
        ),
        "corrective_actions": st.lists(st.sampled_from(generate.ACTIONS[:3]), max_size=2, unique=True),
        "preventive_measures": st.lists(st.sampled_from(generate.ACTIONS[3:]), max_size=2, unique=True),
        "documents": documents,
    }
)


def letters_for(plan: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    actions = plan["corrective_actions"] + plan["preventive_measures"]
    pool = st.sampled_from(actions) if actions else st.sampled_from(generate.ACTIONS)
    return st.fixed_dictionaries(
        {"key_actions": st.lists(st.one_of(pool, st.sampled_from(generate.ACTIONS)), max_size=4, unique=True)},
        optional={
            "asks_for": st.sampled_from(("senior_investigator", "seller_performance_manager", "jeff")),
            "text": st.sampled_from(("Please review.", "We will sue.")),
        },
    )


def escalations() -> st.SearchStrategy[dict[str, Any]]:
    return plans.flatmap(
        lambda p: st.fixed_dictionaries({"poa": st.just(p), "letter": letters_for(p)}, optional={"target": targets})
    )


targets = st.sampled_from(TARGETS)
teams = st.one_of(st.sampled_from(("seller_performance", "product_quality")), st.sampled_from(TEAMS))

PAYLOADS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "warn": st.fixed_dictionaries(
        {},
        optional={
            "metric": st.sampled_from(("order_defect_rate", "late_shipment_rate")),
            "policy": st.just("restricted products"),
            "value": st.floats(min_value=0, max_value=0.2),
        },
    ),
    "suspend": st.fixed_dictionaries(
        {"reason_class": st.sampled_from(REASONS), "issues": st.lists(st.sampled_from(generate.ISSUES), max_size=2)},
        optional={"team": teams},
    ),
    "submit_poa": st.fixed_dictionaries({"poa": plans}, optional={"to": teams, "channel": st.sampled_from(CHANNELS)}),
    "provide_info": st.fixed_dictionaries({}, optional={"documents": documents}),
    "escalate": escalations(),
    "contact_seller_support": st.fixed_dictionaries({}, optional={"question": st.sampled_from(generate.WORDS)}),
}

#: payloads the payload schema refuses: (event, payload)
MALFORMED = st.one_of(
    st.sampled_from(EVENTS).map(lambda e: (e, {"no_such_field": 1})),
    st.sampled_from(
        [
            ("suspend", {"reason_class": "tax"}),
            ("suspend", {"issues": "order_defect_rate"}),
            ("submit_poa", {"poa": "we are sorry"}),
            ("submit_poa", {"poa": {"root_causes": [{"text": "no issue named"}]}}),
            ("submit_poa", {"channel": "fax"}),
            ("submit_poa", {"to": "jeff"}),
            ("escalate", {"letter": ["not", "a", "letter"]}),
            ("escalate", {"target": "the_press"}),
            ("provide_info", {"documents": [{"genuine": True}]}),
            ("warn", {"value": "high"}),
        ]
    ),
)


def cited(case: workflow.Case) -> list[str]:
    step = next((s for s in reversed(case.history) if s.accepted and s.event == "suspend"), None)
    return list(step.payload.get("issues", ())) if step is not None else []


def sound_plan(case: workflow.Case, n: int) -> dict[str, Any]:
    """A strong plan answering what the notice cited, worded by ``n`` (so two different ``n`` are two plans)."""
    return {
        "root_causes": [{"issue": i, "text": f"cause found on review {n}"} for i in cited(case) or ["inauthentic"]],
        "corrective_actions": list(generate.ACTIONS[:2]),
        "preventive_measures": list(generate.ACTIONS[3:5]),
        "documents": [{"kind": "invoice"}],
    }


class SuspensionCases(RuleBasedStateMachine):
    """One account_suspension case per run, driven by generated events and clock moves."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = workflow.SimulatedClock(START)
        self.case = workflow.Case(DEFN, clock=self.clock)

    @initialize(
        facts=st.fixed_dictionaries(
            {},
            optional={
                "rejections": st.integers(min_value=0, max_value=3),
                "escalations": st.integers(min_value=0, max_value=1),
                "esr_reviewed": st.booleans(),
            },
        )
    )
    def start(self, facts: dict[str, Any]) -> None:
        self.case = workflow.Case(DEFN, clock=self.clock, facts=facts)

    # ------------------------------------------------------------------------------------------ offering

    def offer(self, event: str, payload: dict[str, Any]) -> None:
        """Fire ``event``; a refusal must change nothing, and a terminal state must accept nothing."""
        case = self.case
        state, facts, history = case.state, dict(case.facts), case.history
        was_terminal = case.terminal
        checked = case.check(event, **payload)
        step = case.fire(event, **payload)
        assert step == checked
        assert case.history == (*history, step)
        assert step.source == state
        if was_terminal:
            assert not step.accepted
            assert step.blocked_by in (("appeals.closed",), ("state.no_transition",))
        if step.accepted:
            assert case.state == step.target
            assert step.blocked_by == ()
        else:
            assert step.blocked_by
            assert step.advice == ()
            assert (case.state, dict(case.facts), step.target) == (state, facts, state)

    @rule(event=st.sampled_from(EVENTS), data=st.data())
    def fire_generated(self, event: str, data: st.DataObject) -> None:
        """Any event with a generated, well-formed payload (sound or weak in the rules' eyes)."""
        self.offer(event, data.draw(PAYLOADS.get(event, st.just({}))))

    @rule(n=st.integers(min_value=0, max_value=6), to=targets, data=st.data())
    def fire_sound(self, n: int, to: str, data: st.DataObject) -> None:
        """An event the case allows now, with a sound payload: drives cases deep into the lifecycle."""
        allowed = self.case.allowed()
        # events that end a case (or change nothing) come up less often, so that runs get deep first
        weighted = [e for e in allowed for _ in range(1 if e in RARE else 4)]
        event = data.draw(st.sampled_from(weighted or EVENTS))
        if event == "submit_poa":
            payload: dict[str, Any] = {"poa": sound_plan(self.case, n), "channel": "email"}
        elif event == "escalate":
            plan = sound_plan(self.case, n)
            payload = {"target": to, "poa": plan, "letter": {"asks_for": "senior_investigator"}}
            payload["letter"]["key_actions"] = plan["corrective_actions"]
        elif event == "suspend":
            payload = {"reason_class": data.draw(st.sampled_from(REASONS)), "issues": ["order_defect_rate"]}
        else:
            payload = sample_payload(event)
        self.offer(event, payload)

    @rule(bad=MALFORMED)
    def fire_malformed(self, bad: tuple[str, dict[str, Any]]) -> None:
        """A malformed payload raises PayloadError and changes nothing."""
        event, payload = bad
        before = (self.case.state, self.case.history)
        with pytest.raises(workflow.PayloadError) as info:
            self.case.fire(event, **payload)
        assert info.value.event == event
        assert (self.case.state, self.case.history) == before

    @rule(name=st.sampled_from(("appeal", "escalate_again", "Suspend", "")))
    def fire_unknown(self, name: str) -> None:
        """An event the definition does not know raises UnknownEvent and changes nothing."""
        before = self.case.history
        with pytest.raises(workflow.UnknownEvent):
            self.case.fire(name)
        assert self.case.history == before

    @rule(by=st.sampled_from(("3h", "1d", "1bd", "2bd", "5bd", "1w")))
    def wait(self, by: str) -> None:
        """Time passes."""
        self.clock.advance(by)

    # ------------------------------------------------------------------------------------------ invariants

    @invariant()
    def escalated_at_most_once(self) -> None:
        """No case is escalated twice, nor at all once the facts say it was escalated or reviewed already."""
        n = sum(1 for s in self.case.history if s.accepted and s.event == "escalate")
        assert n <= 1
        if self.case.facts.get("escalations") or self.case.facts.get("esr_reviewed"):
            assert n == 0

    @invariant()
    def terminal_states_allow_nothing(self) -> None:
        """A terminal case allows no event."""
        if self.case.terminal:
            assert self.case.allowed() == ()

    @invariant()
    def declared_invariants_hold(self) -> None:
        """The definition's own invariants hold."""
        assert violations(DEFN, self.case.state, self.case.history) == []

    @invariant()
    def replay_rebuilds_the_case(self) -> None:
        """Replaying the history rebuilds the same case."""
        case = self.case
        again = workflow.replay(DEFN, case.history, facts=case.facts, created=case.created)
        assert again.state == case.state
        assert again.history == case.history

    @invariant()
    def snapshot_round_trips(self) -> None:
        """snapshot -> JSON -> restore gives the same case."""
        case = self.case
        data = case.snapshot()
        back = workflow.Case.restore(DEFN, json.loads(json.dumps(data)), clock=self.clock)
        assert (back.state, back.history, dict(back.facts)) == (case.state, case.history, dict(case.facts))
        assert back.snapshot() == data


SuspensionCases.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestSuspensionCases = SuspensionCases.TestCase


def test_the_machine_reaches_every_state() -> None:
    """The sound rule alone drives a case through every state of the lifecycle (so the machine explores them)."""
    seen: set[str] = set()
    for path in (
        ["suspend", "submit_poa", "request_info", "provide_info", "reject", "escalate", "reinstate"],
        ["warn", "recover", "suspend", "submit_poa", "reject", "submit_poa", "decide_final"],
    ):
        case = workflow.Case(DEFN, clock=workflow.SimulatedClock(START))
        for n, event in enumerate(path):
            if event == "submit_poa":
                payload: dict[str, Any] = {"poa": sound_plan(case, n), "channel": "email"}
            elif event == "escalate":
                plan = sound_plan(case, n)
                payload = {"poa": plan, "letter": {"asks_for": "senior_investigator"}}
                payload["letter"]["key_actions"] = plan["corrective_actions"]
            elif event == "suspend":
                payload = {"reason_class": "performance", "issues": ["order_defect_rate"]}
            else:
                payload = sample_payload(event)
            step = case.fire(event, **payload)
            assert step.accepted, (event, step.findings)
            seen.add(case.state)
    assert seen | {"active"} == set(DEFN.state_names)
