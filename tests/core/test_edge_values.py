"""Numbers and times at the edges: clear errors, never OverflowError or TypeError; defaults and parameters checked
at load, so what loads runs, and a case restored from its own snapshot is never refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from workflow_cli.main import main

import workflow
from workflow.amazon.health import load_table, read_snapshot
from workflow.core.structure import parse_timestamp
from workflow.errors import DefinitionError, MetricsError, WorkflowError
from workflow.io.load import definitions_dir

EDGE_STAMPS = [
    "9999-12-31T23:00:00-05:00",
    "9999-12-31T23:59:59-00:01",
    "0001-01-01T00:00:00+01:00",
    "0001-01-01T00:30:00+00:31",
]

offsets = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))
edge_stamps = st.one_of(
    st.datetimes(min_value=dt.datetime(9999, 12, 30), timezones=st.just(dt.timezone.utc)).flatmap(
        lambda d: offsets.map(lambda tz: d.replace(tzinfo=tz))
    ),
    st.datetimes(max_value=dt.datetime(1, 1, 2), timezones=st.just(dt.timezone.utc)).flatmap(
        lambda d: offsets.map(lambda tz: d.replace(tzinfo=tz))
    ),
)


@settings(max_examples=200, deadline=None)
@given(edge_stamps)
def test_a_timestamp_near_the_ends_of_time_is_a_stamp_or_a_clear_error(stamp: dt.datetime) -> None:
    """Written with any offset, a time at the ends of the calendar parses, or is a WorkflowError saying why."""
    for value in (stamp, stamp.isoformat()):
        try:
            got = parse_timestamp(value)
        except WorkflowError as e:
            assert "year" in str(e)
        else:
            assert got is not None and got.tzinfo is not None


@pytest.mark.parametrize("stamp", EDGE_STAMPS)
def test_a_scenario_start_past_the_calendar_is_one_line_exit_2(tmp_path: Path, stamp: str) -> None:
    """A scenario whose ``start`` leaves the years 1-9999 in UTC: one line, exit 2."""
    path = tmp_path / "s.yaml"
    path.write_text(f"definition: account_suspension\nstart: {stamp}\nsteps: []\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["simulate", "--scenario", str(path)])
    assert result.exit_code == 2, (result.output, result.exception)
    assert len(result.stderr.strip().splitlines()) == 1
    assert "OverflowError" not in result.stderr


@pytest.mark.parametrize("stamp", EDGE_STAMPS)
def test_health_as_of_past_the_calendar_is_clear(tmp_path: Path, stamp: str) -> None:
    """``as_of`` past the calendar: a MetricsError naming the field, not an OverflowError."""
    with pytest.raises(MetricsError) as info:
        read_snapshot(text=f"as_of: {stamp}\nmetrics: {{order_defect_rate: 0.001}}\n", file="m.yaml")
    assert "OverflowError" not in str(info.value) and "as_of" in str(info.value)


@pytest.mark.parametrize("stamp", EDGE_STAMPS)
def test_restore_with_a_time_past_the_calendar_is_refused_clearly(stamp: str) -> None:
    """A snapshot whose ``created`` or a step's ``at`` leaves the calendar is refused with a WorkflowError."""
    defn = workflow.load("account_suspension")
    case = workflow.Case(defn, clock=workflow.SimulatedClock())
    case.fire("suspend", reason_class="performance", issues=["order_defect_rate"])
    snap = case.snapshot()
    for where in ("created", "at"):
        bad = yaml.safe_load(yaml.safe_dump(snap))
        if where == "created":
            bad["created"] = stamp
        else:
            bad["history"][0]["at"] = stamp
        with pytest.raises(WorkflowError) as info:
            workflow.Case.restore(defn, bad)
        assert "OverflowError" not in str(info.value)


@pytest.mark.parametrize("stamp", EDGE_STAMPS)
def test_a_timestamp_payload_past_the_calendar_is_a_payload_error(stamp: str) -> None:
    """A ``timestamp`` payload field given a time past the calendar: a PayloadError, nothing recorded."""
    text = """
name: stamps
version: "1"
states: {open: {initial: true}, done: {terminal: true}}
events: {close: {payload: {when: {type: timestamp}}}}
transitions: [{event: close, from: open, to: done}]
"""
    case = workflow.Case(workflow.load(text=text))
    with pytest.raises(workflow.errors.PayloadError):
        case.fire("close", when=stamp)
    assert case.history == ()


# ------------------------------------------------------------------------------------------ health input


huge = st.one_of(
    st.integers(min_value=10**309, max_value=10**400), st.integers(max_value=-(10**309), min_value=-(10**400))
)
nested = st.recursive(
    st.floats(0, 1),
    lambda inner: st.dictionaries(st.sampled_from(["a", "b", "mfn", "rate", "score"]), inner, min_size=1, max_size=2),
    max_leaves=4,
)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["order_defect_rate", "account_health_rating"]), st.one_of(huge, nested))
def test_health_input_with_huge_numbers_or_nested_maps_is_one_line_exit_2_or_judged(
    tmp_path_factory: pytest.TempPathFactory, metric: str, value: object
) -> None:
    """``workflow health`` on huge integers and nested maps: judged, or one line on stderr and exit 2."""
    path = tmp_path_factory.mktemp("h") / "m.yaml"
    path.write_text(yaml.safe_dump({"metrics": {metric: value}}), encoding="utf-8")
    result = CliRunner().invoke(main, ["health", str(path)])
    assert result.exit_code in (0, 2), (result.output, result.exception)
    if result.exit_code == 2:
        assert len(result.stderr.strip().splitlines()) == 1


