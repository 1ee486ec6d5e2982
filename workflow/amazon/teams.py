"""Amazon's teams as data: who decides appeals, who reviews escalations, which channels each takes."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

import attrs


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
    resources = holder if isinstance(holder, Mapping) else holder.resources
    teams = resources.get("teams")
    return teams if isinstance(teams, Teams) else _NO_TEAMS


_NO_TEAMS = Teams()
