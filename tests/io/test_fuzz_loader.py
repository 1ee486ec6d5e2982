"""Hostile and arbitrary input to the loaders: only ``WorkflowError``s come out, and nothing in YAML is executed."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import workflow
from workflow.adapters.transitions import machine_for
from workflow.errors import DefinitionError, DocumentError, ScenarioError, TimerLimit
from workflow.io import source
from workflow.io.load import definitions_dir
from workflow.io.source import MAX_BYTES, MAX_DEPTH, MAX_NODES

SUSPENSION_TEXT = (definitions_dir() / "account_suspension.yaml").read_text(encoding="utf-8")
SUSPENSION_DATA = yaml.safe_load(SUSPENSION_TEXT)

SCENARIO_DATA: dict[str, Any] = {
    "definition": "account_suspension",
    "start": "2026-03-02T09:00:00Z",
    "steps": [
        {"event": "suspend", "with": {"reason_class": "performance", "issues": ["order_defect_rate"]}},
        {
            "event": "submit_poa",
            "after": "1d",
            "with": {
                "to": "seller_performance",
                "channel": "email",
                "poa": {
                    "root_causes": [{"issue": "order_defect_rate", "text": "late carrier hand-off"}],
                    "corrective_actions": ["moved to two-day carrier pickup"],
                    "preventive_measures": ["daily late-shipment report"],
                    "documents": [{"kind": "invoice", "genuine": True}],
                },
            },
        },
        {"event": "reject", "after": "2bd"},
        {"event": "escalate", "expect": ["escalate.letter", "escalate.strong_poa"]},
    ],
}
SCENARIO_TEXT = yaml.safe_dump(SCENARIO_DATA, sort_keys=False)


def loads_or_refuses(loader: Any, text: str) -> Any:
    """Call ``loader(text=text)``: it may succeed or raise a ``WorkflowError`` with one-line, located problems."""
    try:
        return loader(text=text, file="fuzz.yaml")
    except DocumentError as e:
        assert e.problems, "a document error lists at least one problem"
        for problem in e.problems:
            assert problem.file == "fuzz.yaml"
            assert problem.message
            assert "\n" not in str(problem), str(problem)
        assert "\n" not in str(e)
        return None
    except workflow.WorkflowError as e:
        assert "\n" not in str(e)
        return None


def run_if_loaded(scenario: Any) -> None:
    """A scenario that loaded was checked whole, so running it must not raise."""
    if scenario is not None:
        trace = workflow.run_scenario(scenario)
        assert len(trace.steps) >= len(scenario.steps)


# ------------------------------------------------------------------------------------------ strategies

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
)
yamlish = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(st.text(max_size=12), inner, max_size=5),
    ),
    max_leaves=25,
)


def node_paths(obj: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into a nested structure of dicts and lists (the root is ``()``)."""
    out = [prefix]
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.extend(node_paths(v, (*prefix, k)))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out.extend(node_paths(v, (*prefix, i)))
    return out


@st.composite
def mutated(draw: st.DrawFn, base: Any) -> str:
    """``base`` with a few values deleted, replaced or renamed, dumped as YAML."""
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = [p for p in node_paths(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        key = path[-1]
        action = draw(st.sampled_from(["delete", "replace", "rename", "duplicate"]))
        if action == "delete":
            del parent[key]
        elif action == "replace":
            parent[key] = draw(yamlish)
        elif action == "rename" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=12))] = parent.pop(key)
        elif action == "duplicate" and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


@st.composite
def line_edits(draw: st.DrawFn, text: str) -> str:
    """``text`` with a line deleted, duplicated, or cut short, or arbitrary text inserted."""
    lines = text.splitlines(keepends=True)
    i = draw(st.integers(min_value=0, max_value=len(lines) - 1))
    action = draw(st.sampled_from(["delete", "duplicate", "truncate", "insert"]))
    if action == "delete":
        del lines[i]
    elif action == "duplicate":
        lines.insert(i, lines[i])
    elif action == "truncate":
        lines[i] = lines[i][: draw(st.integers(min_value=0, max_value=len(lines[i])))]
    else:
        lines.insert(i, draw(st.text(max_size=30)) + "\n")
    return "".join(lines)


# ------------------------------------------------------------------------------------------ properties


def test_the_unmutated_inputs_load() -> None:
    """The seeds of the mutations are valid, so the mutation tests start from something that loads."""
    assert workflow.load(text=SUSPENSION_TEXT).name == "account_suspension"
    trace = workflow.run_scenario(workflow.load_scenario(text=SCENARIO_TEXT))
    assert trace.final_state == "rejected"
    assert trace.expectations_met


