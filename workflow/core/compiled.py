"""A definition compiled for running: a table of edges by state and event, each with its guards bound.

Prepared once per definition and shared by every case of it. Each edge is one source state of a transition;
its guards are the rules of the transition with their parameters resolved (the use's own, else the
definition's, else the rule's default) and the source cited for them. Deciding an event looks it up here.

This table is the engine's own: the rules must all be evaluated and explained, and a refusal must leave the
case untouched, so the engine does not hand the move to another state machine. Apps that drive their models
with ``transitions`` get a real ``transitions.Machine`` for any definition from
``workflow.adapters.transitions``, with these rules as its conditions.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from workflow.core import structure as structuring
from workflow.core.history import Finding
from workflow.core.model import Definition, RuleRef, Transition
from workflow.core.rules import REGISTRY, Context, Rule
from workflow.errors import FactsError, PayloadError, Problem, RuleFailure, UnknownEvent, WorkflowError


@attrs.frozen
class BoundRule:
    """A rule as used in one place of a definition, with its parameters resolved."""

    rule: Rule
    params: Mapping[str, Any]
    source: str
    branch: bool = False

    @property
    def id(self) -> str:
        return self.rule.id

    def finding(self, kind: str, message: str) -> Finding:
        """What the rule said here, as a finding of ``kind`` citing the source given for it in the definition."""
        return Finding(self.rule.id, kind, message, self.source)


@attrs.frozen
class Edge:
    """A compiled transition from one source state: its guards, bound, and the machine's transition it runs."""

    transition: Transition
    dest: str
    guards: tuple[BoundRule, ...]
    token: int
    #: per guard, what deciding needs, unpacked once: (check, params, the bound guard)
    checks: tuple[tuple[Any, Mapping[str, Any], BoundRule], ...] = attrs.field(default=(), eq=False, repr=False)
    #: the same for the guards that do not read the payload (what ``allowed`` and ``why_not`` ask)
    fixed_checks: tuple[tuple[Any, Mapping[str, Any], BoundRule], ...] = attrs.field(default=(), eq=False, repr=False)


def bind(defn: Definition, ref: RuleRef) -> BoundRule:
    rule = REGISTRY[ref.id]
    params = {name: defn.parameter(ref, name, default) for name, default in rule.params.items()}
    return BoundRule(rule=rule, params=MappingProxyType(params), source=ref.source, branch=ref.branch)


