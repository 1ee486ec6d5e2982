"""YAML -> ``Definition``, in layers: safe parse -> shape -> build (resolve every name) -> validate.

Every problem names the file, the line and the path inside the document, and a broken definition reports
all of its problems at once. Nothing in a definition is executed: it holds names and literal values only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import attrs

from workflow.core import structure as structuring
from workflow.core.clock import parse_duration
from workflow.core.compiled import compiled
from workflow.core.hazards import CHECKS as HAZARDS
from workflow.core.hazards import reserved_names
from workflow.core.model import (
    Advice,
    Cascade,
    Definition,
    Event,
    FactField,
    Invariant,
    PayloadField,
    RuleRef,
    State,
    Timer,
    Transition,
)
from workflow.core.resources import RESOURCES
from workflow.core.rules import ADVICE, EFFECT, GUARD, REGISTRY, STATE, Rule
from workflow.core.structure import NonEmpty, Nullable, PathKey, SingleOk, at_least, format_path, min_items, one_of
from workflow.core.text import with_article
from workflow.core.validate import check_all
from workflow.errors import DefinitionError, FactsError, NotFound, Problem, ResourceError
from workflow.io.source import MAX_PAIRS, Located, parse, read

#: the largest number a parameter may be, either way (a float holds it exactly; an int past it is a mistake)
MAX_NUMBER = 10**15

#: parameters the engine itself reads (not a rule): name -> default
ENGINE_PARAMETERS: dict[str, Any] = {"holidays": []}
FACT_TYPES = structuring.FACT_TYPES

# --------------------------------------------------------------------------------------------- the shape
# What a definition file holds, as records the core's converter structures (``from``/``with`` are written
# ``from_``/``with_``). Names (states, events, rules, payload types) are resolved afterwards, in ``build``.

Scalar = str | bool | int | float
ParamValue = Scalar | tuple[Scalar, ...]
Params = Annotated[dict[str, ParamValue], Nullable(dict)]
#: one name, or a list of at least one
Names = Annotated[tuple[NonEmpty, ...], SingleOk(), min_items(1)]


@attrs.frozen
class RuleUse:
    rule: NonEmpty  # a rule id from the catalog
    source: NonEmpty  # where the rule comes from
    params: Params = attrs.field(factory=dict)
    branch: bool = False  # selects this transition among several of one event


@attrs.frozen
class PayloadFieldDoc:
    type: NonEmpty = "str"  # a payload type name (resolved in ``build``)
    required: bool = False
    choices: Annotated[tuple[NonEmpty, ...], min_items(1)] | None = None
    description: str = ""


@attrs.frozen
class FactDoc:
    type: one_of(FACT_TYPES)  # type: ignore[valid-type]
    default: ParamValue | None = None
    description: str = ""


@attrs.frozen
class StateDoc:
    description: str = ""
    initial: bool = False
    terminal: bool = False
    outcome: one_of(("success", "failure", "neutral")) | None = None  # type: ignore[valid-type]
    refuse_with: NonEmpty = "state.no_transition"


@attrs.frozen
class EventDoc:
    description: str = ""
    actor: str = ""
    payload: Annotated[dict[str, Annotated[PayloadFieldDoc, Nullable(dict)]], Nullable(dict)] = attrs.field(
        factory=dict
    )


@attrs.frozen
class TransitionDoc:
    event: NonEmpty
    to: NonEmpty | None = None  # the destination; omitted: the case stays
    description: str = ""
    guards: Annotated[tuple[RuleUse, ...], Nullable(tuple)] = ()
    after: NonEmpty | at_least(0) | None = None  # type: ignore[valid-type]
    from_: Names = attrs.field(kw_only=True)  # source states; '*' is every non-terminal state


@attrs.frozen
class AdviceDoc:
    rule: NonEmpty
    events: Names
    source: NonEmpty
    params: Params = attrs.field(factory=dict)


@attrs.frozen
class CascadeDoc:
    rule: NonEmpty  # an effect rule id
    source: NonEmpty
    when: NonEmpty  # the event a member accepts
    fire: NonEmpty  # the event offered to the others
    members_in: Names  # the states of the members it reaches
    name_field: NonEmpty | None = None
    params: Params = attrs.field(factory=dict)
    with_: Params = attrs.field(factory=dict)


@attrs.frozen
class InvariantDoc:
    id: NonEmpty
    check: NonEmpty
    params: Params = attrs.field(factory=dict)
    description: str = ""


@attrs.frozen
class Head:
    """The definition's own fields (its sections are structured entry by entry: see ``SECTIONS``)."""

    name: NonEmpty
    version: NonEmpty | float
    description: str = ""
    parameters: Params = attrs.field(factory=dict)


