"""Structuring plain data (what YAML, JSON and keyword arguments give) into attrs records, with cattrs.

One configuration of ``cattrs.Converter`` serves definitions, payloads, facts, scenarios and snapshots:

- strict: a string is a ``str``, a boolean a ``bool``, an integer an ``int`` and not a ``bool``, a number a finite
  ``int`` or ``float``, a list a ``list`` or ``tuple`` (never a string or a mapping taken apart), and a mapping's
  unknown key is a fault (``forbid_extra_keys``);
- constraints are ``Annotated`` metadata (``NonEmpty``, ``one_of(...)``, ``at_least(n)``, ``Nullable``), each
  with the sentence a person reads;
- two instances: ``FAST`` (``detailed_validation`` off: cattrs' generated functions without bookkeeping, the
  hot path of ``Case.fire``) and ``DETAILED``, used only to explain a failure: ``faults(exc)`` turns its
  exception groups into ``(path, message)`` pairs, every fault of the value, not the first.

The payload types a definition may name (``str``, ``list[str]`` ... and whatever a domain pack registers with
``register_payload_type``) live here too: the core knows the names, a pack brings the records.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import types
import typing
from collections.abc import Callable, Mapping
from typing import Annotated, Any, NotRequired, Required, TypedDict, get_args, get_origin

import attrs
import cattrs
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from cattrs.gen.typeddicts import make_dict_structure_fn as make_typeddict_structure_fn

from workflow.core.text import with_article
from workflow.errors import StructureFault

#: a place inside a document: keys and list indexes, outermost first
PathKey = tuple[str | int, ...]
Faults = list[tuple[PathKey, str]]


def format_path(path: PathKey) -> str:
    """``("transitions", 3, "to")`` -> ``transitions[3].to``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


# --------------------------------------------------------------------------------------------- describing values


def describe_value(value: Any) -> str:
    """``'42' that is a str`` — how a wrong value is shown in messages."""
    shown = repr(value)
    if len(shown) > 40:
        shown = shown[:37] + "..."
    names = {"NoneType": "null", "dict": "a mapping", "list": "a list", "tuple": "a list"}
    kind = type(value).__name__
    return f"{shown} that is {names.get(kind) or with_article(kind)}"


def describe_kind(value: Any) -> str:
    """``a str`` — the kind of a value without showing it (for what may come from a file that is not ours)."""
    names = {"NoneType": "null", "dict": "a mapping", "list": "a list", "tuple": "a list"}
    kind = type(value).__name__
    return names.get(kind) or with_article(kind)


def wrong(expected: str, value: Any) -> StructureFault:
    """The fault for ``value`` where ``expected`` was wanted."""
    return StructureFault(f"expected {expected} (got {describe_value(value)})")


def parse_timestamp(value: Any) -> dt.datetime | None:
    """An aware UTC ``datetime`` from a YAML timestamp, a date or an ISO 8601 string; ``None`` if it is none.

    ``StructureFault`` (a ``WorkflowError``) for a time whose offset takes it outside the years 1 to 9999 in UTC.
    """
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
    try:
        return stamp.astimezone(dt.timezone.utc)
    except OverflowError:  # its offset takes it before year 1 or past year 9999 in UTC
        raise StructureFault(f"{stamp.isoformat()} is outside the years 1 to 9999 once converted to UTC") from None


# --------------------------------------------------------------------------------------------- constraints


@attrs.frozen
class Constraint:
    """``Annotated`` metadata: a check of the structured value (``None`` when it holds, else the message)."""

    describe: str
    check: Callable[[Any], str | None] = attrs.field(eq=False)
    key: tuple[Any, ...] = ()  # what makes two constraints the same (their choices, their bound)


def _nonempty(value: Any) -> str | None:
    return None if value.strip() else "must not be empty"


NonEmpty = Annotated[str, Constraint("a non-empty string", _nonempty, ("nonempty",))]


def one_of(choices: tuple[str, ...]) -> Any:
    """A string among ``choices``; anything else names them."""
    allowed = frozenset(choices)
    known = ", ".join(choices)

    def check(value: str) -> str | None:
        return None if value in allowed else f"unknown value '{value}' (known: {known})"

    return Annotated[str, Constraint("one of " + known, check, ("one_of", *choices))]


