"""The payload-class catalog: a small finite set of representative payloads per event, keyed by payload *type*.

Exploration (``workflow.analysis.explore``), generated paths and the Hypothesis strategies of ``workflow.testing``
cannot try every payload, so they try one representative of each class the rules tell apart. This module is
the one place that knows what those classes are. It is keyed by the payload field's type (``poa``, ``letter``,
``team``, ``list[document]`` ...), never by a definition's name, so every definition that uses these types is
explored with the same vocabulary:

- ``poa``: ``complete`` (answers the cited issues, a genuine document), ``revised`` (another complete plan,
  different words), ``legal`` (complete, but threatens legal action), ``incomplete`` (no preventive
  measures), ``missing_issue`` (answers one cited issue only), ``fabricated`` (a fabricated document),
  ``omitted``. A plan "identical to a rejected one" is not a class of its own: it is ``complete`` sent again
  after ``complete`` was rejected, which exploration reaches by itself.
- ``letter``: ``good`` (asks for a senior investigator, restates two of the plan's actions), ``asks_jeff``,
  ``no_ask``, ``stray_action`` (restates an action the plan does not hold), ``too_few``, ``legal``, ``omitted``.
- ``team``: omitted, or one team per role (teams that decide, enforce, review escalations and take appeals
  alike are one class; the first of them stands for all).
- ``document`` / ``list[document]``: ``genuine`` (an invoice from the manufacturer, issued a month before the
  start), ``fabricated``, ``illegible``, ``screenshot``, ``mismatched`` (does not match the registration),
  ``stale`` (issued long ago), ``utility_bill``, ``distributor`` (issued by a distributor); lists also
  ``none``.
- a field with ``choices``: omitted (when optional), then each choice.
- ``str``: a neutral sentence, and ``legal`` (threatens legal action); ``list[str]``: the two cited issues,
  and ``none``; ``bool``, ``int``, ``number``, ``date``, ``timestamp``: a value or two.
- a type this catalog does not know: three values drawn by ``workflow.amazon.generate`` with fixed seeds.
- an optional field: also ``omitted``; for a team or a field with choices, leaving it out is the base (the
  engine's default: the enforcing team, the appeal form).

An event's classes are its **base** payload (every field at its first class) and one variant per other class
of each field, the rest kept at base ("one factor at a time"): the sum of the fields' classes, not their
product. Payloads are plain data, as a scenario file's ``with:`` holds them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from workflow.amazon.teams import teams_of
from workflow.core.clock import DEFAULT_START, as_timestamp
from workflow.core.model import Definition, Event, PayloadField

#: issues the representative notice cites; the representative plans answer them
ISSUES = ("order_defect_rate", "late_shipment_rate")
ACTIONS = ("moved to two-day carrier pickup", "refunded every affected buyer", "confirm shipment only on carrier scan")
MEASURES = ("daily late-shipment report reviewed by the owner", "weekly carrier audit")
TEXTS = ("late carrier hand-off in December", "orders confirmed before they were packed")
LEGAL = "we will take legal action and our lawyer will sue"
NEUTRAL = "a question about my account"
#: the date the representative documents are measured from (exploration starts on it)
START_DATE = as_timestamp(DEFAULT_START).date()  # the documents are dated from the default start

OMIT: Any = object()  # a field left out of the payload


@attrs.frozen
class FieldClass:
    """One class of values for one field: its name, the value (``OMIT`` to leave the field out)."""

    name: str
    value: Any


@attrs.frozen
class PayloadClass:
    """A representative payload of an event: ``label`` is ``base`` or ``field=class``; ``payload`` is plain data."""

    event: str
    label: str
    payload: Mapping[str, Any]
    field: str | None = None  # the field that differs from base
    cls: str | None = None  # its class


def _document(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "kind": "invoice",
        "issuer": "manufacturer",
        "issued": (START_DATE - dt.timedelta(days=30)).isoformat(),
    }
    doc.update(changes)
    return doc


DOCUMENTS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("genuine", _document()),
    ("fabricated", _document(genuine=False)),
    ("illegible", _document(legible=False)),
    ("screenshot", _document(screenshot=True)),
    ("mismatched", _document(matches_registration=False)),
    ("stale", _document(issued=(START_DATE - dt.timedelta(days=400)).isoformat())),
    ("utility_bill", _document(kind="utility_bill", issuer=None)),
    ("distributor", _document(issuer="distributor")),
)


def _clean(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if v is not None}


def _plan(
    issues: tuple[str, ...] = ISSUES,
    texts: tuple[str, ...] = TEXTS,
    actions: tuple[str, ...] = ACTIONS[:2],
    measures: tuple[str, ...] = MEASURES[:1],
    documents: tuple[dict[str, Any], ...] = (_document(),),
) -> dict[str, Any]:
    return {
        "root_causes": [{"issue": i, "text": texts[n % len(texts)]} for n, i in enumerate(issues)],
        "corrective_actions": list(actions),
        "preventive_measures": list(measures),
        "documents": [_clean(d) for d in documents],
    }


POAS: tuple[tuple[str, Any], ...] = (
    ("complete", _plan()),
    (
        "revised",
        _plan(
            texts=("late carrier hand-off in December; no one checked the pickups", TEXTS[1]),
            actions=ACTIONS,
            measures=MEASURES,
        ),
    ),
    ("legal", _plan(actions=(*ACTIONS[:2], LEGAL))),
    ("incomplete", _plan(measures=())),
    ("missing_issue", _plan(issues=ISSUES[:1])),
    ("fabricated", _plan(documents=(_document(genuine=False),))),
    ("omitted", OMIT),
)
#: plan classes meant to pass every rule that reads a plan (the others are meant to fail one)
VALID_POAS = ("complete", "revised", "legal")

LETTERS: tuple[tuple[str, Any], ...] = (
    ("good", {"asks_for": "senior_investigator", "key_actions": list(ACTIONS[:2])}),
    ("asks_jeff", {"asks_for": "jeff", "key_actions": list(ACTIONS[:2])}),
    ("no_ask", {"key_actions": list(ACTIONS[:2])}),
    ("stray_action", {"asks_for": "senior_investigator", "key_actions": [ACTIONS[0], "hired a consultant"]}),
    ("too_few", {"asks_for": "seller_performance_manager", "key_actions": [ACTIONS[0]]}),
    ("legal", {"asks_for": "senior_investigator", "key_actions": list(ACTIONS[:2]), "text": LEGAL}),
    ("omitted", OMIT),
)
VALID_LETTERS = ("good", "legal")


def team_classes(defn: Definition) -> list[FieldClass]:
    """One team per role: teams alike in what they decide, enforce, review and take are one class."""
    seen: dict[tuple[Any, ...], str] = {}
    for team in teams_of(defn).values():
        role = (
            team.decides,
            team.enforces,
            team.reviews_escalations,
            team.reviews_once,
            team.appeal_channels,
            team.id == teams_of(defn).default_enforcer,
        )
        seen.setdefault(role, team.id)
    return [FieldClass(t, t) for t in seen.values()]


def _fallback(field: PayloadField, defn: Definition) -> list[FieldClass]:
    from workflow.amazon import generate

    out: list[FieldClass] = []
    teams = teams_of(defn).ids() or ("none",)
    for seed in range(3):
        try:
            value = generate.value(random.Random(seed), field, teams, {})
        except KeyError:
            break
        if all(value != c.value for c in out):
            out.append(FieldClass(f"random{seed}", value))
    return out


ByType = Callable[[PayloadField, Definition], list[FieldClass]]

#: payload type -> the field's classes, base first
CATALOG: dict[str, ByType] = {
    "poa": lambda f, d: [FieldClass(n, v) for n, v in POAS],
    "letter": lambda f, d: [FieldClass(n, v) for n, v in LETTERS],
    "team": lambda f, d: team_classes(d),
    "document": lambda f, d: [FieldClass(n, _clean(v)) for n, v in DOCUMENTS],
    "list[document]": lambda f, d: [
        FieldClass(DOCUMENTS[0][0], [_clean(DOCUMENTS[0][1])]),
        FieldClass("none", []),
        *(FieldClass(n, [_clean(v)]) for n, v in DOCUMENTS[1:]),
    ],
    "str": lambda f, d: [FieldClass("neutral", NEUTRAL), FieldClass("legal", LEGAL)],
    "list[str]": lambda f, d: [FieldClass("cited", list(ISSUES)), FieldClass("none", [])],
    "bool": lambda f, d: [FieldClass("true", True), FieldClass("false", False)],
    "int": lambda f, d: [FieldClass("one", 1), FieldClass("zero", 0)],
    "number": lambda f, d: [FieldClass("value", 0.02)],
    "date": lambda f, d: [
        FieldClass("recent", (START_DATE - dt.timedelta(days=10)).isoformat()),
        FieldClass("old", (START_DATE - dt.timedelta(days=400)).isoformat()),
    ],
    "timestamp": lambda f, d: [
        FieldClass("recent", f"{(START_DATE - dt.timedelta(days=10)).isoformat()}T09:00:00Z"),
        FieldClass("old", f"{(START_DATE - dt.timedelta(days=400)).isoformat()}T09:00:00Z"),
    ],
}


def field_classes(field: PayloadField, defn: Definition) -> list[FieldClass]:
    """The classes of one field's values, base first; ``OMIT`` marks leaving an optional field out."""
    if field.choices:
        if field.type == "list[str]":
            classes = [FieldClass("all", list(field.choices)), *(FieldClass(c, [c]) for c in field.choices)]
        else:
            classes = [FieldClass(c, c) for c in field.choices]
    else:
        maker = CATALOG.get(field.type)
        classes = maker(field, defn) if maker is not None else _fallback(field, defn)
    classes = [c for c in classes if c.value is not OMIT]
    if field.required:
        return classes
    if not field.choices and field.type != "team":
        return [*classes, FieldClass("omitted", OMIT)]  # present at base, left out as a variant
    return [FieldClass("omitted", OMIT), *classes]  # the default (the enforcing team, the appeal form ...)


def event_classes(defn: Definition, event: Event) -> tuple[PayloadClass, ...]:
    """The representative payloads of ``event``: base first, then one variant per other class of each field."""
    per_field = [(f, field_classes(f, defn)) for f in event.payload]
    base: dict[str, Any] = {}
    for f, classes in per_field:
        if classes and classes[0].value is not OMIT:
            base[f.name] = classes[0].value
    out = [PayloadClass(event=event.name, label="base", payload=base)]
    for f, classes in per_field:
        for c in classes[1:]:
            payload = dict(base)
            if c.value is OMIT:
                payload.pop(f.name, None)
            else:
                payload[f.name] = c.value
            out.append(
                PayloadClass(event=event.name, label=f"{f.name}={c.name}", payload=payload, field=f.name, cls=c.name)
            )
    return tuple(out)


def catalog(defn: Definition) -> dict[str, tuple[PayloadClass, ...]]:
    """Every event's representative payloads."""
    return {e.name: event_classes(defn, e) for e in defn.events}
