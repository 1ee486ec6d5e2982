"""Rules about the plan of action itself."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workflow.amazon.payloads import PlanOfAction, RootCause, normalise
from workflow.amazon.rules import reading
from workflow.core.rules import Context, register
from workflow.core.text import joined

_NO_POA = PlanOfAction()  # frozen: one empty plan serves every payload without one


def _poa(ctx: Context) -> PlanOfAction:
    poa = ctx.payload.get("poa")
    return poa if isinstance(poa, PlanOfAction) else _NO_POA


def missing_parts(poa: PlanOfAction) -> list[str]:
    """The parts of a POA that are empty: root causes (each with its explanation), actions, measures."""
    missing = []
    if not poa.root_causes:
        missing.append("root causes")
    elif not _each_explained(poa.root_causes):
        missing.append("an explanation for each root cause")
    if _blank(poa.corrective_actions):
        missing.append("corrective actions")
    if _blank(poa.preventive_measures):
        missing.append("preventive measures")
    return missing


def _each_explained(causes: tuple[RootCause, ...]) -> bool:
    """Every root cause has an explanation that says something (not empty, not only spaces)."""
    for cause in causes:  # noqa: SIM110  (a loop: twice as fast as all() over a generator)
        if not cause.text.strip():
            return False
    return True


def _blank(texts: tuple[str, ...]) -> bool:
    """No text says anything: there is none, or each is empty or only spaces (then so is all of it together)."""
    return not "".join(texts).strip()


def unanswered_issues(poa: PlanOfAction, cited: tuple[str, ...]) -> list[str]:
    """The cited issues no root cause answers, compared as normalised text."""
    if not cited:
        return []
    answered = {r.issue for r in poa.root_causes}
    if answered.issuperset(cited):  # each issue in the very words of a root cause
        return []
    normalised = {normalise(r.issue) for r in poa.root_causes}
    return [i for i in cited if i not in answered and normalise(i) not in normalised]


def fake_documents(poa: PlanOfAction) -> list[str]:
    return [d.kind for d in poa.documents if not d.genuine]


def repeats_rejected(ctx: Context, poa: PlanOfAction) -> bool:
    if not ctx.history.count(reading.REJECT):  # no appeal was rejected yet: nothing to repeat
        return False
    key: tuple[Any, ...] | None = None  # the plan's content key, worked out only for a rejected plan of its shape
    shape = _shape(poa)
    for old in reading.rejected_poas(ctx):
        if old is poa:
            return True
        if _shape(old) != shape:  # a different number of causes, actions, measures or documents: another plan
            continue
        if key is None:
            key = poa.content_key()
        if old.content_key() == key:
            return True
    return False


def _shape(poa: PlanOfAction) -> tuple[int, int, int, int]:
    """How many parts of each kind a plan has; plans with the same content key have the same shape."""
    return len(poa.root_causes), len(poa.corrective_actions), len(poa.preventive_measures), len(poa.documents)


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
            f"The plan of action is missing {joined(missing)}; it must name the root causes, "
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
    missing = unanswered_issues(_poa(ctx), reading.cited_issues(ctx))
    if missing:
        return (
            f"The notice cited {joined(missing)}, which no root cause in the plan of action answers; "
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
            f"The {joined(fakes)} attached {'is' if len(fakes) == 1 else 'are'} fabricated or altered; "
            "a faked document ends the trust Amazon still has in the account."
        )
    return None


@register(
    "poa.revised",
    summary="A POA sent after a rejection differs from every POA already rejected.",
    source="T-WR-ESC (re-sending the same weak POA) [3p]",
    reads=("poa",),
    facts=("rejections",),
    counts=("reject",),
    recalls=("poa",),
)
def revised(ctx: Context, params: Mapping[str, Any]) -> str | None:
    if repeats_rejected(ctx, _poa(ctx)):
        return "This plan of action is the same as one Amazon already rejected; revise it before sending it again."
    return None
