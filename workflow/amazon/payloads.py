"""What events carry: plans of action, escalation letters, documents; and the payload type vocabulary.

A definition declares each payload field with a type name (``str``, ``poa``, ``list[document]`` ...). This
module registers the pack's names with the core (``workflow.core.structure.register_payload_type``): ``poa``,
``letter``, ``document``, ``list[document]``, and ``team`` (one of the teams the definition's ``teams``
resource names). Plain dicts and lists from YAML or keyword arguments are structured into the frozen records
below by the core's cattrs converter; a wrong name or type is reported with the field's path.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import attrs

from workflow.amazon.teams import teams_of
from workflow.core.structure import NonEmpty, one_of, register_fast_path, register_payload_type, slot_setters


@attrs.frozen
class RootCause:
    """One root cause in a plan of action, answering one issue the notice cited."""

    issue: NonEmpty  # the issue the notice cited
    text: str = ""  # what went wrong


@attrs.frozen
class Document:
    """A supporting document: an invoice, a licence, a utility bill, an ID ...

    ``genuine`` is false for a fabricated or altered document. The verification fields describe how it looks
    to a reviewer; ``issuer`` says who wrote a letter or licence (``rights_owner``, ``manufacturer`` ...).
    """

    kind: NonEmpty  # invoice, licence, utility_bill, id ...
    genuine: bool = True
    legible: bool = True
    matches_registration: bool = True
    screenshot: bool = False
    issued: dt.date | None = None
    issuer: str | None = None


@attrs.frozen
class PlanOfAction:
    """A plan of action (appeal): root causes, corrective actions taken, preventive measures, documents."""

    root_causes: tuple[RootCause, ...] = ()
    corrective_actions: tuple[str, ...] = ()
    preventive_measures: tuple[str, ...] = ()
    documents: tuple[Document, ...] = ()

    def actions(self) -> tuple[str, ...]:
        """The corrective actions and preventive measures together."""
        return self.corrective_actions + self.preventive_measures

    def texts(self) -> tuple[str, ...]:
        """Every piece of free text in the plan."""
        return tuple(r.text for r in self.root_causes) + self.actions()

    def content_key(self) -> tuple[Any, ...]:
        """What makes two plans the same plan: their words, normalised, and their documents."""
        return self._content_key

    @functools.cached_property
    def _content_key(self) -> tuple[Any, ...]:  # computed once per plan: rules compare plans often
        return (
            tuple(sorted([(normalise(r.issue), normalise(r.text)) for r in self.root_causes])),
            tuple(sorted([normalise(a) for a in self.corrective_actions])),
            tuple(sorted([normalise(a) for a in self.preventive_measures])),
            tuple(sorted([(d.kind, d.genuine) for d in self.documents])),
        )


@attrs.frozen
class EscalationLetter:
    """The letter that goes with an escalation: whom it asks for, and the key actions it restates."""

    asks_for: str | None = None
    key_actions: tuple[str, ...] = ()
    text: str = ""


def normalise(text: str) -> str:
    """Lower case, single spaces: how free text is compared."""
    return _normalise_short(text) if len(text) <= 200 else _normalised(text)


def _normalised(text: str) -> str:
    return " ".join(text.lower().split())


#: the same issues and actions are compared again and again: the last 4,096 short ones are kept (under 1 MB)
_normalise_short = functools.lru_cache(maxsize=4096)(_normalised)


ASKS_FOR = ("senior_investigator", "seller_performance_manager")


# ------------------------------------------------------------------------------------ the plan's fast path
#
# Every ``submit_poa`` and ``escalate`` carries a plan of action, and structuring it is the largest single cost
# of deciding one: most of what cattrs' generated functions take for a plan goes in calls between them and in
# attrs' frozen ``__init__``s (each field set through ``object.__setattr__``). The plan's plainest shape (exact
# dicts, lists, strings and booleans, as JSON and keyword arguments give) is therefore structured here in one
# function, each record built slot by slot (``slot_setters``); anything else is left to cattrs
# (``register_fast_path``). BENCHMARKS.md ("The targets") has the figures that keep it;
# tests/amazon/test_payloads.py holds it to cattrs' answers on generated plans, valid and not.

_CAUSE_KEYS = frozenset(("issue", "text"))
_PLAN_KEYS = frozenset(("root_causes", "corrective_actions", "preventive_measures", "documents"))
_DOCUMENT_KEYS = frozenset(a.name for a in attrs.fields(Document))


def _plain_texts(value: Any) -> tuple[str, ...] | None:
    if type(value) is not list and type(value) is not tuple:
        return None
    for text in value:
        if type(text) is not str:
            return None
    return tuple(value)


def _plain_document(value: Any) -> Document | None:
    if type(value) is not dict or not _DOCUMENT_KEYS.issuperset(value):
        return None
    kind = value.get("kind")
    if type(kind) is not str or not kind.strip():
        return None
    genuine = value.get("genuine", True)
    legible = value.get("legible", True)
    matches_registration = value.get("matches_registration", True)
    screenshot = value.get("screenshot", False)
    for flag in (genuine, legible, matches_registration, screenshot):
        if flag is not True and flag is not False:
            return None
    issued = value.get("issued")
    if issued is not None:
        if type(issued) is not str:
            return None
        try:
            issued = dt.date.fromisoformat(issued.strip())
        except ValueError:
            return None
    issuer = value.get("issuer")
    if issuer is not None and type(issuer) is not str:
        return None
    document = _new(Document)
    _document_kind(document, kind)
    _document_genuine(document, genuine)
    _document_legible(document, legible)
    _document_matches_registration(document, matches_registration)
    _document_screenshot(document, screenshot)
    _document_issued(document, issued)
    _document_issuer(document, issuer)
    return document


def plain_plan(value: Any) -> PlanOfAction | None:
    """The plan of action ``value`` gives when it is plain JSON-like data cattrs would take; ``None`` otherwise
    (cattrs then structures it, or says what is wrong with it)."""
    if type(value) is not dict or not _PLAN_KEYS.issuperset(value):
        return None
    causes: list[RootCause] = []
    raw = value.get("root_causes", ())
    if type(raw) is not list and type(raw) is not tuple:
        return None
    for item in raw:  # each a root cause, checked here: a plan has several
        if type(item) is not dict or not _CAUSE_KEYS.issuperset(item):
            return None
        issue = item.get("issue")
        text = item.get("text", "")
        if type(issue) is not str or not issue.strip() or type(text) is not str:
            return None
        cause = _new(RootCause)
        _cause_issue(cause, issue)
        _cause_text(cause, text)
        causes.append(cause)
    documents: list[Document] = []
    raw = value.get("documents", ())
    if type(raw) is not list and type(raw) is not tuple:
        return None
    for item in raw:
        document = _plain_document(item)
        if document is None:
            return None
        documents.append(document)
    actions = _plain_texts(value.get("corrective_actions", ()))
    measures = _plain_texts(value.get("preventive_measures", ()))
    if actions is None or measures is None:
        return None
    plan = _new(PlanOfAction)
    _plan_causes(plan, tuple(causes))
    _plan_actions(plan, actions)
    _plan_measures(plan, measures)
    _plan_documents(plan, tuple(documents))
    return plan


_new = object.__new__
_cause_issue, _cause_text = slot_setters(RootCause, "issue", "text")
(
    _document_kind,
    _document_genuine,
    _document_legible,
    _document_matches_registration,
    _document_screenshot,
    _document_issued,
    _document_issuer,
) = slot_setters(Document, "kind", "genuine", "legible", "matches_registration", "screenshot", "issued", "issuer")
_plan_causes, _plan_actions, _plan_measures, _plan_documents = slot_setters(
    PlanOfAction, "root_causes", "corrective_actions", "preventive_measures", "documents"
)


register_fast_path(PlanOfAction, plain_plan)

register_payload_type("poa", lambda resources: PlanOfAction)
register_payload_type("letter", lambda resources: EscalationLetter)
register_payload_type("document", lambda resources: Document)
register_payload_type("list[document]", lambda resources: tuple[Document, ...])
register_payload_type("team", lambda resources: one_of(teams_of(resources).ids()))