def table_with(old: str, new: str) -> str:
    text = (definitions_dir() / "tables" / "account_health.yaml").read_text(encoding="utf-8")
    assert text.count(old) == 1
    return text.replace(old, new)


@pytest.mark.parametrize(
    "params",
    [
        f"{{healthy_from: {10**400}, at_risk_from: 100}}",
        f"{{healthy_from: 200, at_risk_from: -{10**400}}}",
        "{healthy_from: {a: {b: 1}}, at_risk_from: 100}",
    ],
)
def test_table_parameters_huge_or_nested_are_refused_at_load(params: str) -> None:
    """A ``--table`` whose parameters are huge integers or nested maps is a DefinitionError, located."""
    with pytest.raises(DefinitionError) as info:
        load_table(text=table_with("{healthy_from: 200, at_risk_from: 100}", params), file="t.yaml")
    assert info.value.problems[0].line is not None


def test_a_float_is_not_taken_for_an_int_parameter() -> None:
    """``months: 6.5`` where the rule's default is an integer: refused at load."""
    text = table_with("months: 6,", "months: 6.5,")
    with pytest.raises(DefinitionError, match="months"):
        load_table(text=text, file="t.yaml")


# ------------------------------------------------------------------------------------------ definitions


BASE = """
name: edges
version: "1"
parameters: {holidays: HOLIDAYS}
facts:
  FACTS
states: {open: {initial: true}, done: {terminal: true}}
events: {close: {}, nudge: {}}
transitions: [{event: close, from: open, to: done}, {event: nudge, from: open}]
invariants:
  INVARIANTS
"""


def edges(facts: str = "{}", invariants: str = "[]", holidays: str = "[]") -> str:
    return BASE.replace("FACTS", facts).replace("INVARIANTS", invariants).replace("HOLIDAYS", holidays)


@pytest.mark.parametrize(
    ("fact", "default"),
    [("int", "'three'"), ("bool", "'yes'"), ("str", "[1, 2]"), ("date", "'not a date'"), ("int", "1.5")],
)
def test_a_fact_default_of_the_wrong_type_is_refused_at_load(fact: str, default: str) -> None:
    """A fact's ``default`` is checked against its type at load, located."""
    with pytest.raises(DefinitionError) as info:
        workflow.load(text=edges(facts=f"{{x: {{type: {fact}, default: {default}}}}}"), file="e.yaml")
    assert any(p.path.startswith("facts.x") and p.line is not None for p in info.value.problems), info.value.report()


@pytest.mark.parametrize("fact", ["int", "bool", "str", "date", "number"])
def test_a_case_restored_from_its_own_snapshot_is_never_refused(fact: str) -> None:
    """With or without a default, a fresh case's snapshot restores."""
    for spec in (f"{{type: {fact}}}",):
        defn = workflow.load(text=edges(facts=f"{{x: {spec}}}"), file="e.yaml")
        case = workflow.Case(defn, clock=workflow.SimulatedClock())
        case.fire("nudge")
        again = workflow.Case.restore(defn, case.snapshot())
        assert again.facts == case.facts


@pytest.mark.parametrize(
    ("invariant", "where"),
    [
        ("{id: a, check: at_most, params: {event: nope}}", "invariants[0].params.event"),
        ("{id: a, check: at_most, params: {event: close, times: many}}", "invariants[0].params.times"),
        ("{id: a, check: at_most, params: {times: 1}}", "invariants[0].params"),
        ("{id: a, check: at_most, params: {event: close, colour: red}}", "invariants[0].params.colour"),
        (
            "{id: a, check: refuses_all, params: {state: nowhere, rule: state.no_transition}}",
            "invariants[0].params.state",
        ),
        ("{id: a, check: refuses_all, params: {state: done, rule: no.such_rule}}", "invariants[0].params.rule"),
        ("{id: a, check: reached_only_after, params: {state: done, event: close}}", "invariants[0].params"),
        ("{id: a, check: at_most, params: {event: close, times: 1.5}}", "invariants[0].params.times"),
    ],
)
def test_invariant_parameters_are_checked_at_load(invariant: str, where: str) -> None:
    """Unknown events, states, rules, parameters, missing ones and wrong types are located problems at load."""
    with pytest.raises(DefinitionError) as info:
        workflow.load(text=edges(invariants=f"[{invariant}]"), file="e.yaml")
    assert any(p.path == where and p.line is not None for p in info.value.problems), info.value.report()


@pytest.mark.parametrize("holidays", ["[not-a-date]", "[2026-02-30]", "[1]", "[2026-12-25, {a: 1}]"])
def test_a_holiday_that_is_not_a_date_is_refused(holidays: str) -> None:
    """Every holiday is a date: anything else is refused at load, not dropped."""
    with pytest.raises(DefinitionError, match=r"holiday|timestamp"):
        workflow.load(text=edges(holidays=holidays), file="e.yaml")


def test_dates_as_holidays_still_load() -> None:
    """Holidays written as ISO date strings load."""
    defn = workflow.load(text=edges(holidays="['2026-12-25', '2026-12-26']"), file="e.yaml")
    assert len(defn.parameters["holidays"]) == 2
