"""The scenario format: ``after`` units, ``at``, ``expect``, ``facts``, definition paths, and what is an error."""

from __future__ import annotations

from pathlib import Path

import pytest

import workflow
from workflow.amazon.rules import REGISTRY
from workflow.core.clock import DEFAULT_START, format_time
from workflow.errors import Problem, ScenarioError
from workflow.run.scenario import Trace, expectation_met

FRIDAY = "2026-03-06T09:00:00Z"
SUSPEND = "  - event: suspend\n    with: {reason_class: performance, issues: [order_defect_rate]}\n"
POA = """\
      to: seller_performance
      channel: email
      poa:
        root_causes: [{issue: order_defect_rate, text: "late carrier hand-off in December"}]
        corrective_actions: ["moved to two-day carrier pickup"]
        preventive_measures: ["daily late-shipment report reviewed by the owner"]
        documents: [{kind: invoice, genuine: true}]
"""
# suspended, an accepted POA, a rejection: the case is 'rejected' and escalate is the next question
REJECTED = f"{SUSPEND}  - event: submit_poa\n    with:\n{POA}  - event: reject\n"


def scenario(steps: str, *, start: str | None = FRIDAY, extra: str = "") -> str:
    head = "definition: account_suspension\n"
    if start is not None:
        head += f"start: {start}\n"
    return head + extra + "steps:\n" + steps


def run(text: str) -> Trace:
    return workflow.run_scenario(workflow.load_scenario(text=text))


def problems(text: str) -> tuple[Problem, ...]:
    with pytest.raises(ScenarioError) as info:
        workflow.load_scenario(text=text, file="s.yaml")
    return info.value.problems


def located(text: str) -> list[tuple[str, int | None]]:
    return [(p.path, p.line) for p in problems(text)]


# ------------------------------------------------------------------------------------------ after


@pytest.mark.parametrize(
    ("after", "at"),
    [
        ("1d", "2026-03-07T09:00:00Z"),
        ("12h", "2026-03-06T21:00:00Z"),
        ("1d12h", "2026-03-07T21:00:00Z"),
        ("1bd", "2026-03-09T09:00:00Z"),  # Friday + one business day is Monday
        ("5bd", "2026-03-13T09:00:00Z"),
        ("2", "2026-03-08T09:00:00Z"),  # a bare number counts days
        ("0d", FRIDAY),
    ],
)
def test_after_units(after: str, at: str) -> None:
    """``after`` moves the simulated clock by days (d), hours (h) or business days (bd) before the step."""
    trace = run(scenario(SUSPEND.replace("  - event: suspend\n", f"  - event: suspend\n    after: {after}\n")))
    assert format_time(trace.steps[0].step.at) == at


def test_after_accumulates() -> None:
    """Each step's ``after`` counts from the step before."""
    steps = SUSPEND + "".join(
        f"  - event: contact_seller_support\n    after: {a}\n" for a in ("1bd", "12h", "2d", "1bd")
    )
    trace = run(scenario(steps))
    assert [format_time(t.step.at) for t in trace.steps] == [
        FRIDAY,
        "2026-03-09T09:00:00Z",
        "2026-03-09T21:00:00Z",
        "2026-03-11T21:00:00Z",
        "2026-03-12T21:00:00Z",
    ]


def test_business_days_skip_the_definitions_holidays(tmp_path: Path) -> None:
    """``bd`` skips weekends and the holidays the definition lists."""
    defn = tmp_path / "holiday.yaml"
    defn.write_text(
        "name: holiday\nversion: '1'\nparameters: {holidays: ['2026-03-09']}\n"
        "states: {open: {initial: true}, closed: {terminal: true}}\n"
        "events: {close: {}}\ntransitions: [{event: close, from: open, to: closed}]\n"
    )
    (tmp_path / "s.yaml").write_text(
        f"definition: holiday.yaml\nstart: {FRIDAY}\nsteps:\n  - event: close\n    after: 1bd\n"
    )
    trace = workflow.simulate(tmp_path / "s.yaml")
    assert format_time(trace.steps[0].step.at) == "2026-03-10T09:00:00Z"  # Monday is a holiday


@pytest.mark.parametrize("after", ["3x", "1.5d", "d", "soon", "-1", "''", "[1d]"])
def test_bad_after_is_located(after: str) -> None:
    """A duration that is not one, a negative number or a list: a problem at the step's ``after``."""
    text = scenario(SUSPEND + f"  - event: contact_seller_support\n    after: {after}\n")
    assert located(text) == [("steps[1].after", 7)]


def test_bad_duration_message_says_what_is_expected() -> None:
    """The message quotes the value and gives examples of durations."""
    (problem,) = problems(scenario(SUSPEND + "  - event: reject\n    after: 3 fortnights\n"))
    assert problem.message.startswith("not a duration: '3 fortnights' (expected e.g. 3d, 12h, 5bd")