def at_least(minimum: int) -> Any:
    """An integer no smaller than ``minimum``."""
    return Annotated[
        int,
        Constraint(
            f"an integer >= {minimum}",
            lambda v: None if v >= minimum else f"expected an integer >= {minimum} (got {describe_value(v)})",
            ("at_least", minimum),
        ),
    ]


def min_items(n: int) -> Constraint:
    """A list or mapping with at least ``n`` items (``Annotated[tuple[X, ...], min_items(1)]``)."""
    what = f"at least {n} item{'s' if n > 1 else ''}"
    return Constraint(what, lambda v: None if len(v) >= n else f"expected {what}", ("min_items", n))


@attrs.frozen
class Nullable:
    """``Annotated`` metadata: ``null`` stands for ``empty()`` (``dict``: a mapping's ``{}``, ``tuple``: a list's)."""

    empty: Callable[[], Any] = dict


@attrs.frozen
class SingleOk:
    """``Annotated`` metadata on a list type: a lone item stands for a list of one."""


# --------------------------------------------------------------------------------------------- the converter


def describe(t: Any) -> str:
    """How a type is named in messages: ``a list of a non-empty string``, ``true or false`` ..."""
    if get_origin(t) is Annotated:
        base, *meta = get_args(t)
        for m in meta:
            if isinstance(m, Constraint) and m.key[0] != "min_items":
                return m.describe
        return describe(base)
    origin = get_origin(t)
    if origin is tuple:
        return f"a list of {describe(get_args(t)[0])}"
    if origin in (dict, Mapping):
        return f"a mapping of names to {describe(get_args(t)[1])}"
    if origin in (typing.Union, types.UnionType):
        return " or ".join(describe(a) for a in get_args(t) if a is not type(None))
    if typing.is_typeddict(t):
        return f"a mapping ({', '.join(_keys(t))})"
    if attrs.has(t):  # ``PlanOfAction`` -> a plan of action mapping (root_causes, ...); a ``...Doc`` is its file's
        words = re.sub(r"(?<!^)(?=[A-Z])", " ", t.__name__.removesuffix("Doc")).lower()
        return f"{with_article(words)} mapping ({', '.join(_keys(t))})"
    return _NAMES.get(t, "a value")


_NAMES: dict[Any, str] = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "true or false",
    dt.date: "a date such as 2026-03-02",
    dt.datetime: "a timestamp such as 2026-03-02T09:00:00Z",
    Any: "a value",
}


def _keys(t: Any) -> tuple[str, ...]:
    """The keys a record type takes in a document (``from_`` is written ``from``)."""
    if typing.is_typeddict(t):
        return tuple(t.__annotations__)
    return tuple(_key(a.name) for a in attrs.fields(t))


def _key(name: str) -> str:
    return name[:-1] if name.endswith("_") else name


def _str(value: Any, _: Any = None) -> str:
    if type(value) is str or isinstance(value, str):
        return value
    raise wrong("a string", value)


def _int(value: Any, _: Any = None) -> int:
    if type(value) is int or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise wrong("an integer", value)


def _number(value: Any, _: Any = None) -> float:
    if (type(value) is float or (isinstance(value, int | float) and not isinstance(value, bool))) and math.isfinite(
        value
    ):
        return value
    raise wrong("a number", value)


def _bool(value: Any, _: Any = None) -> bool:
    if value is True or value is False:
        return value
    raise wrong("true or false", value)


def _date(value: Any, _: Any = None) -> dt.date:
    if type(value) is str:
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise wrong(_NAMES[dt.date], value) from None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise wrong(_NAMES[dt.date], value)


def _timestamp(value: Any, _: Any = None) -> dt.datetime:
    stamp = parse_timestamp(value)
    if stamp is None:
        raise wrong(_NAMES[dt.datetime], value)
    return stamp


def _any(value: Any, _: Any = None) -> Any:
    return value


