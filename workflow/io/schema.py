"""A tiny validator for plain data (what YAML and JSON give), naming every fault with its path.

Used for the shape of definition and scenario files and for event payloads. ``check`` returns the value,
normalised (tuples for lists, ``datetime`` for timestamps), and appends ``(path, message)`` for every fault;
it never stops at the first one.

Each schema also has ``fast(value)``: the same normalised value when ``check`` would find no fault, and
``INVALID`` as soon as it would find one, without paths or messages. ``run_fast`` tries it first and falls
back to ``check`` only to explain a fault; hot paths (event payloads) use it.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import attrs

from workflow.core.text import with_article
from workflow.io.source import PathKey

Faults = list[tuple[PathKey, str]]

#: set by ``run(..., partial=True)``: keep the sound parts of a faulty document
PARTIAL: contextvars.ContextVar[bool] = contextvars.ContextVar("PARTIAL", default=False)


class Invalid:
    """The marker returned for a value that failed its check."""

    _instance: Invalid | None = None

    def __new__(cls) -> Invalid:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "INVALID"


INVALID = Invalid()


def describe_value(value: Any) -> str:
    """``'42' that is a str`` — how a wrong value is shown in messages."""
    shown = repr(value)
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return f"{shown} that is {_article(type(value).__name__)}"


def _article(name: str) -> str:
    names = {"NoneType": "null", "dict": "a mapping", "list": "a list", "tuple": "a list"}
    return names.get(name) or with_article(name)


class Schema(Protocol):
    def check(self, value: Any, path: PathKey, faults: Faults) -> Any: ...

    def describe(self) -> str: ...


def _wrong(faults: Faults, path: PathKey, expected: str, value: Any) -> Invalid:
    faults.append((path, f"expected {expected} (got {describe_value(value)})"))
    return INVALID


@attrs.frozen
class Str:
    choices: tuple[str, ...] | None = None
    nonempty: bool = False

    def fast(self, value: Any) -> Any:
        if not isinstance(value, str) or (self.nonempty and not value.strip()):
            return INVALID
        if self.choices is not None and value not in self.choices:
            return INVALID
        return value

    def describe(self) -> str:
        if self.choices:
            return "one of " + ", ".join(self.choices)
        return "a non-empty string" if self.nonempty else "a string"

    def check(self, value: Any, path: PathKey, faults: Faults) -> Any:
        if not isinstance(value, str):
            return _wrong(faults, path, self.describe(), value)
        if self.nonempty and not value.strip():
            faults.append((path, "must not be empty"))
            return INVALID
        if self.choices is not None and value not in self.choices:
            faults.append((path, f"unknown value '{value}' (known: {', '.join(self.choices)})"))
            return INVALID
        return value


@attrs.frozen
class Int:
    minimum: int | None = None

    def fast(self, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            return INVALID
        return INVALID if self.minimum is not None and value < self.minimum else value

    def describe(self) -> str:
        return "an integer" if self.minimum is None else f"an integer >= {self.minimum}"

    def check(self, value: Any, path: PathKey, faults: Faults) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            return _wrong(faults, path, self.describe(), value)
        if self.minimum is not None and value < self.minimum:
            return _wrong(faults, path, self.describe(), value)
        return value


@attrs.frozen
class Number:
    minimum: float | None = None

    def fast(self, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return INVALID
        return INVALID if self.minimum is not None and value < self.minimum else value

    def describe(self) -> str:
        return "a number" if self.minimum is None else f"a number >= {self.minimum}"

    def check(self, value: Any, path: PathKey, faults: Faults) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return _wrong(faults, path, self.describe(), value)
        if self.minimum is not None and value < self.minimum:
            return _wrong(faults, path, self.describe(), value)
        return value


@attrs.frozen
class Bool:
    def fast(self, value: Any) -> Any:
        return value if isinstance(value, bool) else INVALID

    def describe(self) -> str:
        return "true or false"

    def check(self, value: Any, path: PathKey, faults: Faults) -> Any:
        if not isinstance(value, bool):
            return _wrong(faults, path, self.describe(), value)
        return value


@attrs.frozen
class Scalar:
    """Any string, number or boolean (parameter values)."""

    def fast(self, value: Any) -> Any:
        if isinstance(value, str | bool | int) or (isinstance(value, float) and math.isfinite(value)):
            return value
        return INVALID

    def describe(self) -> str:
        return "a string, number or boolean"

    def check(self, value: Any, path: PathKey, faults: Faults) -> Any:
        if isinstance(value, str | bool | int) or (isinstance(value, float) and math.isfinite(value)):
            return value
        return _wrong(faults, path, self.describe(), value)


def parse_timestamp(value: Any) -> dt.datetime | None:
    """An aware UTC ``datetime`` from a YAML timestamp, a date or an ISO 8601 string; ``None`` if it is none."""
    if isinstance(value, dt.datetime):
        stamp = value
    elif isinstance(value, dt.date):
        stamp = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            stamp = dt.datetime.fromisoformat(text)
        except ValueError:
            return None
    else:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.timezone.utc)
    return stamp.astimezone(dt.timezone.utc)


@attrs.frozen
class Anything:
    """Any value, unchecked here: what is checked later against another schema (a payload, say)."""

    def describe(self) -> str:
        return "a value"

    def check(self, value: Any, path: PathKey, faults: Faults) -> Any:
        return value


@attrs.frozen
class Timestamp:
    def fast(self, value: Any) -> Any:
        stamp = parse_timestamp(value)
        return INVALID if stamp is None else stamp

    def describe(self) -> str:
        return "a timestamp such as 2026-03-02T09:00:00Z"

    def check(self, value: Any, path: PathKey, faults: Faults) -> Any:
        stamp = parse_timestamp(value)
        if stamp is None:
            return _wrong(faults, path, self.describe(), value)
        return stamp


@attrs.frozen
class Date:
    def fast(self, value: Any) -> Any:
        return self.check(value, (), [])

    def describe(self) -> str:
        return "a date such as 2026-03-02"

    def check(self, value: Any, path: PathKey, faults: Faults) -> Any:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        return _wrong(faults, path, self.describe(), value)


@attrs.frozen
class ListOf:
    item: Schema
    min_len: int = 0
    single_ok: bool = False  # a lone item stands for a list of one

    def describe(self) -> str:
        return f"a list of {self.item.describe()}"

    def fast(self, value: Any) -> Any:
        return self.compiled(value)

    @functools.cached_property
    def compiled(self) -> Callable[[Any], Any]:
        """``fast`` as one closure per node, built on first use and kept (what ``compile_fast`` gives)."""
        return _compile_list(self)

    def check(self, value: Any, path: PathKey, faults: Faults) -> Any:
        if self.single_ok and not isinstance(value, list | tuple):
            mark = len(faults)
            single = self.item.check(value, path, faults)
            return INVALID if len(faults) > mark else (single,)
        if not isinstance(value, list | tuple):
            return _wrong(faults, path, self.describe(), value)
        if len(value) < self.min_len:
            faults.append((path, f"expected at least {self.min_len} item{'s' if self.min_len > 1 else ''}"))
            return INVALID
        out = [self.item.check(v, (*path, i), faults) for i, v in enumerate(value)]
        if any(v is INVALID for v in out):
            # partial: records keep their places (INVALID where one was unsound) so later paths stay right
            return tuple(out) if PARTIAL.get() and isinstance(self.item, Record) else INVALID
        return tuple(out)


@attrs.frozen
class MapOf:
    value: Schema
    min_len: int = 0

    def describe(self) -> str:
        return f"a mapping of names to {self.value.describe()}"

    def fast(self, value: Any) -> Any:
        if not isinstance(value, Mapping) or len(value) < self.min_len:
            return INVALID
        item = fast_of(self.value)
        out: dict[str, Any] = {}
        for k, v in value.items():
            if not isinstance(k, str) or not k:
                return INVALID
            checked = item(v)
            if checked is INVALID:
                return INVALID
            out[k] = checked
        return out

    def check(self, value: Any, path: PathKey, faults: Faults) -> Any:
        if not isinstance(value, Mapping):
            return _wrong(faults, path, self.describe(), value)
        if len(value) < self.min_len:
            faults.append((path, f"expected at least {self.min_len} entr{'ies' if self.min_len > 1 else 'y'}"))
            return INVALID
        out: dict[str, Any] = {}
        bad = False
        for k, v in value.items():
            if not isinstance(k, str) or not k:
                faults.append(((*path, str(k)), f"a name must be a non-empty string (got {describe_value(k)})"))
                bad = True
                continue
            checked = self.value.check(v, (*path, k), faults)
            bad = bad or checked is INVALID
            out[k] = checked
        if bad:
            return {k: v for k, v in out.items() if v is not INVALID} if PARTIAL.get() else INVALID
        return out


@attrs.frozen
class Optional:
    """``null`` (or a missing value) stands for ``empty``; anything else must match ``inner``."""

    inner: Schema
    empty: Any = None

    def describe(self) -> str:
        return self.inner.describe()

    def fast(self, value: Any) -> Any:
        if value is None:
            return fast_of(self.inner)(self.empty) if self.empty is not None else None
        return fast_of(self.inner)(value)

    def check(self, value: Any, path: PathKey, faults: Faults) -> Any:
        if value is None:
            return self.inner.check(self.empty, path, faults) if self.empty is not None else None
        return self.inner.check(value, path, faults)


@attrs.frozen
class AnyOf:
    """The first schema that accepts the value; the fault names them all."""

    options: tuple[Schema, ...]

    def describe(self) -> str:
        return " or ".join(o.describe() for o in self.options)

    def fast(self, value: Any) -> Any:
        for option in self.options:
            out = fast_of(option)(value)
            if out is not INVALID:
                return out
        return INVALID

    def check(self, value: Any, path: PathKey, faults: Faults) -> Any:
        for option in self.options:
            trial: Faults = []
            out = option.check(value, path, trial)
            if not trial:
                return out
        return _wrong(faults, path, self.describe(), value)


@attrs.frozen
class Field:
    schema: Schema
    required: bool = False
    default: Any = None
    doc: str = ""


@attrs.frozen
class Record:
    """A mapping with known keys; an unknown key is a fault, and so is a missing required one."""

    fields: Mapping[str, Field]
    name: str = "a mapping"
    build: Callable[[dict[str, Any]], Any] | None = None

    def describe(self) -> str:
        return self.name

    def fast(self, value: Any) -> Any:
        return self.compiled(value)

    @functools.cached_property
    def compiled(self) -> Callable[[Any], Any]:
        """``fast`` as one closure per node, built on first use and kept (what ``compile_fast`` gives)."""
        return _compile_record(self)

    def check(self, value: Any, path: PathKey, faults: Faults) -> Any:
        if not isinstance(value, Mapping):
            return _wrong(faults, path, self.name, value)
        out: dict[str, Any] = {}
        bad = False
        for k in value:
            if k not in self.fields:
                known = ", ".join(self.fields)
                faults.append(((*path, str(k)), f"unknown field '{k}' (known: {known})"))
                bad = True
        for name, spec in self.fields.items():
            if name not in value:
                if spec.required:
                    faults.append(((*path, name), "missing required field"))
                    bad = True
                else:
                    out[name] = spec.default
                continue
            checked = spec.schema.check(value[name], (*path, name), faults)
            bad = bad or checked is INVALID
            out[name] = checked
        if bad:
            return self._partial(value, out)
        return self.build(out) if self.build is not None else out

    def _partial(self, value: Mapping[str, Any], out: dict[str, Any]) -> Any:
        """In a partial check, what is sound of a faulty record: bad optional fields fall back to defaults."""
        if not PARTIAL.get() or self.build is not None:
            return INVALID
        for name, spec in self.fields.items():
            if out.get(name) is INVALID or name not in out:
                if spec.required:
                    return INVALID
                out[name] = spec.default
        return out


def record(title: str, build: Callable[[dict[str, Any]], Any] | None = None, /, **fields: Field) -> Record:
    """A ``Record`` titled ``title`` (how it is named in messages) with ``fields`` (each a ``Field``)."""
    return Record(fields=fields, name=title, build=build)


def fast_of(schema: Schema) -> Callable[[Any], Any]:
    """``schema.fast``, or ``check`` into a throw-away fault list for a schema without one."""
    fast: Callable[[Any], Any] | None = getattr(schema, "fast", None)
    if fast is not None:
        return fast
    return lambda value: _checked_or_invalid(schema, value)


def compile_fast(schema: Schema) -> Callable[[Any], Any]:
    """``fast`` for ``schema`` as one closure per node, built once: no attribute lookups per value checked."""
    if isinstance(schema, Record | ListOf):
        return schema.compiled
    if isinstance(schema, Str) and schema.choices is not None and not schema.nonempty:
        allowed = frozenset(schema.choices)
        return lambda value: value if (type(value) is str or isinstance(value, str)) and value in allowed else INVALID
    if isinstance(schema, Str) and schema.choices is None:
        if schema.nonempty:
            return lambda value: value if (type(value) is str or isinstance(value, str)) and value.strip() else INVALID
        return lambda value: value if type(value) is str or isinstance(value, str) else INVALID
    if isinstance(schema, Bool):
        return lambda value: value if value is True or value is False else INVALID
    return fast_of(schema)


_PLACEHOLDER = object()


class RecordBuilder:
    """A record's ``build`` for a frozen attrs class with slots: ``cls(**d)``, made by setting the slots
    directly when ``d`` holds exactly the class's fields (the schema fills in the defaults), without the frozen
    ``__init__``'s cost; the same record. A class whose ``__init__`` does more than store its arguments
    (converters, validators, factories, ``__attrs_pre_init__``/``__attrs_post_init__``, fields not in
    ``__init__`` or under another name, a cached hash, its own ``__init__``), or a ``d`` with other keys, goes
    through ``cls(**d)``."""

    def __init__(self, cls: type) -> None:
        self.cls = cls
        fields: Any = attrs.fields(cls)
        slots = cls.__dict__.get("__slots__", ())
        init = getattr(cls.__dict__.get("__init__"), "__code__", None)
        self.simple = (
            bool(slots)
            and "_attrs_cached_hash" not in slots
            and init is not None
            and init.co_filename.startswith("<attrs generated")
            and not hasattr(cls, "__attrs_post_init__")
            and not hasattr(cls, "__attrs_pre_init__")
            and all(
                f.init
                and f.alias == f.name
                and f.converter is None
                and f.validator is None
                and not isinstance(f.default, _FACTORY)
                for f in fields
            )
        )
        #: the field names, and their slot setters, in the class's field order
        self.names: tuple[str, ...] = tuple(f.name for f in fields)
        self.setters: tuple[Callable[[Any, Any], None], ...] = (
            tuple(cls.__dict__[f.name].__set__ for f in fields) if self.simple else ()
        )

    def __call__(self, d: Mapping[str, Any]) -> Any:
        if not self.simple or d.keys() != set(self.names):
            return self.cls(**d)
        record: Any = _new(self.cls)
        for name, set_slot in zip(self.names, self.setters, strict=True):
            set_slot(record, d[name])
        return record


_FACTORY: type = type(attrs.Factory(list))
_new: Any = object.__new__


def _compile_record(schema: Record) -> Callable[[Any], Any]:
    checks = {name: compile_fast(spec.schema) for name, spec in schema.fields.items()}
    # every field in declaration order (so the output keeps that order), with its default
    template = {name: _PLACEHOLDER if spec.required else spec.default for name, spec in schema.fields.items()}
    required = frozenset(name for name, spec in schema.fields.items() if spec.required)
    build = schema.build
    invalid = INVALID
    if isinstance(build, RecordBuilder) and build.simple and set(build.names) == template.keys():
        return _slots_fast(schema, build, checks)

    def record_fast(value: Any) -> Any:
        if type(value) is not dict and not isinstance(value, Mapping):
            return invalid
        out = template.copy()
        for k, v in value.items():
            check = checks.get(k)  # None for a key that is not a field (of any type)
            if check is None:
                return invalid
            checked = check(v)
            if checked is invalid:
                return invalid
            out[k] = checked
        if required and not required <= value.keys():
            return invalid
        return build(out) if build is not None else out

    return record_fast


def _slots_fast(
    schema: Record, build: RecordBuilder, checks: Mapping[str, Callable[[Any], Any]]
) -> Callable[[Any], Any]:
    """The fast check of a record built by slots: each field checked and its slot set in one pass, in the
    class's field order (a default set where the field is not given)."""
    plan = tuple(
        (name, checks[name], set_slot, schema.fields[name].required, schema.fields[name].default)
        for name, set_slot in zip(build.names, build.setters, strict=True)
    )
    new, cls, missing, invalid = _new, build.cls, _PLACEHOLDER, INVALID

    def slots_fast(value: Any) -> Any:
        if type(value) is not dict and not isinstance(value, Mapping):
            return invalid
        record: Any = new(cls)
        given = 0
        get = value.get
        for name, check, set_slot, required, default in plan:
            v = get(name, missing)
            if v is missing:
                if required:
                    return invalid
                set_slot(record, default)
                continue
            v = check(v)
            if v is invalid:
                return invalid
            set_slot(record, v)
            given += 1
        return record if given == len(value) else invalid  # otherwise a key is not a field

    return slots_fast