# ------------------------------------------------------------------------------------------ at and start


def test_at_sets_the_clock() -> None:
    """``at`` moves the clock to a timestamp; a bare date is midnight UTC; offsets are converted to UTC."""
    steps = (
        SUSPEND
        + "  - event: contact_seller_support\n    at: 2026-03-10T10:00:00+02:00\n"
        + "  - event: contact_seller_support\n    at: 2026-04-01\n"
        + "  - event: contact_seller_support\n    after: 1h\n"
    )
    trace = run(scenario(steps))
    assert [format_time(t.step.at) for t in trace.steps] == [
        FRIDAY,
        "2026-03-10T08:00:00Z",
        "2026-04-01T00:00:00Z",
        "2026-04-01T01:00:00Z",
    ]


def test_at_after_the_steps_after() -> None:
    """A step with both: ``after`` first, then ``at`` (which may not lie before it)."""
    steps = SUSPEND + "  - event: contact_seller_support\n    after: 1d\n    at: 2026-03-08T00:00:00Z\n"
    trace = run(scenario(steps))
    assert format_time(trace.steps[1].step.at) == "2026-03-08T00:00:00Z"


def test_at_in_the_past_is_an_error() -> None:
    """Time only moves forward: an ``at`` before the clock at that step is refused, not silently ignored."""
    steps = SUSPEND + "  - event: contact_seller_support\n    after: 3d\n    at: 2026-03-08T00:00:00Z\n"
    (problem,) = problems(scenario(steps))
    assert (problem.path, problem.line) == ("steps[1].at", 8)
    assert problem.message == (
        "2026-03-08T00:00:00Z is before the scenario's clock at this step (2026-03-09T09:00:00Z); "
        "time only moves forward"
    )


def test_at_before_start_is_an_error() -> None:
    """An ``at`` before ``start`` is refused too."""
    steps = SUSPEND.replace("  - event: suspend\n", "  - event: suspend\n    at: 2026-01-01T00:00:00Z\n")
    assert located(scenario(steps)) == [("steps[0].at", 5)]


@pytest.mark.parametrize("value", ["next tuesday", "2026-13-01T00:00:00Z", "[2026-03-01]"])
def test_bad_timestamps(value: str) -> None:
    """A ``start`` or ``at`` that is not a timestamp (or looks like one but is no date) is located by its line."""
    (problem,) = problems(scenario(SUSPEND, start=value))
    assert problem.line == 2
    assert problem.path in ("start", "")  # "" when YAML itself refuses the timestamp
    text = scenario(SUSPEND.replace("  - event: suspend\n", f"  - event: suspend\n    at: {value}\n"))
    (problem,) = problems(text)
    assert problem.line == 5
    assert problem.path in ("steps[0].at", "")


def test_start_is_optional() -> None:
    """Without ``start`` the clock starts at the documented default."""
    trace = run(scenario(SUSPEND, start=None))
    assert format_time(trace.steps[0].step.at) == DEFAULT_START


# ------------------------------------------------------------------------------------------ expect


def escalate_expecting(expect: str) -> Trace:
    return run(scenario(REJECTED + f"  - event: escalate\n    expect: {expect}\n"))


def test_expect_blocked_and_accepted() -> None:
    """``blocked`` holds for a refused step and ``accepted`` does not; the other way round for an accepted one."""
    assert escalate_expecting("blocked").expectations_met
    assert not escalate_expecting("accepted").expectations_met
    trace = run(scenario(SUSPEND.replace("  - event: suspend\n", "  - event: suspend\n    expect: accepted\n")))
    assert trace.expectations_met
    trace = run(scenario(SUSPEND.replace("  - event: suspend\n", "  - event: suspend\n    expect: blocked\n")))
    assert not trace.expectations_met


def test_expect_rule_ids_must_all_have_refused() -> None:
    """A list of rule ids holds when every one of them is among the refusals (a subset is enough)."""
    assert escalate_expecting("[escalate.letter, escalate.strong_poa]").expectations_met
    assert escalate_expecting("[escalate.strong_poa]").expectations_met
    assert not escalate_expecting("[escalate.letter, escalate.once]").expectations_met


def test_expect_rule_ids_on_an_accepted_step_fails() -> None:
    """A list of rule ids expects a refusal: an accepted step does not meet it."""
    trace = run(
        scenario(SUSPEND.replace("  - event: suspend\n", "  - event: suspend\n    expect: [fraud.no_appeal]\n"))
    )
    assert trace.steps[0].step.accepted
    assert not trace.expectations_met


