"""Engine: every guard evaluated, refusals and failures are atomic, payload errors, snapshots, replay, timers."""

from __future__ import annotations

import gc
import json
import weakref
from collections.abc import Mapping
from typing import Any

import attrs
import pytest
from _suspension import (
    START,
    accept,
    escalation,
    in_state,
    new_case,
    poa,
    rejected,
    revised,
    sim_clock,
    submitted,
    suspended,
)

import workflow
from workflow.amazon.rules import REGISTRY, Rule
from workflow.core.clock import as_timestamp
from workflow.core.compiled import compiled
from workflow.io.load import definitions_dir

# ------------------------------------------------------------------------------------------ a toy definition

TOY = """
name: toy
version: "1"
parameters:
  holidays: []
states:
  idle: {initial: true}
  busy: {}
  done: {terminal: true}
events:
  go:
    payload:
      mode: {type: str, description: "which toy rules refuse: letters a and b; 'boom' makes one raise"}
      level: {type: int}
  finish: {}
  ping: {}
transitions:
  - event: go
    from: idle
    to: busy
    guards:
      - {rule: toy.refuse_a, source: "toy source A"}
      - {rule: toy.refuse_b, source: "toy source B"}
      - {rule: toy.explode, source: "toy source X"}
  - {event: finish, from: busy, to: done}
  - {event: ping, from: "*"}
advice:
  - {rule: toy.advise, events: go, source: "toy advice source"}
"""

TIMED = """
name: timed
version: "1"
states:
  waiting: {initial: true}
  expired: {terminal: true}
  answered: {terminal: true}
events:
  expire: {}
  answer: {}
transitions:
  - {event: expire, from: waiting, to: expired, after: 3bd}
  - {event: answer, from: waiting, to: answered}
"""

TIMED_GUARDED = """
name: timed_guarded
version: "1"
states:
  waiting: {initial: true}
  expired: {terminal: true}
  answered: {terminal: true}
events:
  expire: {}
  answer: {}
transitions:
  - event: expire
    from: waiting
    to: expired
    after: 2d
    guards:
      - {rule: toy.never, source: "toy source N"}
  - {event: answer, from: waiting, to: answered}
"""


def _mode(ctx: Any) -> str:
    return str(ctx.payload.get("mode") or "")


def _refuse_a(ctx: Any, params: Mapping[str, Any]) -> str | None:
    return "Letter a refuses." if "a" in _mode(ctx) else None


def _refuse_b(ctx: Any, params: Mapping[str, Any]) -> str | None:
    return "Letter b refuses." if "b" in _mode(ctx) else None


def _explode(ctx: Any, params: Mapping[str, Any]) -> str | None:
    if _mode(ctx) == "boom":
        raise ZeroDivisionError("the toy rule broke")
    return None


def _advise(ctx: Any, params: Mapping[str, Any]) -> str | None:
    if _mode(ctx) == "!":  # no letter a or b: the guards let it through
        raise KeyError("the toy advice broke")
    return "Toy advice." if "?" in _mode(ctx) else None


def _never(ctx: Any, params: Mapping[str, Any]) -> str | None:
    return "Never now."


@pytest.fixture
def toy_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    """Registers the toy rules for one test; the registry is restored afterwards."""
    for rule_id, kind, fn, reads in [
        ("toy.refuse_a", "guard", _refuse_a, ("mode",)),
        ("toy.refuse_b", "guard", _refuse_b, ("mode",)),
        ("toy.explode", "guard", _explode, ("mode",)),
        ("toy.advise", "advice", _advise, ()),
        ("toy.never", "guard", _never, ()),
    ]:
        rule = Rule(id=rule_id, kind=kind, summary=f"{rule_id}.", source=f"registry {rule_id}", check=fn, reads=reads)
        monkeypatch.setitem(REGISTRY, rule_id, rule)


@pytest.fixture
def toy(toy_rules: None) -> workflow.Definition:
    return workflow.load(text=TOY)


def toy_case(defn: workflow.Definition) -> workflow.Case:
    return workflow.Case(defn, clock=workflow.SimulatedClock(START))


# ------------------------------------------------------------------------------------------ every guard


