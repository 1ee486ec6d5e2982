"""The declaration: frozen records for a lifecycle. A ``Definition`` is built and checked once by ``load``."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from workflow.core.clock import Duration


def _frozen_map(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


@attrs.frozen
class State:
    name: str
    description: str = ""
    initial: bool = False
    terminal: bool = False
    outcome: str | None = None  # "success" or "failure" for terminal states
    refuse_with: str = "state.no_transition"  # the rule id that explains an event this state does not allow


@attrs.frozen
class PayloadField:
    name: str
    type: str
    required: bool = False
    choices: tuple[str, ...] | None = None
    description: str = ""


@attrs.frozen
class Event:
    name: str
    description: str = ""
    actor: str = ""
    payload: tuple[PayloadField, ...] = ()

    def field(self, name: str) -> PayloadField | None:
        return next((f for f in self.payload if f.name == name), None)


@attrs.frozen
class RuleRef:
    """One use of a rule in a definition: its id, its parameters there, and the source cited for it."""

    id: str
    source: str
    params: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen_map, hash=False)
    #: a branch guard selects between transitions of one event: when it fails, its transition is not a
    #: candidate, and its sentence is no reason for a refusal while another candidate applies
    branch: bool = False


@attrs.frozen
class Timer:
    """A transition that fires by itself once the case has been in its source state for ``after``."""

    after: Duration
    text: str


@attrs.frozen
class Transition:
    event: str
    sources: tuple[str, ...]
    dest: str
    guards: tuple[RuleRef, ...] = ()
    description: str = ""
    timer: Timer | None = None


@attrs.frozen
class Advice:
    """An advice rule and the events it annotates."""

    rule: RuleRef
    events: tuple[str, ...]


@attrs.frozen
class Cascade:
    """An effect on a group: when a member accepts ``when``, every other member in ``members_in`` is offered ``fire``.

    ``payload`` is what the fired event carries; ``name_field``, when set, is the payload field that receives
    the name of the member where it started. All or none: if any member would refuse, nothing changes.
    """

    rule: RuleRef
    when: str
    fire: str
    payload: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen_map, hash=False)
    members_in: tuple[str, ...] = ()
    name_field: str | None = None


@attrs.frozen
class FactField:
    name: str
    type: str
    default: Any = None
    description: str = ""


@attrs.frozen
class Invariant:
    """A property every reachable configuration must keep, checked by exploration."""

    id: str
    check: str
    params: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen_map, hash=False)
    description: str = ""


@attrs.frozen
class Migration:
    """How a case started on an earlier version (``from_version``) of a definition moves to this one.

    ``states``: old state names and the names they have now (a state not named keeps its name); ``facts``: new
    facts and the values migrated cases get; ``removed_events``: events the earlier version had and this one has
    not (their steps stay in the history, as recorded).
    """

    from_version: str
    states: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen_map, hash=False)
    facts: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen_map, hash=False)
    removed_events: tuple[str, ...] = ()
    description: str = ""


@attrs.frozen(cache_hash=True)
class Definition:
    """A lifecycle as data: states, events and their payloads, transitions and the rules that guard them.

    Frozen and hashed once (the hash is kept): what is derived from a definition (its compiled table, walk
    plans ...) is kept in a ``weakref.WeakKeyDictionary`` keyed by it, and goes with it.
    """

    name: str
    version: str
    description: str
    states: tuple[State, ...]
    events: tuple[Event, ...]
    transitions: tuple[Transition, ...]
    advice: tuple[Advice, ...] = ()
    parameters: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen_map, hash=False)
    facts: tuple[FactField, ...] = ()
    invariants: tuple[Invariant, ...] = ()
    cascades: tuple[Cascade, ...] = ()
    #: data a domain pack attaches to the definition by name (its teams, say), built when the definition is loaded
    resources: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen_map, hash=False)
    hash: str = ""  # sha256 of the definition's canonical content
    origin: str | None = attrs.field(default=None, eq=False)
    #: how cases started on earlier versions move to this one (not part of the content hash)
    migrations: tuple[Migration, ...] = attrs.field(default=(), eq=False)

    def migration_from(self, version: str) -> Migration | None:
        """The migration this definition declares from its earlier ``version``, if any."""
        return next((m for m in self.migrations if m.from_version == version), None)

    @property
    def initial(self) -> State:
        return next(s for s in self.states if s.initial)

    def state(self, name: str) -> State:
        for s in self.states:
            if s.name == name:
                return s
        raise KeyError(name)

    def event(self, name: str) -> Event:
        for e in self.events:
            if e.name == name:
                return e
        raise KeyError(name)

    @property
    def state_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.states)

    @property
    def event_names(self) -> tuple[str, ...]:
        return tuple(e.name for e in self.events)

    def rule_ids(self) -> tuple[str, ...]:
        """Every rule id the definition uses (guards, advice, state refusals and cascades), sorted."""
        ids = {g.id for t in self.transitions for g in t.guards}
        ids |= {a.rule.id for a in self.advice}
        ids |= {s.refuse_with for s in self.states}
        ids |= {c.rule.id for c in self.cascades}
        return tuple(sorted(ids))

    def parameter(self, rule_ref: RuleRef, name: str, default: Any) -> Any:
        """A rule's parameter: the use's own value, else the definition's, else the rule's default."""
        if name in rule_ref.params:
            return rule_ref.params[name]
        return self.parameters.get(name, default)
