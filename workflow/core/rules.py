"""The rule registry: every rule function registered once under its catalog id, with its source.

A guard returns ``None`` when it lets the step through, or a sentence a seller would understand when it
refuses it. An advice rule returns ``None`` or the advice; it never blocks. Rules read the case through a
``Context``: the event, its payload, the case's facts and history, the time, the definition's resources, and
their parameters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import attrs

from workflow.core.history import History


@attrs.define(slots=True)
class Context:
    """What a rule may read about the step being tried. Built once per event, shared by its rules."""

    event: str
    state: str
    target: str
    payload: Mapping[str, Any]
    facts: Mapping[str, Any]
    history: History
    now: dt.datetime
    #: the definition's resources by name (data files a domain pack declares, such as its teams)
    resources: Mapping[str, Any]
    holidays: frozenset[dt.date] = frozenset()
    group: Any = None  # when the case belongs to a group (``workflow.run.group``): a view of the other members


#: a rule's function: given what it judges and its parameters, ``None`` or a sentence. Guard, advice, state and
#: effect rules judge a ``Context``; a decision-table rule judges what its table is evaluated on
Check = Callable[[Any, Mapping[str, Any]], str | None]
_F = TypeVar("_F", bound=Check)
#: a rule's opening: given a context it refuses and its parameters, when time alone would make it allow the step
Opens = Callable[[Any, Mapping[str, Any]], dt.datetime | None]
_O = TypeVar("_O", bound=Opens)

GUARD = "guard"
ADVICE = "advice"
STATE = "state"
EFFECT = "effect"  # says what an accepted step sets off elsewhere (a group's cascade); never blocks by itself
TABLE = "table"  # a decision-table rule, evaluated on a metrics snapshot (``workflow.amazon.health``)


@attrs.frozen
class Rule:
    """A registered rule: its public id, what it says, where it comes from, and the function that decides."""

    id: str
    kind: str
    summary: str
    source: str
    check: Check = attrs.field(eq=False, repr=False)
    params: Mapping[str, Any] = attrs.field(factory=dict)
    reads: tuple[str, ...] = ()  # payload fields the rule needs the event to declare
    facts: tuple[str, ...] = ()  # case facts the rule reads (declared by the definition)
    #: events whose accepted steps the rule counts or lists (``ctx.history.count`` / ``accepted``)
    counts: tuple[str, ...] = ()
    #: payload types of earlier steps the rule compares the case with (a plan of action against the rejected ones)
    recalls: tuple[str, ...] = ()
    #: why the rule may rightly never let a step through (a state rule, which speaks only where the state takes no
    #: such event; advice given every time); empty for a rule that must both refuse and allow. ``workflow explore``
    #: counts a rule that never allowed as a finding unless this says why
    never_allows: str = ""
    #: for a rule that refuses only until some time has passed: given a context it refuses, the earliest time it
    #: would allow the same step if nothing else changed (``None``: time alone will not). Set with ``opening``
    opens: Opens | None = attrs.field(default=None, eq=False, repr=False)


REGISTRY: dict[str, Rule] = {}


def register(
    rule_id: str,
    *,
    summary: str,
    source: str,
    kind: str = GUARD,
    params: Mapping[str, Any] | None = None,
    reads: tuple[str, ...] = (),
    facts: tuple[str, ...] = (),
    counts: tuple[str, ...] = (),
    recalls: tuple[str, ...] = (),
    never_allows: str = "",
) -> Callable[[_F], _F]:
    """Register the decorated function as rule ``rule_id``. Ids are unique."""

    def deco(fn: _F) -> _F:
        if rule_id in REGISTRY:
            raise RuntimeError(f"rule {rule_id!r} registered twice")
        REGISTRY[rule_id] = Rule(
            id=rule_id,
            kind=kind,
            summary=summary,
            source=source,
            check=fn,
            params=dict(params or {}),
            reads=reads,
            facts=facts,
            counts=counts,
            recalls=recalls,
            never_allows=never_allows,
        )
        return fn

    return deco


def opening(rule_id: str) -> Callable[[_O], _O]:
    """Declare the decorated function the opening of the registered rule ``rule_id`` (see ``Rule.opens``).

    It must agree with the rule: at the time it gives the rule allows, and one second before it refuses.
    """

    def deco(fn: _O) -> _O:
        rule = REGISTRY.get(rule_id)
        if rule is None:
            raise RuntimeError(f"rule {rule_id!r} is not registered, so it cannot be given an opening")
        if rule.opens is not None:
            raise RuntimeError(f"rule {rule_id!r} has an opening already")
        REGISTRY[rule_id] = attrs.evolve(rule, opens=fn)
        return fn

    return deco


def get(rule_id: str) -> Rule:
    return REGISTRY[rule_id]


def fact(ctx: Context, name: str, default: Any = 0) -> Any:
    """A case fact, or ``default`` when the definition did not declare it or the case was not given it."""
    value = ctx.facts.get(name, default)
    return default if value is None else value