def test_every_guard_is_evaluated_and_listed(toy: workflow.Definition) -> None:
    """A step failing several guards lists every one, sorted, each with its message and the definition's source."""
    case = toy_case(toy)
    step = case.fire("go", mode="ba")
    assert not step.accepted
    assert step.blocked_by == ("toy.refuse_a", "toy.refuse_b")
    assert [(f.rule, f.message, f.source, f.kind) for f in step.findings] == [
        ("toy.refuse_a", "Letter a refuses.", "toy source A", "refusal"),
        ("toy.refuse_b", "Letter b refuses.", "toy source B", "refusal"),
    ]


def test_every_suspension_guard_is_evaluated(suspension_def: workflow.Definition) -> None:
    """A POA wrong in every way is refused by every submit_poa guard that can see it, all at once."""
    case = suspended(suspension_def, reason_class="fraud")
    bad = poa(issues=(), measures=(), documents=({"kind": "invoice", "genuine": False},))
    step = case.fire("submit_poa", poa=bad, to="seller_support", channel="phone")
    assert step.blocked_by == (
        "fraud.no_appeal",
        "poa.addresses_all_issues",
        "poa.complete",
        "poa.genuine_documents",
        "submit.deciding_team",
        "submit.in_writing",
    )
    assert len(step.refusals) == len(step.blocked_by)


def test_advice_rides_only_on_accepted_steps(toy: workflow.Definition) -> None:
    """Advice is evaluated only once the guards let a step through."""
    assert toy_case(toy).fire("go", mode="a?").advice == ()
    step = toy_case(toy).fire("go", mode="?")
    assert step.accepted
    assert step.advice == ("toy.advise",)
    assert step.findings[0].source == "toy advice source"


# ------------------------------------------------------------------------------------------ refusals


def test_a_refused_step_changes_nothing_but_adds_itself(suspension_def: workflow.Definition) -> None:
    """A refused step leaves state and facts alone, and history grows by exactly that refused step."""
    case = rejected(suspension_def, revised(0), facts={"rejections": 1})
    state, facts, history = case.state, dict(case.facts), case.history
    step = case.fire("submit_poa", poa=revised(0), channel="phone")
    assert not step.accepted
    assert case.state == state
    assert dict(case.facts) == facts
    assert case.history[:-1] == history
    assert case.history[-1] == step
    assert step.index == len(history)
    assert (step.source, step.target) == (state, state)


def test_an_accepted_step_moves_and_is_recorded(suspension_def: workflow.Definition) -> None:
    """An accepted step moves the case to its target and is the last step of history."""
    case = suspended(suspension_def)
    step = case.fire("submit_poa", poa=revised(0))
    assert step.accepted
    assert case.state == step.target == "poa_submitted"
    assert case.history[-1] is step


def test_every_step_a_case_records_is_the_step_its_constructor_makes(suspension_def: workflow.Definition) -> None:
    """Steps are built slot by slot, not through ``Step(...)``: each field is set, and the step equals the one
    the constructor makes of the same values."""
    fields = attrs.fields(workflow.Step)
    case = rejected(suspension_def, revised(0), facts={"rejections": 1})
    case.fire("submit_poa", poa=revised(0), channel="phone")
    case.fire("submit_poa", poa=revised(1), to="seller_support")
    case.fire("submit_poa", poa=revised(2))
    case.fire("warn")
    assert {s.accepted for s in case.history} == {True, False}
    for step in case.history:
        values = {f.name: getattr(step, f.name) for f in fields}  # AttributeError for a slot left unset
        assert workflow.Step(**values) == step
        assert attrs.asdict(workflow.Step(**values), recurse=False) == attrs.asdict(step, recurse=False)


# ------------------------------------------------------------------------------------------ atomicity


def test_a_rule_that_raises_leaves_the_case_unchanged(toy: workflow.Definition) -> None:
    """A guard that raises becomes RuleFailure naming the rule and event; state, history and facts are untouched."""
    case = toy_case(toy)
    case.fire("go", mode="a")
    state, history, facts = case.state, case.history, dict(case.facts)
    with pytest.raises(workflow.RuleFailure) as info:
        case.fire("go", mode="boom")
    err = info.value
    assert (err.rule_id, err.event) == ("toy.explode", "go")
    assert isinstance(err.error, ZeroDivisionError)
    assert isinstance(err.__cause__, ZeroDivisionError)
    assert "rule 'toy.explode' failed on event 'go'" in str(err)
    assert "the toy rule broke" in str(err)
    assert isinstance(err, workflow.WorkflowError)
    assert (case.state, case.history, dict(case.facts)) == (state, history, facts)


