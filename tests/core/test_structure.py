"""Structuring with the core's cattrs converter: strict values, every fault with its path, messages pinned."""

from __future__ import annotations

import ast
import datetime as dt
import json
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import workflow
from workflow.amazon.payloads import Document, EscalationLetter, PlanOfAction, RootCause
from workflow.core import structure as structuring
from workflow.core.compiled import compiled
from workflow.errors import DefinitionError, PayloadError, SnapshotError

CORE = Path(workflow.__file__).parent / "core"


@attrs.frozen
class Item:
    name: structuring.NonEmpty
    count: int = 0
    tags: tuple[str, ...] = ()
    from_: structuring.one_of(("a", "b")) | None = None  # type: ignore[valid-type]


@pytest.mark.parametrize(
    ("value", "path", "message"),
    [
        ({"name": 3}, ("name",), "expected a non-empty string (got 3 that is an int)"),
        ({"name": " "}, ("name",), "must not be empty"),
        ({"name": "x", "count": True}, ("count",), "expected an integer (got True that is a bool)"),
        ({"name": "x", "count": "2"}, ("count",), "expected an integer (got '2' that is a str)"),
        ({"name": "x", "tags": "ab"}, ("tags",), "expected a list of a string (got 'ab' that is a str)"),
        ({"name": "x", "tags": {"a": 1}}, ("tags",), "expected a list of a string (got {'a': 1} that is a mapping)"),
        ({"name": "x", "tags": ["a", 2]}, ("tags", 1), "expected a string (got 2 that is an int)"),
        ({"name": "x", "from": "c"}, ("from",), "unknown value 'c' (known: a, b)"),
        ({"name": "x", "colour": 1}, ("colour",), "unknown field 'colour' (known: name, count, tags, from)"),
        ({}, ("name",), "missing required field"),
        ([], (), "expected an item mapping (name, count, tags, from) (got [] that is a list)"),
    ],
)
def test_a_fault_names_its_path_what_came_and_what_was_expected(
    value: Any, path: tuple[Any, ...], message: str
) -> None:
    """Strict values: a string is not taken apart, a bool is not an int, a written key must be a field."""
    out, faults = structuring.structure(value, Item)
    assert out is None
    assert faults == [(path, message)]


def test_every_fault_of_a_value_is_reported_at_once() -> None:
    """Three faults in three places of one record are three faults, each with its path."""
    _, faults = structuring.structure({"name": "", "count": "x", "tags": [1, "a", 2], "extra": 0}, Item)
    assert {p for p, _ in faults} == {("name",), ("count",), ("tags", 0), ("tags", 2), ("extra",)}


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=3), st.lists, max_leaves=6))
def test_fast_and_detailed_converters_agree(tags: Any) -> None:
    """The hot path (no bookkeeping) accepts exactly what the detailed converter accepts, with the same result."""
    value = {"name": "x", "tags": tags}
    try:
        fast = structuring.FAST.structure(value, Item)
    except Exception:
        fast = None
    out, faults = structuring.structure(value, Item)
    assert fast == out
    assert (out is None) == bool(faults)


@attrs.frozen
class Pair:
    left: str
    right: int = 0


def test_a_fast_path_is_tried_first_and_what_it_leaves_goes_to_cattrs() -> None:
    """``register_fast_path``: the hand-written function's record when it gives one; cattrs' answer (or its
    explained refusal) when it gives ``None``."""
    seen: list[Any] = []

    def fast(value: Any) -> Pair | None:
        seen.append(value)
        return Pair(value["left"].upper()) if type(value) is dict and value.keys() == {"left"} else None

    structuring.register_fast_path(Pair, fast)
    assert structuring.FAST.structure({"left": "a"}, Pair) == Pair("A")  # the fast path's own answer
    assert structuring.FAST.structure({"left": "a", "right": 2}, Pair) == Pair("a", 2)  # left to cattrs
    assert structuring.structure({"left": "a", "right": "2"}, Pair) == (None, [(("right",), _INT_FAULT)])
    assert len(seen) == 3