def _is_annotated(t: Any) -> bool:
    return get_origin(t) is Annotated


def _annotated(conv: cattrs.Converter) -> Callable[[Any], Any]:
    def factory(t: Any) -> Any:
        base, *meta = get_args(t)
        inner = conv.get_structure_hook(base)
        checks = tuple(m.check for m in meta if isinstance(m, Constraint))
        null = next((m for m in meta if isinstance(m, Nullable)), None)
        single = any(isinstance(m, SingleOk) for m in meta)
        described = describe(t)
        rename = described != describe(base)

        def structure(value: Any, _: Any = None) -> Any:
            if value is None and null is not None:
                value = null.empty()
            if single and type(value) is not list and type(value) is not tuple:
                value = [value]
            try:
                out = inner(value, base)
            except StructureFault as e:
                if rename and str(e).startswith("expected "):
                    raise wrong(described, value) from None
                raise
            for check in checks:
                said = check(out)
                if said is not None:
                    raise StructureFault(said)
            return out

        if null is None and not single and len(checks) == 1 and base is str:
            (constraint,) = (m for m in meta if isinstance(m, Constraint))
            if constraint.key[0] == "one_of":
                allowed = frozenset(constraint.key[1:])

                def choice(value: Any, _: Any = None) -> Any:
                    if type(value) is str and value in allowed:
                        return value  # the common case, decided without a call
                    return structure(value)

                return choice

            if constraint.key[0] != "nonempty":
                return structure

            def nonempty(value: Any, _: Any = None) -> Any:
                if type(value) is str and value.strip():
                    return value  # the common case, decided without a call
                return structure(value)

            return nonempty
        return structure

    return factory


def _is_union(t: Any) -> bool:
    return get_origin(t) in (typing.Union, types.UnionType)


def _unions(conv: cattrs.Converter) -> Callable[[Any], Any]:
    """``X | None``: ``null`` or an ``X``. ``X | Y``: the first option that takes the value; the fault names all."""

    def factory(t: Any) -> Any:
        options = tuple(a for a in get_args(t) if a is not type(None))
        nullable = len(options) < len(get_args(t))
        hooks = tuple((conv.get_structure_hook(o), o) for o in options)
        described = describe(t)
        if len(hooks) == 1:
            ((inner, inner_t),) = hooks
            if inner is _str:

                def optional_str(value: Any, _: Any = None) -> Any:
                    return value if value is None or type(value) is str else _str(value)

                return optional_str

            def optional(value: Any, _: Any = None) -> Any:
                return None if value is None else inner(value, inner_t)

            return optional

        def union(value: Any, _: Any = None) -> Any:
            if value is None and nullable:
                return None
            for hook, option in hooks:
                try:
                    return hook(value, option)
                except Exception:
                    continue
            raise wrong(described, value)

        return union

    return factory


def _is_tuple(t: Any) -> bool:
    args = get_args(t)
    return get_origin(t) is tuple and len(args) == 2 and args[1] is Ellipsis


def _tuples(conv: cattrs.Converter) -> Callable[[Any], Any]:
    """``tuple[X, ...]`` from a list or a tuple only; in detailed mode every bad item is reported."""

    def factory(t: Any) -> Any:
        item_t = get_args(t)[0]
        item = conv.get_structure_hook(item_t)
        described = describe(t)
        if not conv.detailed_validation:
            if item is _str:

                def strs(value: Any, _: Any = None) -> tuple[Any, ...]:
                    if type(value) is not list and type(value) is not tuple:
                        raise wrong(described, value)
                    for v in value:
                        if type(v) is not str:
                            _str(v)
                    return tuple(value)

                return strs

            def fast(value: Any, _: Any = None) -> tuple[Any, ...]:
                if type(value) is not list and type(value) is not tuple:
                    raise wrong(described, value)
                return tuple([item(v, item_t) for v in value])

            return fast

        def detailed(value: Any, _: Any = None) -> tuple[Any, ...]:
            if not isinstance(value, list | tuple):
                raise wrong(described, value)
            out, errors = [], []
            for i, v in enumerate(value):
                try:
                    out.append(item(v, item_t))
                except Exception as e:
                    e.add_note(IterableValidationNote(f"Structuring {t} @ index {i}", i, item_t))
                    errors.append(e)
            if errors:
                raise IterableValidationError(f"While structuring {t}", errors, t)
            return tuple(out)

        return detailed

    return factory