def test_an_advice_rule_that_raises_leaves_the_case_unchanged(toy: workflow.Definition) -> None:
    """Advice raising after the guards passed still aborts the whole step: the case does not move."""
    case = toy_case(toy)
    with pytest.raises(workflow.RuleFailure) as info:
        case.fire("go", mode="!")
    assert info.value.rule_id == "toy.advise"
    assert case.state == "idle"
    assert case.history == ()
    assert case.fire("go").accepted  # and the case still works


def test_a_patched_registry_entry_that_raises_leaves_a_suspension_unchanged(
    suspension_def: workflow.Definition, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A built-in rule patched to raise (in a definition compiled afresh) becomes RuleFailure; the case is untouched."""

    def broken(ctx: Any, params: Mapping[str, Any]) -> str | None:
        raise RuntimeError("rule broke")

    monkeypatch.setitem(REGISTRY, "poa.revised", attrs.evolve(REGISTRY["poa.revised"], check=broken))
    defn = attrs.evolve(suspension_def, description="a copy compiled with the patched rule")
    case = suspended(defn)
    before = case.history
    with pytest.raises(workflow.RuleFailure, match=r"poa\.revised"):
        case.fire("submit_poa", poa=revised(0))
    assert case.state == "suspended"
    assert case.history == before


# ------------------------------------------------------------------------------------------ caller's mistakes


def test_unknown_event_raises_and_names_the_known_ones(suspension_def: workflow.Definition) -> None:
    """An event the definition does not know raises UnknownEvent with the name and the known events."""
    case = suspended(suspension_def)
    with pytest.raises(workflow.UnknownEvent) as info:
        case.fire("appeal")
    assert info.value.event == "appeal"
    assert "submit_poa" in info.value.known
    assert "unknown event 'appeal'" in str(info.value)
    assert len(case.history) == 1
    for call in (case.check, case.why_not):
        with pytest.raises(workflow.UnknownEvent):
            call("appeal")


@pytest.mark.parametrize(
    ("event", "payload", "path", "words"),
    [
        ("submit_poa", {"pao": {}}, "pao", "unknown field 'pao'"),
        ("suspend", {"reason_class": "performance", "issues": "order_defect_rate"}, "issues", "expected a list"),
        ("submit_poa", {"poa": {"root_causes": [{"issue": 3}]}}, "poa.root_causes[0].issue", "got 3 that is an int"),
        ("submit_poa", {"poa": {"documents": [{"kind": "invoice", "genuin": True}]}}, "poa.documents[0].genuin", ""),
        ("submit_poa", {"channel": "fax"}, "channel", "unknown value 'fax' (known: email, appeal_form"),
        ("suspend", {"reason_class": "tax"}, "reason_class", "unknown value 'tax'"),
        ("escalate", {"letter": {"key_actions": "one"}}, "letter.key_actions", "expected a list"),
        ("warn", {"value": "high"}, "value", "'high'"),
        ("submit_poa", {"to": "amazon"}, "to", "unknown value 'amazon'"),
    ],
    ids=[
        "unknown_field",
        "wrong_type",
        "nested_wrong_type",
        "nested_unknown_field",
        "wrong_choice",
        "wrong_reason_class",
        "letter_wrong_type",
        "number_wrong_type",
        "unknown_team",
    ],
)
def test_a_malformed_payload_raises_with_the_field_path(
    suspension_def: workflow.Definition, event: str, payload: dict[str, Any], path: str, words: str
) -> None:
    """A malformed payload raises PayloadError naming the event, the field's path and the fault; nothing changes."""
    case = in_state(suspension_def, "suspended" if event != "escalate" else "rejected")
    before = (case.state, case.history)
    with pytest.raises(workflow.PayloadError) as info:
        case.fire(event, **payload)
    err = info.value
    assert err.event == event
    assert path in [p.path for p in err.problems]
    assert f"event '{event}'" in str(err)
    assert f"{path}: " in str(err)
    assert words in str(err)
    assert (case.state, case.history) == before
    with pytest.raises(workflow.PayloadError):
        case.check(event, **payload)


def test_a_payload_error_lists_every_fault(suspension_def: workflow.Definition) -> None:
    """PayloadError reports every malformed field, not only the first."""
    case = suspended(suspension_def)
    with pytest.raises(workflow.PayloadError) as info:
        case.fire("submit_poa", to="amazon", channel="fax", extra=1)
    assert {p.path for p in info.value.problems} == {"to", "channel", "extra"}


def test_a_wrong_fact_raises(suspension_def: workflow.Definition) -> None:
    """Facts given to a new case are checked against the definition's fact types."""
    with pytest.raises(workflow.PayloadError, match="rejections"):
        new_case(suspension_def, facts={"rejections": "two"})
    with pytest.raises(workflow.PayloadError, match="mood"):
        new_case(suspension_def, facts={"mood": "grim"})


def test_a_facts_error_speaks_of_facts_not_of_an_event(suspension_def: workflow.Definition) -> None:
    """Wrong facts raise FactsError (still a PayloadError), one line naming the facts and each fault's path."""
    with pytest.raises(workflow.FactsError) as info:
        new_case(suspension_def, facts={"rejections": "two", "mood": "grim"})
    message = str(info.value)
    assert message.startswith("facts: ")
    assert "event" not in message
    assert "rejections: expected an integer" in message
    assert "mood: unknown field 'mood'" in message
    assert "\n" not in message
    assert isinstance(info.value, workflow.PayloadError)
    assert {p.path for p in info.value.problems} == {"rejections", "mood"}


def test_restore_reports_wrong_facts_once_as_facts(suspension_def: workflow.Definition) -> None:
    """A snapshot's wrong fact is reported as 'snapshot facts: <fact>: ...', not as an event's payload."""
    data = json.loads(json.dumps(new_case(suspension_def).snapshot()))
    data["facts"] = {"bogus": 1}
    with pytest.raises(workflow.SnapshotError) as info:
        workflow.Case.restore(suspension_def, data)
    assert str(info.value).startswith("snapshot facts: bogus: unknown field 'bogus'")


# ------------------------------------------------------------------------------------------ allowed / why_not / check


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("active", {"warn", "suspend", "contact_seller_support"}),
        ("suspended", {"submit_poa", "contact_seller_support"}),
        ("poa_submitted", {"request_info", "reject", "reinstate", "decide_final", "contact_seller_support"}),
        ("rejected", {"submit_poa", "escalate", "decide_final", "contact_seller_support"}),
        ("escalated", {"reject", "reinstate", "decide_final", "contact_seller_support"}),
        ("final_decision", set()),
        ("reinstated", set()),
    ],
)
def test_allowed_lists_what_the_state_and_payload_free_rules_allow(
    suspension_def: workflow.Definition, state: str, expected: set[str]
) -> None:
    """allowed() is the state's events minus those a payload-free rule refuses now (follow-ups wait)."""
    allowed = in_state(suspension_def, state).allowed()
    assert set(allowed) == expected
    assert len(allowed) == len(set(allowed))