def test_expectation_met_function() -> None:
    """``expectation_met`` is the rule the CLI's exit status follows."""
    blocked = escalate_expecting("blocked").steps[-1].step
    assert set(blocked.blocked_by) == {"escalate.letter", "escalate.strong_poa"}
    assert expectation_met(blocked, None)
    assert expectation_met(blocked, "blocked")
    assert not expectation_met(blocked, "accepted")
    assert expectation_met(blocked, ("escalate.letter",))
    assert not expectation_met(blocked, ("escalate.letter", "escalate.once"))


def test_trace_json_records_the_expectation() -> None:
    """Each step with an expectation says what it expected and whether that held."""
    trace = escalate_expecting("[escalate.letter]")
    last = trace.to_json()["steps"][-1]
    assert last["expect"] == ["escalate.letter"]
    assert last["expectation_met"] is True
    assert trace.to_json()["expectations_met"] is True


@pytest.mark.parametrize("expect", ["maybe", "escalate.letter", "[]", "3", "{rule: x}"])
def test_bad_expect_is_located(expect: str) -> None:
    """``expect`` other than accepted, blocked or a non-empty list of rule ids is a problem at the step."""
    paths = [p for p, _ in located(scenario(REJECTED + f"  - event: escalate\n    expect: {expect}\n"))]
    assert paths == ["steps[3].expect"]


def test_expect_rule_the_definition_does_not_use() -> None:
    """A rule id in ``expect`` the definition never uses is an error at that item, even a registered one."""
    defn = workflow.load("account_suspension")
    elsewhere = sorted(r for r in REGISTRY if r not in defn.rule_ids())
    assert elsewhere, "some registered rule is not used by account_suspension"
    text = scenario(REJECTED + f"  - event: escalate\n    expect: [escalate.letter, escalate.twice, {elsewhere[0]}]\n")
    assert [(p.path, p.line, p.message) for p in problems(text)] == [
        ("steps[3].expect[1]", 17, "rule 'escalate.twice' is not used by 'account_suspension'"),
        ("steps[3].expect[2]", 17, f"rule '{elsewhere[0]}' is not used by 'account_suspension'"),
    ]


# ------------------------------------------------------------------------------------------ facts


def test_facts_start_the_case() -> None:
    """``facts: {escalations: 1}``: the case has already escalated once, so escalate.once refuses."""
    fresh = escalate_expecting("blocked").steps[-1].step
    assert "escalate.once" not in fresh.blocked_by
    trace = run(scenario(REJECTED + "  - event: escalate\n", extra="facts: {escalations: 1}\n"))
    assert "escalate.once" in trace.steps[-1].step.blocked_by
    assert trace.case.facts["escalations"] == 1


def test_unknown_and_mistyped_facts_are_located() -> None:
    """A fact the definition does not declare, and one of the wrong type, are problems under ``facts``."""
    text = scenario(SUSPEND, extra="facts: {escalations: two, colour: red}\n")
    paths = sorted(p for p, _ in located(text))
    assert paths == ["facts.colour", "facts.escalations"]
    assert all(line == 3 for _, line in located(text))


# ------------------------------------------------------------------------------------------ definition


