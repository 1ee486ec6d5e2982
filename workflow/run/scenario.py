"""Scenarios: a story told as steps on a simulated clock, checked whole when loaded, run into a ``Trace``."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any

import attrs

from workflow.core.case import Case
from workflow.core.clock import DEFAULT_START, SimulatedClock, format_time, parse_duration
from workflow.core.compiled import compiled
from workflow.core.history import Step
from workflow.core.model import Definition
from workflow.core.structure import NonEmpty, Nullable, at_least, min_items, one_of, parse_timestamp, structure
from workflow.errors import PayloadError, Problem, ScenarioError, TimeOutOfRange
from workflow.io.load import load_file, resolve
from workflow.io.source import Located, parse, read

Plain = Annotated[dict[str, Any], Nullable(dict)]  # a payload or facts as written: structured when used


@attrs.frozen
class CaseDoc:
    facts: Plain = attrs.field(factory=dict)


@attrs.frozen
class StepDoc:
    """A scenario step as its file writes it (``with`` is written ``with_``)."""

    event: NonEmpty
    case: NonEmpty | None = None  # the named case the event is for
    with_: Plain = attrs.field(factory=dict)
    after: NonEmpty | at_least(0) | None = None  # type: ignore[valid-type]
    at: dt.datetime | None = None
    #: accepted | blocked, or the rule ids that must block the step
    expect: one_of(("accepted", "blocked")) | Annotated[tuple[NonEmpty, ...], min_items(1)] | None = None  # type: ignore[valid-type]
    expect_state: NonEmpty | None = None  # the case's state after the step
    expect_advice: Annotated[tuple[NonEmpty, ...], min_items(1)] | None = None
    description: str = ""


@attrs.frozen
class ScenarioDoc:
    """A scenario file, structured by the core's converter (names are checked against the definition after)."""

    definition: NonEmpty
    start: dt.datetime | None = None
    facts: Plain = attrs.field(factory=dict)
    #: named cases that act together (a group); each step then says which case it is for
    cases: Annotated[dict[str, Annotated[CaseDoc, Nullable(dict)]], Nullable(dict), min_items(1)] = attrs.field(
        factory=dict
    )
    description: str = ""
    steps: tuple[StepDoc, ...] = attrs.field(kw_only=True)


@attrs.frozen
class ScenarioStep:
    event: str
    payload: Mapping[str, Any]
    after: str | int | None = None
    at: dt.datetime | None = None
    expect: str | tuple[str, ...] | None = None
    description: str = ""
    line: int | None = None
    case: str | None = None  # the named case the event is for, in a scenario with cases
    expect_state: str | None = None  # the state the case must be in after the step
    expect_advice: tuple[str, ...] | None = None  # advice rule ids the step must carry

    def met(self, step: Step) -> bool:
        """Whether ``step`` is what this scenario step expects: outcome, resulting state and advice."""
        return (
            expectation_met(step, self.expect)
            and (self.expect_state is None or step.target == self.expect_state)
            and (self.expect_advice is None or set(self.expect_advice) <= set(step.advice))
        )


@attrs.frozen
class Scenario:
    definition: Definition
    steps: tuple[ScenarioStep, ...]
    start: dt.datetime
    facts: Mapping[str, Any]
    description: str = ""
    file: str | None = None
    cases: Mapping[str, Mapping[str, Any]] = attrs.field(factory=dict)  # name -> that case's facts