@attrs.frozen
class Section:
    """A part of a definition structured entry by entry, so that one bad entry hides no other problem."""

    item: type
    mapping: bool  # a mapping of names to items; else a list
    required: bool  # required and non-empty; else optional, and null stands for empty


SECTIONS: dict[str, Section] = {
    "facts": Section(FactDoc, mapping=True, required=False),
    "states": Section(StateDoc, mapping=True, required=True),
    "events": Section(EventDoc, mapping=True, required=True),
    "transitions": Section(TransitionDoc, mapping=False, required=True),
    "advice": Section(AdviceDoc, mapping=False, required=False),
    "cascades": Section(CascadeDoc, mapping=False, required=False),
    "invariants": Section(InvariantDoc, mapping=False, required=False),
}


def shape(located: Located) -> tuple[dict[str, Any] | None, structuring.Faults]:
    """The document structured and back as plain data with every default filled in, and every shape fault.

    Each section's entries are structured one by one: an unsound mapping entry is left out, an unsound list
    item is ``None`` (so later paths keep their indexes). ``None`` when a required part is unsound.
    """
    data = located.data
    if not isinstance(data, Mapping):  # its kind only: the file may be anything (a scenario may name any path)
        return None, [((), f"expected a definition mapping (got {structuring.describe_kind(data)})")]
    heads = [_key(a.name) for a in attrs.fields(Head)]
    known = (*heads[:3], *RESOURCES, *heads[3:], *SECTIONS)
    if not any(k in known for k in data):  # not a definition at all: its keys are not echoed (it may be any file)
        return None, [
            ((), f"not a definition: none of its {len(data)} keys is a definition's field ({', '.join(known)})")
        ]
    faults: structuring.Faults = [
        ((k,), f"unknown field '{k}' (known: {', '.join(known)})") for k in data if k not in known
    ]
    head, found = structuring.structure({k: data[k] for k in heads if k in data}, Head)
    faults += found
    out: dict[str, Any] = structuring.DETAILED.unstructure(head) if head is not None else {}
    for name in RESOURCES:
        value, found = structuring.structure(data.get(name), NonEmpty | None)
        faults += [((name, *p), m) for p, m in found]
        out[name] = value
    sound = head is not None
    for key, section in SECTIONS.items():
        entries, found, ok = _section(data, key, section)
        faults += found
        sound = sound and ok
        out[key] = entries
    return (out if sound else None), faults


def _section(data: Mapping[str, Any], key: str, section: Section) -> tuple[Any, structuring.Faults, bool]:
    """One section's sound entries (as plain data), its faults, and whether what remains is usable."""
    empty: Any = {} if section.mapping else []
    raw = data.get(key)
    if key not in data and section.required:
        return empty, [((key,), "missing required field")], False
    if raw is None and not section.required:
        return empty, [], True
    container = dict if section.mapping else list
    kind = (
        f"a mapping of names to {structuring.describe(section.item)}"
        if section.mapping
        else (f"a list of {structuring.describe(section.item)}")
    )
    if not isinstance(raw, Mapping if section.mapping else list | tuple):
        return empty, [((key,), str(structuring.wrong(kind, raw)))], False
    if section.required and not raw:
        return empty, [((key,), "expected at least 1 entry" if section.mapping else "expected at least 1 item")], False
    faults: structuring.Faults = []
    items: Any = raw.items() if isinstance(raw, Mapping) else enumerate(raw)
    out: Any = container()
    for k, v in items:
        if section.mapping and (not isinstance(k, str) or not k):
            faults.append(((key, str(k)), f"a name must be a non-empty string (got {structuring.describe_value(k)})"))
            continue
        value, found = structuring.structure({} if v is None and section.mapping else v, section.item)
        faults += [((key, k, *p), m) for p, m in found]
        if value is None and isinstance(v, Mapping):
            value = _with_defaults(v, section.item, found)
        plain = structuring.DETAILED.unstructure(value) if value is not None else None
        if section.mapping:
            if plain is not None:
                out[k] = plain
        else:
            out.append(plain)
    return out, faults, True