def _is_mapping(t: Any) -> bool:
    return get_origin(t) in (dict, Mapping) and get_args(t)[:1] == (str,)


def _mappings(conv: cattrs.Converter) -> Callable[[Any], Any]:
    """``dict[str, X]`` from a mapping whose keys are non-empty strings; every bad entry is reported."""

    def factory(t: Any) -> Any:
        value_t = get_args(t)[1]
        item = conv.get_structure_hook(value_t)
        described = describe(t)

        def structure(value: Any, _: Any = None) -> dict[str, Any]:
            if not isinstance(value, Mapping):
                raise wrong(described, value)
            out, errors = {}, []
            for k, v in value.items():
                try:
                    if not isinstance(k, str) or not k:
                        raise StructureFault(f"a name must be a non-empty string (got {describe_value(k)})")
                    out[k] = item(v, value_t)
                except Exception as e:
                    if not conv.detailed_validation:
                        raise
                    e.add_note(IterableValidationNote(f"Structuring {t} @ key {k!r}", str(k), value_t))
                    errors.append(e)
            if errors:
                raise IterableValidationError(f"While structuring {t}", errors, t)
            return out

        return structure

    return factory


def _records(conv: cattrs.Converter) -> Callable[[Any], Any]:
    """An attrs record from a mapping; a field named ``from_`` is written ``from`` (a Python keyword)."""

    def factory(cl: Any) -> Any:
        renames = {a.name: override(rename=_key(a.name)) for a in attrs.fields(cl) if a.name.endswith("_")}
        generated = make_dict_structure_fn(cl, conv, **renames)  # type: ignore[arg-type]
        if not conv.detailed_validation:
            return generated  # a value that is not a mapping fails in it all the same, and is explained by DETAILED
        described = describe(cl)

        def structure(value: Any, _: Any = None) -> Any:
            if not isinstance(value, Mapping):
                raise wrong(described, value)
            return generated(value, cl)

        return structure

    return factory


def _unstructure_records(conv: cattrs.Converter) -> Callable[[Any], Any]:
    def factory(cl: Any) -> Any:
        renames = {a.name: override(rename=_key(a.name)) for a in attrs.fields(cl) if a.name.endswith("_")}
        return make_dict_unstructure_fn(cl, conv, **renames)  # type: ignore[arg-type]

    return factory


def _configure(conv: cattrs.Converter) -> cattrs.Converter:
    for t, hook in ((str, _str), (int, _int), (float, _number), (bool, _bool), (dt.date, _date)):
        conv.register_structure_hook(t, hook)
    conv.register_structure_hook(dt.datetime, _timestamp)
    conv.register_structure_hook(Any, _any)
    conv.register_structure_hook_factory(_is_annotated, _annotated(conv))
    conv.register_structure_hook_factory(_is_union, _unions(conv))
    conv.register_structure_hook_factory(_is_tuple, _tuples(conv))
    conv.register_structure_hook_factory(_is_mapping, _mappings(conv))
    conv.register_structure_hook_factory(attrs.has, _records(conv))
    conv.register_unstructure_hook_factory(attrs.has, _unstructure_records(conv))
    # lists stay tuples: the plain data a loader reads back is what it checked (hashable, as records hold it)
    conv.register_unstructure_hook_factory(_is_tuple, lambda t: lambda v: tuple(conv.unstructure(x) for x in v))
    conv.register_unstructure_hook(tuple, lambda v: tuple(conv.unstructure(x) for x in v))
    conv.register_unstructure_hook(dt.datetime, lambda v: v.isoformat().replace("+00:00", "Z"))
    conv.register_unstructure_hook(dt.date, lambda v: v.isoformat())
    return conv