_INT_FAULT = "expected an integer (got '2' that is a str)"


def test_slot_setters_build_the_record_its_constructor_builds() -> None:
    """Set field by field through ``slot_setters``, a record equals the one its ``__init__`` makes."""
    left, right = structuring.slot_setters(Pair, "left", "right")
    pair = object.__new__(Pair)
    left(pair, "a")
    right(pair, 3)
    assert pair == Pair("a", 3)


def test_slot_setters_refuse_a_record_whose_constructor_does_more() -> None:
    """A validator, a converter or a post-init hook would be skipped: ``TypeError``, as is an unknown field."""

    @attrs.frozen
    class Checked:
        n: int = attrs.field(validator=attrs.validators.instance_of(int))

    @attrs.frozen
    class Converted:
        n: int = attrs.field(converter=int)

    @attrs.frozen
    class Hooked:
        n: int

        def __attrs_post_init__(self) -> None:
            pass

    for record in (Checked, Converted, Hooked):
        with pytest.raises(TypeError, match="not built by setting its slots alone"):
            structuring.slot_setters(record, "n")
    with pytest.raises(TypeError, match="has no field nope"):
        structuring.slot_setters(Pair, "left", "nope")


def test_to_plain_leaves_defaults_out_and_round_trips() -> None:
    """A record back as plain data: defaults left out, dates as ISO text; structuring it again gives it back."""
    plan = PlanOfAction(
        root_causes=(RootCause("order_defect_rate"),),
        documents=(Document(kind="invoice", issued=dt.date(2026, 2, 1)),),
    )
    plain = structuring.to_plain(plan)
    assert plain == {
        "root_causes": [{"issue": "order_defect_rate"}],
        "documents": [{"kind": "invoice", "issued": "2026-02-01"}],
    }
    assert json.loads(json.dumps(plain)) == plain
    assert structuring.structure(plain, PlanOfAction) == (plan, [])
    assert structuring.to_plain(EscalationLetter()) == {}


def test_a_payload_error_names_the_field_path_what_came_and_what_is_allowed() -> None:
    """A malformed payload raises PayloadError naming each fault: its path, what came, what is allowed."""
    case = workflow.Case(workflow.load("account_suspension"), clock=workflow.SimulatedClock("2026-03-02T09:00:00Z"))
    with pytest.raises(PayloadError) as info:
        case.fire(
            "submit_poa",
            channel="fax",
            poa={"root_causes": [{"issue": 7}], "documents": [{"kind": "invoice", "genuine": "yes"}]},
        )
    found = {(p.path, p.message) for p in info.value.problems}
    assert ("channel", "unknown value 'fax' (known: email, appeal_form, phone, chat)") in found
    assert ("poa.root_causes[0].issue", "expected a non-empty string (got 7 that is an int)") in found
    assert ("poa.documents[0].genuine", "expected true or false (got 'yes' that is a str)") in found
    assert str(info.value).startswith("event 'submit_poa': ")


def test_a_team_must_be_one_the_definition_names() -> None:
    """The ``team`` payload type takes the ids of the definition's teams resource, and names them."""
    defn = workflow.load("account_suspension")
    with pytest.raises(PayloadError) as info:
        compiled(defn).check_payload("submit_poa", {"to": "nobody"})
    (problem,) = info.value.problems
    assert problem.path == "to"
    assert problem.message.startswith("unknown value 'nobody' (known: seller_support, catalog, ")


def test_a_definition_shape_error_names_file_line_and_path() -> None:
    """A shape fault deep in a definition names the file, the line and the path inside the document."""
    text = (Path(workflow.io.load.definitions_dir()) / "account_suspension.yaml").read_text()
    broken = text.replace("initial: true", "initial: 'yes'", 1)
    line = broken.splitlines().index(next(x for x in broken.splitlines() if "initial: 'yes'" in x)) + 1
    with pytest.raises(DefinitionError) as info:
        workflow.io.load.load(text=broken, file="acct.yaml")
    first = info.value.problems[0]
    assert (first.file, first.line) == ("acct.yaml", line)
    assert first.path.startswith("states.") and first.path.endswith(".initial")
    assert first.message == "expected true or false (got 'yes' that is a str)"