@given(st.text(max_size=300))
def test_arbitrary_text_definition(text: str) -> None:
    """Any text given as a definition loads or raises a WorkflowError."""
    loads_or_refuses(workflow.load, text)


@given(st.text(max_size=300))
def test_arbitrary_text_scenario(text: str) -> None:
    """Any text given as a scenario loads or raises a WorkflowError."""
    run_if_loaded(loads_or_refuses(workflow.load_scenario, text))


@given(yamlish)
def test_arbitrary_yaml_structures(data: Any) -> None:
    """Any YAML structure, as a definition or as a scenario, loads or raises a WorkflowError."""
    text = yaml.safe_dump(data, allow_unicode=True)
    loads_or_refuses(workflow.load, text)
    run_if_loaded(loads_or_refuses(workflow.load_scenario, text))


def drive_if_loaded(defn: workflow.Definition | None) -> None:
    """A definition that loaded is valid: a case of it starts in its initial state and says what may happen."""
    if defn is not None:
        case = workflow.Case(defn, clock=workflow.SimulatedClock("2026-03-02T09:00:00Z"))
        assert case.state == defn.initial.name
        allowed = case.allowed()
        assert set(allowed) <= set(defn.event_names)
        for event in defn.event_names:
            if event not in allowed:
                assert case.why_not(event), event


@given(mutated(SUSPENSION_DATA))
def test_mutated_definition(text: str) -> None:
    """account_suspension.yaml with values deleted, replaced or renamed loads (and drives) or raises a WorkflowError."""
    drive_if_loaded(loads_or_refuses(workflow.load, text))


@given(line_edits(SUSPENSION_TEXT))
def test_line_edited_definition(text: str) -> None:
    """account_suspension.yaml with a line deleted, duplicated, cut or inserted loads (and drives) or is refused."""
    drive_if_loaded(loads_or_refuses(workflow.load, text))


@given(mutated(SCENARIO_DATA))
def test_mutated_scenario(text: str) -> None:
    """A scenario with values deleted, replaced or renamed loads (and then runs) or raises a WorkflowError."""
    run_if_loaded(loads_or_refuses(workflow.load_scenario, text))


@given(line_edits(SCENARIO_TEXT))
def test_line_edited_scenario(text: str) -> None:
    """A scenario with a line deleted, duplicated, cut or inserted loads (and then runs) or raises a WorkflowError."""
    run_if_loaded(loads_or_refuses(workflow.load_scenario, text))


# ------------------------------------------------------------------------------------------ hostile YAML

PYTHON_TAGS = [
    '!!python/object/apply:os.system ["touch {marker}"]',
    '!!python/object/apply:subprocess.call [["touch", "{marker}"]]',
    "!!python/object/new:os.system [touch {marker}]",
    "!!python/name:os.system",
    "!!python/object/apply:builtins.exec [\"open('{marker}', 'w').close()\"]",
]


@pytest.mark.parametrize("tag", PYTHON_TAGS)
@pytest.mark.parametrize("where", ["root", "value", "scenario"])
def test_python_tags_are_refused_and_never_run(tmp_path: Path, tag: str, where: str) -> None:
    """A python/* tag anywhere is an invalid-YAML problem, and the command it names never runs."""
    marker = tmp_path / "pwned"
    hostile = tag.format(marker=marker)
    loader: Any = workflow.load
    error: type[DocumentError] = DefinitionError
    if where == "root":
        text = hostile
    elif where == "value":
        text = SUSPENSION_TEXT.replace('version: "1.0.0"', f"version: {hostile}")
    else:
        text = SCENARIO_TEXT.replace("after: 1d", f"after: {hostile}")
        loader, error = workflow.load_scenario, ScenarioError
    assert text.count("python/") == 1
    with pytest.raises(error) as info:
        loader(text=text)
    assert not marker.exists()
    assert "could not determine a constructor for the tag" in str(info.value)
    assert "python/" in str(info.value)


def test_the_documented_os_system_payload(tmp_path: Path) -> None:
    """The classic ``!!python/object/apply:os.system ["echo pwned"]`` is a DefinitionError on line 1."""
    with pytest.raises(DefinitionError) as info:
        workflow.load(text='!!python/object/apply:os.system ["echo pwned"]')
    (problem,) = info.value.problems
    assert problem.line == 1
    assert problem.message.startswith("invalid YAML: could not determine a constructor for the tag")