def test_allowed_changes_with_time_and_history(suspension_def: workflow.Definition) -> None:
    """allowed() gains follow_up and escalate after the patience days, and loses escalate after one escalation."""
    case = submitted(suspension_def)
    assert not {"follow_up", "escalate"} & set(case.allowed())
    sim_clock(case).advance("5bd")
    assert {"follow_up", "escalate"} <= set(case.allowed())
    accept(case, "escalate", **escalation(revised(0)))
    accept(case, "reject")
    assert "escalate" not in case.allowed()
    assert "submit_poa" in case.allowed()


def test_allowed_does_not_change_the_case(suspension_def: workflow.Definition) -> None:
    """allowed() records nothing."""
    case = submitted(suspension_def)
    before = case.history
    case.allowed()
    assert case.history == before


def test_why_not_without_payload_refuses_only_what_needs_no_payload(suspension_def: workflow.Definition) -> None:
    """why_not(event) alone refuses only with what blocks the event whatever its payload; the payload rules
    follow as unjudged."""
    case = submitted(suspension_def)
    found = case.why_not("escalate")
    assert [f.rule for f in found if f.kind == "refusal"] == ["escalate.after_review"]
    assert found[0].source == "SEED4 [S]"
    assert {f.kind for f in found[1:]} == {"unjudged"}
    assert all(f.kind == "unjudged" for f in suspended(suspension_def).why_not("submit_poa"))


