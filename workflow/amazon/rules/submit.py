"""Rules about where and how an appeal is sent. The teams are data (``definitions/teams.yaml``)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from workflow.amazon.rules import reading
from workflow.amazon.teams import teams_of
from workflow.core.rules import Context, register


def enforcing_team(ctx: Context) -> str | None:
    """The team that enforced the suspension: named in the notice, or the one that enforces its reason class."""
    notice = reading.suspension(ctx)
    team = notice.get("team")
    return str(team) if team else teams_of(ctx).enforcer(notice.get("reason_class"))


@register(
    "submit.deciding_team",
    summary=(
        "An appeal goes to the team that enforced: Seller Performance, or Product Quality for listing and "
        "quality cases. Seller Support, Catalog and Notice teams cannot decide it."
    ),
    source="SEED0, SEED1 [S]",
    reads=("to",),
)
def deciding_team(ctx: Context, params: Mapping[str, Any]) -> str | None:
    to = ctx.payload.get("to")
    if to is None:  # sent through Account Health's appeal route, which reaches the enforcing team
        return None
    enforcer = enforcing_team(ctx)
    teams = teams_of(ctx)
    team = teams.get(str(to))
    if team is None or "appeals" not in team.decides:
        return (
            f"{teams.name(to)} cannot decide an appeal; send it to {teams.name(enforcer)}, "
            "the team that enforced this suspension."
        )
    if enforcer is not None and to != enforcer:
        return f"This suspension was enforced by {teams.name(enforcer)}; the appeal goes to them, not to {team.name}."
    return None


@register(
    "submit.in_writing",
    summary="Seller Performance takes appeals in writing only (email or the appeal form), never by phone.",
    source="SEED0, SEED3 [S]",
    reads=("channel",),
)
def in_writing(ctx: Context, params: Mapping[str, Any]) -> str | None:
    channel = ctx.payload.get("channel")
    if channel is None:  # the appeal form, which is in writing
        return None
    to = ctx.payload.get("to")
    teams = teams_of(ctx)
    deciding = teams.get(str(to)) if to is not None else None
    if deciding is None or "appeals" not in deciding.decides:
        enforcer = enforcing_team(ctx)
        deciding = teams.get(enforcer) if enforcer is not None else None
    if deciding is None or not deciding.appeal_channels:
        return None
    if channel not in deciding.appeal_channels:
        ways = _spoken(tuple(deciding.appeal_channels))
        return f"{deciding.name} takes appeals in writing only ({ways}), never by {str(channel).replace('_', ' ')}."
    return None


@functools.lru_cache(maxsize=64)
def _spoken(channels: tuple[str, ...]) -> str:
    """A team's channels as a sentence says them: ``email or appeal form`` (worked out once per team)."""
    return " or ".join(c.replace("_", " ") for c in channels)