def _with_defaults(value: Mapping[str, Any], record: type, faults: structuring.Faults) -> Any:
    """``record`` from ``value`` with its faulty optional fields (and unknown keys) left to their defaults; None
    when a required field is at fault. What is sound of an entry is still checked for names."""
    optional = {_key(a.name) for a in attrs.fields(record) if a.default is not attrs.NOTHING}
    known = {_key(a.name) for a in attrs.fields(record)}
    bad = {p[0] for p, _ in faults if p}
    if not bad or any(k in known and k not in optional for k in bad) or any(not p for p, _ in faults):
        return None
    rest, _ = structuring.structure({k: v for k, v in value.items() if k not in bad}, record)
    return rest


def _key(name: str) -> str:
    return name[:-1] if name.endswith("_") else name


# --------------------------------------------------------------------------------------------- finding files


def definitions_dir() -> Path:
    """Where the built-in definitions live: inside the installed package, or the checkout's ``definitions/``."""
    packaged = resources.files("workflow") / "_definitions"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "definitions"


def builtin_names() -> tuple[str, ...]:
    """The names of the built-in lifecycle definitions (every YAML file with ``states``)."""
    names = []
    for p in sorted(definitions_dir().glob("*.yaml")):
        if p.name not in _resource_files():
            names.append(p.stem)
    return tuple(names)


#: the rule for a reference to a definition, as the command line's help and the docs state it
REFERENCE_RULE = (
    "a built-in definition's name (see 'workflow list'), or a definition file given as a path: "
    "one that contains a path separator or ends in .yaml, .yml or .json (write ./name for any other file)"
)


def is_path(ref: str | os.PathLike[str]) -> bool:
    """Whether a reference to a definition names a file, by the one rule (``REFERENCE_RULE``).

    A ``Path`` (any ``os.PathLike``) is a file. A string is a file when it contains a path separator (``/``, or
    the platform's own) or ends in ``.yaml``, ``.yml`` or ``.json`` (JSON is YAML too); any other string is a
    built-in definition's name, whether or not a file of that name happens to exist. Nothing is looked up on disk
    to decide.
    """
    if not isinstance(ref, str):
        return True
    separators = {"/", os.sep, *([os.altsep] if os.altsep else [])}
    return any(sep in ref for sep in separators) or ref.endswith((".yaml", ".yml", ".json"))


def resolve(ref: str | os.PathLike[str], *, base: Path | None = None) -> Path:
    """The file a reference to a definition stands for: by ``is_path``, a file (relative to ``base`` when it is
    given, e.g. a scenario's folder) or the built-in definition of that name. Raises ``NotFound``."""
    if is_path(ref):
        p = Path(ref)
        return base / p if base is not None and not p.is_absolute() else p
    if ref == "":
        raise NotFound("", known=builtin_names(), reason="empty")
    if ref not in builtin_names():
        raise NotFound(str(ref), known=builtin_names())
    return definitions_dir() / f"{ref}.yaml"


def beside(base: Path, name: str) -> Path | None:
    """The file ``name`` in the folder ``base`` or below it, or ``None`` when ``name`` would leave it: an absolute
    path, a ``..`` part, or a link that leads outside."""
    given = Path(name)
    if given.is_absolute() or given.drive or ".." in given.parts or "\x00" in name:
        return None
    path = base / given
    try:
        path.resolve().relative_to(base.resolve())
    except (ValueError, OSError, RuntimeError):
        return None
    return path


def _resource_files() -> frozenset[str]:
    """The default files of the registered resources: data beside the definitions, not definitions."""
    return frozenset(kind.default_file for kind in RESOURCES.values() if kind.default_file is not None)


#: by the definition file's (path, mtime, size): the definition and the (path, mtime, size) of each resource file
#: it was built with (the default one, or the file the definition names), so a changed resource file is read again
_CACHE: dict[tuple[str, int, int], tuple[Definition, tuple[tuple[str, int, int] | None, ...]]] = {}


