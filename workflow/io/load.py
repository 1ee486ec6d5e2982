"""YAML -> ``Definition``, in layers: safe parse -> shape -> build (resolve every name) -> validate.

Every problem names the file, the line and the path inside the document, and a broken definition reports
all of its problems at once. Nothing in a definition is executed: it holds names and literal values only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from workflow.amazon import payloads as _payloads  # noqa: F401  (registers the payload types)
from workflow.core import structure as structuring
from workflow.amazon import rules as _rules  # noqa: F401  (registers every rule)
from workflow.amazon.teams import Team, Teams
from workflow.core.clock import parse_duration
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
from workflow.core.rules import ADVICE, EFFECT, GUARD, REGISTRY, STATE, Rule
from workflow.core.text import with_article
from workflow.core.validate import check_all
from workflow.errors import DefinitionError, NotFound, Problem
from workflow.io import schema as s
from workflow.io.source import Located, PathKey, format_path, parse, read

#: parameters the engine itself reads (not a rule): name -> default
ENGINE_PARAMETERS: dict[str, Any] = {"holidays": []}
FACT_TYPES = ("str", "int", "number", "bool", "date", "timestamp", "list[str]")

_param_value = s.AnyOf((s.Scalar(), s.ListOf(s.Scalar())))
_names = s.ListOf(s.Str(nonempty=True), min_len=1, single_ok=True)
_rule_use = s.record(
    "a rule use mapping (rule, source, params)",
    rule=s.Field(s.Str(nonempty=True), required=True, doc="a rule id from the catalog"),
    source=s.Field(s.Str(nonempty=True), required=True, doc="where the rule comes from"),
    params=s.Field(s.Optional(s.MapOf(_param_value), {}), default={}),
    branch=s.Field(s.Bool(), default=False, doc="selects this transition among several of one event"),
)
_field = s.record(
    "a payload field mapping (type, required, choices, description)",
    type=s.Field(s.Str(choices=tuple(structuring.PAYLOAD_TYPES)), default="str"),
    required=s.Field(s.Bool(), default=False),
    choices=s.Field(s.ListOf(s.Str(nonempty=True), min_len=1), default=None),
    description=s.Field(s.Str(), default=""),
)
SHAPE = s.record(
    "a definition mapping",
    name=s.Field(s.Str(nonempty=True), required=True),
    version=s.Field(s.AnyOf((s.Str(nonempty=True), s.Number())), required=True),
    description=s.Field(s.Str(), default=""),
    teams=s.Field(s.Str(nonempty=True), default=None, doc="a teams file beside the definition"),
    parameters=s.Field(s.Optional(s.MapOf(_param_value), {}), default={}),
    facts=s.Field(
        s.Optional(
            s.MapOf(
                s.record(
                    "a fact mapping (type, default, description)",
                    type=s.Field(s.Str(choices=FACT_TYPES), required=True),
                    default=s.Field(_param_value, default=None),
                    description=s.Field(s.Str(), default=""),
                )
            ),
            {},
        ),
        default={},
    ),
    states=s.Field(
        s.MapOf(
            s.Optional(
                s.record(
                    "a state mapping (description, initial, terminal, outcome, refuse_with)",
                    description=s.Field(s.Str(), default=""),
                    initial=s.Field(s.Bool(), default=False),
                    terminal=s.Field(s.Bool(), default=False),
                    outcome=s.Field(s.Str(choices=("success", "failure", "neutral")), default=None),
                    refuse_with=s.Field(s.Str(nonempty=True), default="state.no_transition"),
                ),
                {},
            ),
            min_len=1,
        ),
        required=True,
    ),
    events=s.Field(
        s.MapOf(
            s.Optional(
                s.record(
                    "an event mapping (description, actor, payload)",
                    description=s.Field(s.Str(), default=""),
                    actor=s.Field(s.Str(), default=""),
                    payload=s.Field(s.Optional(s.MapOf(s.Optional(_field, {})), {}), default={}),
                ),
                {},
            ),
            min_len=1,
        ),
        required=True,
    ),
    transitions=s.Field(
        s.ListOf(
            s.record(
                "a transition mapping (event, from, to, guards, after, description)",
                event=s.Field(s.Str(nonempty=True), required=True),
                to=s.Field(s.Str(nonempty=True), default=None, doc="the destination; omitted: the case stays"),
                description=s.Field(s.Str(), default=""),
                guards=s.Field(s.Optional(s.ListOf(_rule_use), ()), default=()),
                after=s.Field(s.AnyOf((s.Str(nonempty=True), s.Int(minimum=0))), default=None),
                **{"from": s.Field(_names, required=True, doc="source states; '*' is every non-terminal state")},
            ),
            min_len=1,
        ),
        required=True,
    ),
    advice=s.Field(
        s.Optional(
            s.ListOf(
                s.record(
                    "an advice mapping (rule, events, source, params)",
                    rule=s.Field(s.Str(nonempty=True), required=True),
                    events=s.Field(_names, required=True),
                    source=s.Field(s.Str(nonempty=True), required=True),
                    params=s.Field(s.Optional(s.MapOf(_param_value), {}), default={}),
                )
            ),
            (),
        ),
        default=(),
    ),
    cascades=s.Field(
        s.Optional(
            s.ListOf(
                s.record(
                    "a cascade mapping (rule, source, when, fire, with, members_in, name_field)",
                    rule=s.Field(s.Str(nonempty=True), required=True, doc="an effect rule id"),
                    source=s.Field(s.Str(nonempty=True), required=True),
                    when=s.Field(s.Str(nonempty=True), required=True, doc="the event a member accepts"),
                    fire=s.Field(s.Str(nonempty=True), required=True, doc="the event offered to the others"),
                    members_in=s.Field(_names, required=True, doc="the states of the members it reaches"),
                    name_field=s.Field(s.Str(nonempty=True), default=None),
                    params=s.Field(s.Optional(s.MapOf(_param_value), {}), default={}),
                    **{"with": s.Field(s.Optional(s.MapOf(_param_value), {}), default={})},
                )
            ),
            (),
        ),
        default=(),
    ),
    invariants=s.Field(
        s.Optional(
            s.ListOf(
                s.record(
                    "an invariant mapping (id, check, params, description)",
                    id=s.Field(s.Str(nonempty=True), required=True),
                    check=s.Field(s.Str(nonempty=True), required=True),
                    params=s.Field(s.Optional(s.MapOf(_param_value), {}), default={}),
                    description=s.Field(s.Str(), default=""),
                )
            ),
            (),
        ),
        default=(),
    ),
)

TEAMS_SHAPE = s.record(
    "a teams mapping (default_enforcer, teams)",
    default_enforcer=s.Field(s.Str(nonempty=True), default=None),
    teams=s.Field(
        s.MapOf(
            s.record(
                "a team mapping",
                name=s.Field(s.Str(nonempty=True), required=True),
                description=s.Field(s.Str(), default=""),
                source=s.Field(s.Str(), default=""),
                decides=s.Field(s.Optional(s.ListOf(s.Str(nonempty=True)), ()), default=()),
                reviews_escalations=s.Field(s.Bool(), default=False),
                reviews_once=s.Field(s.Bool(), default=False),
                channels=s.Field(s.Optional(s.ListOf(s.Str(nonempty=True)), ()), default=()),
                appeal_channels=s.Field(s.Optional(s.ListOf(s.Str(nonempty=True)), ()), default=()),
                enforces=s.Field(s.Optional(s.ListOf(s.Str(nonempty=True)), ()), default=()),
                part_of=s.Field(s.Str(nonempty=True), default=None),
            ),
            min_len=1,
        ),
        required=True,
    ),
)


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
        if p.stem != "teams":
            names.append(p.stem)
    return tuple(names)


def resolve(name_or_path: str | Path) -> Path:
    """A built-in definition's name, or a path to a YAML file, as a path."""
    if str(name_or_path) == "":
        raise NotFound(f"an empty definition name (known: {', '.join(builtin_names())})")
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml", ".json") or p.exists() or "/" in str(name_or_path):
        if not p.exists():
            raise NotFound(f"no such definition file: {p}")
        if p.is_dir():
            raise NotFound(f"{p} is a directory, not a definition file")
        return p
    candidate = definitions_dir() / f"{name_or_path}.yaml"
    if not candidate.exists() or candidate.stem == "teams":
        raise NotFound(f"no built-in definition '{name_or_path}' (known: {', '.join(builtin_names())})")
    return candidate


