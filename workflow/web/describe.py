"""A definition as the service shows it: states, events with their payload's JSON Schema, transitions with their
rules and sources, advice, and the facts' schema; a decision table as its rules and sources."""

from __future__ import annotations

from typing import Any

from workflow import Definition

from .schema import facts_schema, payload_schema
from .service import LIFECYCLE, TABLE, Service


def rule_use(rule: str, source: str, params: Any) -> dict[str, Any]:
    return {"rule": rule, "source": source, "params": _plain(dict(params))}


def _plain(value: Any) -> Any:
    if isinstance(value, dict) or hasattr(value, "items"):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def lifecycle_json(defn: Definition) -> dict[str, Any]:
    return {
        "name": defn.name,
        "version": defn.version,
        "hash": defn.hash,
        "description": defn.description.strip(),
        "kind": LIFECYCLE,
        "states": [
            {
                "name": s.name,
                "description": s.description,
                "initial": s.initial,
                "terminal": s.terminal,
                "outcome": s.outcome,
            }
            for s in defn.states
        ],
        "events": [
            {
                "name": e.name,
                "description": e.description.strip(),
                "actor": e.actor,
                "payload": payload_schema(defn, e.name),
            }
            for e in defn.events
        ],
        "transitions": [
            {
                "event": t.event,
                "sources": list(t.sources),
                "dest": t.dest,
                "after": t.timer.text if t.timer else None,
                "description": t.description.strip(),
                "rules": [rule_use(g.id, g.source, g.params) for g in t.guards],
            }
            for t in defn.transitions
        ],
        "advice": [{"rule": a.rule.id, "source": a.rule.source, "events": list(a.events)} for a in defn.advice],
        "facts": facts_schema(defn),
        "rules": [],
    }


def table_json(table: Any) -> dict[str, Any]:
    rules = [rule_use(m.rule, m.source, m.params) for m in table.metrics]
    for extra in (table.rating, table.protection):
        if extra is not None:
            rules.append(rule_use(extra.rule, extra.source, extra.params))
    return {
        "name": table.name,
        "version": table.version,
        "hash": "",
        "description": table.description.strip(),
        "kind": TABLE,
        "states": [],
        "events": [],
        "transitions": [],
        "advice": [],
        "facts": {"type": "object"},
        "rules": rules,
    }


def definition_json(service: Service, name: str) -> dict[str, Any]:
    """The definition ``name`` (a lifecycle or a decision table) as ``GET /api/definitions/{name}`` gives it."""
    if service.kind(name) == TABLE:
        return table_json(service.table(name))
    return lifecycle_json(service.definition(name))