def _stamp(path: Path) -> tuple[str, int, int] | None:
    """A file's identity for the cache: resolved path, mtime and size (None when it cannot be read)."""
    try:
        stat = path.stat()
        return (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    except OSError:
        return None


def _resource_paths(located: Located, base: Path | None) -> dict[str, Path | None]:
    """Each resource's file for a definition: the one it names (beside it), else the resource's default."""
    out: dict[str, Path | None] = {}
    for name, kind in RESOURCES.items():
        own = located.data.get(name) if isinstance(located.data, Mapping) else None
        if isinstance(own, str) and own and base is not None:
            out[name] = beside(base, own)
        else:
            out[name] = definitions_dir() / kind.default_file if kind.default_file is not None else None
    return out


def load(name: str | os.PathLike[str] | None = None, *, text: str | None = None, file: str | None = None) -> Definition:
    """Load a definition: a built-in by ``name``, or YAML ``text`` (``file`` names it in errors).

    ``name`` follows the one rule for references (``is_path``): a bare name is a built-in; a ``Path``, or a string
    that contains a path separator or ends in ``.yaml``/``.yml``, is a file, loaded as ``load_file`` does.
    Returns a frozen, valid ``Definition`` or raises ``DefinitionError`` listing every problem found, or
    ``NotFound``.
    """
    if text is not None:
        if name is not None:
            raise TypeError("load() takes a name or text=, not both")
        located = parse(text, file=file, error=DefinitionError)
        return build(located, base=None)
    if name is None:
        raise TypeError("load() needs a definition: give a built-in definition's name, or text=")
    return load_file(resolve(name))


def load_file(path: str | os.PathLike[str]) -> Definition:
    """Load the definition file at ``path`` (the same file, unchanged, gives the same ``Definition`` object).

    Raises ``NotFound`` when there is no such file (or it is a directory), ``DefinitionError`` listing every
    problem of a broken one.
    """
    target = Path(path)
    if not target.exists():
        raise NotFound(str(path), path=str(target))
    if target.is_dir():
        raise NotFound(str(path), path=str(target), reason="directory")
    stat = target.stat()
    key = (str(target.resolve()), stat.st_mtime_ns, stat.st_size)
    cached = _CACHE.get(key)
    if cached is not None and all(stamp is not None and _stamp(Path(stamp[0])) == stamp for stamp in cached[1]):
        return cached[0]
    located = read(target, error=DefinitionError)
    # stamped before building: a change while building reloads
    stamps = tuple(_stamp(p) for p in _resource_paths(located, target.parent).values() if p is not None)
    defn = build(located, base=target.parent)
    _CACHE[key] = (defn, stamps)
    return defn


# --------------------------------------------------------------------------------------------- resources


def load_resource(name: str, path: Path | None = None) -> Any:
    """The resource ``name`` built from ``path`` (by default its registered default file)."""
    kind = RESOURCES[name]
    if path is None:
        if kind.default_file is None:
            return kind.empty()
        path = definitions_dir() / kind.default_file
    return build_resource(name, read(path, error=DefinitionError))


def build_resource(name: str, located: Located) -> Any:
    """Structure a resource file with the core's converter and build the resource; every problem is located."""
    kind = RESOURCES[name]
    if not isinstance(located.data, Mapping):  # its kind only: whatever file was named is not echoed
        got = structuring.describe_kind(located.data)
        raise DefinitionError([located.problem((), f"expected a {name} mapping (got {got})")])
    record, faults = structuring.structure(located.data, kind.record)
    if record is None:
        raise DefinitionError(sorted((located.problem(p, m) for p, m in faults), key=lambda p: p.line or 0))
    try:
        return kind.build(record)
    except ResourceError as e:
        raise DefinitionError([located.problem(p, m) for p, m in e.faults]) from None


# --------------------------------------------------------------------------------------------- build


class Builder:
    """Collects every problem of a document while it is built, each located (line and path), in document order."""

    def __init__(self, located: Located) -> None:
        self.located = located
        self.problems: list[Problem] = []
        self._sets: dict[int, tuple[tuple[str, ...], frozenset[str]]] = {}

    def in_order(self) -> list[Problem]:
        """The problems in document order (a stable sort by line)."""
        return sorted(self.problems, key=lambda p: p.line or 0)

    def fault(self, path: PathKey, message: str) -> None:
        self.problems.append(self.located.problem(path, message))

    def known(self, path: PathKey, kind: str, name: str, known: tuple[str, ...]) -> bool:
        found = self._sets.get(id(known))
        if found is None or found[0] is not known:  # one set per list of names, not a scan per look-up
            found = self._sets[id(known)] = (known, frozenset(known))
        if name in found[1]:
            return True
        self.fault(path, f"unknown {kind} '{name}' (known: {', '.join(known)})")
        return False

    def rule_ref(self, path: PathKey, use: Mapping[str, Any], kinds: tuple[str, ...]) -> RuleRef | None:
        rule_id = use["rule"]
        rule = REGISTRY.get(rule_id)
        if rule is None:
            known = tuple(sorted(r for r, v in REGISTRY.items() if v.kind in kinds))
            self.fault((*path, "rule"), f"unknown rule '{rule_id}' (known: {', '.join(known)})")
            return None
        if rule.kind not in kinds:
            self.fault(
                (*path, "rule"),
                f"rule '{rule_id}' is {with_article(rule.kind)} rule, not {with_article(kinds[0])} rule",
            )
            return None
        self.rule_params((*path, "params"), rule, use["params"])
        return RuleRef(id=rule_id, source=use["source"], params=use["params"], branch=bool(use.get("branch")))

    def rule_params(self, path: PathKey, rule: Rule, params: Mapping[str, Any]) -> None:
        """Every parameter given to ``rule`` is one it takes, of the type of its default."""
        for name, value in params.items():
            if name not in rule.params:
                names = ", ".join(rule.params) or "none"
                self.fault((*path, name), f"unknown parameter '{name}' for rule '{rule.id}' (known: {names})")
            else:
                self.param_type((*path, name), name, value, rule.params[name])

    def param_type(self, path: PathKey, name: str, value: Any, default: Any) -> bool:
        """Whether ``value`` is of the type of ``default`` (an int only for an int; a number of bounded size);
        a located fault when not."""
        expected = type(default)
        if isinstance(default, bool) or isinstance(value, bool):
            ok = isinstance(value, bool) and isinstance(default, bool)
        elif isinstance(default, int):
            ok = isinstance(value, int)  # a float is not taken for an int
        elif isinstance(default, float):
            ok = isinstance(value, int | float)
        else:
            ok = isinstance(value, expected) or (isinstance(default, list) and isinstance(value, tuple))
        if not ok:
            self.fault(
                path,
                f"parameter '{name}' expects {structuring.describe_value(default).split(' that is ')[1]} "
                f"(got {structuring.describe_value(value)})",
            )
            return False
        if isinstance(value, int | float) and not isinstance(value, bool) and not abs(value) <= MAX_NUMBER:
            self.fault(path, f"parameter '{name}' is too large (at most {MAX_NUMBER:.0e} either way)")
            return False
        return True


def build(located: Located, base: Path | None) -> Definition:
    """Shape-check, resolve every name, build the records and run the structural checks."""
    data, faults = shape(located)  # the sound parts kept: every name fault is reported too
    b = Builder(located)
    for p, m in faults:
        b.fault(p, m)
    if data is None:
        raise DefinitionError(b.in_order())

    resources = {name: _resource_for(b, name, data[name], base) for name in RESOURCES}
    states = tuple(
        State(
            name=n,
            description=v["description"],
            initial=v["initial"],
            terminal=v["terminal"],
            outcome=v["outcome"],
            refuse_with=v["refuse_with"],
        )
        for n, v in data["states"].items()
    )
    state_names = tuple(st.name for st in states)
    for st in states:
        rule = REGISTRY.get(st.refuse_with)
        if rule is None or rule.kind != STATE:
            known = ", ".join(sorted(r for r, v in REGISTRY.items() if v.kind == STATE))
            b.fault(("states", st.name, "refuse_with"), f"unknown state rule '{st.refuse_with}' (known: {known})")

    events = []
    for ename, spec in data["events"].items():
        fields = []
        for fname, f in spec["payload"].items():
            if f["type"] not in structuring.PAYLOAD_TYPES:
                known = ", ".join(structuring.PAYLOAD_TYPES)
                b.fault(
                    ("events", ename, "payload", fname, "type"), f"unknown payload type '{f['type']}' (known: {known})"
                )
                continue
            if f["choices"] is not None and f["type"] not in ("str", "list[str]"):
                b.fault(
                    ("events", ename, "payload", fname, "choices"), "choices apply only to str and list[str] fields"
                )
            fields.append(
                PayloadField(
                    name=fname,
                    type=f["type"],
                    required=f["required"],
                    choices=f["choices"],
                    description=f["description"],
                )
            )
        events.append(Event(name=ename, description=spec["description"], actor=spec["actor"], payload=tuple(fields)))
    event_names = tuple(e.name for e in events)
    events_by_name = {e.name: e for e in events}
    for p, m in reserved_names(data["states"], data["events"]):
        b.fault(p, m)

    parameters = dict(data["parameters"])

    def use(path: PathKey, spec: Mapping[str, Any], kinds: tuple[str, ...], events: tuple[str, ...]) -> RuleRef | None:
        """Resolve a rule use; every payload field the rule reads must be declared by each event it applies to."""
        ref = b.rule_ref(path, spec, kinds)
        if ref is None:
            return None
        rule = REGISTRY[ref.id]
        for event in events:
            if event not in events_by_name:
                continue  # already reported as an unknown event
            declared = {f.name for f in events_by_name[event].payload}
            for needed in rule.reads:
                if needed not in declared:
                    b.fault(
                        (*path, "rule"),
                        f"rule '{ref.id}' reads payload field '{needed}', which event '{event}' does not declare",
                    )
        return ref

    non_terminal = tuple(st.name for st in states if not st.terminal)
    transitions: list[Transition] = []
    place: list[int] = []  # the document index of each transition built (a stay from several states makes several)
    pairs = 0  # (source state, transition) pairs so far: '*' and several sources expand to one per state
    for i, t in _sound(data["transitions"]):
        path: PathKey = ("transitions", i)
        pairs += sum(len(non_terminal) if src == "*" else 1 for src in t["from"])
        if pairs > MAX_PAIRS:
            b.fault(
                (*path, "from"),
                f"the transitions expand to more than {MAX_PAIRS} (source state, transition) pairs "
                "('*' counts every non-terminal state): the definition is too large",
            )
            break
        b.known((*path, "event"), "event", t["event"], event_names)
        sources: dict[str, None] = {}  # in order, without repeats
        for j, src in enumerate(t["from"]):
            if src == "*":
                sources.update(dict.fromkeys(non_terminal))
            elif b.known((*path, "from", j) if len(t["from"]) > 1 else (*path, "from"), "state", src, state_names):
                sources[src] = None
        if t["to"] is not None:
            b.known((*path, "to"), "state", t["to"], state_names)
        guards = []
        for k, g in _sound(t["guards"]):
            ref = use((*path, "guards", k), g, (GUARD,), (t["event"],))
            if ref is not None:
                guards.append(ref)
        timer = None
        if t["after"] is not None:
            try:
                timer = Timer(after=parse_duration(t["after"]), text=str(t["after"]))
            except ValueError as e:
                b.fault((*path, "after"), str(e))
        if t["to"] is None:  # the case stays: one self-loop per source state
            transitions.extend(
                Transition(
                    event=t["event"],
                    sources=(src,),
                    dest=src,
                    guards=tuple(guards),
                    description=t["description"],
                    timer=timer,
                )
                for src in sources
            )
            place.extend(i for _ in sources)
        else:
            place.append(i)
            transitions.append(
                Transition(
                    event=t["event"],
                    sources=tuple(sources),
                    dest=t["to"],
                    guards=tuple(guards),
                    description=t["description"],
                    timer=timer,
                )
            )
    _check_branches(b, transitions)

    advice = []
    for i, a in _sound(data["advice"]):
        for j, ev in enumerate(a["events"]):
            b.known(
                ("advice", i, "events", j) if len(a["events"]) > 1 else ("advice", i, "events"),
                "event",
                ev,
                event_names,
            )
        ref = use(("advice", i), a, (ADVICE,), tuple(a["events"]))
        if ref is not None:
            advice.append(Advice(rule=ref, events=tuple(a["events"])))

    for name, value in parameters.items():
        if name in ENGINE_PARAMETERS:
            if b.param_type(("parameters", name), name, value, ENGINE_PARAMETERS[name]) and name == "holidays":
                _check_holidays(b, value)
            continue
        owner = next((REGISTRY[r] for r in sorted(_used_ids(transitions, advice)) if name in REGISTRY[r].params), None)
        if owner is None:
            b.fault(("parameters", name), f"unknown parameter '{name}': no rule this definition uses reads it")
        else:
            b.param_type(("parameters", name), name, value, owner.params[name])

    cascades = _cascades(b, data["cascades"], events_by_name, state_names)

    fact_fields = tuple(
        FactField(name=n, type=f["type"], default=f["default"], description=f["description"])
        for n, f in data["facts"].items()
    )
    numbered = [
        (i, Invariant(id=v["id"], check=v["check"], params=v["params"], description=v["description"]))
        for i, v in _sound(data["invariants"])
    ]
    _check_invariants(b, numbered, state_names, event_names, {e.actor for e in events})
    invariants = tuple(inv for _, inv in numbered)
    if b.problems:
        raise DefinitionError(b.in_order())

    defn = Definition(
        name=data["name"],
        version=str(data["version"]),
        description=data["description"].strip(),
        states=states,
        events=tuple(events),
        transitions=tuple(transitions),
        advice=tuple(advice),
        parameters=parameters,
        facts=fact_fields,
        invariants=invariants,
        cascades=cascades,
        resources=resources,
        hash=_content_hash(data, resources),
        origin=located.file,
    )
    for p, m in [*check_all(defn), *(f for check in HAZARDS for f in check(defn))]:
        at = p
        if p[:1] == ("transitions",) and len(p) > 1 and isinstance(p[1], int) and p[1] < len(place):
            at = ("transitions", place[p[1]], *p[2:])  # the document's index, not the built list's
        b.fault(at, m)
    if not b.problems:  # the graph is sound: the definition compiles, and its facts can be checked as a case's
        _check_fact_defaults(b, defn)
    if b.problems:
        raise DefinitionError(b.in_order())
    return defn


def _check_fact_defaults(b: Builder, defn: Definition) -> None:
    """Each fact's ``default`` is of the fact's type, as a case's facts must be (so its snapshot restores)."""
    comp = compiled(defn)
    for fact in defn.facts:
        if fact.default is None:
            continue
        try:
            comp.check_facts({fact.name: fact.default})
        except FactsError as e:
            for problem in e.problems:
                b.fault(
                    ("facts", fact.name, "default"), f"the default is not {with_article(fact.type)}: {problem.message}"
                )


def _check_holidays(b: Builder, holidays: Any) -> None:
    """Every holiday is a date (``YYYY-MM-DD``): anything else is refused rather than dropped."""
    for j, day in enumerate(holidays):
        try:
            dt.date.fromisoformat(day if isinstance(day, str) else "")
        except ValueError:
            b.fault(
                ("parameters", "holidays", j),
                f"a holiday is a date such as 2026-12-25 (got {structuring.describe_value(day)})",
            )


def _used_ids(transitions: list[Transition], advice: list[Advice]) -> set[str]:
    return {g.id for t in transitions for g in t.guards} | {a.rule.id for a in advice}


def _check_branches(b: Builder, transitions: list[Transition]) -> None:
    """Two transitions of one event from one state are a branch: the earlier one must be guarded."""
    seen: dict[tuple[str, str], int] = {}
    for i, t in enumerate(transitions):
        for src in t.sources:
            key = (src, t.event)
            if key in seen:
                first = transitions[seen[key]]
                if not first.guards and first.timer is None:
                    b.fault(
                        ("transitions", i),
                        f"'{t.event}' from '{src}' is already taken unguarded by "
                        f"transitions[{seen[key]}]; this one can never happen",
                    )
            else:
                seen[key] = i


def _cascades(
    b: Builder, raw: tuple[Mapping[str, Any], ...], events: Mapping[str, Event], states: tuple[str, ...]
) -> tuple[Cascade, ...]:
    """Each cascade's rule is an effect rule, its events and states exist, and its payload fits the fired event."""
    out = []
    for i, c in _sound(raw):
        path: PathKey = ("cascades", i)
        ref = b.rule_ref(path, c, (EFFECT,))
        ok = b.known((*path, "when"), "event", c["when"], tuple(events))
        ok = b.known((*path, "fire"), "event", c["fire"], tuple(events)) and ok
        for j, st in enumerate(c["members_in"]):
            ok = b.known((*path, "members_in", j), "state", st, states) and ok
        if c["fire"] in events:
            fired = events[c["fire"]]
            declared = tuple(f.name for f in fired.payload)
            for name in (*c["with"], *([c["name_field"]] if c["name_field"] else [])):
                if name not in declared:
                    where = (*path, "with", name) if name in c["with"] else (*path, "name_field")
                    b.fault(where, f"event '{fired.name}' has no payload field '{name}' (known: {', '.join(declared)})")
                    ok = False
            for name, value in c["with"].items():
                f = fired.field(name)
                if f is not None and f.choices is not None and value not in f.choices:
                    b.fault((*path, "with", name), f"unknown value '{value}' (known: {', '.join(f.choices)})")
                    ok = False
        if ref is not None and ok:
            out.append(
                Cascade(
                    rule=ref,
                    when=c["when"],
                    fire=c["fire"],
                    payload=c["with"],
                    members_in=tuple(c["members_in"]),
                    name_field=c["name_field"],
                )
            )
    return tuple(out)


def _sound(items: tuple[Any, ...]) -> list[tuple[int, Any]]:
    """The items of a partially checked list with their places, less those the shape check found unsound."""
    return [(i, item) for i, item in enumerate(items) if item is not None]


def _check_invariants(
    b: Builder,
    invariants: list[tuple[int, Invariant]],
    states: tuple[str, ...],
    events: tuple[str, ...],
    actors: set[str],
) -> None:
    """Each invariant's check exists, and its parameters are the check's, of their kind, naming what exists."""
    from workflow.core.invariants import CHECKS as INVARIANT_CHECKS
    from workflow.core.invariants import PARAMS as INVARIANT_PARAMS

    for i, inv in invariants:
        if inv.check not in INVARIANT_CHECKS:
            b.fault(
                ("invariants", i, "check"),
                f"unknown invariant check '{inv.check}' (known: {', '.join(sorted(INVARIANT_CHECKS))})",
            )
            continue
        spec = INVARIANT_PARAMS.get(inv.check)
        if spec is None:  # a check registered without a declaration of its parameters: nothing to hold it to
            continue
        path: PathKey = ("invariants", i, "params")
        for name in inv.params:
            if name not in spec:
                b.fault(
                    (*path, name), f"unknown parameter '{name}' for '{inv.check}' (known: {', '.join(spec) or 'none'})"
                )
        missing = [name for name, (_, required) in spec.items() if required and name not in inv.params]
        if missing:
            b.fault(path, f"'{inv.check}' needs {', '.join(missing)}")
        for name, (kind, _) in spec.items():
            if name not in inv.params:
                continue
            value = inv.params[name]
            if kind == "int":
                if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_NUMBER:
                    b.fault(
                        (*path, name), f"'{name}' is a whole number from 0 (got {structuring.describe_value(value)})"
                    )
            elif not isinstance(value, str):
                b.fault((*path, name), f"'{name}' names {with_article(kind)} (got {structuring.describe_value(value)})")
            elif kind == "event":
                b.known((*path, name), "event", value, events)
            elif kind == "state":
                b.known((*path, name), "state", value, states)
            elif kind == "actor":
                b.known((*path, name), "actor", value, tuple(sorted(a for a in actors if a)))
            elif kind == "rule" and value not in REGISTRY:
                b.fault((*path, name), f"unknown rule '{value}'")


def _resource_for(b: Builder, name: str, file: str | None, base: Path | None) -> Any:
    """The resource ``name`` for a definition: from the file it names (beside it), else from the default file."""
    try:
        if file is None:
            return load_resource(name)
        if base is None:
            b.fault((name,), f"a definition given as text cannot name a {name} file")
            return RESOURCES[name].empty()
        path = beside(base, file)
        if path is None:
            b.fault(
                (name,),
                f"a {name} file is named by a path inside the definition's folder: "
                f"no '..' and not absolute (got '{file}')",
            )
            return RESOURCES[name].empty()
        return load_resource(name, path)
    except DefinitionError as e:
        b.problems.extend(e.problems)
        return RESOURCES[name].empty()


def _content_hash(data: Any, resources: Mapping[str, Any]) -> str:
    """sha256 of the shape-checked content (defaults filled in), so comments and layout do not change it."""
    canon = json.dumps(
        {
            "definition": data,
            **{
                name: {k: repr(v) for k, v in res.items()} if isinstance(res, Mapping) else repr(res)
                for name, res in resources.items()
            },
        },
        sort_keys=True,
        default=str,
        separators=(",", ":"),
    )
    return hashlib.sha256(canon.encode()).hexdigest()


__all__ = [
    "build",
    "build_resource",
    "builtin_names",
    "definitions_dir",
    "format_path",
    "load",
    "load_resource",
    "resolve",
    "shape",
]