#: by the definition file's (path, mtime, size): the definition and the (path, mtime, size) of the teams file it
#: was built with (the built-in one, or the file its ``teams:`` names), so a changed teams file is read again
_CACHE: dict[tuple[str, int, int], tuple[Definition, tuple[str, int, int] | None]] = {}


def _stamp(path: Path) -> tuple[str, int, int] | None:
    """A file's identity for the cache: resolved path, mtime and size (None when it cannot be read)."""
    try:
        stat = path.stat()
        return (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    except OSError:
        return None


def _teams_path(located: Located, base: Path) -> Path:
    """The teams file a definition file is built with: the one its ``teams:`` names, or the built-in one."""
    own = located.data.get("teams") if isinstance(located.data, Mapping) else None
    return base / own if isinstance(own, str) and own else definitions_dir() / "teams.yaml"


def load(
    name_or_path: str | Path | None = None,
    *,
    path: str | Path | None = None,
    text: str | None = None,
    file: str | None = None,
) -> Definition:
    """Load a definition: a built-in by name, a file by ``path``, or YAML ``text`` (``file`` names it in errors).

    Returns a frozen, valid ``Definition`` or raises ``DefinitionError`` listing every problem found.
    """
    if text is not None:
        located = parse(text, file=file, error=DefinitionError)
        return build(located, base=None)
    given = path if path is not None else name_or_path
    if given is None:
        raise TypeError("load() needs a definition: give a built-in definition's name, path= or text=")
    target = resolve(given)
    stat = target.stat()
    key = (str(target.resolve()), stat.st_mtime_ns, stat.st_size)
    cached = _CACHE.get(key)
    if cached is not None and cached[1] is not None and _stamp(Path(cached[1][0])) == cached[1]:
        return cached[0]
    located = read(target, error=DefinitionError)
    teams = _stamp(_teams_path(located, target.parent))  # before building: a change while building reloads
    defn = build(located, base=target.parent)
    _CACHE[key] = (defn, teams)
    return defn


# --------------------------------------------------------------------------------------------- teams


def load_teams(path: Path | None = None) -> Teams:
    """The teams file: by default the built-in ``definitions/teams.yaml``."""
    located = read(path or definitions_dir() / "teams.yaml", error=DefinitionError)
    return build_teams(located)


def build_teams(located: Located) -> Teams:
    data, faults = s.run(TEAMS_SHAPE, located.data)
    problems = [located.problem(p, m) for p, m in faults]
    if data is s.INVALID:
        raise DefinitionError(problems)
    teams = {tid: Team(id=tid, **dict(spec.items())) for tid, spec in data["teams"].items()}
    default = data["default_enforcer"]
    if default is not None and default not in teams:
        problems.append(located.problem(("default_enforcer",), f"unknown team '{default}' (known: {', '.join(teams)})"))
    for tid, team in teams.items():
        if team.part_of is not None and team.part_of not in teams:
            problems.append(located.problem(("teams", tid, "part_of"), f"unknown team '{team.part_of}'"))
    if problems:
        raise DefinitionError(problems)
    return Teams(by_id=teams, default_enforcer=default)


# --------------------------------------------------------------------------------------------- build


class _Builder:
    def __init__(self, located: Located) -> None:
        self.located = located
        self.problems: list[Problem] = []

    def in_order(self) -> list[Problem]:
        """The problems in document order (a stable sort by line)."""
        return sorted(self.problems, key=lambda p: p.line or 0)

    def fault(self, path: PathKey, message: str) -> None:
        self.problems.append(self.located.problem(path, message))

    def known(self, path: PathKey, kind: str, name: str, known: tuple[str, ...]) -> bool:
        if name in known:
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

    def param_type(self, path: PathKey, name: str, value: Any, default: Any) -> None:
        expected = type(default)
        if isinstance(default, bool) or isinstance(value, bool):
            ok = isinstance(value, bool) and isinstance(default, bool)
        elif isinstance(default, int | float):
            ok = isinstance(value, int | float)
        else:
            ok = isinstance(value, expected) or (isinstance(default, list) and isinstance(value, tuple))
        if not ok:
            self.fault(
                path,
                f"parameter '{name}' expects {s.describe_value(default).split(' that is ')[1]} "
                f"(got {s.describe_value(value)})",
            )


def build(located: Located, base: Path | None) -> Definition:
    """Shape-check, resolve every name, build the records and run the structural checks."""
    data, faults = s.run(SHAPE, located.data, partial=True)  # keep the sound parts: report every name fault too
    b = _Builder(located)
    for p, m in faults:
        b.fault(p, m)
    if data is s.INVALID:
        raise DefinitionError(b.in_order())

    teams = _teams_for(b, data["teams"], base)
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
    for i, t in _sound(data["transitions"]):
        path: PathKey = ("transitions", i)
        b.known((*path, "event"), "event", t["event"], event_names)
        sources: list[str] = []
        for j, src in enumerate(t["from"]):
            if src == "*":
                sources.extend(x for x in non_terminal if x not in sources)
            elif b.known((*path, "from", j) if len(t["from"]) > 1 else (*path, "from"), "state", src, state_names):
                sources.append(src)
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
        else:
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
            b.param_type(("parameters", name), name, value, ENGINE_PARAMETERS[name])
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
    _check_invariants(b, numbered)
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
        resources={"teams": teams},
        hash=_content_hash(data, teams),
        origin=located.file,
    )
    for p, m in check_all(defn):
        b.fault(p, m)
    if b.problems:
        raise DefinitionError(b.in_order())
    return defn