@attrs.frozen
class TraceStep:
    """A step of a scenario's run: the engine's step and what the scenario expected of it."""

    step: Step
    expect: str | tuple[str, ...] | None
    met: bool
    case: str | None = None  # the named case, in a scenario with cases
    cascade: bool = False  # set off at this case by another case's step (a group's cascade)
    expect_state: str | None = None
    expect_advice: tuple[str, ...] | None = None

    def to_json(self) -> dict[str, Any]:
        st = self.step
        out: dict[str, Any] = {"case": self.case} if self.case is not None else {}
        out |= {
            "index": st.index,
            "event": st.event,
            "at": format_time(st.at),
            "source": st.source,
            "target": st.target,
            "accepted": st.accepted,
            "blocked_by": list(st.blocked_by),
            "advice": list(st.advice),
            "findings": [
                {"rule": f.rule, "kind": f.kind, "message": f.message, "source": f.source} for f in st.findings
            ],
        }
        if st.timer:
            out["timer"] = True
        if self.cascade:
            out["cascade"] = True
        if self.expect is not None:
            out["expect"] = self.expect if isinstance(self.expect, str) else list(self.expect)
        if self.expect_state is not None:
            out["expect_state"] = self.expect_state
        if self.expect_advice is not None:
            out["expect_advice"] = list(self.expect_advice)
        if self.expect is not None or self.expect_state is not None or self.expect_advice is not None:
            out["expectation_met"] = self.met
        return out


@attrs.frozen
class Trace:
    """A scenario's run: every step in order (timer steps included) and whether every expectation held."""

    definition: Definition
    initial_state: str
    final_state: str
    steps: tuple[TraceStep, ...]
    case: Case = attrs.field(eq=False, repr=False)
    final_states: Mapping[str, str] | None = None  # each named case's state, in a scenario with cases
    group: Any = attrs.field(default=None, eq=False, repr=False)  # the ``CaseGroup``, in a scenario with cases

    @property
    def expectations_met(self) -> bool:
        return all(t.met for t in self.steps)

    @property
    def blocked(self) -> tuple[TraceStep, ...]:
        return tuple(t for t in self.steps if not t.step.accepted)

    @property
    def blocked_offered(self) -> tuple[TraceStep, ...]:
        """Blocked steps the scenario itself offered: not a timer refused on its own, nor another case's cascade."""
        return tuple(t for t in self.blocked if not t.step.timer and not t.cascade)

    def to_json(self) -> dict[str, Any]:
        out = {
            "definition": self.definition.name,
            "version": self.definition.version,
            "initial_state": self.initial_state,
            "final_state": self.final_state,
            "steps": [t.to_json() for t in self.steps],
            "expectations_met": self.expectations_met,
        }
        if self.final_states is not None:
            out["final_states"] = dict(self.final_states)
        return out


def expectation_met(step: Step, expect: str | tuple[str, ...] | None) -> bool:
    """``accepted``/``blocked``, or a list of rule ids that must all be among the step's refusals."""
    if expect is None:
        return True
    if expect == "accepted":
        return step.accepted
    if expect == "blocked":
        return not step.accepted
    return not step.accepted and set(expect) <= set(step.blocked_by)


def load_scenario(path: str | Path | None = None, *, text: str | None = None, file: str | None = None) -> Scenario:
    """Read a scenario and check all of it (definition, every event and payload) before anything runs."""
    if text is not None:
        located = parse(text, file=file, error=ScenarioError)
        base = None
    else:
        assert path is not None
        located = read(path, error=ScenarioError)
        base = Path(path).parent
    return build_scenario(located, base)


def _definition_for(ref: str, base: Path | None) -> Definition:
    """The scenario's ``definition:``, by the one rule for references (``workflow.io.load.is_path``): a built-in's
    name, or a file given as a path, relative to the scenario file's folder (not the caller's)."""
    return load_file(resolve(ref, base=base))