def test_why_not_with_payload_includes_payload_rules(suspension_def: workflow.Definition) -> None:
    """why_not(event, **payload) adds the rules that read the payload."""
    case = submitted(suspension_def)
    found = case.why_not("escalate", target="jeff", poa=poa(actions=()))
    assert sorted(f.rule for f in found) == ["escalate.after_review", "escalate.letter", "escalate.strong_poa"]


def test_why_not_says_the_state_refuses(suspension_def: workflow.Definition) -> None:
    """why_not of an event the state does not allow gives the state's refusal."""
    assert [f.rule for f in new_case(suspension_def).why_not("reject")] == ["state.no_transition"]
    assert [f.rule for f in in_state(suspension_def, "final_decision").why_not("escalate")] == ["appeals.closed"]


def test_why_not_of_an_allowed_event_is_empty_and_leaves_out_advice(suspension_def: workflow.Definition) -> None:
    """why_not lists refusals only: an accepted escalation to Jeff has advice but no refusal."""
    case = rejected(suspension_def)
    assert case.why_not("escalate", **escalation(revised(1), target="jeff")) == ()
    assert case.history[-1].event == "reject"


def test_check_is_what_fire_would_return(suspension_def: workflow.Definition) -> None:
    """check() returns the very step fire() then records, and records nothing itself."""
    for payload in (escalation(revised(1), target="jeff"), escalation(revised(0))):
        case = rejected(suspension_def, revised(0))
        before = case.history
        checked = case.check("escalate", **payload)
        assert case.history == before
        assert case.state == "rejected"
        assert case.fire("escalate", **payload) == checked


# ------------------------------------------------------------------------------------------ snapshots


def rich_case(defn: workflow.Definition) -> workflow.Case:
    """A case with refusals, advice, dates in documents, facts and a letter in its history."""
    case = new_case(defn, facts={"rejections": 1})
    case.fire("reject")
    accept(case, "warn", metric="order_defect_rate", value=0.012)
    accept(case, "suspend", reason_class="performance", issues=["order_defect_rate", "late_shipment_rate"])
    case.fire("submit_poa", poa=poa(documents=({"kind": "invoice", "genuine": False},)))
    sim_clock(case).advance("1d3h")
    accept(case, "submit_poa", poa=revised(0), to="seller_performance", channel="email")
    accept(case, "request_info")
    docs = [{"kind": "utility_bill", "issued": "2026-01-15", "issuer": "manufacturer", "screenshot": True}]
    accept(case, "provide_info", documents=docs)
    accept(case, "contact_seller_support", question="should I call a lawyer?")
    accept(case, "reject")
    accept(case, "escalate", **escalation(revised(1), target="jeff"))
    return case


def test_snapshot_round_trips_through_json(suspension_def: workflow.Definition) -> None:
    """snapshot -> json.dumps -> json.loads -> restore gives the same state, facts, history and snapshot."""
    case = rich_case(suspension_def)
    data = json.loads(json.dumps(case.snapshot()))
    back = workflow.Case.restore(suspension_def, data, clock=workflow.SimulatedClock(case.clock.now()))
    assert back.state == case.state == "escalated"
    assert dict(back.facts) == dict(case.facts)
    assert back.history == case.history
    assert back.created == case.created
    assert back.snapshot() == case.snapshot()
    assert back.history[6].payload["documents"][0].issued.isoformat() == "2026-01-15"


def test_a_restored_case_goes_on_like_the_original(suspension_def: workflow.Definition) -> None:
    """A restored case answers the next events as the original does."""
    case = rich_case(suspension_def)
    back = workflow.Case.restore(suspension_def, case.snapshot(), clock=workflow.SimulatedClock(case.clock.now()))
    for event in ("reject", "escalate", "submit_poa"):
        payload = {"poa": revised(1)} if event in ("escalate", "submit_poa") else {}
        assert back.fire(event, **payload) == case.fire(event, **payload)
    assert back.allowed() == case.allowed()


def test_snapshot_names_the_definition(suspension_def: workflow.Definition) -> None:
    """A snapshot names the definition, its version and content hash."""
    data = new_case(suspension_def).snapshot()
    assert data["definition"] == {
        "name": "account_suspension",
        "version": suspension_def.version,
        "hash": suspension_def.hash,
    }


