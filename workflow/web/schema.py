"""JSON Schema (2020-12, as OpenAPI 3.1 uses it) from the types the code already has.

The service's request and answer bodies are attrs records (``workflow.web.bodies``), an event's payload is the
type each of its fields is structured as (``workflow.core.structure.payload_type``), and facts are typed by the
definition: ``type_schema`` turns any of them into a schema, so the OpenAPI document, the definitions' payload
schemas and the inspector's forms are all read off the code that parses the data.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Mapping
from typing import Annotated, Any, get_args, get_origin

import attrs

from workflow import Definition
from workflow.core.structure import PAYLOAD_TYPES, Constraint, describe, payload_type

Schema = dict[str, Any]

_SCALARS: dict[Any, Schema] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
    dt.date: {"type": "string", "format": "date"},
    dt.datetime: {"type": "string", "format": "date-time"},
}


def type_schema(t: Any, refs: dict[str, Schema] | None = None) -> Schema:
    """The JSON Schema of values structured as ``t``.

    ``refs``: where records go as ``#/components/schemas/NAME`` (an OpenAPI document's components); without
    it, records are written in place (a payload's schema stands alone).
    """
    if t is Any or t is object:
        return {}
    if get_origin(t) is Annotated:
        base, *meta = get_args(t)
        out = dict(type_schema(base, refs))
        for m in meta:
            if isinstance(m, Constraint):
                out |= _constraint(m)
        return out
    origin = get_origin(t)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in get_args(t) if a is not type(None)]
        inner = (
            type_schema(options[0], refs) if len(options) == 1 else {"anyOf": [type_schema(a, refs) for a in options]}
        )
        if type(None) not in get_args(t):
            return inner
        if set(inner) <= {"type", "format", "description"} and isinstance(inner.get("type"), str):
            return inner | {"type": [inner["type"], "null"]}
        return {"anyOf": [inner, {"type": "null"}]}
    if origin in (tuple, list):
        args = get_args(t)
        return {"type": "array", "items": type_schema(args[0], refs) if args else {}}
    if origin in (dict, Mapping) or t in (dict, Mapping):
        args = get_args(t)
        values = type_schema(args[1], refs) if args else {}
        out = {"type": "object", "propertyNames": {"minLength": 1}}  # the converter refuses an empty name
        return out | {"additionalProperties": values} if values else out
    if attrs.has(t):
        return _record(t, refs)
    if t in _SCALARS:
        return dict(_SCALARS[t])
    raise TypeError(f"no JSON Schema for {t!r}")


def _constraint(c: Constraint) -> Schema:
    kind = c.key[0] if c.key else None
    if kind == "one_of":
        return {"enum": list(c.key[1:])}
    if kind == "nonempty":
        return {"minLength": 1, "pattern": r"\S"}
    if kind == "at_least":
        return {"minimum": c.key[1]}
    if kind == "date_time":
        return {"format": "date-time"}
    if kind == "at_most":
        return {"maximum": c.key[1]}
    if kind == "min_items":
        return {"minItems": c.key[1]}
    return {}


def field_name(attribute: attrs.Attribute[Any]) -> str:
    """A record field's name in a document (``from_`` is written ``from``)."""
    return attribute.name.rstrip("_") if attribute.name.endswith("_") else attribute.name


def _record(cls: type, refs: dict[str, Schema] | None) -> Schema:
    name = cls.__name__
    if refs is not None and name in refs:
        return {"$ref": f"#/components/schemas/{name}"}
    if refs is not None:
        refs[name] = {}  # a placeholder while its fields are written (a record that holds itself)
    hints = typing.get_type_hints(cls, include_extras=True)
    props: Schema = {}
    required: list[str] = []
    for a in attrs.fields(cls):
        key = field_name(a)
        prop = type_schema(hints[a.name], refs)
        doc = _field_doc(cls, a.name)
        if doc:
            prop = prop | {"description": doc} if "$ref" not in prop else prop
        props[key] = prop
        if a.default is attrs.NOTHING:
            required.append(key)
    out: Schema = {"type": "object", "title": _title(cls), "properties": props, "additionalProperties": False}
    if required:
        out["required"] = required
    doc = (cls.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
    if doc:
        out["description"] = doc
    if refs is None:
        return out
    refs[name] = out
    return {"$ref": f"#/components/schemas/{name}"}


def _title(cls: type) -> str:
    return describe(cls).split(" mapping")[0].removeprefix("a ").removeprefix("an ")


def _field_doc(cls: type, name: str) -> str:
    docs: Mapping[str, str] = getattr(cls, "__field_docs__", {})
    return docs.get(name, "")


# --------------------------------------------------------------------------------------------- definitions


def payload_schema(defn: Definition, event: str) -> Schema:
    """The JSON Schema of ``event``'s payload in ``defn``: each declared field with the type it is structured as."""
    ev = defn.event(event)
    props: Schema = {}
    required: list[str] = []
    for f in ev.payload:
        prop = field_type_schema(defn, f.type, f.choices)
        if f.description:
            prop = prop | {"description": f.description}
        props[f.name] = prop
        if f.required:
            required.append(f.name)
    out: Schema = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        out["required"] = required
    return out


def field_type_schema(defn: Definition, type_name: str, choices: tuple[str, ...] | None = None) -> Schema:
    """The JSON Schema of one payload or fact field of type ``type_name`` (``str``, ``poa``, ``list[document]`` ...)."""
    if type_name not in PAYLOAD_TYPES:
        return {}
    return type_schema(payload_type(type_name, choices, defn.resources))


def facts_schema(defn: Definition) -> Schema:
    """The JSON Schema of a case's facts in ``defn``: each declared fact, none required (each has its default)."""
    props: Schema = {}
    for f in defn.facts:
        prop = field_type_schema(defn, f.type)
        if f.description:
            prop = prop | {"description": f.description}
        props[f.name] = prop
    return {"type": "object", "properties": props, "additionalProperties": False}
