"""HTML form fields built from an event's payload schema, and a posted form read back into a payload.

A payload schema (``workflow.web.schema.payload_schema``) becomes a tree of ``Field``: a record is a group of
fields, a list a group of a few numbered slots (empty slots are left out when the form is read), a choice a
select, a boolean a select of yes/no/unset (an unset field keeps its default), dates and numbers their input
types. Each leaf's form name is its path under ``p.``: ``p.poa.root_causes.0.issue``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from workflow.errors import RequestError

from .schema import Schema

PREFIX = "p."
#: slots shown for a list of plain values, and for a list of records
SCALAR_SLOTS, RECORD_SLOTS = 3, 2
#: how deep records and lists nest in a form
MAX_DEPTH = 4


@attrs.frozen
class Field:
    """A form field (``kind``: text, integer, number, date, datetime, bool, choice) or a group of them
    (``kind`` ``record`` or ``list``)."""

    name: str
    label: str
    kind: str
    path: tuple[str | int, ...]
    required: bool = False
    description: str = ""
    choices: tuple[str, ...] = ()
    children: tuple[Field, ...] = ()

    @property
    def group(self) -> bool:
        return self.kind in ("record", "list")

    @property
    def html_id(self) -> str:
        return "f-" + "".join(c if c.isalnum() else "-" for c in self.name)


def fields(schema: Schema, path: tuple[str | int, ...] = (), depth: int = 0) -> tuple[Field, ...]:
    """The fields of a record schema (an event's payload, or a record inside it)."""
    required = set(schema.get("required", ()))
    return tuple(
        field(prop, (*path, name), name in required, depth) for name, prop in schema.get("properties", {}).items()
    )


def _base(prop: Schema) -> Schema:
    """A nullable schema's non-null part."""
    if "anyOf" in prop:
        options = [p for p in prop["anyOf"] if p.get("type") != "null"]
        return options[0] if len(options) == 1 else {}
    kind = prop.get("type")
    if isinstance(kind, list):
        return prop | {"type": next(t for t in kind if t != "null")}
    return prop


def field(prop: Schema, path: tuple[str | int, ...], required: bool, depth: int) -> Field:
    base = _base(prop)
    name = PREFIX + ".".join(str(p) for p in path)
    label = _label(path)
    description = str(prop.get("description") or base.get("description") or "")
    kind = base.get("type")
    common: dict[str, Any] = {"name": name, "label": label, "path": path, "required": required}
    if "enum" in base:
        return Field(kind="choice", choices=tuple(base["enum"]), description=description, **common)
    if kind == "object" and "properties" in base and depth < MAX_DEPTH:
        return Field(kind="record", description=description, children=fields(base, path, depth + 1), **common)
    if kind == "array" and depth < MAX_DEPTH:
        items = base.get("items", {})
        slots = RECORD_SLOTS if _base(items).get("type") == "object" else SCALAR_SLOTS
        children = tuple(field(items, (*path, i), False, depth + 1) for i in range(slots))
        return Field(kind="list", description=description, children=children, **common)
    if kind == "boolean":
        return Field(kind="bool", description=description, **common)
    if kind in ("integer", "number"):
        return Field(kind=kind, description=description, **common)
    if kind == "string" and base.get("format") in ("date", "date-time"):
        return Field(kind="date" if base["format"] == "date" else "datetime", description=description, **common)
    return Field(kind="text", description=description, **common)


def _label(path: tuple[str | int, ...]) -> str:
    parts = [f"item {p + 1}" if isinstance(p, int) else p.replace("_", " ") for p in path]
    return " › ".join(parts)


def leaves(tree: tuple[Field, ...]) -> list[Field]:
    out: list[Field] = []
    for f in tree:
        out.extend(leaves(f.children) if f.group else [f])
    return out


def read(tree: tuple[Field, ...], form: Mapping[str, Any]) -> dict[str, Any]:
    """The payload a posted form gives: each filled-in field at its path, empty fields and slots left out."""
    root: dict[Any, Any] = {}
    for leaf in leaves(tree):
        raw = form.get(leaf.name)
        if not isinstance(raw, str) or raw.strip() == "":
            continue
        node = root
        for part in leaf.path[:-1]:
            node = node.setdefault(part, {})
        node[leaf.path[-1]] = _value(leaf, raw.strip())
    plain = _lists(root)
    return plain if isinstance(plain, dict) else {}


def _value(leaf: Field, raw: str) -> Any:
    where = ".".join(str(p) for p in leaf.path)
    if leaf.kind == "integer":
        try:
            return int(raw)
        except ValueError:
            raise RequestError(422, f"{where}: expected a whole number (got {raw!r})", f"payload.{where}") from None
    if leaf.kind == "number":
        try:
            return float(raw)
        except ValueError:
            raise RequestError(422, f"{where}: expected a number (got {raw!r})", f"payload.{where}") from None
    if leaf.kind == "bool":
        return raw == "true"
    return raw


def _lists(node: Any) -> Any:
    """Dicts keyed by slot numbers become lists, in slot order."""
    if not isinstance(node, dict):
        return node
    items = {k: _lists(v) for k, v in node.items()}
    if items and all(isinstance(k, int) for k in items):
        return [items[k] for k in sorted(items)]
    return items
