"""Advice: rules that never block a step but annotate it with a warning."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from workflow.amazon.payloads import EscalationLetter, PlanOfAction
from workflow.amazon.rules import reading
from workflow.core.rules import ADVICE, Context, register


@register(
    "advice.seller_support",
    kind=ADVICE,
    summary="Seller Support cannot review escalations or advise on appeals; what it says may be generic.",
    source="SEED0 [S]",
    never_allows="Contacting Seller Support never changes a case, so the advice is given every time.",
)
def seller_support(ctx: Context, params: Mapping[str, Any]) -> str | None:
    return (
        "Seller Support cannot review escalations or advise on appeals, and what it says may be generic; "
        "it will not change the case."
    )


@register(
    "advice.jeff_premature",
    kind=ADVICE,
    summary=(
        '"Jeff" emails are the most overused escalation; Executive Relations is not in charge of Seller '
        "Performance or Product Quality."
    ),
    source="SEED0 [S]",
    reads=("target",),
)
def jeff_premature(ctx: Context, params: Mapping[str, Any]) -> str | None:
    if ctx.payload.get("target") == "jeff":
        return (
            "Emailing Jeff is the most overused escalation; Executive Relations is not in charge of Seller "
            "Performance or Product Quality and may just pass it back."
        )
    return None


def _texts(payload: Mapping[str, Any]) -> list[str]:
    texts: list[str] = []
    for value in payload.values():
        if isinstance(value, PlanOfAction):
            texts.extend(value.texts())
        elif isinstance(value, EscalationLetter):
            texts.append(value.text)
            texts.extend(value.key_actions)
        elif isinstance(value, str):
            texts.append(value)
    return texts


@register(
    "advice.no_legal_action",
    kind=ADVICE,
    summary="A POA or letter that threatens legal action: legal threats in an appeal are used against the seller.",
    source="SEED3 [S]",
    params={
        "legal_terms": ["legal action", "lawyer", "attorney", "lawsuit", "sue", "court", "litigation"],
    },
)
def no_legal_action(ctx: Context, params: Mapping[str, Any]) -> str | None:
    pattern = _legal_pattern(tuple(str(t).lower() for t in params["legal_terms"]))
    if pattern is None:
        return None
    # one search over every text, in order: the first text with a term, and its first term
    found = pattern.search("\n".join(_texts(ctx.payload)).lower())
    if found:
        return (
            f"The appeal mentions '{found.group(1)}'; threats of legal action in an appeal are used "
            "against the seller. Take them out."
        )
    return None


@functools.lru_cache(maxsize=64)
def _legal_pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    """The legal terms as one whole-word pattern, built once per list of terms."""
    return re.compile(r"\b(" + "|".join(re.escape(t) for t in terms) + r")\b") if terms else None


@register(
    "advice.repeat_denials",
    kind=ADVICE,
    summary=(
        "submit_poa after two or more rejections: each rejection makes the next appeal less likely to be "
        "read; after several, Amazon stops replying."
    ),
    source="T-ECHRIS-POA [3p]",
    params={"repeat_denials_after": 2},
    facts=("rejections",),
    counts=("reject",),
)
def repeat_denials(ctx: Context, params: Mapping[str, Any]) -> str | None:
    n = reading.rejections(ctx)
    if n >= int(params["repeat_denials_after"]):
        return (
            f"This appeal follows {n} rejection{'s' if n != 1 else ''}; each one makes the next appeal less likely "
            "to be read, and after several Amazon stops replying."
        )
    return None
