"""Amazon's teams as data: who decides appeals, who reviews escalations, which channels each takes.

Registered with the core as the definition resource ``teams``: a definition file may name its own teams
file (``teams: my_teams.yaml``), else the built-in ``definitions/teams.yaml`` is used.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Annotated, Any

import attrs

from workflow.core.resources import register_resource
from workflow.core.structure import NonEmpty, min_items
from workflow.errors import ResourceError


@attrs.frozen
class Team:
    id: str
    name: str
    decides: tuple[str, ...] = ()  # what it may decide: appeals, ip_complaints, ip_disputes ...
    reviews_escalations: bool = False
    reviews_once: bool = False
    channels: tuple[str, ...] = ()  # how a seller can reach it
    appeal_channels: tuple[str, ...] = ()  # how it takes what it decides
    enforces: tuple[str, ...] = ()  # the reason classes it enforces
    part_of: str | None = None  # a tier of a larger team (catalog's ert is part of catalog)
    description: str = ""
    source: str = ""


@attrs.frozen
class TeamDoc:
    """A team as its file writes it (the id is its key in ``teams``)."""

    name: NonEmpty
    description: str = ""
    source: str = ""
    decides: tuple[NonEmpty, ...] = ()
    reviews_escalations: bool = False
    reviews_once: bool = False
    channels: tuple[NonEmpty, ...] = ()
    appeal_channels: tuple[NonEmpty, ...] = ()
    enforces: tuple[NonEmpty, ...] = ()
    part_of: NonEmpty | None = None


@attrs.frozen
class TeamsDoc:
    """A teams file: the teams by id, and the team that enforces a reason class no team claims."""

    teams: Annotated[dict[str, TeamDoc], min_items(1)]
    default_enforcer: NonEmpty | None = None


def _frozen(teams: Mapping[str, Team]) -> Mapping[str, Team]:
    return MappingProxyType(dict(teams))


@attrs.frozen
class Teams(Mapping[str, Team]):
    """The teams by id, and the team that enforces a reason class no team claims."""

    by_id: Mapping[str, Team] = attrs.field(factory=dict, converter=_frozen)
    default_enforcer: str | None = None

    def __getitem__(self, key: str) -> Team:
        return self.by_id[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.by_id)

    def __len__(self) -> int:
        return len(self.by_id)

    def get(self, key: str, default: Any = None) -> Any:
        """The team ``key``, or ``default`` (one lookup, not ``Mapping.get``'s try/except)."""
        return self.by_id.get(key, default)

    def ids(self) -> tuple[str, ...]:
        return tuple(self.by_id)

    def enforcer(self, reason_class: str | None) -> str | None:
        """The team that enforces suspensions of ``reason_class``."""
        if reason_class is None:
            return self.default_enforcer
        return self._enforcers.get(reason_class, self.default_enforcer)

    @functools.cached_property
    def _enforcers(self) -> dict[str, str]:
        """Reason class -> the first team (in file order) that enforces it; built on first use."""
        out: dict[str, str] = {}
        for team in self.by_id.values():
            for reason_class in team.enforces:
                out.setdefault(reason_class, team.id)
        return out

    def name(self, team_id: str | None) -> str:
        if team_id is None:
            return "the enforcing team"
        team = self.by_id.get(team_id)
        return team.name if team is not None else team_id


def teams_of(holder: Any) -> Teams:
    """The teams a definition (or a rule's context, or its resources mapping) carries as its ``teams`` resource;
    none when it has none."""
    resources = getattr(holder, "resources", holder)  # no isinstance of an abstract class: rules ask this often
    teams: Teams | None = resources.get("teams")  # the loader builds the resource as Teams
    return _NO_TEAMS if teams is None else teams


_NO_TEAMS = Teams()


def build_teams(doc: TeamsDoc) -> Teams:
    """The teams of a structured teams file; every team it names must be one of them."""
    teams = {tid: Team(id=tid, **attrs.asdict(spec, recurse=False)) for tid, spec in doc.teams.items()}
    faults: list[tuple[tuple[str | int, ...], str]] = []
    default = doc.default_enforcer
    if default is not None and default not in teams:
        faults.append((("default_enforcer",), f"unknown team '{default}' (known: {', '.join(teams)})"))
    for tid, team in teams.items():
        if team.part_of is not None and team.part_of not in teams:
            faults.append((("teams", tid, "part_of"), f"unknown team '{team.part_of}'"))
    if faults:
        raise ResourceError(faults)
    return Teams(by_id=teams, default_enforcer=default)


register_resource("teams", record=TeamsDoc, build=build_teams, default_file="teams.yaml", empty=Teams)
