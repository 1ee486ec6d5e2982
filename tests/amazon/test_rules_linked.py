"""Linked accounts: the linked_accounts definition, the group that makes its cases act together, scenarios with
cases (its rules are tested in tests/amazon/rules/test_linked.py)."""

from __future__ import annotations

import datetime as dt
import doctest
import json
import re
from pathlib import Path
from typing import Any

import pytest
from _linked import OWN, START, make_group
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

import workflow
import workflow.run.group
from workflow.amazon.rules.linked import RELATED, enforced_now
from workflow.errors import DefinitionError, SnapshotError, UnknownEvent
from workflow.run.group import CaseGroup


@pytest.fixture(scope="module")
def linked() -> workflow.Definition:
    return workflow.load("linked_accounts")


# ------------------------------------------------------------------------------------------------ the definition


def test_definition_declares_the_cascade_as_data(linked: workflow.Definition) -> None:
    """The cascade is declared by the definition: on suspend, the others get suspend with related_account."""
    (cascade,) = linked.cascades
    assert (cascade.rule.id, cascade.when, cascade.fire) == ("linked.cascade", "suspend", "suspend")
    assert dict(cascade.payload) == {"reason_class": RELATED}
    assert cascade.members_in == ("active",)
    assert cascade.rule.source == "SEED3 [S]"
    assert {"linked.cascade", "linked.reinstatement_order", "linked.no_new_accounts"} <= set(linked.rule_ids())


def test_definition_states_follow_the_catalog(linked: workflow.Definition) -> None:
    """One account's case: active, suspended, appeal_submitted, and two terminal outcomes."""
    assert linked.initial.name == "active"
    assert {s.name for s in linked.states if s.terminal} == {"reinstated", "permanently_deactivated"}
    assert "linked_accounts" in workflow.builtin_names()


def test_every_rule_use_cites_a_source(linked: workflow.Definition) -> None:
    """Guards and cascades each name their source."""
    uses = [g for t in linked.transitions for g in t.guards] + [c.rule for c in linked.cascades]
    assert uses
    assert all(u.source.strip() for u in uses)


def test_module_example_runs() -> None:
    """The example in workflow.run.group's docstring runs as written."""
    result = doctest.testmod(workflow.run.group, verbose=False)
    assert result.attempted >= 3
    assert result.failed == 0


# ------------------------------------------------------------------------------------------------ linked.cascade


GUARDED = """
name: guarded_links
version: "1"
facts:
  reason_class: {type: str}
states:
  active: {initial: true}
  suspended: {}
  closed: {terminal: true}
events:
  suspend:
    payload:
      reason_class: {type: str}
      linked_account: {type: str}
  close: {}
transitions:
  - event: suspend
    from: active
    to: suspended
    guards: [{rule: fraud.no_appeal, source: "A-BSA3-EXPL [S]"}]
  - {event: close, from: [active, suspended], to: closed}
cascades:
  - rule: linked.cascade
    source: "SEED3 [S]"
    when: suspend
    fire: suspend
    with: {reason_class: related_account}
    name_field: linked_account
    members_in: [active]
"""


def test_cascade_is_all_or_none() -> None:
    """A member that refuses the cascaded step refuses the whole event: no member changes at all."""
    defn = workflow.load(text=GUARDED, file="guarded.yaml")
    clock = workflow.SimulatedClock(START)
    group = CaseGroup(defn, ["a", "b", "c"], clock=clock, facts={"c": {"reason_class": "fraud"}})
    before = {n: group[n].history for n in group}
    result = group.fire("a", "suspend", reason_class="performance")
    assert not result.accepted
    assert result.blocked_by == ("linked.cascade",)
    (finding,) = result.step.refusals
    assert "'c' refuses 'suspend'" in finding.message
    assert "fraud.no_appeal" in finding.message
    assert "'b'" not in finding.message
    assert group.states() == {"a": "active", "b": "active", "c": "active"}
    assert group["b"].history == before["b"] == ()
    assert group["c"].history == before["c"]
    assert len(group["a"].history) == 1  # the refusal itself is recorded where the event was fired


def test_cascade_goes_through_when_no_member_refuses() -> None:
    """The same group without the refusing member cascades normally."""
    defn = workflow.load(text=GUARDED, file="guarded.yaml")
    group = CaseGroup(defn, ["a", "b"], clock=workflow.SimulatedClock(START))
    assert group.fire("a", "suspend", reason_class="performance").accepted
    assert group.states() == {"a": "suspended", "b": "suspended"}