class Compiled:
    """Everything the engine needs per definition, prepared once and shared by every case."""

    def __init__(self, defn: Definition) -> None:
        # weakly: the definition's cases hold it, and the cache of compiled definitions must not keep it alive
        self._definition = weakref.ref(defn)
        #: per event, the ``TypedDict`` its payload is structured as (fields of the types the definition names)
        self.payloads: dict[str, Any] = {
            e.name: structuring.typed_dict(
                f"payload_of_{e.name}",
                {f.name: (structuring.payload_type(f.type, f.choices, defn.resources), f.required) for f in e.payload},
            )
            for e in defn.events
        }
        #: for an event with no required field, an empty payload needs no checking
        self.optional_payload = frozenset(e.name for e in defn.events if not any(f.required for f in e.payload))
        #: per event, cattrs' generated structuring function for its payload (``FAST``: no bookkeeping)
        self._structure: dict[Any, Any] = {
            event: structuring.mapping_structurer(td, structuring.FAST) for event, td in self.payloads.items()
        }
        #: the facts a case may be given (each may be null: unset)
        self.facts = structuring.typed_dict(
            f"facts_of_{defn.name}",
            {f.name: (structuring.PAYLOAD_TYPES[f.type]({}) | None, False) for f in defn.facts},
        )
        self._structure[FACTS] = structuring.mapping_structurer(self.facts, structuring.FAST)
        #: the detailed structuring functions, made when a payload or the facts must be explained
        self._explainers: dict[Any, Any] = {}
        self.initial = defn.initial.name
        self.table: dict[str, dict[str, tuple[Edge, ...]]] = {st.name: {} for st in defn.states}
        self.timers: dict[str, tuple[Edge, ...]] = {}
        token = 0
        for t in defn.transitions:
            guards = tuple(bind(defn, g) for g in t.guards)
            for src in t.sources:
                edge = Edge(
                    transition=t,
                    dest=t.dest,
                    guards=guards,
                    token=token,
                    checks=tuple((g.rule.check, g.params, g) for g in guards),
                    fixed_checks=tuple((g.rule.check, g.params, g) for g in guards if not g.rule.reads),
                )
                token += 1
                if t.timer is not None:
                    self.timers[src] = (*self.timers.get(src, ()), edge)
                self.table[src][t.event] = (*self.table[src].get(t.event, ()), edge)
        self.refusal: dict[str, BoundRule] = {
            st.name: bind(defn, RuleRef(id=st.refuse_with, source=REGISTRY[st.refuse_with].source))
            for st in defn.states
        }
        self.advice: dict[str, tuple[BoundRule, ...]] = {}
        for a in defn.advice:
            bound = bind(defn, a.rule)
            for ev in a.events:
                self.advice[ev] = (*self.advice.get(ev, ()), bound)
        self.fact_defaults: Mapping[str, Any] = MappingProxyType({f.name: f.default for f in defn.facts})
        self.terminal = frozenset(st.name for st in defn.states if st.terminal)
        self.resources = defn.resources
        #: the (state, event) pairs where a rule may speak twice (it guards several candidates, or also advises):
        #: only their findings need deduplicating
        self.repeats = frozenset(
            (state, event)
            for state, row in self.table.items()
            for event, edges in row.items()
            if may_repeat([g.id for e in edges for g in e.guards] + [a.id for a in self.advice.get(event, ())])
        )
        #: the findings the bound rules gave, by (bound rule, kind, sentence): rules say the same few sentences
        #: again and again and a finding is frozen, so cases share them (0.03 µs to find one against 0.5 µs to
        #: make one; bounded: once full, new sentences are made each time)
        self.said: dict[tuple[int, str, str], Finding] = {}
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

    def finding(self, bound: BoundRule, kind: str, message: str) -> Finding:
        """``bound.finding(kind, message)``, shared with every earlier finding equal to it."""
        key = (id(bound), kind, message)
        found = self.said.get(key)
        if found is None:
            found = bound.finding(kind, message)
            if len(self.said) < _SAID:
                self.said[key] = found
        return found

    def check_payload(self, event: str, payload: Mapping[str, Any]) -> Mapping[str, Any]:
        """The payload structured (records built, absent fields left out), or ``PayloadError`` naming every fault."""
        structure = self._structure.get(event)
        if structure is None:
            raise UnknownEvent(event, tuple(self.payloads))
        if not payload and event in self.optional_payload:
            return EMPTY
        try:
            return MappingProxyType(structure(payload))
        except Exception:  # explained below, every fault with its path
            pass
        checked, faults = self._explain(event, self.payloads[event], payload)
        if faults:
            raise PayloadError(event, [Problem(message=m, path=structuring.format_path(p)) for p, m in faults])
        return MappingProxyType(checked)  # pragma: no cover - FAST and DETAILED agree

    def check_facts(self, given: Mapping[str, Any]) -> Mapping[str, Any]:
        """The case's facts: the definition's defaults overlaid with ``given``, each of its declared type."""
        try:
            checked = self._structure[FACTS](given)
        except Exception:  # explained below, every fault with its path
            checked, faults = self._explain(FACTS, self.facts, given)
            if faults:
                raise FactsError([Problem(message=m, path=structuring.format_path(p)) for p, m in faults]) from None
        return MappingProxyType({**self.fact_defaults, **checked})

    def _explain(self, key: Any, td: Any, value: Any) -> tuple[Any, structuring.Faults]:
        """``value`` structured as the ``TypedDict`` ``td`` by the detailed converter, or every fault found."""
        explain = self._explainers.get(key)
        if explain is None:
            explain = self._explainers[key] = structuring.mapping_structurer(td, structuring.DETAILED)
        try:
            return explain(value), []
        except Exception as e:
            return None, structuring.faults(e)


#: the key of the facts' structuring function (an event is a string)
FACTS = ("facts",)
EMPTY: Mapping[str, Any] = MappingProxyType({})
#: how many findings a compiled definition keeps for sharing
_SAID = 4096
#: an entry goes when its definition is collected, so dropped definitions do not stay alive through it
_COMPILED: weakref.WeakKeyDictionary[Definition, Compiled] = weakref.WeakKeyDictionary()


def compiled(defn: Definition) -> Compiled:
    """The per-definition structures, built on first use and kept for the life of the definition."""
    found = _COMPILED.get(defn)
    if found is None:
        found = _COMPILED[defn] = Compiled(defn)
    return found


def _as_date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def run_rule(bound: BoundRule, ctx: Context, event: str) -> str | None:
    try:
        return bound.rule.check(ctx, bound.params)
    except Exception as e:
        raise RuleFailure(bound.rule.id, event, e) from e


def may_repeat(rule_ids: list[str]) -> bool:
    return len(rule_ids) != len(set(rule_ids))


def unique(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str]] = set()
    out = []
    for f in findings:
        key = (f.rule, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
