"""Payloads drawn at random for an event, valid or not in the rules' eyes (never malformed).

Random walks use these generators; a plan of action may come complete or with a part missing, answering
the cited issues or not, with a fabricated document now and then, so that every rule gets to refuse.

A payload is drawn once, already structured as checking would leave it (records for plans, letters and
documents, dates as dates, lists as tuples, absent fields left out): ``drawer(defn, event)`` gives that
form, which ``Case.decide_payload(..., checked=True)`` takes as is, and ``payload`` the same payload as plain
data (the form a scenario file or ``Case.fire`` takes), which checks back to exactly the structured one. Every
decision is one ``rng.random()`` call, read against a threshold or scaled to an index into a fixed tuple.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
import random
import weakref
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Protocol, TypeVar

from workflow.amazon.payloads import ASKS_FOR, Document, EscalationLetter, PlanOfAction, RootCause
from workflow.amazon.teams import teams_of
from workflow.core.model import Definition, Event, PayloadField
from workflow.core.structure import to_plain

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
TEXTS = ("late carrier hand-off in December", "an unvetted supplier", "no stock checks", "the owner read no reports")
#: whom a letter may ask for: the two a letter should name, and one it should not
ASKS = (*ASKS_FOR, "jeff")

_T = TypeVar("_T")
_Draw = Callable[[], float]  # ``rng.random``: every draw below is made from it
_Drawer = Callable[[random.Random], Mapping[str, Any]]

#: the probability that a drawn payload has an optional field, unless told otherwise
_KEEP = 0.9

_UTC = dt.timezone.utc
_DAYS = tuple((m, d) for m in range(1, 13) for d in range(1, 29))  # the 28 first days of each month
_ISSUED = tuple(dt.date(2025, m, d) for m, d in _DAYS)  # when a document was issued
_DATES = tuple(dt.date(2026, m, d) for m, d in _DAYS)
_STAMPS = tuple(dt.datetime(2026, m, d, 9, tzinfo=_UTC) for m, d in _DAYS)


def _orders(pool: tuple[Any, ...], sizes: range) -> tuple[tuple[tuple[Any, ...], ...], ...]:
    """Per size in ``sizes``, every ordered selection of that many distinct items of ``pool``."""
    return tuple(tuple(itertools.permutations(pool, k)) for k in sizes)


def _pick(r: _Draw, tables: tuple[tuple[_T, ...], ...]) -> _T:
    """A table at random, then an entry of it at random (e.g. a size, then a selection of that size)."""
    table = tables[int(r() * len(tables))]
    return table[int(r() * len(table))]


def sample(r: _Draw, pool: tuple[str, ...], k: int) -> tuple[str, ...]:
    """``k`` distinct items of ``pool`` in random order (a partial Fisher-Yates shuffle)."""
    n = len(pool)
    if k == 1:
        return (pool[int(r() * n)],)
    items = list(pool)
    for i in range(k):
        j = i + int(r() * (n - i))
        items[i], items[j] = items[j], items[i]
    return tuple(items[:k])


#: per number of root causes (1 to 3): every list of root causes answering that many distinct issues
_ROOT_CAUSES: tuple[tuple[tuple[RootCause, ...], ...], ...] = tuple(
    tuple(
        tuple(RootCause(issue, text) for issue, text in zip(issues, texts, strict=True))
        for issues in itertools.permutations(ISSUES, k)
        for texts in itertools.product(TEXTS, repeat=k)
    )
    for k in range(1, 4)
)
#: per number of corrective actions and of preventive measures (1 or 2 each): every pair of ordered selections
_ACTIONS = tuple(
    tuple(itertools.product(corrective, preventive))
    for corrective in _orders(ACTIONS[:3], range(1, 3))
    for preventive in _orders(ACTIONS[3:], range(1, 3))
)
_ISSUE_LISTS = _orders(ISSUES, range(1, 3))


def document_record(r: _Draw) -> Document:
    return Document(  # positionally (a third faster than by keyword): tests/test_generate.py checks the field order
        DOC_KINDS[int(r() * 6)],  # kind
        r() >= 0.15,  # genuine
        r() >= 0.1,  # legible
        r() >= 0.1,  # matches_registration
        r() < 0.1,  # screenshot
        _ISSUED[int(r() * 336)] if r() < 0.3 else None,  # issued
        ISSUERS[int(r() * 3)] if r() < 0.5 else None,  # issuer
    )


def _documents(r: _Draw) -> tuple[Document, ...]:
    n = int(r() * 3)
    return (document_record(r), document_record(r)) if n == 2 else (document_record(r),) if n else ()


def _poa(r: _Draw) -> PlanOfAction:
    causes = _pick(r, _ROOT_CAUSES)
    corrective, preventive = _pick(r, _ACTIONS)
    documents = _documents(r)
    if r() < 0.15:  # a part left empty
        part = int(r() * 3)
        if part == 0:
            causes = ()
        elif part == 1:
            corrective = ()
        else:
            preventive = ()
    return PlanOfAction(causes, corrective, preventive, documents)


def _plan_actions(plan: Any) -> tuple[str, ...]:
    """A plan's corrective actions and preventive measures, the plan a record or plain data (or absent)."""
    if isinstance(plan, PlanOfAction):
        return plan.actions()
    if isinstance(plan, Mapping):
        return (*plan.get("corrective_actions", ()), *plan.get("preventive_measures", ()))
    return ()


