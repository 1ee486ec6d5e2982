"""Payloads drawn at random for an event, valid or not in the rules' eyes (never malformed).

Random walks use these generators; a plan of action may come complete or with a part missing, answering
the cited issues or not, with a fabricated document now and then, so that every rule gets to refuse.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from typing import Any

from .facts import ASKS_FOR
from .model import Definition, Event, PayloadField

#: issues a notice may cite; small so that plans and notices meet often
ISSUES = ("order_defect_rate", "late_shipment_rate", "cancellation_rate", "inauthentic")
ACTIONS = (
    "moved to two-day carrier pickup",
    "audited every supplier invoice",
    "refunded every affected buyer",
    "daily late-shipment report reviewed by the owner",
    "second person checks each listing",
    "weekly supplier audit",
)
WORDS = ("a question about my account", "when will my appeal be read?", "we will take legal action")
DOC_KINDS = ("invoice", "licence", "letter_of_authorisation", "utility_bill", "bank_statement", "id")
ISSUERS = ("rights_owner", "manufacturer", "distributor")


def _text(rng: random.Random) -> str:
    return rng.choice(
        ("late carrier hand-off in December", "an unvetted supplier", "no stock checks", "the owner read no reports")
    )


def document(rng: random.Random) -> dict[str, Any]:
    doc: dict[str, Any] = {"kind": rng.choice(DOC_KINDS)}
    if rng.random() < 0.15:
        doc["genuine"] = False
    if rng.random() < 0.1:
        doc["legible"] = False
    if rng.random() < 0.1:
        doc["screenshot"] = True
    if rng.random() < 0.1:
        doc["matches_registration"] = False
    if rng.random() < 0.3:
        doc["issued"] = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if rng.random() < 0.5:
        doc["issuer"] = rng.choice(ISSUERS)
    return doc


def poa(rng: random.Random) -> dict[str, Any]:
    issues = rng.sample(ISSUES, rng.randint(1, 3))
    plan: dict[str, Any] = {
        "root_causes": [{"issue": i, "text": _text(rng)} for i in issues],
        "corrective_actions": rng.sample(ACTIONS[:3], rng.randint(1, 2)),
        "preventive_measures": rng.sample(ACTIONS[3:], rng.randint(1, 2)),
        "documents": [document(rng) for _ in range(rng.randint(0, 2))],
    }
    if rng.random() < 0.15:
        plan[rng.choice(("root_causes", "corrective_actions", "preventive_measures"))] = []
    return plan


def letter(rng: random.Random, plan: Mapping[str, Any] | None) -> dict[str, Any]:
    actions = list((plan or {}).get("corrective_actions", ())) + list((plan or {}).get("preventive_measures", ()))
    out: dict[str, Any] = {}
    if rng.random() < 0.85:
        out["asks_for"] = rng.choice((*ASKS_FOR, "jeff"))
    pool = actions if actions and rng.random() < 0.85 else list(ACTIONS)
    out["key_actions"] = rng.sample(pool, min(len(pool), rng.randint(1, 4)))
    return out


def value(rng: random.Random, field: PayloadField, teams: tuple[str, ...], partial: Mapping[str, Any]) -> Any:
    """A value of ``field``'s type; choices and team ids drawn from what the definition declares."""
    if field.choices:
        if field.type == "list[str]":
            return rng.sample(field.choices, rng.randint(1, len(field.choices)))
        return rng.choice(field.choices)
    kind = field.type
    gen = SIMPLE.get(kind)
    if gen is not None:
        return gen(rng)
    if kind == "team":
        return rng.choice(teams)  # deciding teams first in ``teams``: see ``payload``
    if kind == "letter":
        return letter(rng, partial.get("poa"))
    raise KeyError(kind)


SIMPLE: dict[str, Callable[[random.Random], Any]] = {
    "str": lambda rng: rng.choice(WORDS),
    "int": lambda rng: rng.randint(0, 5),
    "number": lambda rng: round(rng.uniform(0, 0.1), 4),
    "bool": lambda rng: rng.random() < 0.5,
    "date": lambda rng: f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
    "timestamp": lambda rng: f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T09:00:00Z",
    "list[str]": lambda rng: rng.sample(ISSUES, rng.randint(1, 2)),
    "poa": poa,
    "document": document,
    "list[document]": lambda rng: [document(rng) for _ in range(rng.randint(0, 2))],
}


def payload(rng: random.Random, event: Event, defn: Definition, *, keep: float = 0.9) -> dict[str, Any]:
    """A payload for ``event``: every required field, each optional one with probability ``keep``.

    Fields are drawn in declaration order except that a plan of action comes before the letter quoting it.
    """
    if not event.payload:
        return {}
    teams, order = _prepared(defn, event)
    out: dict[str, Any] = {}
    for f in order:
        if f.required or rng.random() < keep:
            out[f.name] = value(rng, f, teams, out)
    return out


_PREPARED: dict[tuple[int, int], tuple[Definition, Event, tuple[str, ...], tuple[PayloadField, ...]]] = {}


def _prepared(defn: Definition, event: Event) -> tuple[tuple[str, ...], tuple[PayloadField, ...]]:
    """The team ids to draw from (deciding teams weighted) and the fields in drawing order, once per event."""
    key = (id(defn), id(event))
    entry = _PREPARED.get(key)
    if entry is None or entry[0] is not defn or entry[1] is not event:
        deciders = tuple(t.id for t in defn.teams.values() if t.decides)
        teams = (deciders * 3 + defn.teams.ids()) if deciders else (defn.teams.ids() or ("none",))
        entry = (defn, event, teams, tuple(sorted(event.payload, key=lambda f: f.type == "letter")))
        _PREPARED[key] = entry
    return entry[2], entry[3]
