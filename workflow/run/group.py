"""``CaseGroup``: named cases that act together, such as the linked accounts of one seller.

Each member is an ordinary case of its definition. What makes them a group is data: a definition may declare
``cascades`` (an accepted event at one member offers another event to every other member in given states),
and rules read the other members' histories through ``ctx.group``. Nothing here knows a flow by name.

A cascade is all or none. The group first asks every member it reaches whether it would accept; if any would
refuse, the event itself is refused at the member it was fired at (citing the cascade's rule and the member's
refusals) and no member changes. Only then are the steps applied, and should one still be refused, every
member is put back as it was.

>>> import workflow
>>> from workflow.run.group import CaseGroup
>>> group = CaseGroup(workflow.load("linked_accounts"), ["main", "second"],
...                   clock=workflow.SimulatedClock("2026-03-02T09:00:00Z"))
>>> result = group.fire("main", "suspend", reason_class="performance", issues=["order_defect_rate"])
>>> result.accepted, group.states()
(True, {'main': 'suspended', 'second': 'suspended'})
>>> group["second"].history[-1].payload["reason_class"]
'related_account'
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import attrs

from workflow.core.case import Case, Decision
from workflow.core.clock import Clock
from workflow.core.compiled import BoundRule, bind
from workflow.core.history import Finding, History, Step
from workflow.core.model import Cascade, Definition
from workflow.errors import DefinitionMismatch, MemberError, Problem, RuleFailure, SnapshotError

GROUP_FORMAT = "workflow.run.group/1"


@attrs.frozen
class Member:
    """Another member of the group, as a rule sees it: its name, its state and its history."""

    name: str
    case: Case = attrs.field(eq=False, repr=False)

    @property
    def state(self) -> str:
        return self.case.state

    @property
    def history(self) -> History:
        """The member's own ``History`` (no copy), as ``ctx.history`` is the case's own: rules only read it."""
        return self.case.log


class GroupView:
    """What a member's rules see as ``ctx.group``: the member's own name and the other members."""

    __slots__ = ("_group", "name")

    def __init__(self, group: CaseGroup, name: str) -> None:
        self._group = group
        self.name = name

    def others(self) -> tuple[Member, ...]:
        return tuple(Member(n, c) for n, c in self._group.items() if n != self.name)


@attrs.frozen
class GroupStep:
    """An event fired at one member: that member's step, and the steps its cascades set off at the others."""

    member: str
    step: Step
    cascaded: tuple[tuple[str, Step], ...] = ()
    effects: tuple[Finding, ...] = ()  # why the cascades happened (kind "effect")

    @property
    def accepted(self) -> bool:
        return self.step.accepted

    @property
    def blocked_by(self) -> tuple[str, ...]:
        return self.step.blocked_by

    @property
    def advice(self) -> tuple[str, ...]:
        return self.step.advice


@attrs.frozen
class _Planned:
    name: str
    case: Case
    cascade: Cascade
    payload: Mapping[str, Any]