def test_a_snapshot_error_lists_every_fault() -> None:
    """A snapshot with three faults in three places reports all three in one SnapshotError."""
    defn = workflow.load("account_suspension")
    case = workflow.Case(defn, clock=workflow.SimulatedClock("2026-03-02T09:00:00Z"))
    case.fire("suspend", reason_class="performance", issues=["order_defect_rate"])
    case.fire("reject")
    data = json.loads(json.dumps(case.snapshot()))
    data["history"][0]["accepted"] = "yes"
    data["history"][1]["event"] = "appeal"
    data["facts"] = {"bogus": 1}
    with pytest.raises(SnapshotError) as info:
        workflow.Case.restore(defn, data)
    paths = [p.path for p in info.value.problems]
    assert paths == ["history[0].accepted", "history[1]", "facts"]
    message = str(info.value)
    assert "history[0].accepted: expected true or false" in message
    assert "unknown event 'appeal'" in message
    assert "bogus: unknown field 'bogus'" in message


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_the_core_imports_neither_io_nor_the_amazon_pack() -> None:
    """No module of workflow/core imports workflow.io, workflow.amazon or the CLI, even inside a function."""
    bad = {
        (p.name, m)
        for p in CORE.glob("*.py")
        for m in _imports(p)
        if m.startswith(("workflow.io", "workflow.amazon", "workflow_cli"))
    }
    assert bad == set()


def test_a_broken_resource_file_is_reported_in_its_own_file_and_lines(tmp_path: Path) -> None:
    """A definition's own teams file with a shape fault and an unknown team: both located in the teams file."""
    teams = tmp_path / "my_teams.yaml"
    teams.write_text(
        "default_enforcer: nobody\n"
        "teams:\n"
        "  seller_performance: {name: Seller Performance, reviews_once: sometimes}\n"
        "  ert: {name: ERT, part_of: catalogue}\n"
    )
    source = (Path(workflow.io.load.definitions_dir()) / "account_suspension.yaml").read_text()
    f = tmp_path / "acct.yaml"
    f.write_text("teams: my_teams.yaml\n" + source)
    with pytest.raises(DefinitionError) as info:
        workflow.load_file(f)
    found = {(p.file, p.line, p.path, p.message) for p in info.value.problems}
    assert (
        str(teams),
        3,
        "teams.seller_performance.reviews_once",
        "expected true or false (got 'sometimes' that is a str)",
    ) in found
    assert all(p.file == str(teams) for p in info.value.problems if p.path.startswith("teams"))


def test_names_from_a_definition_are_data_never_code(tmp_path: Path) -> None:
    """Event and payload field names with quotes, newlines and code in them are structured as plain keys."""
    marker = tmp_path / "ran"
    hostile = f"x'] + __import__('pathlib').Path({str(marker)!r}).touch() or o['x"
    text = (
        "name: odd\nversion: '1'\n"
        "states: {a: {initial: true}, b: {terminal: true}}\n"
        f'events:\n  "go\'\\n\\")": {{payload: {{{json.dumps(hostile)}: {{type: str, required: true}}}}}}\n'
        'transitions: [{event: "go\'\\n\\")", from: a, to: b}]\n'
    )
    defn = workflow.io.load.load(text=text, file="odd.yaml")
    (event,) = defn.event_names
    case = workflow.Case(defn, clock=workflow.SimulatedClock("2026-03-02T09:00:00Z"))
    with pytest.raises(PayloadError) as info:
        case.fire_payload(event, {hostile: 1})
    assert info.value.problems[0].message == "expected a string (got 1 that is an int)"
    assert case.fire_payload(event, {hostile: "fine"}).accepted
    assert not marker.exists()
