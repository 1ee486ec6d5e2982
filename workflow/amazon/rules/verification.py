"""Rules about a verification of the seller's identity, address and payment details.

The ``verification`` lifecycle's event names the rules read from history (``attend_video_interview``) are
the public names of that lifecycle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from workflow.amazon.payloads import Document
from workflow.core.clock import business_days_between
from workflow.core.openings import business_days_reached
from workflow.core.rules import Context, opening, register
from workflow.core.text import joined

INTERVIEW = "attend_video_interview"
FINAL = "final_decision"


def _words(items: Sequence[Any], last: str = "or") -> str:
    names = [str(i).replace("_", " ") for i in items]
    return joined(names, last) if names else "nothing"


def _documents(ctx: Context) -> list[Document]:
    return [d for d in ctx.payload.get("documents") or () if isinstance(d, Document)]


@register(
    "verification.trigger",
    summary="Changing phone, card, address or bank details can start a verification.",
    source="SEED3 [S]",
    reads=("field",),
    params={"trigger_fields": ["phone", "card", "address", "bank_account"]},
)
def trigger(ctx: Context, params: Mapping[str, Any]) -> str | None:
    field = ctx.payload.get("field")
    fields = [str(f) for f in params["trigger_fields"]]
    if field in fields:
        return None
    return (
        f"Changing the {str(field or 'account details').replace('_', ' ')} does not start a verification; "
        f"a change of {_words(fields)} can."
    )


def document_faults(doc: Document, ctx: Context, params: Mapping[str, Any]) -> list[str]:
    """What is wrong with one verification document, in words; empty when it is acceptable."""
    name = doc.kind.replace("_", " ")
    faults = []
    if not doc.genuine:
        faults.append(f"the {name} is altered")
    if not doc.legible:
        faults.append(f"the {name} is not legible")
    if doc.screenshot:
        faults.append(f"the {name} is a screenshot")
    if not doc.matches_registration:
        faults.append(f"the name or address on the {name} does not match the registration")
    if doc.kind in [str(k) for k in params["utility_bill_kinds"]]:
        limit = int(params["utility_bill_max_age_days"])
        if doc.issued is None:
            faults.append(f"the {name} shows no date (it must be at most {limit} days old)")
        else:
            age = (ctx.now.date() - doc.issued).days
            if age > limit:
                faults.append(f"the {name} is {age} days old (at most {limit})")
    return faults


@register(
    "verification.documents",
    summary=(
        "Documents are legible, unaltered, match the registration, no screenshots; a utility bill is at most "
        "utility_bill_max_age_days days old (default 90)."
    ),
    source="N-VERIF-EU [S]",
    reads=("documents",),
    params={"utility_bill_max_age_days": 90, "utility_bill_kinds": ["utility_bill"]},
)
def documents(ctx: Context, params: Mapping[str, Any]) -> str | None:
    docs = _documents(ctx)
    if not docs:
        return "Send the documents Amazon asked for; this submission carries none."
    faults = [f for d in docs for f in document_faults(d, ctx, params)]
    if faults:
        return (
            f"Amazon cannot verify the account with these documents: {'; '.join(faults)}. Send legible, "
            "unaltered originals that match the registration, no screenshots."
        )
    return None


@register(
    "verification.genuine",
    summary="Fabricated documents end the case in final_decision.",
    source="SEED3 [S]; ending [I]",
    reads=("documents",),
)
def genuine(ctx: Context, params: Mapping[str, Any]) -> str | None:
    fakes = [d.kind.replace("_", " ") for d in _documents(ctx) if not d.genuine]
    if ctx.target == FINAL:  # the branch that ends the case: taken only for a fabricated document
        if fakes:
            return None
        return "No document is fabricated, so this submission does not end the case in a final decision."
    if fakes:
        return (
            f"The {_words(fakes, 'and')} {'is' if len(fakes) == 1 else 'are'} fabricated; a faked document ends "
            "the verification in a final decision."
        )
    return None


@register(
    "verification.decision_5d",
    summary="After the video interview the decision comes within decision_business_days business days (default 5).",
    source="N-VIDEO [S]",
    params={"decision_business_days": 5},
)
def decision_5d(ctx: Context, params: Mapping[str, Any]) -> str | None:
    need = int(params["decision_business_days"])
    step = ctx.history.latest(INTERVIEW)
    if step is None:
        return "No video interview took place, so no decision is due."
    days = business_days_between(step.at, ctx.now, ctx.holidays)
    if days < need:
        return (
            f"Amazon decides within {need} business days of the video interview; {days} "
            f"business day{'s' if days != 1 else ''} have passed, so wait."
        )
    return None


@opening("verification.decision_5d")
def decision_5d_opens(ctx: Context, params: Mapping[str, Any]) -> dt.datetime | None:
    """Midnight of the ``decision_business_days``-th business day after the video interview."""
    step = ctx.history.latest(INTERVIEW)
    if step is None:
        return None
    return business_days_reached(step.at, int(params["decision_business_days"]), ctx.holidays)