class CaseGroup:
    """Named cases that act together. ``fire(member, event, ...)`` applies the definitions' cascades atomically."""

    def __init__(
        self,
        definition: Definition,
        names: Iterable[str] = (),
        *,
        clock: Clock | None = None,
        facts: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        self.definition = definition
        self.clock = clock
        self._cases: dict[str, Case] = {}
        for name in names:
            self.add(name, facts=(facts or {}).get(name))

    # ------------------------------------------------------------------------------------------- members

    def add(self, name: str, *, facts: Mapping[str, Any] | None = None, definition: Definition | None = None) -> Case:
        """A new member ``name``, a fresh case of the group's definition (or ``definition``)."""
        if not name or name in self._cases:
            raise MemberError(name, tuple(self._cases), taken=bool(name))
        case = Case(definition or self.definition, clock=self.clock, facts=facts, group=GroupView(self, name))
        self._cases[name] = case
        return case

    def __getitem__(self, name: str) -> Case:
        try:
            return self._cases[name]
        except KeyError:
            raise MemberError(name, tuple(self._cases)) from None

    def __contains__(self, name: object) -> bool:
        return name in self._cases

    def __iter__(self) -> Iterator[str]:
        return iter(self._cases)

    def __len__(self) -> int:
        return len(self._cases)

    def items(self) -> Iterable[tuple[str, Case]]:
        return self._cases.items()

    def states(self) -> dict[str, str]:
        """Each member's current state, by name."""
        return {n: c.state for n, c in self._cases.items()}

    def __repr__(self) -> str:
        inner = ", ".join(f"{n}={c.state!r}" for n, c in self._cases.items())
        return f"<CaseGroup {self.definition.name} {inner}>"

    def _join(self, name: str, case: Case) -> None:
        self._cases[name] = case

    # ------------------------------------------------------------------------------------------- firing

    def fire(self, member: str, event: str, /, **payload: Any) -> GroupStep:
        """Offer ``event`` to ``member``; if accepted, its cascades reach the other members, all or none."""
        return self.fire_payload(member, event, payload)

    def fire_payload(self, member: str, event: str, payload: Mapping[str, Any]) -> GroupStep:
        """``fire`` with the payload as a mapping. A malformed payload or unknown event raises, as ``Case.fire``."""
        origin, cascaded, effects = self._decide(member, event, payload)
        step = self[member].apply(origin)
        done = tuple((name, self[name].apply(d)) for name, d in cascaded)
        return GroupStep(member, step, done, effects)

    def check(self, member: str, event: str, /, **payload: Any) -> GroupStep:
        """What ``fire`` would return now, without changing any member."""
        origin, cascaded, effects = self._decide(member, event, payload)
        return GroupStep(member, origin.step, tuple((n, d.step) for n, d in cascaded), effects)

    def _decide(
        self, member: str, event: str, payload: Mapping[str, Any]
    ) -> tuple[Decision, tuple[tuple[str, Decision], ...], tuple[Finding, ...]]:
        """The decision on ``event`` at ``member`` and, when it is accepted, the decisions its cascades set off at
        the other members, all made before anything changes: any refusal among them refuses the event itself."""
        case = self[member]
        origin = case.decide_payload(event, payload)
        if not origin.accepted:
            return origin, (), ()
        plan, effects = self._plan(member, case, origin)
        cascaded: list[tuple[_Planned, Decision]] = []
        refused: list[tuple[_Planned, Decision]] = []
        for p in plan:
            decision = p.case.decide_payload(p.cascade.fire, p.payload, at=origin.at)
            (cascaded if decision.accepted else refused).append((p, decision))
        if refused:
            return _refusal(origin, refused), (), ()
        return origin, tuple((p.name, d) for p, d in cascaded), effects

    def _plan(self, member: str, case: Case, origin: Decision) -> tuple[list[_Planned], tuple[Finding, ...]]:
        """The steps the cascades of ``origin`` would set off (once per member), and the effect findings that
        explain them."""
        plan: list[_Planned] = []
        effects: list[Finding] = []
        reached: set[str] = set()
        for cascade, bound in _cascades(case.definition):
            if cascade.when != origin.event:
                continue
            ctx = case.context(origin.event, origin.payload, origin.at, origin.target)
            try:
                why = bound.rule.check(ctx, bound.params)
            except Exception as e:  # as the engine runs a guard: no member has changed yet
                raise RuleFailure(bound.rule.id, origin.event, e) from e
            if why is None:
                continue
            effects.append(Finding(rule=bound.id, kind="effect", message=why, source=bound.source))
            for name, other in self._cases.items():
                if name == member or name in reached or other.state not in cascade.members_in:
                    continue
                reached.add(name)  # a member follows one cascade of an event: its decision is made on it as it is
                body = dict(cascade.payload)
                if cascade.name_field is not None:
                    body[cascade.name_field] = member
                plan.append(_Planned(name=name, case=other, cascade=cascade, payload=body))
        return plan, tuple(effects)

    # ------------------------------------------------------------------------------------------- persistence

    def snapshot(self) -> dict[str, Any]:
        """The group as JSON-safe data: every member's case snapshot, by name, in order."""
        return {"format": GROUP_FORMAT, "members": {n: c.snapshot() for n, c in self._cases.items()}}

    @classmethod
    def restore(
        cls,
        definition: Definition,
        data: Mapping[str, Any],
        *,
        clock: Clock | None = None,
        allow_definition_change: bool = False,
    ) -> CaseGroup:
        """Rebuild a group from ``snapshot()`` data; each member is checked as ``Case.restore`` checks a case."""
        if not isinstance(data, Mapping) or data.get("format") != GROUP_FORMAT:
            got = data.get("format") if isinstance(data, Mapping) else type(data).__name__
            raise SnapshotError(f"not a group snapshot: format {got!r} (expected {GROUP_FORMAT!r})")
        members = data.get("members")
        if not isinstance(members, Mapping):
            raise SnapshotError("group snapshot members must be a mapping of names to case snapshots")
        group = cls(definition, clock=clock)
        problems: list[Problem] = []  # every member's faults, each saying which member
        for name, snap in members.items():
            if not isinstance(name, str) or not name:
                problems.append(
                    Problem(
                        message=f"group snapshot members: a member's name is a non-empty string, got {name!r} "
                        f"({type(name).__name__})",
                        path="members",
                    )
                )
                continue
            try:
                case = Case.restore(definition, snap, clock=clock, allow_definition_change=allow_definition_change)
            except DefinitionMismatch as e:  # the same error, saying which member
                e.args = (f"members.{name}: {e}", *e.args[1:])
                raise
            except SnapshotError as e:
                problems.extend(
                    Problem(message=f"members.{name}: {p.message}", path=f"members.{name}.{p.path}".rstrip("."))
                    for p in e.problems
                )
                continue
            case.group = GroupView(group, name)
            group._join(name, case)
        if problems:
            raise SnapshotError(problems)
        return group


_CASCADES: weakref.WeakKeyDictionary[Definition, tuple[tuple[Cascade, BoundRule], ...]] = weakref.WeakKeyDictionary()


def _cascades(defn: Definition) -> tuple[tuple[Cascade, BoundRule], ...]:
    """``defn``'s cascades, each with its rule bound to ``defn``'s parameters once per definition."""
    found = _CASCADES.get(defn)
    if found is None:
        found = _CASCADES[defn] = tuple((c, bind(defn, c.rule)) for c in defn.cascades)
    return found


def _refusal(origin: Decision, refused: Sequence[tuple[_Planned, Decision]]) -> Decision:
    """The origin's step refused by the cascade: one finding per cascade, naming each member that refuses."""
    findings = []
    by_cascade: dict[int, list[tuple[_Planned, Decision]]] = {}
    for p, st in refused:
        by_cascade.setdefault(id(p.cascade), []).append((p, st))
    for items in by_cascade.values():
        cascade = items[0][0].cascade
        parts = "; ".join(
            f"'{p.name}' refuses '{p.cascade.fire}' ({', '.join(f'{f.rule}: {f.message}' for f in st.step.refusals)})"
            for p, st in items
        )
        message = f"The linked cases must all follow, or none does: {parts}. Nothing changed in any of them."
        findings.append(Finding(rule=cascade.rule.id, kind="refusal", message=message, source=cascade.rule.source))
    return origin.refused(findings)


__all__ = ["CaseGroup", "GroupStep", "GroupView", "Member"]
