"""What events carry: plans of action, escalation letters, documents; and the payload type vocabulary.

A definition declares each payload field with a type name from ``PAYLOAD_TYPES`` (``str``, ``poa``,
``list[document]`` ...). Plain dicts and lists from YAML or keyword arguments are checked against the type and
built into the frozen records below; a wrong name or type is reported with the field's path.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from workflow.io import schema as s


@attrs.frozen
class RootCause:
    """One root cause in a plan of action, answering one issue the notice cited."""

    issue: str
    text: str = ""


@attrs.frozen
class Document:
    """A supporting document: an invoice, a licence, a utility bill, an ID ...

    ``genuine`` is false for a fabricated or altered document. The verification fields describe how it looks
    to a reviewer; ``issuer`` says who wrote a letter or licence (``rights_owner``, ``manufacturer`` ...).
    """

    kind: str
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

_document = s.record(
    "a document mapping (kind, genuine, ...)",
    s.RecordBuilder(Document),
    kind=s.Field(s.Str(nonempty=True), required=True, doc="invoice, licence, utility_bill, id ..."),
    genuine=s.Field(s.Bool(), default=True, doc="false for a fabricated or altered document"),
    legible=s.Field(s.Bool(), default=True),
    matches_registration=s.Field(s.Bool(), default=True),
    screenshot=s.Field(s.Bool(), default=False),
    issued=s.Field(s.Date(), default=None, doc="the date on the document"),
    issuer=s.Field(s.Str(), default=None, doc="who issued it: rights_owner, manufacturer ..."),
)
_documents = s.ListOf(_document)
_root_cause = s.record(
    "a root cause mapping (issue, text)",
    s.RecordBuilder(RootCause),
    issue=s.Field(s.Str(nonempty=True), required=True, doc="the issue the notice cited"),
    text=s.Field(s.Str(), default="", doc="what went wrong"),
)
_poa = s.record(
    "a plan of action mapping (root_causes, corrective_actions, preventive_measures, documents)",
    s.RecordBuilder(PlanOfAction),
    root_causes=s.Field(s.ListOf(_root_cause), default=()),
    corrective_actions=s.Field(s.ListOf(s.Str()), default=()),
    preventive_measures=s.Field(s.ListOf(s.Str()), default=()),
    documents=s.Field(_documents, default=()),
)
_letter = s.record(
    "an escalation letter mapping (asks_for, key_actions, text)",
    s.RecordBuilder(EscalationLetter),
    asks_for=s.Field(s.Str(), default=None, doc="senior_investigator or seller_performance_manager"),
    key_actions=s.Field(s.ListOf(s.Str()), default=()),
    text=s.Field(s.Str(), default=""),
)

#: type name -> factory(team ids) -> schema. ``team`` needs the team ids, the others ignore them.
PAYLOAD_TYPES: Mapping[str, Callable[[tuple[str, ...]], s.Schema]] = {
    "str": lambda teams: s.Str(),
    "int": lambda teams: s.Int(),
    "number": lambda teams: s.Number(),
    "bool": lambda teams: s.Bool(),
    "date": lambda teams: s.Date(),
    "timestamp": lambda teams: s.Timestamp(),
    "list[str]": lambda teams: s.ListOf(s.Str()),
    "poa": lambda teams: _poa,
    "letter": lambda teams: _letter,
    "document": lambda teams: _document,
    "list[document]": lambda teams: _documents,
    "team": lambda teams: s.Str(choices=teams),
}


def payload_schema(type_name: str, choices: tuple[str, ...] | None, teams: tuple[str, ...]) -> s.Schema:
    """The schema for one payload field; ``choices`` narrows a ``str`` field."""
    if choices is not None:
        if type_name == "list[str]":
            return s.ListOf(s.Str(choices=choices))
        return s.Str(choices=choices)
    return PAYLOAD_TYPES[type_name](teams)


def to_plain(value: Any) -> Any:
    """A payload value as JSON-safe data (the inverse of checking it against its schema)."""
    if attrs.has(type(value)):
        return {
            f.name: to_plain(getattr(value, f.name))
            for f in attrs.fields(type(value))
            if getattr(value, f.name) != f.default or f.default is attrs.NOTHING
        }
    if isinstance(value, tuple | list):
        return [to_plain(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: to_plain(v) for k, v in value.items()}
    return value
