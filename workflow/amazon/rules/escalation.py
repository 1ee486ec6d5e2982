"""Rules about waiting, following up and escalating."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from workflow.amazon.payloads import ASKS_FOR, EscalationLetter, PlanOfAction, normalise
from workflow.amazon.rules import reading
from workflow.amazon.rules.poa import fake_documents, missing_parts, repeats_rejected, unanswered_issues
from workflow.core.openings import business_days_reached
from workflow.core.rules import Context, opening, register


@register(
    "patience.wait",
    summary=(
        "No follow-up on a pending appeal before patience_days business days (default 5) of silence since "
        "the last submission."
    ),
    source="SEED3, SEED4 [S]; 5 days T-APPEALWIZ [3p]",
    params={"patience_days": 5, "follow_ups_wait_too": False},
)
def wait(ctx: Context, params: Mapping[str, Any]) -> str | None:
    # As the catalog states it, the days count from the last submission. With follow_ups_wait_too [I], a
    # follow-up is itself a message in the queue and the next one waits as long again (SEED3 on flooding
    # Seller Performance with inquiries). Escalation's patience counts from the submission either way.
    counting = (*reading.SUBMISSIONS, reading.FOLLOW_UP) if params["follow_ups_wait_too"] else reading.SUBMISSIONS
    days = reading.silence_days(ctx, counting=counting)
    need = int(params["patience_days"])
    if days is not None and days < need:
        since = "the last submission or follow-up" if params["follow_ups_wait_too"] else "the last submission"
        return (
            f"Only {days} business day{'s' if days != 1 else ''} since {since}; "
            f"wait {need} business days of silence before following up. Amazon reads patient sellers first."
        )
    return None


@opening("patience.wait")
def wait_opens(ctx: Context, params: Mapping[str, Any]) -> dt.datetime | None:
    """Midnight of the ``patience_days``-th business day after the last submission (or follow-up)."""
    counting = (*reading.SUBMISSIONS, reading.FOLLOW_UP) if params["follow_ups_wait_too"] else reading.SUBMISSIONS
    last = ctx.history.last(*counting)
    if last is None:
        return None
    return business_days_reached(last.at, int(params["patience_days"]), ctx.holidays)


@register(
    "escalate.after_review",
    summary="Escalation only after a rejection, or after patience_days of silence on a pending appeal.",
    source="SEED4 [S]",
    params={"patience_days": 5},
)
def after_review(ctx: Context, params: Mapping[str, Any]) -> str | None:
    last = ctx.history.last(reading.SUBMIT, reading.PROVIDE_INFO, reading.REJECT)
    if last is not None and last.event == reading.REJECT:
        return None
    days = reading.silence_days(ctx)
    need = int(params["patience_days"])
    if days is None or days < need:
        waited = 0 if days is None else days
        return (
            "Escalate only after the appeal was rejected, or after "
            f"{need} business days of silence on it (so far {waited})."
        )
    return None


@opening("escalate.after_review")
def after_review_opens(ctx: Context, params: Mapping[str, Any]) -> dt.datetime | None:
    """``patience_days`` business days of silence after the last submission; nothing opens it before one."""
    last = ctx.history.last(*reading.SUBMISSIONS)
    if last is None:
        return None
    return business_days_reached(last.at, int(params["patience_days"]), ctx.holidays)


@register(
    "escalate.strong_poa",
    summary=(
        "Escalation carries a strong POA (poa.complete, poa.addresses_all_issues, poa.genuine_documents, "
        "and revised if one was rejected)."
    ),
    source="SEED4, card [S]",
    reads=("poa",),
    counts=("reject",),
    recalls=("poa",),
)
def strong_poa(ctx: Context, params: Mapping[str, Any]) -> str | None:
    poa = ctx.payload.get("poa")
    if not isinstance(poa, PlanOfAction):
        return "An escalation must carry a strong plan of action; this one carries none."
    weak = []
    if missing_parts(poa):
        weak.append("it is incomplete")
    if unanswered_issues(poa, reading.cited_issues(ctx)):
        weak.append("it leaves a cited issue unanswered")
    if fake_documents(poa):
        weak.append("it includes a fabricated document")
    if repeats_rejected(ctx, poa):
        weak.append("it repeats a rejected plan")
    if weak:
        return (
            f"The plan of action is not strong enough to escalate: {'; '.join(weak)}. "
            "A weak escalation may be the last one heard."
        )
    return None


def _first_stray(key_actions: tuple[str, ...], keys: list[str], actions: tuple[str, ...]) -> str | None:
    """The first key action that restates none of the plan's ``actions``; ``keys`` are the key actions normalised."""
    normalised: tuple[str, ...] | None = None  # the plan's actions, normalised when first needed
    for key_action, key in zip(key_actions, keys, strict=True):
        if key and key_action in actions:  # the very words of one of the plan's actions
            continue
        if normalised is None:
            normalised = tuple(normalise(a) for a in actions)
        if not _matches(key, normalised):
            return key_action
    return None


def _matches(key: str, actions: tuple[str, ...]) -> bool:
    """A key action restates a plan action: the same words, or the action's words within a longer sentence.

    ``key`` and ``actions`` are normalised already.
    """
    return bool(key) and any(a and (key == a or a in key) for a in actions)


@register(
    "escalate.letter",
    summary=(
        "Escalation carries a letter that asks for a senior investigator or Seller Performance manager and "
        "restates two or three key actions, each one of the POA's actions."
    ),
    source="SEED4 [S]",
    reads=("letter", "poa"),
    params={"min_key_actions": 2, "max_key_actions": 3},
)
def letter(ctx: Context, params: Mapping[str, Any]) -> str | None:
    text = ctx.payload.get("letter")
    if not isinstance(text, EscalationLetter):
        return "An escalation needs a letter asking for a senior investigator or Seller Performance manager."
    poa = ctx.payload.get("poa")
    actions = poa.actions() if isinstance(poa, PlanOfAction) else ()
    faults = []
    if text.asks_for not in ASKS_FOR:
        faults.append("ask for a senior investigator or a Seller Performance manager to review the plan")
    low, high = int(params["min_key_actions"]), int(params["max_key_actions"])
    keys = [normalise(k) for k in text.key_actions]
    n = len(set(keys))  # the same action restated twice is one key action
    if not low <= n <= high:
        faults.append(f"restate {low} to {high} key actions (it restates {n})")
    stray = _first_stray(text.key_actions, keys, actions)
    if stray is not None:
        faults.append(f"restate only actions from the plan ('{stray}' is not one)")
    if faults:
        return "The escalation letter must " + "; ".join(faults) + "."
    return None


@register(
    "escalate.once",
    summary=(
        "A case is escalated once: Executive Seller Relations (or whoever the escalation reached) reviews it "
        "once, and after that annotation no further escalation is heard, whatever its target."
    ),
    source="SEED0, SEED1 [S]; card",
    facts=("escalations", "esr_reviewed"),
    counts=("escalate",),
)
def once(ctx: Context, params: Mapping[str, Any]) -> str | None:
    if reading.escalations(ctx) > 0 or ctx.facts.get("esr_reviewed"):
        return (
            "This case was already escalated and reviewed once; after that annotation no further "
            "escalation is heard, whatever its target."
        )
    return None