def test_restore_refuses_another_content_hash(suspension_def: workflow.Definition) -> None:
    """A snapshot taken with a changed definition raises DefinitionMismatch unless the change is allowed."""
    assert suspension_def.origin is not None
    with open(suspension_def.origin, encoding="utf-8") as f:
        changed = workflow.load(text=f.read().replace("patience_days: 5", "patience_days: 3", 1))
    assert changed.hash != suspension_def.hash
    case = submitted(suspension_def)
    data = json.loads(json.dumps(case.snapshot()))
    with pytest.raises(workflow.DefinitionMismatch) as info:
        workflow.Case.restore(changed, data)
    assert (info.value.expected, info.value.got) == (changed.hash, suspension_def.hash)
    assert "allow_definition_change=True" in str(info.value)
    back = workflow.Case.restore(changed, data, allow_definition_change=True)
    assert back.state == "poa_submitted"
    assert back.history == case.history


def test_restore_refuses_a_tampered_hash(suspension_def: workflow.Definition) -> None:
    """A snapshot whose hash was edited is a DefinitionMismatch too."""
    data = submitted(suspension_def).snapshot()
    data["definition"]["hash"] = "0" * 64
    with pytest.raises(workflow.DefinitionMismatch):
        workflow.Case.restore(suspension_def, data)


def test_restore_refuses_another_definitions_snapshot(
    suspension_def: workflow.Definition, toy: workflow.Definition
) -> None:
    """A snapshot of another definition is a SnapshotError naming both, even with changes allowed."""
    data = toy_case(toy).snapshot()
    for allow in (False, True):
        with pytest.raises(workflow.SnapshotError) as info:
            workflow.Case.restore(suspension_def, data, allow_definition_change=allow)
        assert not isinstance(info.value, workflow.DefinitionMismatch)
        assert "'toy'" in str(info.value)
        assert "'account_suspension'" in str(info.value)


def _set(data: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "words"),
    [
        (("format",), "workflow.case/0", "format"),
        (("state",), _DELETE, "state"),
        (("state",), "limbo", "'limbo'"),
        (("created",), "yesterday", "created"),
        (("definition",), "account_suspension", "definition"),
        (("history",), {"0": {}}, "history"),
        (("history", 0, "index"), 7, "index 7"),
        (("history", 1, "event"), "appeal", "unknown event 'appeal'"),
        (("history", 1, "payload", "reason_class"), "tax", "history[1].payload"),
        (("history", 0, "findings", 0, "kind"), "warning", "history[0].findings[0].kind"),
        (("history", 0, "accepted"), "yes", "history[0].accepted"),
        (("facts", "rejections"), "many", "facts"),
        (("history", 1, "payload"), [1], "history[1].payload: expected a mapping"),
        (("history", 1, "payload"), "performance", "history[1].payload: expected a mapping"),
        (("history", 1, "source"), "nowhere", "history[1].source: 'nowhere' is not a state"),
        (("history", 1, "target"), "nowhere", "history[1].target: 'nowhere' is not a state"),
        (("history", 1, "source"), "suspended", "history[1].source: 'suspended', but the steps before"),
        (("history", 0, "target"), "suspended", "history[0]: a refused step stays in 'active'"),
        (("state",), "reinstated", "not the target of its last accepted step, 'suspended'"),
        (("history", 1, "accepted"), False, "history[1]: a refused step"),
    ],
    ids=[
        "format",
        "no_state",
        "unknown_state",
        "bad_created",
        "definition_not_mapping",
        "history_not_list",
        "index_out_of_order",
        "unknown_event",
        "bad_payload",
        "bad_finding",
        "bad_accepted",
        "bad_fact",
        "payload_a_list",
        "payload_a_string",
        "source_not_a_state",
        "target_not_a_state",
        "source_not_where_the_steps_left_it",
        "refused_step_that_moves",
        "state_not_where_the_history_ends",
        "accepted_flipped",
    ],
)
def test_restore_refuses_a_malformed_snapshot(
    suspension_def: workflow.Definition, path: tuple[Any, ...], value: Any, words: str
) -> None:
    """A malformed snapshot raises SnapshotError saying where."""
    case = new_case(suspension_def)
    case.fire("reject")
    accept(case, "suspend", reason_class="performance", issues=["order_defect_rate"])
    data = _set(json.loads(json.dumps(case.snapshot())), path, value)
    with pytest.raises(workflow.SnapshotError) as info:
        workflow.Case.restore(suspension_def, data)
    assert words in str(info.value)


