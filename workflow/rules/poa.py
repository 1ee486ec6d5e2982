"""Rules about the plan of action itself."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..facts import PlanOfAction, normalise
from . import _case
from .registry import Context, register

_NO_POA = PlanOfAction()  # frozen: one empty plan serves every payload without one


def _poa(ctx: Context) -> PlanOfAction:
    poa = ctx.payload.get("poa")
    return poa if isinstance(poa, PlanOfAction) else _NO_POA


def missing_parts(poa: PlanOfAction) -> list[str]:
    """The parts of a POA that are empty: root causes (each with its explanation), actions, measures."""
    missing = []
    if not poa.root_causes or any(not r.text.strip() for r in poa.root_causes):
        missing.append("root causes" if not poa.root_causes else "an explanation for each root cause")
    if not [a for a in poa.corrective_actions if a.strip()]:
        missing.append("corrective actions")
    if not [a for a in poa.preventive_measures if a.strip()]:
        missing.append("preventive measures")
    return missing


def unanswered_issues(poa: PlanOfAction, cited: tuple[str, ...]) -> list[str]:
    answered = {normalise(r.issue) for r in poa.root_causes}
    return [i for i in cited if normalise(i) not in answered]


def fake_documents(poa: PlanOfAction) -> list[str]:
    return [d.kind for d in poa.documents if not d.genuine]


def repeats_rejected(ctx: Context, poa: PlanOfAction) -> bool:
    if not ctx.history.count(_case.REJECT):  # no appeal was rejected yet: nothing to repeat
        return False
    key = poa.content_key()
    return any(old.content_key() == key for old in _case.rejected_poas(ctx))


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


@register(
    "poa.complete",
    summary="A POA names root cause(s), corrective actions taken and preventive measures; each part non-empty.",
    source="A-POA, SEED3 [S]",
    reads=("poa",),
)
def complete(ctx: Context, params: Mapping[str, Any]) -> str | None:
    missing = missing_parts(_poa(ctx))
    if missing:
        return (
            f"The plan of action is missing {_and(missing)}; it must name the root causes, "
            "the corrective actions taken and the preventive measures."
        )
    return None


@register(
    "poa.addresses_all_issues",
    summary="Every issue cited in the suspension notice is answered by a root cause in the POA.",
    source='A-POA ("an explanation for every issue") [S]',
    reads=("poa",),
)
def addresses_all_issues(ctx: Context, params: Mapping[str, Any]) -> str | None:
    missing = unanswered_issues(_poa(ctx), _case.cited_issues(ctx))
    if missing:
        return (
            f"The notice cited {_and(missing)}, which no root cause in the plan of action answers; "
            "Amazon expects an explanation for every issue."
        )
    return None


@register(
    "poa.genuine_documents",
    summary="No supporting document is fabricated or altered.",
    source='SEED3 ("Don\'t fake invoices...") [S]',
    reads=("poa",),
)
def genuine_documents(ctx: Context, params: Mapping[str, Any]) -> str | None:
    fakes = fake_documents(_poa(ctx))
    if fakes:
        return (
            f"The {_and(fakes)} attached {'is' if len(fakes) == 1 else 'are'} fabricated or altered; "
            "a faked document ends the trust Amazon still has in the account."
        )
    return None


@register(
    "poa.revised",
    summary="A POA sent after a rejection differs from every POA already rejected.",
    source="T-WR-ESC (re-sending the same weak POA) [3p]",
    reads=("poa",),
    facts=("rejections",),
)
def revised(ctx: Context, params: Mapping[str, Any]) -> str | None:
    if repeats_rejected(ctx, _poa(ctx)):
        return "This plan of action is the same as one Amazon already rejected; revise it before sending it again."
    return None