#: the hot path: cattrs' generated functions, no bookkeeping; a failure is explained by ``DETAILED``
FAST = _configure(cattrs.Converter(forbid_extra_keys=True, detailed_validation=False))
#: every fault of a value, with its path (through ``faults``)
DETAILED = _configure(cattrs.Converter(forbid_extra_keys=True, detailed_validation=True))
#: records back to plain data, defaults left out where the value is the default (``to_plain``)
PLAIN = cattrs.Converter(omit_if_default=True)
PLAIN.register_unstructure_hook(dt.datetime, lambda v: v.isoformat().replace("+00:00", "Z"))
PLAIN.register_unstructure_hook(dt.date, lambda v: v.isoformat())
PLAIN.register_unstructure_hook_factory(_is_tuple, lambda t: lambda v: [PLAIN.unstructure(x) for x in v])
PLAIN.register_unstructure_hook(tuple, lambda v: [PLAIN.unstructure(x) for x in v])


#: a hand-written structuring of one record type for ``FAST``: the record for the plainest shape of a value,
#: ``None`` for anything else (which cattrs' generated function then takes)
FastPath = Callable[[Any], Any]


def register_fast_path(cl: type, fast: FastPath) -> None:
    """Give ``FAST`` a hand-written way to structure the record type ``cl``, tried before cattrs' own.

    Only for a record on a measured hot path (BENCHMARKS.md says which, and by how much). ``fast(value)`` returns
    the record for the plain shapes it knows (exact ``dict``, ``list``, ``str`` and ``bool`` values) and ``None``
    for anything else, which cattrs' generated function then structures, or refuses, as without it (and
    ``DETAILED`` explains). It must never take a value cattrs refuses nor give another record: the pack's tests
    hold it to that on generated values. Register it before a definition naming the type is compiled.
    """
    generated = _records(FAST)(cl)

    def structure(value: Any, _: Any = None) -> Any:
        out = fast(value)
        return out if out is not None else generated(value, cl)

    FAST.register_structure_hook(cl, structure)


def slot_setters(cl: type, *names: str) -> tuple[Callable[[Any, Any], None], ...]:
    """The slot setters of the fields ``names`` of the slotted attrs record ``cl``, in that order.

    For building a record on a measured hot path field by field (``object.__new__(cl)``, then each setter),
    without attrs' frozen ``__init__``, which sets each field through ``object.__setattr__``. The caller sets
    every field. ``TypeError`` for a name ``cl`` has no field of, and for a record that ``__init__`` does more
    for: a validator, a converter or an ``__attrs_post_init__``, which building it so would skip.
    """
    fields = {f.name: f for f in attrs.fields(cl)}
    unknown = [n for n in names if n not in fields]
    if unknown:
        raise TypeError(f"{cl.__name__} has no field {', '.join(unknown)}")
    busy = [n for n, f in fields.items() if f.validator is not None or f.converter is not None]
    if busy or hasattr(cl, "__attrs_post_init__"):
        hooks = ", ".join(busy) + " (validators or converters)" if busy else "__attrs_post_init__"
        raise TypeError(f"{cl.__name__} is not built by setting its slots alone: {hooks}")
    return tuple(getattr(cl, n).__set__ for n in names)


def faults(exc: BaseException, path: PathKey = ()) -> Faults:
    """Every fault a ``DETAILED`` structuring raised, as ``(path, message)``, in the document's order of fields."""
    if isinstance(exc, IterableValidationError):
        with_notes, without = exc.group_exceptions()
        out: Faults = []
        for e, note in with_notes:
            out.extend(faults(e, (*path, note.index)))
        for e in without:
            out.extend(faults(e, path))
        return out
    if isinstance(exc, ClassValidationError):
        with_notes2, without2 = exc.group_exceptions()
        out = []
        for e, anote in with_notes2:
            where: PathKey = (*path, _key(anote.name))
            if isinstance(e, KeyError):
                out.append((where, "missing required field"))
            else:
                out.extend(faults(e, where))
        for e in without2:
            out.extend(faults(e, path))
        return out
    if isinstance(exc, ForbiddenExtraKeysError):
        known = ", ".join(_keys(exc.cl))
        return [((*path, str(k)), f"unknown field '{k}' (known: {known})") for k in sorted(exc.extra_fields, key=str)]
    if isinstance(exc, StructureFault):
        return [(path, str(exc))]
    return [(path, f"invalid value ({type(exc).__name__}: {exc})")]