def test_member_that_cannot_take_the_event_changes_nothing(linked: workflow.Definition) -> None:
    """A member whose definition lacks the cascaded event makes the event raise, and nothing changes."""
    other = workflow.load(text=GUARDED.replace("suspend", "halt"), file="x.yaml")
    group, _ = make_group(linked, "main")
    group.add("odd", definition=other)
    with pytest.raises(UnknownEvent):
        group.fire("main", "suspend", **OWN)
    assert group.states() == {"main": "active", "odd": "active"}
    assert group["main"].history == ()


def test_group_check_changes_nothing(linked: workflow.Definition) -> None:
    """check() says what fire() would do and leaves every member as it was."""
    group, _ = make_group(linked)
    result = group.check("main", "suspend", **OWN)
    assert result.accepted
    assert len(result.cascaded) == 2
    assert group.states() == {"main": "active", "second": "active", "third": "active"}
    assert all(group[n].history == () for n in group)


# ------------------------------------------------------------------------------------------------ persistence, errors


def test_group_snapshot_round_trip(linked: workflow.Definition) -> None:
    """A restored group has the same states, and its rules still see the other members."""
    group, clock = make_group(linked)
    group.fire("main", "suspend", **OWN)
    restored = CaseGroup.restore(linked, group.snapshot(), clock=clock)
    assert restored.states() == group.states()
    assert restored.fire("second", "submit_appeal", linked_account="main", reinstatement_date="2026-03-02").blocked_by
    assert restored.fire("second", "open_new_account", name="x").blocked_by == ("linked.no_new_accounts",)


def test_group_snapshot_refuses_other_data(linked: workflow.Definition) -> None:
    """A case snapshot is not a group snapshot."""
    case = workflow.Case(linked)
    with pytest.raises(SnapshotError, match="not a group snapshot"):
        CaseGroup.restore(linked, case.snapshot())


def test_unknown_member_and_duplicate_names(linked: workflow.Definition) -> None:
    """Naming a member that does not exist, or adding one twice, is the caller's mistake."""
    group, _ = make_group(linked, "main")
    with pytest.raises(workflow.WorkflowError, match="no member named 'ghost'"):
        group.fire("ghost", "suspend", **OWN)
    with pytest.raises(workflow.WorkflowError, match="already has a member"):
        group.add("main")


BAD_CASCADES = """
  - rule: linked.no_new_accounts
    source: "x"
    when: suspend
    fire: suspend
    members_in: [active]
  - rule: linked.cascade
    source: "SEED3 [S]"
    when: suspended
    fire: suspend
    with: {reason_class: related, colour: red}
    members_in: [actve]
"""


def test_broken_cascades_are_located() -> None:
    """Every fault in a cascade is reported with its path: rule kind, event, state, payload field and value."""
    text = GUARDED.split("cascades:", maxsplit=1)[0] + "cascades:" + BAD_CASCADES
    with pytest.raises(DefinitionError) as err:
        workflow.load(text=text, file="bad.yaml")
    report = err.value.report()
    assert "cascades[0].rule: rule 'linked.no_new_accounts' is a guard rule, not an effect rule" in report
    assert "cascades[1].when: unknown event 'suspended'" in report
    assert "cascades[1].members_in[0]: unknown state 'actve'" in report
    assert "cascades[1].with.colour: event 'suspend' has no payload field 'colour'" in report
    assert "bad.yaml:" in report


def test_cascade_payload_values_are_checked() -> None:
    """A value outside the fired field's choices is refused at load."""
    field = "reason_class: {type: str}\n      linked"
    text = GUARDED.replace(field, field.replace("{type: str}", "{type: str, choices: [a]}"))
    with pytest.raises(DefinitionError, match=r"cascades\[0\]\.with\.reason_class: unknown value 'related_account'"):
        workflow.load(text=text, file="bad.yaml")


# ------------------------------------------------------------------------------------------------ stateful


NAMES = ("a", "b", "c")
REASONS = ("performance", "policy", "ip", RELATED, "fraud")


