"""The store's JSON: the case JSON of the CLI's ``--json`` and the service, lists, due items and steps.

A step is written exactly as ``workflow simulate --json`` writes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from .. import Step
from ..core.structure import to_plain
from .records import CasePage, DueItem, StoredCase


def _time(stamp: dt.datetime | None) -> str | None:
    if stamp is None:
        return None
    return stamp.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")


def step_json(step: Step) -> dict[str, Any]:
    """A step as ``simulate --json`` gives it."""
    out: dict[str, Any] = {
        "index": step.index,
        "event": step.event,
        "at": _time(step.at),
        "source": step.source,
        "target": step.target,
        "accepted": step.accepted,
        "blocked_by": list(step.blocked_by),
        "advice": list(step.advice),
        "findings": [{"rule": f.rule, "kind": f.kind, "message": f.message, "source": f.source} for f in step.findings],
    }
    if step.timer:
        out["timer"] = True
    return out


def due_json(item: DueItem, *, with_case: bool = False) -> dict[str, Any]:
    """A due item: ``{"kind", "event", "at", "rules"}`` (with ``"case"`` first in a list across cases)."""
    out: dict[str, Any] = {"case": item.case_id} if with_case else {}
    out |= {"kind": item.kind, "event": item.event, "at": _time(item.at), "rules": list(item.rules)}
    return out


def case_json(case: StoredCase, due: Iterable[DueItem] = (), *, with_history: bool = True) -> dict[str, Any]:
    """The case JSON: what it is, where it stands, what it may do now, what comes due, and its history, last.

    Without ``with_history`` the history is an empty list (for a caller that writes each step's JSON itself).
    """
    defn = case.definition
    return {
        "id": case.id,
        "definition": {"name": defn.name, "version": defn.version, "hash": defn.hash},
        "state": case.state,
        "version": case.version,
        "created": _time(case.created),
        "updated": _time(case.updated),
        "facts": to_plain(dict(case.facts)),  # as a snapshot writes them
        "terminal": case.terminal,
        "allowed": list(case.allowed()),
        "due": [due_json(d) for d in due],
        "history": [step_json(st) for st in case.history] if with_history else [],
    }


def list_json(page: CasePage) -> dict[str, Any]:
    """A page of cases: ``{"cases": [{"id", "definition", "state", "version", "updated", "next_due"}], "next"}``."""
    return {
        "cases": [
            {
                "id": c.id,
                "definition": c.definition,
                "state": c.state,
                "version": c.version,
                "updated": _time(c.updated),
                "next_due": _time(c.next_due),
            }
            for c in page
        ],
        "next": page.next,
    }
