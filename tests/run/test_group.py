"""Groups: restoring members by name, a cascade rule that raises, cascades bound once, members' histories."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import pytest

import workflow
import workflow.core.case
import workflow.run.group
from workflow.amazon.rules import REGISTRY
from workflow.amazon.rules.linked import enforced_now, last_suspension, own_violation, reinstated_on
from workflow.core.compiled import BoundRule
from workflow.core.history import History
from workflow.core.model import Definition, RuleRef
from workflow.errors import DefinitionMismatch, MemberError, SnapshotError
from workflow.run.group import CaseGroup, GroupView, Member

START = "2026-03-02T09:00:00Z"  # a Monday
OWN = {"reason_class": "performance", "issues": ["order_defect_rate"]}


_FRESH = iter(range(1_000_000))


def fresh_linked() -> workflow.Definition:
    """``linked_accounts`` as a definition equal to no other (what is derived from it is made afresh)."""
    return attrs.evolve(workflow.load("linked_accounts"), description=f"linked accounts, copy {next(_FRESH)}")


@pytest.fixture(scope="module")
def linked() -> workflow.Definition:
    return workflow.load("linked_accounts")


def group_of(defn: workflow.Definition, *names: str) -> CaseGroup:
    return CaseGroup(defn, names or ("main", "second"), clock=workflow.SimulatedClock(START))


# ------------------------------------------------------------------------------------------------ restore


def test_restore_refuses_a_member_name_that_is_not_a_string(linked: workflow.Definition) -> None:
    """Members 1 and "1" are not merged into one: a name that is not a string is refused, naming it and its type."""
    group = group_of(linked, "1")
    snap = group.snapshot()
    case_snap = snap["members"]["1"]
    with pytest.raises(SnapshotError, match=r"a non-empty string, got 1 \(int\)"):
        CaseGroup.restore(linked, {**snap, "members": {1: case_snap, "1": case_snap}})
    with pytest.raises(SnapshotError, match=r"got '' \(str\)"):
        CaseGroup.restore(linked, {**snap, "members": {"": case_snap}})


def test_restore_names_the_member_whose_snapshot_is_bad(linked: workflow.Definition) -> None:
    """A bad member snapshot is reported under members.<name>, after the members before it restored fine."""
    group = group_of(linked)
    group.fire("main", "suspend", **OWN)
    snap = group.snapshot()
    broken = {**snap["members"]["second"], "state": "nowhere"}
    with pytest.raises(SnapshotError, match=r"^members\.second: snapshot state 'nowhere' is not a state of") as info:
        CaseGroup.restore(linked, {**snap, "members": {"main": snap["members"]["main"], "second": broken}})
    assert type(info.value) is SnapshotError


def test_restore_keeps_a_definition_mismatch_a_mismatch(linked: workflow.Definition) -> None:
    """A member taken with another definition hash stays a DefinitionMismatch, its message naming the member."""
    snap = group_of(linked).snapshot()
    other = {**snap["members"]["second"], "definition": {**snap["members"]["second"]["definition"], "hash": "0" * 64}}
    with pytest.raises(DefinitionMismatch, match=r"^members\.second: snapshot was taken with definition") as info:
        CaseGroup.restore(linked, {**snap, "members": {"main": snap["members"]["main"], "second": other}})
    assert info.value.got == "0" * 64


def test_a_member_restored_alone_sees_no_group(linked: workflow.Definition) -> None:
    """A member's case restored on its own has no group (its rules see none); a restored group gives each its view."""
    alone = workflow.Case.restore(linked, group_of(linked).snapshot()["members"]["second"])
    assert alone.group is None
    assert alone.fire("open_new_account", name="x").accepted
    restored = CaseGroup.restore(linked, group_of(linked).snapshot())
    views = {name: case.group for name, case in restored.items()}
    assert all(isinstance(v, GroupView) for v in views.values())
    assert {n: v.name for n, v in views.items()} == {"main": "main", "second": "second"}


# ------------------------------------------------------------------------------------------------ cascades