class LinkedGroupMachine(RuleBasedStateMachine):
    """Random events at random members: cascades are all or none and the rules' promises hold."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = workflow.SimulatedClock(START)
        self.group = CaseGroup(workflow.load("linked_accounts"), NAMES, clock=self.clock)

    def _fire(self, member: str, event: str, payload: dict[str, Any]) -> workflow.run.group.GroupStep:
        before = self.group.states()
        lengths = {n: len(self.group[n].history) for n in NAMES}
        result = self.group.fire_payload(member, event, payload)
        if not result.accepted:
            assert self.group.states() == before
            for n in NAMES:
                assert len(self.group[n].history) == lengths[n] + (n == member)
        return result

    @rule(member=st.sampled_from(NAMES), reason=st.sampled_from(REASONS))
    def suspend(self, member: str, reason: str) -> None:
        active = {n for n, s in self.group.states().items() if s == "active"}
        result = self._fire(member, "suspend", {"reason_class": reason})
        if result.accepted:
            assert {n for n, _ in result.cascaded} == active - {member}
            assert all(self.group[n].state == "suspended" for n in active)

    @rule(member=st.sampled_from(NAMES), name=st.sampled_from((*NAMES, None)), days=st.integers(-1, 1))
    def appeal(self, member: str, name: str | None, days: int) -> None:
        payload: dict[str, Any] = {}
        if name is not None:
            steps = [s for s in self.group[name].history if s.accepted and s.event == "reinstate"]
            when = steps[-1].at.date() if steps else self.clock.now().date()
            payload = {"linked_account": name, "reinstatement_date": when + dt.timedelta(days=days)}
        self._fire(member, "submit_appeal", payload)

    @rule(member=st.sampled_from(NAMES), event=st.sampled_from(("reinstate", "reject", "deactivate_permanently")))
    def decide(self, member: str, event: str) -> None:
        self._fire(member, event, {})

    @rule(member=st.sampled_from(NAMES))
    def open_account(self, member: str) -> None:
        enforced = any(enforced_now(self.group[n].history) for n in NAMES)
        result = self._fire(member, "open_new_account", {"name": "new"})
        if enforced:
            assert not result.accepted

    @rule(days=st.integers(1, 5))
    def wait(self, days: int) -> None:
        self.clock.advance(f"{days}d")

    @invariant()
    def related_appeals_follow_reinstatements(self) -> None:
        """Every accepted related-account appeal came after every own-violation account was reinstated."""
        for name in NAMES:
            for step in self.group[name].history:
                if not (step.accepted and step.event == "submit_appeal"):
                    continue
                suspended = [s for s in self.group[name].history[: step.index] if s.accepted and s.event == "suspend"]
                if not suspended or suspended[-1].payload.get("reason_class") != RELATED:
                    continue
                for other in NAMES:
                    if other == name:
                        continue
                    earlier = [s for s in self.group[other].history if s.at <= step.at]
                    own = [s for s in earlier if s.accepted and s.event == "suspend"]
                    if own and own[-1].payload.get("reason_class") != RELATED:
                        assert any(s.accepted and s.event == "reinstate" and s.index > own[-1].index for s in earlier)

    @invariant()
    def terminal_members_stay(self) -> None:
        """No member leaves a terminal state."""
        for name in NAMES:
            history = self.group[name].history
            for step in history:
                assert not (step.accepted and step.source in {"reinstated", "permanently_deactivated"})


TestLinkedGroup = LinkedGroupMachine.TestCase


# ------------------------------------------------------------------------------------------------ scenarios with cases

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TWO_CASES = """
definition: linked_accounts
start: 2026-03-02T09:00:00Z
cases:
  main: {}
  second: {facts: {linked_account: main}}
steps:
  - {case: main, event: suspend, with: {reason_class: performance}, expect: accepted}
  - {case: second, event: open_new_account, with: {name: x}, expect: [linked.no_new_accounts]}
"""


def test_scenario_with_cases_runs_as_a_group() -> None:
    """Each step goes to its case; the cascade's steps follow it in the trace, marked as such."""
    trace = workflow.run_scenario(workflow.load_scenario(text=TWO_CASES, file="two.yaml"))
    assert trace.expectations_met
    assert [(t.case, t.step.event, t.cascade) for t in trace.steps] == [
        ("main", "suspend", False),
        ("second", "suspend", True),
        ("second", "open_new_account", False),
    ]
    data = trace.to_json()
    assert data["final_states"] == {"main": "suspended", "second": "suspended"}
    assert data["final_state"] == "suspended"
    assert [s["case"] for s in data["steps"]] == ["main", "second", "second"]
    assert data["steps"][1]["cascade"] is True
    assert trace.group is not None
    assert trace.group["second"].facts["linked_account"] == "main"