def structure(value: Any, t: Any) -> tuple[Any, Faults]:
    """``value`` structured as ``t``, and no faults; or ``None`` and every fault found."""
    try:
        return FAST.structure(value, t), []
    except Exception:  # explained below, with every fault
        pass
    try:
        return DETAILED.structure(value, t), []  # pragma: no cover - FAST and DETAILED agree
    except Exception as e:
        return None, faults(e)


def to_plain(value: Any) -> Any:
    """A structured value as JSON-safe data, fields at their defaults left out (the inverse of structuring)."""
    if isinstance(value, Mapping):
        return {k: to_plain(v) for k, v in value.items()}
    return PLAIN.unstructure(value)


# --------------------------------------------------------------------------------------------- payload types


#: type name -> the type a payload field of it is structured as, given the definition's resources
PayloadType = Callable[[Mapping[str, Any]], Any]
PAYLOAD_TYPES: dict[str, PayloadType] = {
    "str": lambda resources: str,
    "int": lambda resources: int,
    "number": lambda resources: float,
    "bool": lambda resources: bool,
    "date": lambda resources: dt.date,
    "timestamp": lambda resources: dt.datetime,
    "list[str]": lambda resources: tuple[str, ...],
}
#: the types a case's facts may have
FACT_TYPES = tuple(PAYLOAD_TYPES)


def register_payload_type(name: str, make: PayloadType) -> None:
    """Make ``name`` a payload type definitions may use: ``make(resources)`` gives the type its fields are
    structured as (an attrs record, ``tuple[Record, ...]``, or a choice among a resource's names)."""
    if name in PAYLOAD_TYPES:
        raise RuntimeError(f"payload type {name!r} registered twice")
    PAYLOAD_TYPES[name] = make


def payload_type(type_name: str, choices: tuple[str, ...] | None, resources: Mapping[str, Any]) -> Any:
    """The type one payload field is structured as; ``choices`` narrows a ``str`` or ``list[str]`` field."""
    if choices is not None:
        choice = one_of(choices)
        return tuple[choice, ...] if type_name == "list[str]" else choice  # type: ignore[valid-type]
    return PAYLOAD_TYPES[type_name](resources)


def typed_dict(name: str, fields: Mapping[str, tuple[Any, bool]]) -> Any:
    """A ``TypedDict`` of ``fields`` (name -> (type, required)): what a payload or the facts structure into."""
    return TypedDict(  # type: ignore[operator]
        "T_" + re.sub(r"[^0-9A-Za-z_]", "_", name),  # cattrs names its generated function after it
        {k: (Required[t] if required else NotRequired[t]) for k, (t, required) in fields.items()},
    )


def mapping_structurer(td: Any, converter: cattrs.Converter) -> Callable[[Any], dict[str, Any]]:
    """cattrs' generated function for the ``TypedDict`` ``td``, kept by the caller (not in the converter's cache:
    definitions come and go)."""
    generated = make_typeddict_structure_fn(td, converter)
    if not converter.detailed_validation:
        return lambda value: generated(value, td)
    described = describe(td)

    def structure(value: Any) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise wrong(described, value)
        out: dict[str, Any] = generated(value, td)  # type: ignore[arg-type]
        return out

    return structure


__all__ = [
    "DETAILED",
    "FACT_TYPES",
    "FAST",
    "PAYLOAD_TYPES",
    "FastPath",
    "Faults",
    "NonEmpty",
    "Nullable",
    "PathKey",
    "SingleOk",
    "at_least",
    "describe",
    "describe_kind",
    "describe_value",
    "faults",
    "format_path",
    "mapping_structurer",
    "min_items",
    "one_of",
    "parse_timestamp",
    "payload_type",
    "register_fast_path",
    "register_payload_type",
    "slot_setters",
    "structure",
    "to_plain",
    "typed_dict",
]