def write_definition(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "door.yaml"
    path.write_text(
        "name: door\nversion: '1'\n"
        "states: {shut: {initial: true}, open: {}, gone: {terminal: true}}\n"
        "events: {open: {}, shut: {}, remove: {}}\n"
        "transitions:\n"
        "  - {event: open, from: shut, to: open}\n"
        "  - {event: shut, from: open, to: shut}\n"
        "  - {event: remove, from: [shut, open], to: gone}\n"
    )
    return path


def test_definition_path_relative_to_the_scenario(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``definition: ../defs/door.yaml`` is found from the scenario's folder, whatever the working directory."""
    defn_path = write_definition(tmp_path / "defs")
    scen = tmp_path / "scenarios" / "s.yaml"
    scen.parent.mkdir()
    scen.write_text("definition: ../defs/door.yaml\nsteps:\n  - event: open\n  - event: remove\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    loaded = workflow.load_scenario(scen)
    assert loaded.definition.name == "door"
    assert Path(loaded.definition.origin or "").resolve() == defn_path.resolve()
    assert workflow.run_scenario(loaded).final_state == "gone"


def test_definition_path_is_not_looked_up_from_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A path that exists only relative to the working directory is not found: the scenario's folder counts."""
    write_definition(tmp_path / "defs")
    scen = tmp_path / "scenarios" / "s.yaml"
    scen.parent.mkdir()
    scen.write_text("definition: defs/door.yaml\nsteps:\n  - event: open\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ScenarioError) as info:
        workflow.load_scenario(scen)
    (problem,) = info.value.problems
    assert (problem.path, problem.line, problem.file) == ("definition", 1, str(scen))
    assert problem.message.startswith("no such definition file: ")
    assert problem.message.endswith(str(Path("scenarios") / "defs" / "door.yaml"))


def test_broken_definition_is_a_scenario_problem(tmp_path: Path) -> None:
    """A scenario naming a broken definition file reports it at ``definition``, quoting the first fault."""
    broken = write_definition(tmp_path)
    broken.write_text(broken.read_text().replace("to: gone}", "to: gon}"))
    scen = tmp_path / "s.yaml"
    scen.write_text("definition: door.yaml\nsteps:\n  - event: open\n")
    with pytest.raises(ScenarioError) as info:
        workflow.load_scenario(scen)
    (problem,) = info.value.problems
    assert problem.path == "definition"
    assert problem.message.startswith(f"the definition is broken: {broken}:8 transitions[2].to: unknown state 'gon'")


def test_events_are_checked_against_the_named_definition(tmp_path: Path) -> None:
    """Events and rule ids are those of the scenario's own definition."""
    write_definition(tmp_path)
    scen = tmp_path / "s.yaml"
    scen.write_text("definition: door.yaml\nsteps:\n  - event: open\n  - event: suspend\n")
    with pytest.raises(ScenarioError) as info:
        workflow.load_scenario(scen)
    (problem,) = info.value.problems
    assert (problem.path, problem.message) == ("steps[1].event", "unknown event 'suspend' (known: open, shut, remove)")


# ------------------------------------------------------------------------------------------ unknown keys, all at once


def test_unknown_top_level_key() -> None:
    """An unknown top-level key is an error naming the known ones."""
    (problem,) = problems(scenario(SUSPEND, extra="colour: red\n"))
    assert (problem.path, problem.line) == ("colour", 3)
    assert problem.message.startswith("unknown field 'colour' (known: definition, start, facts,")
    assert "steps" in problem.message


def test_unknown_step_key() -> None:
    """``payload:`` instead of ``with:`` is an error at the step, not an ignored key."""
    text = scenario("  - event: suspend\n    payload: {reason_class: performance}\n")
    (problem,) = problems(text)
    assert (problem.path, problem.line) == ("steps[0].payload", 5)
    assert problem.message.startswith("unknown field 'payload' (known: event,")


def test_payload_on_an_event_without_one() -> None:
    """A field given to an event that declares none is an unknown field."""
    assert located(scenario(REJECTED.replace("  - event: reject\n", "  - event: reject\n    with: {why: x}\n"))) == [
        ("steps[2].with.why", 16)
    ]


def test_every_problem_at_once() -> None:
    """An unknown event, a bad duration and an unknown expected rule are three problems in one error."""
    text = scenario(
        SUSPEND + "  - event: nope\n  - event: reject\n    after: soon\n  - event: escalate\n    expect: [no.such]\n"
    )
    assert located(text) == [("steps[1].event", 6), ("steps[2].after", 8), ("steps[3].expect[0]", 10)]


def test_steps_are_required() -> None:
    """A scenario without ``steps`` says so."""
    (problem,) = problems("definition: account_suspension\n")
    assert (problem.path, problem.message) == ("steps", "missing required field")


# ------------------------------------------------------------------------------------------ expect_state, expect_advice


def test_expect_state_holds_when_the_case_is_there() -> None:
    """``expect_state`` names the state after the step; the expectation holds when the case is there."""
    trace = run(scenario(SUSPEND + "    expect_state: suspended\n"))
    assert trace.expectations_met
    assert trace.steps[0].to_json()["expect_state"] == "suspended"


def test_expect_state_fails_when_the_case_is_elsewhere() -> None:
    """A step accepted into another state than ``expect_state`` names does not meet its expectation."""
    trace = run(scenario(SUSPEND + "    expect: accepted\n    expect_state: warning\n"))
    assert not trace.expectations_met
    assert trace.steps[0].to_json()["expectation_met"] is False


def test_expect_advice_must_be_among_the_steps_advice() -> None:
    """``expect_advice`` lists advice the step must carry; missing advice fails the expectation."""
    asks = "  - event: contact_seller_support\n    expect_advice: [advice.seller_support]\n"
    assert run(scenario(SUSPEND + asks)).expectations_met
    jeff = REJECTED + "  - event: escalate\n    with: {target: executive_seller_relations}\n"
    trace = run(scenario(jeff + "    expect_advice: [advice.jeff_premature]\n"))
    assert not trace.expectations_met


def test_expect_state_and_advice_are_checked_when_loaded() -> None:
    """An unknown state in ``expect_state`` or a rule that gives no advice in ``expect_advice`` is located."""
    text = scenario(SUSPEND + "    expect_state: suspendd\n    expect_advice: [poa.complete]\n")
    found = {p.path: p.message for p in problems(text)}
    assert found["steps[0].expect_state"].startswith("unknown state 'suspendd' (known: active, warning,")
    assert found["steps[0].expect_advice[0]"].startswith("'poa.complete' is not advice 'account_suspension' gives")