def _used_ids(transitions: list[Transition], advice: list[Advice]) -> set[str]:
    return {g.id for t in transitions for g in t.guards} | {a.rule.id for a in advice}


def _check_branches(b: _Builder, transitions: list[Transition]) -> None:
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
    b: _Builder, raw: tuple[Mapping[str, Any], ...], events: Mapping[str, Event], states: tuple[str, ...]
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
    return [(i, item) for i, item in enumerate(items) if item is not s.INVALID]


def _check_invariants(b: _Builder, invariants: list[tuple[int, Invariant]]) -> None:
    from workflow.analysis.invariants import CHECKS as INVARIANT_CHECKS

    for i, inv in invariants:
        if inv.check not in INVARIANT_CHECKS:
            b.fault(
                ("invariants", i, "check"),
                f"unknown invariant check '{inv.check}' (known: {', '.join(sorted(INVARIANT_CHECKS))})",
            )


def _teams_for(b: _Builder, name: str | None, base: Path | None) -> Teams:
    try:
        if name is None:
            return load_teams()
        if base is None:
            b.fault(("teams",), "a definition given as text cannot name a teams file")
            return Teams()
        return load_teams(base / name)
    except DefinitionError as e:
        b.problems.extend(e.problems)
        return Teams()


def _content_hash(data: Any, teams: Teams) -> str:
    """sha256 of the shape-checked content (defaults filled in), so comments and layout do not change it."""
    canon = json.dumps(
        {"definition": data, "teams": {k: repr(v) for k, v in teams.items()}},
        sort_keys=True,
        default=str,
        separators=(",", ":"),
    )
    return hashlib.sha256(canon.encode()).hexdigest()


__all__ = ["build", "builtin_names", "definitions_dir", "format_path", "load", "load_teams", "resolve"]