def build_scenario(located: Located, base: Path | None) -> Scenario:
    from workflow.errors import DefinitionError, NotFound

    data, faults = structure(located.data, ScenarioDoc)
    problems = [located.problem(p, m) for p, m in faults]
    if data is None:
        raise ScenarioError(sorted(problems, key=lambda p: p.line or 0))
    try:
        defn = _definition_for(data.definition, base)
    except NotFound as e:
        raise ScenarioError([located.problem(("definition",), str(e))]) from e
    except DefinitionError as e:
        raise ScenarioError([located.problem(("definition",), f"the definition is broken: {e}")]) from e
    comp = compiled(defn)
    cases = _scenario_cases(located, defn, data, problems)
    steps = []
    for i, raw in enumerate(data.steps):
        path = ("steps", i)
        event = raw.event
        if cases and raw.case is None:
            problems.append(located.problem((*path, "case"), f"missing: which case is this for? ({', '.join(cases)})"))
        elif raw.case is not None and raw.case not in cases:
            known = f"known: {', '.join(cases)}" if cases else "this scenario names no cases"
            problems.append(located.problem((*path, "case"), f"unknown case '{raw.case}' ({known})"))
        payload: Mapping[str, Any] = raw.with_  # kept as written; checked here, structured when fired
        if event not in comp.payloads:
            problems.append(
                located.problem((*path, "event"), f"unknown event '{event}' (known: {', '.join(defn.event_names)})")
            )
        else:
            try:
                comp.check_payload(event, payload)
            except PayloadError as e:
                for pr in e.problems:
                    sub = tuple(int(x) if x.isdigit() else x for x in _split(pr.path))
                    problems.append(located.problem((*path, "with", *sub), pr.message))
        if isinstance(raw.expect, tuple):
            for j, rule_id in enumerate(raw.expect):
                if rule_id not in defn.rule_ids():
                    problems.append(
                        located.problem((*path, "expect", j), f"rule '{rule_id}' is not used by '{defn.name}'")
                    )
        if raw.expect_state is not None and raw.expect_state not in defn.state_names:
            problems.append(
                located.problem(
                    (*path, "expect_state"),
                    f"unknown state '{raw.expect_state}' (known: {', '.join(defn.state_names)})",
                )
            )
        advice_ids = {a.rule.id for a in defn.advice}
        for j, rule_id in enumerate(raw.expect_advice or ()):
            if rule_id not in advice_ids:
                problems.append(
                    located.problem(
                        (*path, "expect_advice", j),
                        f"'{rule_id}' is not advice '{defn.name}' gives (known: {', '.join(sorted(advice_ids))})",
                    )
                )
        if raw.after is not None:
            try:
                parse_duration(raw.after)
            except ValueError as e:
                problems.append(located.problem((*path, "after"), str(e)))
        steps.append(
            ScenarioStep(
                event=event,
                payload=payload,
                after=raw.after,
                at=raw.at,
                expect=raw.expect,
                description=raw.description,
                line=located.line(path),
                case=raw.case,
                expect_state=raw.expect_state,
                expect_advice=raw.expect_advice,
            )
        )
    facts: Mapping[str, Any] = data.facts
    if facts:
        try:
            facts = compiled(defn).check_facts(facts)
        except PayloadError as e:
            for pr in e.problems:
                problems.append(located.problem(("facts", *_split(pr.path)), pr.message))
    start = data.start if data.start is not None else parse_timestamp(DEFAULT_START)
    assert start is not None  # DEFAULT_START is a valid timestamp
    _check_times(located, start, comp.holidays, data.steps, problems)
    if problems:
        raise ScenarioError(problems)
    return Scenario(
        definition=defn,
        steps=tuple(steps),
        start=start,
        facts=facts,
        description=data.description,
        file=located.file,
        cases=cases,
    )


def _scenario_cases(
    located: Located, defn: Definition, data: ScenarioDoc, problems: list[Any]
) -> dict[str, Mapping[str, Any]]:
    """The named cases and their facts: the scenario's ``facts`` for every case, overlaid by the case's own."""
    out: dict[str, Mapping[str, Any]] = {}
    for name, spec in data.cases.items():
        try:
            out[name] = compiled(defn).check_facts({**data.facts, **spec.facts})
        except PayloadError as e:
            for pr in e.problems:
                problems.append(located.problem(("cases", name, "facts", *_split(pr.path)), pr.message))
            out[name] = {}
    return out