def billion_laughs(levels: int = 9) -> str:
    lines = ['lol0: &lol0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels + 1):
        refs = ", ".join([f"*lol{i - 1}"] * 10)
        lines.append(f"lol{i}: &lol{i} [{refs}]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_without_expanding() -> None:
    """Ten levels of ten aliases (10^10 values) are refused once MAX_NODES is passed, in bounded memory."""
    tracemalloc.start()
    try:
        with pytest.raises(DefinitionError) as info:
            workflow.load(text=billion_laughs())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(info.value) == f"<text>: document has more than {MAX_NODES} values (counting every use of an alias)"
    assert peak < 200 * 1024 * 1024, f"peak {peak} bytes"


def test_billion_laughs_in_a_scenario(monkeypatch: pytest.MonkeyPatch) -> None:
    """Scenarios share the bound (lowered here so the test is quick): a ScenarioError, not an expansion."""
    monkeypatch.setattr(source, "MAX_NODES", 5_000)
    with pytest.raises(ScenarioError) as info:
        workflow.load_scenario(text=billion_laughs())
    assert str(info.value) == "<text>: document has more than 5000 values (counting every use of an alias)"


@pytest.mark.parametrize("text", ["a: &a [*a]\n", "&a [*a]\n", "&a {x: *a}\n", "a: &a {b: [1, {c: *a}]}\n"])
def test_self_referencing_alias_is_refused(text: str) -> None:
    """An alias inside its own anchor (an endless structure) is refused as nesting too deep."""
    with pytest.raises(DefinitionError) as info:
        workflow.load(text=text)
    assert str(info.value) == f"<text>: document nests deeper than {MAX_DEPTH} levels"
    with pytest.raises(ScenarioError):
        workflow.load_scenario(text=text)


@pytest.mark.parametrize(
    "text",
    [
        "[" * 20_000 + "]" * 20_000,
        "[" * (MAX_BYTES // 2),  # once took quadratic time: the scanner looked ahead for the closing brackets
        "{a: " * 5_000 + "1" + "}" * 5_000,
        "".join("  " * i + f"k{i}:\n" for i in range(150)) + "  " * 150 + "v\n",
        "- " * 2_000 + "x\n",
    ],
    ids=["flow-lists", "unclosed-lists", "flow-maps", "block-maps", "block-lists"],
)
def test_very_deep_nesting_is_refused(text: str) -> None:
    """Nesting far deeper than any definition is a DefinitionError, not a RecursionError or a hang."""
    with pytest.raises(DefinitionError) as info:
        workflow.load(text=text)
    assert str(info.value) == f"<text>: document nests deeper than {MAX_DEPTH} levels"
    with pytest.raises(ScenarioError):
        workflow.load_scenario(text=text)


def test_nesting_up_to_the_bound_is_parsed() -> None:
    """A value nested MAX_DEPTH - 1 levels is parsed: only the shape check complains about it."""
    depth = MAX_DEPTH - 1
    text = "name: " + "[" * depth + "]" * depth + "\n"
    with pytest.raises(DefinitionError) as info:
        workflow.load(text=text)
    assert "nests" not in str(info.value)
    assert any(p.path == "name" and p.message.startswith("expected a non-empty string") for p in info.value.problems)


def test_huge_text_is_refused_before_parsing() -> None:
    """Text longer than MAX_BYTES is refused as too large, whatever it holds."""
    text = "name: x\ndescription: " + "x" * MAX_BYTES + "\n"
    with pytest.raises(DefinitionError) as info:
        workflow.load(text=text)
    assert str(info.value) == f"<text>: file too large ({len(text)} bytes; at most {MAX_BYTES})"
    with pytest.raises(ScenarioError, match="file too large"):
        workflow.load_scenario(text=text)


def test_huge_file_is_refused(tmp_path: Path) -> None:
    """A file larger than MAX_BYTES is refused, naming the file, as a definition and as a scenario."""
    f = tmp_path / "huge.yaml"
    f.write_bytes(b"# " + b"x" * MAX_BYTES + b"\n")
    with pytest.raises(DefinitionError) as info:
        workflow.load_file(f)
    assert str(info.value) == f"{f}: file too large (more than {MAX_BYTES} bytes)"
    with pytest.raises(ScenarioError) as sinfo:
        workflow.load_scenario(f)
    assert str(sinfo.value) == f"{f}: file too large (more than {MAX_BYTES} bytes)"


def test_many_small_values_are_refused_while_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    """A flat list of more values than the bound (lowered here so the test is quick) is refused as too many."""
    monkeypatch.setattr(source, "MAX_NODES", 1_000)
    with pytest.raises(DefinitionError) as info:
        workflow.load(text="[" + "1, " * 1_000 + "1]")
    assert str(info.value) == "<text>: document has more than 1000 values (counting every use of an alias)"
    assert len(workflow.load_scenario(text="definition: account_suspension\nsteps: []\n").steps) == 0


@pytest.mark.parametrize(
    ("text", "line"),
    [("name: x\nversion: \x00\n", 2), ("a: [1, 2\n", 2), ("a: b: c\n", 1), ("a:\n\t- 1\n", 2), ("? [a]\n: 1\n", 1)],
    ids=["nul", "unclosed", "colon", "tab", "list-key"],
)
def test_invalid_yaml_is_one_located_line(text: str, line: int) -> None:
    """Characters YAML forbids, unclosed brackets, tabs and list keys are one-line, located problems."""
    with pytest.raises(DefinitionError) as info:
        workflow.load(text=text, file="bad.yaml")
    (problem,) = info.value.problems
    assert problem.file == "bad.yaml"
    assert problem.line == line
    assert problem.message.startswith("invalid YAML: ")
    assert "\n" not in str(info.value)


def test_not_utf8_is_refused(tmp_path: Path) -> None:
    """A file that is not UTF-8 names the first bad byte."""
    f = tmp_path / "latin1.yaml"
    f.write_bytes("name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(DefinitionError) as info:
        workflow.load_file(f)
    assert str(info.value) == f"{f}: not UTF-8 text (byte 9)"


# ------------------------------------------------------------------------------------------ hostile definitions
# The classes of issue "Hostile input and faults": names the machine underneath reserves, timers that go round
# without time passing (or fire every second), '*' expansions, numbers and times at the edges, parameters and
# defaults of the wrong kind, resource files outside the definition's folder. Each generated definition loads
# and then runs (a machine builds, events fire, a long clock move ends), or is refused with located problems.

HOSTILE_NAMES = st.one_of(
    st.sampled_from(["open", "next", "state", "trigger", "=", "*", "may_go", "is_open", "to_open", "__init__"]),
    st.text(alphabet="ao_=*", min_size=1, max_size=5),
)
DURATIONS = st.sampled_from([0, "0s", "0bd", "1s", "1bd", "3d", 36_500, "36500bd", -1, "1e9d"])
HOSTILE_NUMBERS = st.one_of(
    st.integers(), st.integers(min_value=10**300, max_value=10**400), st.floats(allow_nan=True), st.booleans()
)
EDGE_TIMES = st.sampled_from(["9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+01:00", "2026-12-25", "nope", 7])


@st.composite
def hostile_definitions(draw: Any) -> dict[str, Any]:
    states = draw(st.lists(HOSTILE_NAMES, min_size=2, max_size=4, unique=True))
    events = draw(st.lists(HOSTILE_NAMES, min_size=1, max_size=4, unique=True))
    doc: dict[str, Any] = {
        "name": draw(st.sampled_from(["hostile", "../../x", "a/b", "\x1b[2J"])),
        "version": "1",
        "states": {s: {"initial": i == 0} for i, s in enumerate(states)},
        "events": {e: {} for e in events},
        "transitions": [],
    }
    doc["states"]["end"] = {"terminal": True}
    ring = [*states, states[0]]
    for i, (a, b) in enumerate(itertools.pairwise(ring)):
        move: dict[str, Any] = {"event": events[i % len(events)], "from": a, "to": b}
        if draw(st.booleans()):
            move["after"] = draw(DURATIONS)
        doc["transitions"].append(move)
    doc["transitions"].append({"event": events[0], "from": draw(st.sampled_from(["*", states[-1]])), "to": "end"})
    if draw(st.booleans()):
        doc["parameters"] = {"holidays": draw(st.lists(EDGE_TIMES, max_size=2))}
    if draw(st.booleans()):
        doc["facts"] = {
            "x": {"type": draw(st.sampled_from(["int", "str", "bool", "date"])), "default": draw(HOSTILE_NUMBERS)}
        }
    if draw(st.booleans()):
        doc["invariants"] = [
            {
                "id": "../inv",
                "check": "at_most",
                "params": {"event": draw(HOSTILE_NAMES), "times": draw(HOSTILE_NUMBERS)},
            }
        ]
    if draw(st.booleans()):
        doc["teams"] = draw(st.sampled_from(["../teams.yaml", "/etc/passwd", "teams.yaml"]))
    return doc


@settings(max_examples=150, deadline=None)
@given(hostile_definitions())
def test_hostile_definitions_load_and_run_or_are_refused(doc: dict[str, Any]) -> None:
    """A hostile definition is refused with one-line located problems, or it runs: a transitions machine builds,
    every event fires, and a clock moved a year on settles its timers or stops at the bound."""
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    defn = loads_or_refuses(workflow.load, text)
    if defn is None:
        return
    machine_for(defn)
    clock = workflow.SimulatedClock("2026-03-02T09:00:00Z")
    case = workflow.Case(defn, clock=clock)
    for event in defn.event_names:
        case.fire(event)
    clock.advance("365d")
    try:
        case.advance()
    except TimerLimit as e:
        assert "\n" not in str(e)
    restored = workflow.Case.restore(defn, case.snapshot())
    assert restored.state == case.state