def _letter(r: _Draw, plan: Any) -> EscalationLetter:
    asks_for = ASKS[int(r() * 3)] if r() < 0.85 else None
    actions = _plan_actions(plan)
    pool = actions if actions and r() < 0.85 else ACTIONS
    return EscalationLetter(asks_for, key_actions(r, pool))


#: per pool of actions (a drawn plan's, at most four, or ``ACTIONS``), the letter's choices: see ``key_actions``;
#: at most ``KEY_ACTIONS_KEPT`` pools, so that letters drawn for many plans given to ``letter`` do not fill memory
KEY_ACTIONS: dict[tuple[str, ...], tuple[tuple[tuple[str, ...], ...], ...]] = {}
KEY_ACTIONS_KEPT = 512


def key_actions(r: _Draw, pool: tuple[str, ...]) -> tuple[str, ...]:
    """One to four actions of ``pool`` (as many as it has, if fewer), distinct, in random order: a number of
    actions, then one of the ``itertools.permutations`` of that many, whether a table of them is kept or not."""
    tables = KEY_ACTIONS.get(pool)
    if tables is None:
        if (len(pool) > 4 and pool != ACTIONS) or len(KEY_ACTIONS) >= KEY_ACTIONS_KEPT:  # not worth a table
            return nth_permutation(pool, min(len(pool), 1 + int(r() * 4)), r())
        tables = KEY_ACTIONS[pool] = tuple(tuple(itertools.permutations(pool, min(len(pool), k))) for k in range(1, 5))
    return _pick(r, tables)  # a number of actions, then a selection of that many


def nth_permutation(pool: tuple[str, ...], k: int, x: float) -> tuple[str, ...]:
    """``tuple(itertools.permutations(pool, k))[int(x * count)]`` without listing them (``0 <= x < 1``)."""
    n = len(pool)
    count = math.perm(n, k)
    index = int(x * count)
    items = list(pool)
    out = []
    for i in range(k):
        count //= n - i  # permutations sharing each choice for this position
        j, index = divmod(index, count)
        out.append(items.pop(j))
    return tuple(out)


_FieldDrawer = Callable[[_Draw, Mapping[str, Any]], Any]  # given what was drawn of the payload so far

#: type name -> drawer of a structured value
_VALUES: dict[str, _FieldDrawer] = {
    "str": lambda r, partial: WORDS[int(r() * 3)],
    "int": lambda r, partial: int(r() * 6),
    "number": lambda r, partial: round(r() * 0.1, 4),
    "bool": lambda r, partial: r() < 0.5,
    "date": lambda r, partial: _DATES[int(r() * 336)],
    "timestamp": lambda r, partial: _STAMPS[int(r() * 336)],
    "list[str]": lambda r, partial: _pick(r, _ISSUE_LISTS),
    "poa": lambda r, partial: _poa(r),
    "document": lambda r, partial: document_record(r),
    "list[document]": lambda r, partial: _documents(r),
    "letter": lambda r, partial: _letter(r, partial.get("poa")),
}