def test_restore_refuses_a_state_other_than_the_initial_one_without_accepted_steps(
    suspension_def: workflow.Definition,
) -> None:
    """With no accepted step, the snapshot's state must be the initial state."""
    case = new_case(suspension_def)
    case.fire("reject")
    data = json.loads(json.dumps(case.snapshot()))
    assert workflow.Case.restore(suspension_def, data).state == "active"
    data["state"] = "suspended"
    with pytest.raises(workflow.SnapshotError, match="is not the initial state, 'active'"):
        workflow.Case.restore(suspension_def, data)


@pytest.mark.parametrize("data", [[], "snapshot", None, {}])
def test_restore_refuses_what_is_not_a_snapshot(suspension_def: workflow.Definition, data: Any) -> None:
    """Something that is not a snapshot mapping at all raises SnapshotError."""
    with pytest.raises(workflow.SnapshotError):
        workflow.Case.restore(suspension_def, data)


# ------------------------------------------------------------------------------------------ replay


def test_replay_rebuilds_the_same_case(suspension_def: workflow.Definition) -> None:
    """replay(definition, history) offers every step again and rebuilds the same state and history."""
    case = rich_case(suspension_def)
    again = workflow.replay(suspension_def, case.history, facts=case.facts)
    assert again.state == case.state
    assert again.history == case.history


def test_replay_of_the_history_alone(suspension_def: workflow.Definition) -> None:
    """replay(definition, case.history) alone rebuilds a case that was given no facts, refusals included."""
    case = rejected(suspension_def, revised(0))
    case.fire("submit_poa", poa=revised(0))
    sim_clock(case).advance("2d")
    accept(case, "escalate", **escalation(revised(1), target="jeff"))
    again = workflow.replay(suspension_def, case.history)
    assert again.state == case.state == "escalated"
    assert again.history == case.history
    assert [s.accepted for s in again.history] == [True, True, True, False, True]


def test_replay_needs_the_facts_the_case_had(suspension_def: workflow.Definition) -> None:
    """replay with the case's facts reproduces fact-dependent refusals; without them it names where it departs."""
    case = rejected(suspension_def, facts={"escalations": 1})
    case.fire("escalate", **escalation(revised(1)))
    assert case.history[-1].blocked_by == ("escalate.once",)
    assert workflow.replay(suspension_def, case.history, facts=case.facts).history == case.history
    with pytest.raises(workflow.errors.HistoryDeparture) as e:
        workflow.replay(suspension_def, case.history)
    assert e.value.index == len(case.history) - 1
    assert "escalate.once" in e.value.expected and "accepted 'rejected' -> 'escalated'" in e.value.got


def test_replay_of_nothing_is_a_new_case(suspension_def: workflow.Definition) -> None:
    """Replaying an empty history gives a case in the initial state."""
    again = workflow.replay(suspension_def, ())
    assert again.state == "active"
    assert again.history == ()


# ------------------------------------------------------------------------------------------ nothing attached to a case


@pytest.mark.parametrize("name", ["is_active", "is_suspended", "suspend", "may_suspend", "to_active", "trigger"])
def test_no_methods_are_attached_to_a_case(suspension_def: workflow.Definition, name: str) -> None:
    """transitions attaches nothing to a Case: no is_<state>, <event>, may_<event> or to_<state>."""
    case = suspended(suspension_def)
    assert not hasattr(case, name)
    assert not hasattr(workflow.Case, name)


def test_a_dropped_definition_and_its_compiled_structures_are_collected() -> None:
    """A definition loaded, compiled and used by a case is freed with its compiled entry once nothing holds it."""
    text = (definitions_dir() / "account_suspension.yaml").read_text()
    defn = attrs.evolve(workflow.load(text=text), description="a definition no other test holds")
    case = workflow.Case(defn, clock=workflow.SimulatedClock("2026-03-02T09:00:00Z"))
    case.fire("suspend", reason_class="performance", issues=["order_defect_rate"])
    gone = weakref.ref(defn)
    comp = weakref.ref(compiled(defn))
    del defn
    gc.collect()
    assert gone() is not None, "a live case keeps its definition"
    assert case.definition is gone()
    del case
    gc.collect()
    assert gone() is None
    assert comp() is None


def test_one_compiled_table_per_definition(suspension_def: workflow.Definition) -> None:
    """Every case of a definition shares one compiled table, built once."""
    assert compiled(suspension_def) is compiled(suspension_def)
    assert compiled(suspension_def).table is compiled(suspension_def).table


