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
from workflow.core.structure import NonEmpty, one_of, register_payload_type


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

register_payload_type("poa", lambda resources: PlanOfAction)
register_payload_type("letter", lambda resources: EscalationLetter)
register_payload_type("document", lambda resources: Document)
register_payload_type("list[document]", lambda resources: tuple[Document, ...])
register_payload_type("team", lambda resources: one_of(teams_of(resources).ids()))