def test_a_cascade_rule_that_raises_is_a_rule_failure_and_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cascade's rule raising becomes RuleFailure naming it and the event; no member's state or history moves."""

    def broken(ctx: Any, params: Mapping[str, Any]) -> str | None:
        raise RuntimeError("cascade broke")

    monkeypatch.setitem(REGISTRY, "linked.cascade", attrs.evolve(REGISTRY["linked.cascade"], check=broken))
    group = group_of(fresh_linked(), "main", "second", "third")
    assert group.fire("second", "open_new_account", name="x").accepted
    before = {name: (case.state, case.history) for name, case in group.items()}
    with pytest.raises(workflow.RuleFailure, match=r"rule 'linked\.cascade' failed on event 'suspend'") as info:
        group.fire("main", "suspend", **OWN)
    assert isinstance(info.value.error, RuntimeError)
    assert {name: (case.state, case.history) for name, case in group.items()} == before
    with pytest.raises(workflow.RuleFailure):
        group.check("main", "suspend", **OWN)
    assert {name: (case.state, case.history) for name, case in group.items()} == before


def test_cascades_are_bound_once_per_definition(monkeypatch: pytest.MonkeyPatch) -> None:
    """Firing many times, in several groups of one definition, binds its cascade rules once."""
    calls: list[str] = []
    real = workflow.core.compiled.bind

    def counting(defn: Definition, ref: RuleRef) -> BoundRule:
        calls.append(ref.id)
        return real(defn, ref)

    monkeypatch.setattr(workflow.run.group, "bind", counting)
    defn = fresh_linked()
    for _ in range(3):
        group = group_of(defn, "a", "b")
        assert group.fire("a", "suspend", **OWN).cascaded
        assert group.fire("b", "open_new_account", name="x").blocked_by == ("linked.no_new_accounts",)
    assert calls == [c.rule.id for c in defn.cascades] == ["linked.cascade"]


# ------------------------------------------------------------------------------------------------ members' histories


def test_a_member_shows_the_case_history_itself(linked: workflow.Definition) -> None:
    """Member.history is the member case's History (no copy), empty before any step, and matches its steps."""
    group = group_of(linked)
    (second,) = GroupView(group, "main").others()
    assert isinstance(second.history, History) and len(second.history) == 0
    group.fire("main", "suspend", **OWN)
    (second,) = GroupView(group, "main").others()
    assert second.history is group["second"].log
    assert tuple(second.history) == group["second"].history


def test_history_helpers_agree_on_a_history_and_a_tuple(linked: workflow.Definition) -> None:
    """last_suspension and reinstated_on give the same answers from a History and from a plain tuple of steps."""
    clock = workflow.SimulatedClock(START)
    group = CaseGroup(linked, ["main", "second"], clock=clock)
    group.fire("main", "suspend", **OWN)
    clock.advance("1d")
    assert group.fire("main", "submit_appeal").accepted
    clock.advance("2d")
    assert group.fire("main", "reinstate").accepted
    member = Member("main", group["main"])
    live, copy = member.history, group["main"].history
    step = last_suspension(live)
    assert step is not None and step == last_suspension(copy) and step.event == "suspend"
    assert reinstated_on(live, step) == reinstated_on(copy, step) == clock.now().date()
    assert own_violation(member) == (True, clock.now().date())
    assert not enforced_now(live) and not enforced_now(copy)
    assert enforced_now(group["second"].history)


def test_a_group_snapshot_reports_every_members_faults(linked: workflow.Definition) -> None:
    """Two broken members and a nameless one: the SnapshotError lists a fault of each, naming the member."""
    snap = group_of(linked).snapshot()
    members = dict(snap["members"])
    members["main"] = {**members["main"], "state": "nowhere"}
    members["second"] = {**members["second"], "created": "not a time"}
    members[""] = members["main"]
    with pytest.raises(SnapshotError) as info:
        CaseGroup.restore(linked, {**snap, "members": members})
    paths = [p.path for p in info.value.problems]
    assert any(p.startswith("members.main") for p in paths)
    assert any(p.startswith("members.second") for p in paths)
    assert "members" in paths


def test_an_unknown_member_is_a_member_error(linked: workflow.Definition) -> None:
    """Asking a group for a member it lacks names the member and the members it has."""
    group = group_of(linked)
    with pytest.raises(MemberError) as info:
        group["third"]
    assert (info.value.name, info.value.members, info.value.taken) == ("third", ("main", "second"), False)
    with pytest.raises(MemberError, match="already has a member named 'main'"):
        group.add("main")