def _compile_list(schema: ListOf) -> Callable[[Any], Any]:
    item = compile_fast(schema.item)
    single_ok, min_len = schema.single_ok, schema.min_len
    invalid = INVALID
    if isinstance(schema.item, Str) and schema.item.choices is None and not schema.item.nonempty and not single_ok:
        # a list of any strings (the commonest list in payloads) comes back as is, as a tuple

        def strs_fast(value: Any) -> Any:
            kind = type(value)
            if kind is not list and kind is not tuple and not isinstance(value, list | tuple):
                return invalid
            if len(value) < min_len:
                return invalid
            for v in value:
                if type(v) is not str and not isinstance(v, str):
                    return invalid
            return tuple(value)

        return strs_fast

    def list_fast(value: Any) -> Any:
        kind = type(value)
        if kind is not list and kind is not tuple and not isinstance(value, list | tuple):
            if not single_ok:
                return invalid
            single = item(value)
            return invalid if single is invalid else (single,)
        if len(value) < min_len:
            return invalid
        out = []
        for v in value:
            checked = item(v)
            if checked is invalid:
                return invalid
            out.append(checked)
        return tuple(out)

    return list_fast


def _checked_or_invalid(schema: Schema, value: Any) -> Any:
    faults: Faults = []
    out = schema.check(value, (), faults)
    return INVALID if faults else out


def run_fast(schema: Schema, value: Any, path: Sequence[str | int] = ()) -> tuple[Any, Faults]:
    """``run``, trying ``fast`` first: the same answer, and paths and messages built only for a fault."""
    out = fast_of(schema)(value)
    if out is not INVALID:
        return out, []
    return run(schema, value, path)


def run(schema: Schema, value: Any, path: Sequence[str | int] = (), *, partial: bool = False) -> tuple[Any, Faults]:
    """Check ``value``; return the normalised value (or ``INVALID``) and every fault found.

    With ``partial``, a faulty part is dropped (a list item, a mapping entry, a record missing a required
    field) or falls back to its default (an optional field), so that what is sound can still be checked
    further and every problem reported at once; the faults are reported all the same.
    """
    faults: Faults = []
    token = PARTIAL.set(partial)
    try:
        out = schema.check(value, tuple(path), faults)
    finally:
        PARTIAL.reset(token)
    return out, faults
