"""Runs that never end: zero-time timer cycles are refused at load, and timer firing is bounded per call."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from workflow_cli.main import main

import workflow
from workflow.core.case import MAX_TIMER_STEPS
from workflow.core.clock import parse_duration
from workflow.errors import DefinitionError, TimerLimit

START = "2026-03-02T09:00:00Z"

ZERO = ("0", "0s", "0d", "0h0m", "0bd", "0w0s", "00")


def ring(afters: list[str]) -> str:
    """A definition whose states s0..sN-1 form a ring of timed transitions with ``afters`` as durations."""
    n = len(afters)
    states = "\n".join(f"  s{i}: {{{'initial: true' if i == 0 else ''}}}" for i in range(n))
    timers = "\n".join(f"  - {{event: t{i}, from: s{i}, to: s{(i + 1) % n}, after: {a}}}" for i, a in enumerate(afters))
    events = "\n".join(f"  t{i}: {{}}" for i in range(n))
    closes = ", ".join(f"s{i}" for i in range(n))
    return (
        f"name: ring\nversion: '1'\nstates:\n{states}\n  done: {{terminal: true}}\n"
        f"events:\n{events}\n  close: {{}}\ntransitions:\n{timers}\n"
        f"  - {{event: close, from: [{closes}], to: done}}\n"
    )


def test_a_zero_time_timer_cycle_is_refused_with_its_place() -> None:
    """``a -after 0-> b -after 0s-> a`` is refused at load, naming the transition and its line."""
    with pytest.raises(DefinitionError) as info:
        workflow.load(text=ring(["0", "0s"]), file="ring.yaml")
    problem = info.value.problems[0]
    assert problem.path.startswith("transitions[")
    assert problem.line is not None
    assert "without time passing" in problem.message
    assert "s0" in problem.message and "s1" in problem.message


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(ZERO), min_size=2, max_size=5), st.data())
def test_any_timer_cycle_of_zero_durations_is_refused(zeros: list[str], data: st.DataObject) -> None:
    """However zero is written, a ring of zero-duration timers never loads; one positive duration breaks it."""
    with pytest.raises(DefinitionError, match="without time passing"):
        workflow.load(text=ring(zeros), file="ring.yaml")
    i = data.draw(st.integers(0, len(zeros) - 1))
    positive = data.draw(st.sampled_from(["1s", "1bd", "2h", "1"]))
    defn = workflow.load(text=ring([*zeros[:i], positive, *zeros[i + 1 :]]), file="ring.yaml")
    assert len(defn.transitions) == len(zeros) + 1


def test_cli_commands_refuse_a_zero_time_cycle(tmp_path: Path) -> None:
    """``validate`` reports the ring (exit 1); ``explore``, ``paths`` and ``simulate`` end with one line, exit 2."""
    path = tmp_path / "ring.yaml"
    path.write_text(ring(["0", "0s"]), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1 and "without time passing" in result.output
    for args in (["explore", str(path)], ["paths", str(path)], ["simulate", str(path), "--random", "3"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, (args, result.output)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def _one_second_ring() -> workflow.Case:
    defn = workflow.load(text=ring(["1s", "1s"]), file="ring.yaml")
    return workflow.Case(defn, clock=workflow.SimulatedClock(START))


def test_thirty_days_of_one_second_timers_stop_at_the_bound() -> None:
    """``after: 30d`` with 1-second timers raises ``TimerLimit`` past the bound, recording none of them."""
    case = _one_second_ring()
    clock = case.clock
    assert isinstance(clock, workflow.SimulatedClock)
    clock.advance("30d")
    with pytest.raises(TimerLimit) as info:
        case.advance()
    assert info.value.limit == MAX_TIMER_STEPS
    assert "\n" not in str(info.value)
    assert case.history == () and case.state == "s0"  # all or nothing: none of the steps before the bound is kept


def test_deciding_past_the_bound_raises_and_records_nothing() -> None:
    """``fire`` settles due timers on a copy: past the bound it raises and the case is as it was."""
    case = _one_second_ring()
    clock = case.clock
    assert isinstance(clock, workflow.SimulatedClock)
    clock.advance("1d")
    with pytest.raises(TimerLimit):
        case.fire("close")
    assert case.history == () and case.state == "s0"


def test_under_the_bound_timers_fire_as_before() -> None:
    """Fewer due timer steps than the bound all fire, alternating around the ring."""
    case = _one_second_ring()
    clock = case.clock
    assert isinstance(clock, workflow.SimulatedClock)
    clock.advance("10s")
    steps = case.advance()
    assert [s.event for s in steps] == ["t0", "t1"] * 5


def test_a_zero_cycle_built_in_code_is_stopped_by_the_bound() -> None:
    """A definition made in code, never validated, with a zero-time ring still ends with ``TimerLimit``."""
    defn = workflow.load(text=ring(["1s", "1s"]), file="ring.yaml")
    zero = parse_duration(0)
    changed = tuple(
        attrs.evolve(t, timer=attrs.evolve(t.timer, after=zero)) if t.timer is not None else t for t in defn.transitions
    )
    case = workflow.Case(attrs.evolve(defn, transitions=changed), clock=workflow.SimulatedClock(START))
    with pytest.raises(TimerLimit):
        case.advance()
