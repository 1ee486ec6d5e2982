"""Rules about an intellectual-property complaint against one listing (the Notice teams' side flow).

The names of the ``ip_complaint`` events the rules read from history (``receive_complaint``,
``file_counter_notice``) are the public names of that lifecycle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from workflow.amazon.payloads import Document
from workflow.core.rules import Context, opening, register
from workflow.core.text import joined, with_article

COMPLAINT = "receive_complaint"
COUNTER_NOTICE = "file_counter_notice"


def complaint_type(ctx: Context) -> str | None:
    """The type of the complaint the case is about (the latest one received), or ``None`` before any."""
    step = ctx.history.latest(COMPLAINT)
    if step is None or step.payload.get("complaint_type") is None:
        return None
    return str(step.payload["complaint_type"])


def days_since(ctx: Context, *events: str) -> int | None:
    """Whole calendar days since the latest accepted step of any of ``events``; ``None`` if there is none."""
    step = ctx.history.last(*events)
    if step is None:
        return None
    return (ctx.now - step.at) // dt.timedelta(days=1)


#: how the dispute grounds read in a sentence
GROUNDS = {
    "false_claim": "the claim is false",
    "contact_does_not_exist": "the rights owner's contact does not exist",
    "baseless": "it is baseless",
}


def _words(items: Sequence[Any], article: str = "") -> str:
    names = [_a(str(i)) if article == "a" else article + str(i).replace("_", " ") for i in items]
    return joined(names, "or") if names else "nothing"


def _a(name: str) -> str:
    return with_article(name.replace("_", " "))


@register(
    "ip.retraction_direct",
    summary=(
        "The complaint resolves only when the rights owner writes to Amazon directly and states the complaint "
        "was an error; a forwarded retraction, removed inventory or a promise not to list again does not."
    ),
    source="SEED0 [S], N-IP-COPY, N-IP-TM [S]",
    reads=("evidence", "sent_by", "states_error"),
)
def retraction_direct(ctx: Context, params: Mapping[str, Any]) -> str | None:
    evidence = ctx.payload.get("evidence")
    if evidence in ("inventory_removed", "promise_not_to_relist"):
        what = "Removing the inventory" if evidence == "inventory_removed" else "Promising not to list it again"
        return (
            f"{what} does not resolve an IP complaint; only the rights owner can, by writing to Amazon directly "
            "that the complaint was made in error."
        )
    if ctx.payload.get("sent_by") != "rights_owner":
        return (
            "Amazon does not accept a retraction the seller forwards or attaches; the rights owner must send it "
            "to Amazon directly (the notice-retraction address or Brand Registry)."
        )
    if not ctx.payload.get("states_error"):
        return "The retraction must state clearly that the complaint was made in error; Amazon accepts no other."
    return None


@register(
    "ip.dispute_legal_argument",
    summary=(
        "A dispute needs a legal argument: the claim is false, or the rights owner's contact does not exist; "
        '"it is baseless" is not one.'
    ),
    source="SEED0 [S]",
    reads=("grounds",),
    params={"legal_grounds": ["false_claim", "contact_does_not_exist"]},
)
def dispute_legal_argument(ctx: Context, params: Mapping[str, Any]) -> str | None:
    grounds = ctx.payload.get("grounds")
    accepted = [str(g) for g in params["legal_grounds"]]
    if grounds in accepted:
        return None
    said = f'Saying "{GROUNDS.get(str(grounds), str(grounds).replace("_", " "))}"' if grounds else "No argument"
    return (
        f"{said} is not a legal argument; a dispute needs one: "
        f"{_words(['that ' + GROUNDS.get(g, g.replace('_', ' ')) for g in accepted])}."
    )


def _qualifying(doc: Document, kinds: Sequence[str], issuers: Sequence[str]) -> bool:
    return doc.genuine and doc.kind in kinds and doc.issuer in issuers


@register(
    "ip.document_appeal",
    summary=(
        "An appeal with documents needs an invoice, a licence or a letter of authorisation from the rights "
        "owner or manufacturer (for copyright, from the rights owner)."
    ),
    source="N-IP-TM, N-IP-COPY [S]",
    reads=("documents",),
    params={
        "document_kinds": ["invoice", "licence", "letter_of_authorisation"],
        "issuers": ["rights_owner", "manufacturer"],
        "copyright_issuers": ["rights_owner"],
    },
)
def document_appeal(ctx: Context, params: Mapping[str, Any]) -> str | None:
    docs = [d for d in ctx.payload.get("documents") or () if isinstance(d, Document)]
    kinds = [str(k) for k in params["document_kinds"]]
    copyright_case = complaint_type(ctx) == "copyright"
    issuers = [str(i) for i in params["copyright_issuers" if copyright_case else "issuers"]]
    if any(_qualifying(d, kinds, issuers) for d in docs):
        return None
    need = f"{_words(kinds, 'a')} from the {_words(issuers)}"
    if not docs:
        return f"An appeal with documents needs at least one document: {need}."
    if any(not d.genuine for d in docs):
        return f"A fabricated or altered document supports nothing; the appeal needs a genuine {need}."
    sent = ", ".join(f"{_a(d.kind)} from {_a(d.issuer) if d.issuer else 'no named issuer'}" for d in docs)
    scope = " for a copyright complaint" if copyright_case else ""
    return f"The appeal{scope} needs {need}; it carries {sent}."


@register(
    "ip.counter_notice_10d",
    summary=(
        "Copyright only: after a counter-notice the listing returns if the claimant files no lawsuit within "
        "lawsuit_window_days days (default 10)."
    ),
    source="A-DMCA [S]",
    params={"lawsuit_window_days": 10, "counter_notice_types": ["copyright"]},
)
def counter_notice_10d(ctx: Context, params: Mapping[str, Any]) -> str | None:
    kind = complaint_type(ctx)
    types = [str(t) for t in params["counter_notice_types"]]
    if kind not in types:
        return (
            f"A counter-notice brings a listing back only after a {_words(types)} complaint; this is "
            f"{'a ' + kind.replace('_', ' ') + ' complaint' if kind else 'a complaint of no known type'}, "
            "so the listing stays down."
        )
    need = int(params["lawsuit_window_days"])
    days = days_since(ctx, COUNTER_NOTICE)
    if days is None:
        return "No counter-notice was filed, so there is no lawsuit window to wait out."
    if days < need:
        return (
            f"The claimant has {need} days after the counter-notice to file a lawsuit; only {days} "
            f"day{'s' if days != 1 else ''} have passed."
        )
    return None


@opening("ip.counter_notice_10d")
def counter_notice_10d_opens(ctx: Context, params: Mapping[str, Any]) -> dt.datetime | None:
    """``lawsuit_window_days`` days after the counter-notice, for a complaint of a type that has the window."""
    if complaint_type(ctx) not in [str(t) for t in params["counter_notice_types"]]:
        return None
    step = ctx.history.latest(COUNTER_NOTICE)
    if step is None:
        return None
    return step.at + dt.timedelta(days=int(params["lawsuit_window_days"]))


@register(
    "ip.timeout_90d",
    summary=(
        "With no resolution within timeout_days days (default 90) of the complaint notice Amazon asks for the "
        "inventory to be removed; a denied dispute or appeal resolves nothing and does not restart the days."
    ),
    source="N-IP-90D [S]",
    params={"timeout_days": 90},
)
def timeout_90d(ctx: Context, params: Mapping[str, Any]) -> str | None:
    need = int(params["timeout_days"])
    days = days_since(ctx, COMPLAINT)  # from the notice: a denial in between restarts nothing
    if days is None:
        return "There is no complaint to time out."
    if days < need:
        return (
            f"Amazon asks for the inventory to be removed {need} days after the complaint notice without "
            f"resolution; the complaint has stood for {days} day{'s' if days != 1 else ''}."
        )
    return None


@opening("ip.timeout_90d")
def timeout_90d_opens(ctx: Context, params: Mapping[str, Any]) -> dt.datetime | None:
    """``timeout_days`` days after the complaint notice."""
    step = ctx.history.latest(COMPLAINT)
    if step is None:
        return None
    return step.at + dt.timedelta(days=int(params["timeout_days"]))