# ------------------------------------------------------------------------------------------ timers


@pytest.fixture
def timed() -> workflow.Definition:
    return workflow.load(text=TIMED)


def test_a_timer_fires_at_its_deadline(timed: workflow.Definition) -> None:
    """'after: 3bd' from Monday 09:00 falls due Thursday 09:00; advance fires it then, recorded at the deadline."""
    case = workflow.Case(timed, clock=workflow.SimulatedClock(START))
    due = case.deadline()
    assert due is not None
    assert due[0] == as_timestamp("2026-03-05T09:00:00Z")
    assert case.advance(as_timestamp("2026-03-05T08:59:59Z")) == []
    assert case.state == "waiting"
    steps = case.advance(as_timestamp("2026-03-06T12:00:00Z"))
    assert [(s.event, s.accepted, s.timer, s.at) for s in steps] == [
        ("expire", True, True, as_timestamp("2026-03-05T09:00:00Z"))
    ]
    assert case.state == "expired"
    assert case.advance(as_timestamp("2026-04-01T00:00:00Z")) == []


def test_a_timer_skips_the_weekend(timed: workflow.Definition) -> None:
    """'after: 3bd' from Thursday falls due the next Tuesday."""
    case = workflow.Case(timed, clock=workflow.SimulatedClock("2026-03-05T09:00:00Z"))
    due = case.deadline()
    assert due is not None
    assert due[0] == as_timestamp("2026-03-10T09:00:00Z")


def test_a_timer_fires_before_a_later_event(timed: workflow.Definition) -> None:
    """An event offered after a deadline finds the timer already fired; the event meets the new state."""
    case = workflow.Case(timed, clock=workflow.SimulatedClock(START))
    sim_clock(case).set("2026-03-09T09:00:00Z")
    step = case.fire("answer")
    assert [s.event for s in case.history] == ["expire", "answer"]
    assert case.history[0].timer
    assert not step.accepted
    assert step.blocked_by == ("state.no_transition",)
    assert case.state == "expired"


def test_an_event_before_the_deadline_wins(timed: workflow.Definition) -> None:
    """An event offered before the deadline moves the case, and the timer never fires."""
    case = workflow.Case(timed, clock=workflow.SimulatedClock(START))
    sim_clock(case).set("2026-03-04T09:00:00Z")
    assert case.fire("answer").accepted
    assert case.advance(as_timestamp("2026-04-01T00:00:00Z")) == []
    assert case.state == "answered"


def test_advance_defaults_to_the_clock(timed: workflow.Definition) -> None:
    """advance() with no time uses the case's clock."""
    case = workflow.Case(timed, clock=workflow.SimulatedClock(START))
    sim_clock(case).advance("3bd")
    assert [s.event for s in case.advance()] == ["expire"]


def test_a_refused_timer_is_recorded_once(toy_rules: None) -> None:
    """A timer its guard refuses is recorded refused once, and not retried on later advances."""
    case = workflow.Case(workflow.load(text=TIMED_GUARDED), clock=workflow.SimulatedClock(START))
    steps = case.advance(as_timestamp("2026-03-05T09:00:00Z"))
    assert [(s.event, s.accepted, s.blocked_by) for s in steps] == [("expire", False, ("toy.never",))]
    assert steps[0].at == as_timestamp("2026-03-04T09:00:00Z")
    assert case.advance(as_timestamp("2026-03-20T09:00:00Z")) == []
    assert case.state == "waiting"
    assert len(case.history) == 1


def test_timer_steps_survive_snapshot_and_replay(timed: workflow.Definition) -> None:
    """A case with a timer step restores from its snapshot and replays to the same history."""
    case = workflow.Case(timed, clock=workflow.SimulatedClock(START))
    sim_clock(case).set("2026-03-09T09:00:00Z")
    case.fire("answer")
    back = workflow.Case.restore(timed, json.loads(json.dumps(case.snapshot())))
    assert back.history == case.history
    again = workflow.replay(timed, case.history, created=case.created)
    assert again.history == case.history
    assert again.state == "expired"


def test_toy_rules_are_gone_after_the_test_that_used_them() -> None:
    """The toy rules do not leak into the registry (this test runs after the ones that register them)."""
    assert not any(rule_id.startswith("toy.") for rule_id in REGISTRY)