def _field_drawer(field: PayloadField, teams: tuple[str, ...]) -> _FieldDrawer:
    """Draws a structured value of ``field``'s type, given what was drawn of the payload so far."""
    choices = field.choices
    if choices:
        n = len(choices)
        if field.type == "list[str]":
            return lambda r, partial: sample(r, choices, 1 + int(r() * n))
        return lambda r, partial: choices[int(r() * n)]
    if field.type == "team":
        n = len(teams)
        return lambda r, partial: teams[int(r() * n)]  # deciding teams first in ``teams``: see _teams
    return _VALUES[field.type]  # KeyError for a type not known here


def _teams(defn: Definition) -> tuple[str, ...]:
    """The team ids to draw from: deciding teams three times over, so that a drawn team decides more often."""
    deciders = tuple(t.id for t in teams_of(defn).values() if t.decides)
    return (deciders * 3 + teams_of(defn).ids()) if deciders else (teams_of(defn).ids() or ("none",))


_NO_PAYLOAD: Mapping[str, Any] = MappingProxyType({})


class _KeepDrawer(Protocol):
    """A payload drawer told ``keep`` (the probability of each optional field) at draw time."""

    def __call__(self, rng: random.Random, keep: float = ...) -> Mapping[str, Any]: ...


def _no_payload(rng: random.Random, keep: float = _KEEP) -> Mapping[str, Any]:
    return _NO_PAYLOAD


def _make_drawer(defn: Definition, event: Event) -> _KeepDrawer:
    if not event.payload:
        return _no_payload
    teams = _teams(defn)
    # declaration order, except that a plan of action comes before the letter quoting it
    plan = tuple(
        (f.name, f.required, _field_drawer(f, teams)) for f in sorted(event.payload, key=lambda f: f.type == "letter")
    )

    def draw(rng: random.Random, keep: float = _KEEP) -> Mapping[str, Any]:
        r = rng.random
        out: dict[str, Any] = {}
        for name, required, value in plan:
            if required or r() < keep:
                out[name] = value(r, out)
        return MappingProxyType(out)

    return draw


#: per definition, by event name
_DRAWERS: weakref.WeakKeyDictionary[Definition, dict[str, _KeepDrawer]] = weakref.WeakKeyDictionary()


def drawer(defn: Definition, event: Event, *, keep: float = _KEEP) -> _Drawer:
    """Draws ``event``'s payloads as ``Compiled.check_payload`` would structure them: every required field, each
    optional one with probability ``keep``. Made once per definition and event; another ``keep`` is a partial
    application of the same drawer."""
    drawers = _DRAWERS.get(defn)
    if drawers is None:
        drawers = _DRAWERS[defn] = {}
    draw = drawers.get(event.name)
    if draw is None:
        draw = drawers[event.name] = _make_drawer(defn, event)
    return draw if keep == _KEEP else functools.partial(draw, keep=keep)


def payload(rng: random.Random, event: Event, defn: Definition, *, keep: float = _KEEP) -> dict[str, Any]:
    """A payload for ``event`` as plain data: every required field, each optional one with probability ``keep``.

    The same draws as ``drawer(defn, event, keep=keep)`` from the same ``rng`` state, so checking this payload
    gives exactly what the drawer gives.
    """
    return {name: to_plain(v) for name, v in drawer(defn, event, keep=keep)(rng).items()}


def value(rng: random.Random, field: PayloadField, teams: tuple[str, ...], partial: Mapping[str, Any]) -> Any:
    """A value of ``field``'s type as plain data; choices and team ids drawn from what the definition declares
    (``teams``), a letter's actions from the plan in ``partial``. ``KeyError`` for a type not known here."""
    return to_plain(_field_drawer(field, teams)(rng.random, partial))


def document(rng: random.Random) -> dict[str, Any]:
    """A document as plain data (fields at their defaults left out)."""
    out: dict[str, Any] = to_plain(document_record(rng.random))
    return out


def poa(rng: random.Random) -> dict[str, Any]:
    """A plan of action as plain data: complete, or with a part empty (about one in seven)."""
    out: dict[str, Any] = to_plain(_poa(rng.random))
    return out


def letter(rng: random.Random, plan: Mapping[str, Any] | PlanOfAction | None) -> dict[str, Any]:
    """An escalation letter as plain data, mostly restating actions of ``plan``."""
    out: dict[str, Any] = to_plain(_letter(rng.random, plan))
    return out