def _check_times(located: Located, start: dt.datetime, holidays: Any, raw_steps: Any, problems: list[Any]) -> None:
    """A step's ``at`` may not lie before the scenario's clock at that step (after its ``after``)."""
    clock = SimulatedClock(start, holidays=holidays)
    for i, raw in enumerate(raw_steps):
        if raw.after is not None:
            try:
                duration = parse_duration(raw.after)
            except ValueError:
                continue  # a bad duration is reported with its step
            try:
                clock.advance(duration)
            except TimeOutOfRange as e:
                problems.append(located.problem(("steps", i, "after"), str(e)))
                return  # the clock cannot go on; later steps have no time to check against
        at = raw.at
        if at is None:
            continue
        if at < clock.now():
            problems.append(
                located.problem(
                    ("steps", i, "at"),
                    f"{format_time(at)} is before the scenario's clock at this step ({format_time(clock.now())}); "
                    "time only moves forward",
                )
            )
        else:
            clock.set(at)


def _split(path: str) -> list[str]:
    return [p for p in path.replace("[", ".").replace("]", "").split(".") if p]


def run_scenario(scenario: Scenario) -> Trace:
    """Run every step on a simulated clock; timers that fall due on the way appear as their own steps."""
    if scenario.cases:
        return _run_group(scenario)
    clock = SimulatedClock(scenario.start, holidays=compiled(scenario.definition).holidays)
    case = Case(scenario.definition, clock=clock, facts=scenario.facts or None)
    out: list[TraceStep] = []
    for i, sc in enumerate(scenario.steps):
        with _located(scenario, i, sc):
            _move_clock(clock, sc)
            for timer_step in case.advance():
                out.append(TraceStep(step=timer_step, expect=None, met=True))
            step = case.fire_payload(sc.event, sc.payload)
        out.append(_traced(step, sc))
    return Trace(
        definition=scenario.definition,
        initial_state=scenario.definition.initial.name,
        final_state=case.state,
        steps=tuple(out),
        case=case,
    )


def _move_clock(clock: SimulatedClock, sc: ScenarioStep) -> None:
    """Move the scenario's clock to step ``sc``: by its ``after``, then to its ``at`` (never backwards)."""
    if sc.after is not None:
        clock.advance(parse_duration(sc.after))
    if sc.at is not None and sc.at > clock.now():
        clock.set(sc.at)


@contextlib.contextmanager
def _located(scenario: Scenario, index: int, sc: ScenarioStep) -> Iterator[None]:
    """A date pushed past the year 9999 while running step ``index`` becomes a ``ScenarioError`` at that step."""
    try:
        yield
    except TimeOutOfRange as e:
        problem = Problem(message=str(e), path=f"steps[{index}]", line=sc.line, file=scenario.file)
        raise ScenarioError([problem]) from e


def _traced(step: Step, sc: ScenarioStep, case: str | None = None) -> TraceStep:
    return TraceStep(
        step=step,
        expect=sc.expect,
        met=sc.met(step),
        case=case,
        expect_state=sc.expect_state,
        expect_advice=sc.expect_advice,
    )


def _run_group(scenario: Scenario) -> Trace:
    """A scenario with named cases: one group, each step fired at its case; a cascade's steps follow the step."""
    from workflow.run.group import CaseGroup

    clock = SimulatedClock(scenario.start, holidays=compiled(scenario.definition).holidays)
    group = CaseGroup(scenario.definition, scenario.cases, clock=clock, facts=scenario.cases)
    out: list[TraceStep] = []
    for i, sc in enumerate(scenario.steps):
        assert sc.case is not None  # checked when the scenario was loaded
        with _located(scenario, i, sc):
            _move_clock(clock, sc)
            for name, member in group.items():
                out.extend(TraceStep(step=t, expect=None, met=True, case=name) for t in member.advance())
            result = group.fire_payload(sc.case, sc.event, sc.payload)
        out.append(_traced(result.step, sc, case=sc.case))
        out.extend(TraceStep(step=st, expect=None, met=True, case=n, cascade=True) for n, st in result.cascaded)
    first = next(iter(scenario.cases))
    return Trace(
        definition=scenario.definition,
        initial_state=scenario.definition.initial.name,
        final_state=group[first].state,
        steps=tuple(out),
        case=group[first],
        final_states=group.states(),
        group=group,
    )


def simulate(path: str | Path) -> Trace:
    """Load and run a scenario file."""
    return run_scenario(load_scenario(path))