def test_single_case_scenario_json_is_unchanged() -> None:
    """A scenario without cases prints exactly the contract's keys: no case, no final_states."""
    data = workflow.simulate(EXAMPLES / "strong_poa_after_one_rejection.yaml").to_json()
    assert list(data) == ["definition", "version", "initial_state", "final_state", "steps", "expectations_met"]
    assert all("case" not in s and "cascade" not in s for s in data["steps"])
    assert list(data["steps"][0])[:3] == ["index", "event", "at"]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "{case: main, event: suspend",
            "{event: suspend",
            "steps[0].case: missing: which case is this for? (main, second)",
        ),
        ("{case: main, event: suspend", "{case: third, event: suspend", "steps[0].case: unknown case 'third'"),
        ("{facts: {linked_account: main}}", "{facts: {linked_account: [1]}}", "cases.second.facts.linked_account"),
        ("  main: {}\n", "  main: {colour: red}\n", "cases.main.colour: unknown field 'colour'"),
    ],
)
def test_scenario_case_mistakes_are_located(old: str, new: str, message: str) -> None:
    """A step without its case, an unknown case, or wrong facts for a case: a located ScenarioError."""
    assert old in TWO_CASES
    with pytest.raises(workflow.ScenarioError) as err:
        workflow.load_scenario(text=TWO_CASES.replace(old, new), file="two.yaml")
    assert message in err.value.report()
    assert "two.yaml:" in err.value.report()


def test_case_on_a_single_case_scenario_is_an_error() -> None:
    """A step naming a case in a scenario that names none is refused."""
    text = "definition: linked_accounts\nsteps:\n  - {case: main, event: suspend, with: {reason_class: ip}}\n"
    with pytest.raises(workflow.ScenarioError, match="this scenario names no cases"):
        workflow.load_scenario(text=text, file="one.yaml")


@pytest.mark.parametrize("name", ["linked_account_reinstated_first", "linked_accounts_suspended_together"])
def test_linked_examples_from_the_cli(name: str) -> None:
    """The linked examples run from the CLI: exit 0, the text names each step's case, JSON has final_states."""
    from click.testing import CliRunner
    from workflow_cli.main import main

    path = str(EXAMPLES / f"{name}.yaml")
    text = CliRunner().invoke(main, ["simulate", "--scenario", path])
    assert text.exit_code == 0, text.output
    assert "final states:" in text.output
    data = json.loads(CliRunner().invoke(main, ["simulate", "--scenario", path, "--json"]).output)
    assert data["expectations_met"]
    assert set(data["final_states"]) == {s["case"] for s in data["steps"]}


def test_reinstated_first_story_ends_with_both_reinstated() -> None:
    """The related account is reinstated after the account that broke the rules, and only then."""
    trace = workflow.simulate(EXAMPLES / "linked_account_reinstated_first.yaml")
    assert trace.final_states == {"main": "reinstated", "second": "reinstated"}
    refused = [t for t in trace.steps if not t.step.accepted]
    assert {t.case for t in refused} == {"second"}
    assert all(t.step.blocked_by == ("linked.reinstatement_order",) for t in refused)


def test_readme_scenario_with_cases_runs(tmp_path: Path) -> None:
    """The scenario with cases shown in the README loads and meets its expectations."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = re.search(r"^### Several cases in one scenario\n.*?^```yaml\n(.*?)^```", readme, flags=re.M | re.S)
    assert block
    path = tmp_path / "cases.yaml"
    path.write_text(block.group(1), encoding="utf-8")
    trace = workflow.simulate(path)
    assert trace.expectations_met
    assert trace.final_states == {"main": "suspended", "second": "suspended"}


def test_rules_command_shows_the_cascade() -> None:
    """`workflow rules linked_accounts` lists linked.cascade, where it applies and its source."""
    from click.testing import CliRunner
    from workflow_cli.main import main

    rows = json.loads(CliRunner().invoke(main, ["rules", "linked_accounts", "--json"]).output)
    cascade = next(r for r in rows if r["id"] == "linked.cascade")
    assert cascade["kind"] == "effect"
    assert cascade["source"] == "SEED3 [S]"
    assert cascade["used_on"] == ["suspend (cascades suspend to the group)"]
    assert workflow.CaseGroup is CaseGroup
