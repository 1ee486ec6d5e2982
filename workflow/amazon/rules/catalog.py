"""Rules about a Catalog Support case moving through its tiers (outsourced, captive, ERT, technicians).

The teams and their channels are data (``definitions/teams.yaml``); the ``catalog_case`` event the rules
count from history (``reopen``) is a public name of that lifecycle.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workflow.amazon.teams import teams_of
from workflow.core.rules import Context, fact, register

REOPEN = "reopen"


def reopens(ctx: Context) -> int:
    """How often the case was reopened: before it was tracked (fact ``reopens``) and since."""
    return int(fact(ctx, "reopens")) + ctx.history.count(REOPEN)


@register(
    "catalog.no_direct_ert",
    summary="A seller cannot ask for the ERT; such a request is refused.",
    source="SEED2 [S]",
    reads=("requested_by",),
    params={"team": "ert"},
)
def no_direct_ert(ctx: Context, params: Mapping[str, Any]) -> str | None:
    if ctx.payload.get("requested_by") == "seller":
        return (
            f"Sellers cannot ask for the {teams_of(ctx).name(str(params['team']))}; it is closed to direct requests "
            "and takes a case only when an internal flag sends it there."
        )
    return None


@register(
    "catalog.ert_on_reopens",
    summary="The ERT takes a case once it has been reopened ert_reopen_threshold times (unknown; default 3).",
    source="SEED2 [S, author's belief]; default [I]",
    params={"ert_reopen_threshold": 3, "team": "ert"},
    facts=("reopens",),
    counts=("reopen",),
)
def ert_on_reopens(ctx: Context, params: Mapping[str, Any]) -> str | None:
    need = int(params["ert_reopen_threshold"])
    n = reopens(ctx)
    if n < need:
        return (
            f"The {teams_of(ctx).name(str(params['team']))} takes a case only after it has been reopened {need} "
            f"times; this one has been reopened {n} time{'s' if n != 1 else ''}."
        )
    return None


@register(
    "catalog.ert_email_only",
    summary="The ERT works by email only.",
    source="SEED2 [S]",
    reads=("channel",),
    params={"team": "ert"},
)
def ert_email_only(ctx: Context, params: Mapping[str, Any]) -> str | None:
    channel = ctx.payload.get("channel")
    team = teams_of(ctx).get(str(params["team"]))
    if team is None:
        raise KeyError(f"team '{params['team']}' is not in the teams file (known: {', '.join(teams_of(ctx).ids())})")
    if channel is None or channel in team.channels:
        return None
    ways = " or ".join(c.replace("_", " ") for c in team.channels) or "no channel"
    return f"The {team.name} works by {ways} only, never by {str(channel).replace('_', ' ')}."


@register(
    "catalog.brand_registry_wins",
    summary="The ERT cannot override a Brand Registry decision.",
    source="SEED2 [S]",
    reads=("overrides_brand_registry",),
    params={"team": "ert"},
)
def brand_registry_wins(ctx: Context, params: Mapping[str, Any]) -> str | None:
    if ctx.payload.get("overrides_brand_registry"):
        return (
            f"Not even the {teams_of(ctx).name(str(params['team']))} can override a Brand Registry decision; "
            "what Brand Registry decided stands."
        )
    return None
