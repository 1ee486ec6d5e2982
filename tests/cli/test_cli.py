"""The command line: the simulate JSON contract, exit statuses, one-line input errors, and every command's help."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import click
import pytest
from _cli import run, write
from click.testing import Result
from workflow_cli.main import main

import workflow
from workflow.amazon.rules import REGISTRY
from workflow.io.load import builtin_names

POA = """\
      poa:
        root_causes: [{issue: order_defect_rate, text: "late carrier hand-off in December"}]
        corrective_actions: ["moved to two-day carrier pickup"]
        preventive_measures: ["daily late-shipment report reviewed by the owner"]
        documents: [{kind: invoice, genuine: true}]
"""

# The example of the scenario contract: suspended, a POA, a rejection, then an escalation without payload.
DESIGN_EXAMPLE = f"""\
definition: account_suspension
start: 2026-03-02T09:00:00Z
steps:
  - event: suspend
    with: {{reason_class: performance, issues: [order_defect_rate]}}
  - event: submit_poa
    after: 1d
    with:
      to: seller_performance
      channel: email
{POA}  - event: reject
    after: 2bd
  - event: escalate
    expect: [escalate.letter, escalate.strong_poa]
"""

CONTRACT_TOP = {"definition", "version", "initial_state", "final_state", "steps", "expectations_met"}
CONTRACT_STEP = {"index", "event", "at", "source", "target", "accepted", "blocked_by", "advice"}
ISO_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


def simulate_json(path: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    result = run("simulate", "--scenario", path, "--json", *extra)
    assert result.stderr == ""
    return result.exit_code, json.loads(result.stdout)


def assert_one_line_error(result: Result, *fragments: str) -> str:
    """Exit 2, nothing on stdout, exactly one line on stderr that holds every fragment, no traceback."""
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert result.stdout == ""
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


# ------------------------------------------------------------------------------------------ simulate --json


def test_simulate_json_contract(tmp_path: Path) -> None:
    """The JSON object has the contract's keys, with steps indexed, timestamps ISO with Z, and rule ids sorted."""
    code, out = simulate_json(write(tmp_path, DESIGN_EXAMPLE))
    assert code == 0
    assert set(out) >= CONTRACT_TOP
    assert out["definition"] == "account_suspension"
    assert out["version"] == workflow.load("account_suspension").version
    assert out["initial_state"] == "active"
    assert out["final_state"] == "rejected"
    assert out["expectations_met"] is True
    assert [s["index"] for s in out["steps"]] == [0, 1, 2, 3]
    assert [s["event"] for s in out["steps"]] == ["suspend", "submit_poa", "reject", "escalate"]
    for step in out["steps"]:
        assert set(step) >= CONTRACT_STEP
        assert ISO_Z.match(step["at"]), step["at"]
        assert isinstance(step["accepted"], bool)
        assert step["blocked_by"] == sorted(step["blocked_by"])
        assert step["advice"] == sorted(step["advice"])
        assert step["accepted"] == (not step["blocked_by"])
    assert {k: out["steps"][0][k] for k in CONTRACT_STEP} == {
        "index": 0,
        "event": "suspend",
        "at": "2026-03-02T09:00:00Z",
        "source": "active",
        "target": "suspended",
        "accepted": True,
        "blocked_by": [],
        "advice": [],
    }
    assert [s["at"] for s in out["steps"]] == [
        "2026-03-02T09:00:00Z",
        "2026-03-03T09:00:00Z",  # after: 1d
        "2026-03-05T09:00:00Z",  # after: 2bd from a Tuesday
        "2026-03-05T09:00:00Z",
    ]


def test_design_example_escalation_without_payload_is_blocked(tmp_path: Path) -> None:
    """After a rejection, escalate without a payload is blocked by escalate.letter and escalate.strong_poa."""
    code, out = simulate_json(write(tmp_path, DESIGN_EXAMPLE))
    escalate = out["steps"][3]
    assert {k: escalate[k] for k in CONTRACT_STEP} == {
        "index": 3,
        "event": "escalate",
        "at": "2026-03-05T09:00:00Z",
        "source": "rejected",
        "target": "rejected",
        "accepted": False,
        "blocked_by": ["escalate.letter", "escalate.strong_poa"],
        "advice": [],
    }
    assert code == 0


STRONG_ESCALATION_TO_JEFF = """\
  - event: escalate
    with:
      target: jeff
      poa:
        root_causes: [{issue: order_defect_rate, text: "late hand-off, traced to one warehouse shift"}]
        corrective_actions: ["moved to two-day carrier pickup", "second carrier contracted"]
        preventive_measures: ["daily late-shipment report reviewed by the owner"]
        documents: [{kind: invoice, genuine: true}]
      letter:
        asks_for: senior_investigator
        key_actions: ["moved to two-day carrier pickup", "second carrier contracted"]
        text: my lawyer will call
"""


def test_advice_ids_are_sorted(tmp_path: Path) -> None:
    """An accepted step with two pieces of advice lists both rule ids, sorted."""
    text = DESIGN_EXAMPLE.split("  - event: escalate", maxsplit=1)[0] + STRONG_ESCALATION_TO_JEFF
    _, out = simulate_json(write(tmp_path, text))
    last = out["steps"][-1]
    assert (last["event"], last["accepted"], last["target"]) == ("escalate", True, "escalated")
    assert last["advice"] == ["advice.jeff_premature", "advice.no_legal_action"]
    assert out["final_state"] == "escalated"


def test_expectation_not_met_exits_1(tmp_path: Path) -> None:
    """``expect: accepted`` on a blocked step: exit 1, and the JSON says expectations_met false."""
    text = DESIGN_EXAMPLE.replace("expect: [escalate.letter, escalate.strong_poa]", "expect: accepted")
    code, out = simulate_json(write(tmp_path, text))
    assert code == 1
    assert out["expectations_met"] is False


def test_expected_rule_not_among_the_refusals_exits_1(tmp_path: Path) -> None:
    """A list of rule ids must all be among the refusals: one that did not refuse fails the expectation."""
    text = DESIGN_EXAMPLE.replace("[escalate.letter, escalate.strong_poa]", "[escalate.letter, escalate.once]")
    code, out = simulate_json(write(tmp_path, text))
    assert code == 1
    assert out["expectations_met"] is False


def test_strict_fails_on_any_blocked_step(tmp_path: Path) -> None:
    """A blocked step that was expected: exit 0, but 1 with --strict; the text output says the same."""
    path = write(tmp_path, DESIGN_EXAMPLE)
    assert run("simulate", "--scenario", path).exit_code == 0
    strict = run("simulate", "--scenario", path, "--strict")
    assert strict.exit_code == 1
    assert "1 blocked" in strict.stdout
    assert simulate_json(path, "--strict")[0] == 1


def test_strict_passes_when_nothing_is_blocked(tmp_path: Path) -> None:
    """--strict with every step accepted exits 0."""
    text = DESIGN_EXAMPLE.split("  - event: escalate", maxsplit=1)[0]
    code, out = simulate_json(write(tmp_path, text), "--strict")
    assert code == 0
    assert all(s["accepted"] for s in out["steps"])


def test_text_output_names_every_step(tmp_path: Path) -> None:
    """The table lists each event, the refusing rules with their sources, and the verdict."""
    result = run("simulate", "--scenario", write(tmp_path, DESIGN_EXAMPLE))
    assert result.exit_code == 0
    for event in ("suspend", "submit_poa", "reject", "escalate"):
        assert event in result.stdout
    assert "BLOCKED" in result.stdout
    assert "escalate.letter" in result.stdout and "escalate.strong_poa" in result.stdout
    assert "final state: rejected" in result.stdout
    assert "all expectations met" in result.stdout


# ------------------------------------------------------------------------------------------ input errors: exit 2

HEAD = "definition: account_suspension\nsteps:\n"


def test_missing_scenario_file(tmp_path: Path) -> None:
    """A scenario file that does not exist: exit 2, one line naming it."""
    missing = tmp_path / "nope.yaml"
    assert_one_line_error(run("simulate", "--scenario", missing), str(missing), "cannot read file")


def test_scenario_that_is_a_directory(tmp_path: Path) -> None:
    """A directory given as the scenario: exit 2, one line naming it, for simulate and explain."""
    assert_one_line_error(run("simulate", "--scenario", tmp_path), f"{tmp_path}: cannot read file")
    assert_one_line_error(run("explain", "--scenario", tmp_path), f"{tmp_path}: cannot read file")


def test_invalid_yaml(tmp_path: Path) -> None:
    """Unclosed brackets: exit 2, one line with the file and the line."""
    path = write(tmp_path, HEAD + "  - event: suspend\n    with: {reason_class: [performance\n")
    line = assert_one_line_error(run("simulate", "--scenario", path), "invalid YAML")
    assert line.startswith(f"workflow: error: {path}:")
    assert re.search(rf"{re.escape(str(path))}:\d+: invalid YAML", line)


def test_unknown_event(tmp_path: Path) -> None:
    """An event the definition does not know: exit 2, file, line and path, and the known events."""
    path = write(tmp_path, HEAD + "  - event: suspend\n  - event: escalat\n")
    assert_one_line_error(
        run("simulate", "--scenario", path),
        f"{path}:4 steps[1].event: unknown event 'escalat' (known: ",
        "escalate",
    )


def test_bad_payload_field(tmp_path: Path) -> None:
    """A misspelt payload field: exit 2, located at the field, listing the known ones."""
    path = write(tmp_path, HEAD + "  - event: suspend\n    with: {reason_class: performance, isues: [x]}\n")
    assert_one_line_error(
        run("simulate", "--scenario", path),
        f"{path}:4 steps[0].with.isues: unknown field 'isues' (known: reason_class, issues, team)",
    )


def test_bad_payload_type(tmp_path: Path) -> None:
    """A payload value of the wrong type: exit 2, what was expected and what came."""
    path = write(tmp_path, HEAD + "  - event: suspend\n    with: {reason_class: performance, issues: 3}\n")
    assert_one_line_error(
        run("simulate", "--scenario", path),
        f"{path}:4 steps[0].with.issues: expected a list of",
        "(got 3 that is an int)",
    )


def test_bad_duration(tmp_path: Path) -> None:
    """``after: 3 fortnights``: exit 2, located at the step's ``after``."""
    path = write(tmp_path, HEAD + "  - event: suspend\n    after: 3 fortnights\n")
    assert_one_line_error(
        run("simulate", "--scenario", path), f"{path}:4 steps[0].after: not a duration: '3 fortnights'"
    )


def test_unknown_definition(tmp_path: Path) -> None:
    """A definition name that is not built in: exit 2, located at ``definition``, with the known names."""
    path = write(tmp_path, "definition: acount_suspension\nsteps:\n  - event: suspend\n")
    assert_one_line_error(
        run("simulate", "--scenario", path),
        f"{path}:1 definition: no built-in definition 'acount_suspension' (known: {', '.join(builtin_names())})",
    )


def test_several_problems_still_one_line(tmp_path: Path) -> None:
    """A scenario with three faults is one line on stderr that counts the others."""
    path = write(tmp_path, HEAD + "  - event: nope\n  - event: suspend\n    after: soon\n  - event: neither\n")
    assert_one_line_error(
        run("simulate", "--scenario", path), f"{path}:3 steps[0].event: unknown event 'nope'", "(and 2 more problems)"
    )


def test_input_errors_exit_2_for_explain_too(tmp_path: Path) -> None:
    """explain maps the same input errors to exit 2 and one line."""
    path = write(tmp_path, HEAD + "  - event: escalat\n")
    assert_one_line_error(run("explain", "--scenario", path), f"{path}:3 steps[0].event: unknown event 'escalat'")


# ------------------------------------------------------------------------------------------ random walks


def walks(*extra: str) -> dict[str, Any]:
    result = run("simulate", "account_suspension", "--random", "25", "--json", *extra)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_random_walks_same_seed_same_json() -> None:
    """Two runs with one seed print the same JSON; another seed prints different walks."""
    first = walks("--seed", "11")
    assert walks("--seed", "11") == first
    assert walks("--seed", "12") != first
    assert first["seed"] == 11
    assert first["walks"] == 25


def test_random_walks_report_adds_up() -> None:
    """Final states and lengths each count every walk; refusals name registered rules."""
    report = walks("--seed", "3")
    assert sum(report["final_states"].values()) == 25
    assert sum(report["lengths"].values()) == 25
    assert report["events"] == sum(int(k) * v for k, v in report["lengths"].items())
    states = {s.name for s in workflow.load("account_suspension").states}
    assert set(report["final_states"]) <= states
    assert set(report["refusals"]) <= set(REGISTRY)
    assert report["refusals"], "25 random walks refuse something"


@pytest.mark.parametrize("definition", builtin_names())
@pytest.mark.parametrize("max_steps", [1, 4])
def test_max_steps_is_honoured(definition: str, max_steps: int) -> None:
    """No walk is longer than --max-steps, timers included."""
    result = run("simulate", definition, "--random", "40", "--seed", "5", "--max-steps", str(max_steps), "--json")
    assert result.exit_code == 0, result.output
    lengths = {int(k) for k in json.loads(result.stdout)["lengths"]}
    assert max(lengths) <= max_steps
    assert min(lengths) >= 1


def test_random_walks_text_report() -> None:
    """The text report shows the final-state distribution, the walk lengths and the refusals by rule."""
    result = run("simulate", "account_suspension", "--random", "10", "--seed", "2")
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("10 random walks of account_suspension (seed 2)")
    assert out.index("final states") < out.index("walk lengths") < out.index("refusals by rule")
    assert re.search(r"\b\d+\.\d%", out)


def test_random_walks_of_an_unknown_definition() -> None:
    """An unknown definition name for --random: exit 2, one line with the known names."""
    assert_one_line_error(run("simulate", "nope", "--random", "3"), "no built-in definition 'nope'", builtin_names()[0])


def test_simulate_needs_a_scenario_or_random() -> None:
    """Neither --scenario nor --random is a usage error (exit 2)."""
    result = run("simulate")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


# ------------------------------------------------------------------------------------------ explain


def test_explain_after_the_design_example(tmp_path: Path) -> None:
    """After the rejection: escalate and submit_poa are allowed (payload permitting); warn is refused by the state."""
    path = write(tmp_path, DESIGN_EXAMPLE)
    result = run("explain", "--scenario", path, "--json")
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    assert out["state"] == out["final_state"] == "rejected"
    assert {"submit_poa", "escalate", "decide_final"} <= set(out["allowed"])
    assert set(out["payload_rules"]["escalate"]) >= {"escalate.letter", "escalate.strong_poa"}
    assert [f["rule"] for f in out["refused"]["warn"]] == ["state.no_transition"]
    assert not set(out["allowed"]) & set(out["refused"])
    text = run("explain", "--scenario", path)
    assert text.exit_code == 0
    assert "after 4 steps the case is 'rejected'" in text.stdout
    assert "allowed now:" in text.stdout and "refused now:" in text.stdout


# ------------------------------------------------------------------------------------------ validate

BROKEN_DEFINITION = """\
name: broken
version: "1"
colour: red
states:
  a: {initial: true}
  done: {terminal: true}
events:
  go: {}
transitions:
  - {event: go, from: a, to: done, colour: blue}
"""


def test_validate_ok_definition_and_scenario(tmp_path: Path) -> None:
    """A good definition file and a good scenario file: each 'ok' with its kind, exit 0."""
    defn = write(
        tmp_path,
        "name: g\nversion: '1'\nstates: {a: {initial: true}, z: {terminal: true}}\n"
        "events: {go: {}}\ntransitions: [{event: go, from: a, to: z}]\n",
        "g.yaml",
    )
    scen = write(tmp_path, DESIGN_EXAMPLE)
    result = run("validate", defn, "--scenario", scen)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"ok {defn} (definition)", f"ok {scen} (scenario)"]


def test_validate_lists_every_problem(tmp_path: Path) -> None:
    """A broken definition: exit 1 and every problem on its own line, with file, line and path."""
    path = write(tmp_path, BROKEN_DEFINITION, "broken.yaml")
    result = run("validate", path)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"invalid {path}: 2 problems"
    assert lines[1].startswith(f"{path}:3 colour: unknown field 'colour'")
    assert lines[2].startswith(f"{path}:10 transitions[0].colour: unknown field 'colour'")
    assert len(lines) == 3


def test_validate_broken_scenario(tmp_path: Path) -> None:
    """A scenario file given with --scenario is checked as one, and its problems are listed; exit 1."""
    path = write(tmp_path, HEAD + "  - event: nope\n  - event: suspend\n    after: soon\n")
    result = run("validate", "--scenario", path)
    assert result.exit_code == 1
    events = ", ".join(workflow.load("account_suspension").event_names)
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    assert lines[0] == f"invalid {path}: 2 problems"
    assert lines[1] == f"{path}:3 steps[0].event: unknown event 'nope' (known: {events})"
    assert lines[2].startswith(f"{path}:5 steps[1].after: not a duration: 'soon'")


def test_validate_checks_flow_style_and_json_scenarios(tmp_path: Path) -> None:
    """A scenario written as one flow mapping, or as JSON, is checked as a scenario."""
    flow = write(tmp_path, "{definition: account_suspension, steps: [{event: nope}]}\n", "flow.yaml")
    as_json = write(tmp_path, json.dumps({"definition": "account_suspension", "steps": [{"event": "warn"}]}), "s.json")
    result = run("validate", "--scenario", flow, "--scenario", as_json)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"invalid {flow}: 1 problem"
    assert lines[1].startswith(f"{flow}:1 steps[0].event: unknown event 'nope'")
    assert lines[2] == f"ok {as_json} (scenario)"


def test_validate_mixed_files_fails_when_any_is_broken(tmp_path: Path) -> None:
    """One good and one broken file: both reported, exit 1."""
    good = write(tmp_path, DESIGN_EXAMPLE)
    bad = write(tmp_path, BROKEN_DEFINITION, "broken.yaml")
    result = run("validate", bad, "--scenario", good)
    assert result.exit_code == 1
    assert f"ok {good} (scenario)" in result.stdout
    assert f"invalid {bad}: 2 problems" in result.stdout


def test_validate_without_arguments_checks_every_builtin() -> None:
    """``workflow validate`` alone checks every built-in definition, all of which are valid."""
    result = run("validate")
    assert result.exit_code == 0, result.output
    for name in builtin_names():
        assert f"ok {name} (definition)" in result.stdout


# ------------------------------------------------------------------------------------------ rules, list


def test_rules_lists_every_rule_with_its_source() -> None:
    """``workflow rules`` shows every registered rule id, its kind and its source."""
    result = run("rules")
    assert result.exit_code == 0
    for rule in REGISTRY.values():
        assert f"{rule.id}  ({rule.kind})" in result.stdout
    assert result.stdout.count("source: ") == len(REGISTRY)
    as_json = json.loads(run("rules", "--json").stdout)
    assert sorted(r["id"] for r in as_json) == sorted(REGISTRY)
    assert all(r["source"] for r in as_json)


def test_rules_of_one_definition() -> None:
    """``workflow rules account_suspension``: exactly the rules it uses, with the events they guard."""
    defn = workflow.load("account_suspension")
    result = run("rules", "account_suspension", "--json")
    assert result.exit_code == 0
    rows = {r["id"]: r for r in json.loads(result.stdout)}
    assert set(rows) >= set(defn.rule_ids())
    assert set(rows) - set(defn.rule_ids()) <= {"state.no_transition", "appeals.closed"}
    assert "escalate" in rows["escalate.letter"]["used_on"]
    assert rows["escalate.letter"]["source"] == "SEED4 [S]"  # the source the definition cites
    text = run("rules", "account_suspension").stdout
    assert "on: escalate" in text


def test_rules_of_an_unknown_definition() -> None:
    """An unknown name: exit 2, one line, even when the name holds a line break."""
    assert_one_line_error(run("rules", "nope"), "no built-in definition 'nope'")
    assert_one_line_error(run("rules", "no\npe"), "no built-in definition 'no\\npe'")


def test_list_shows_every_builtin() -> None:
    """``workflow list`` names every built-in definition with its version."""
    result = run("list")
    assert result.exit_code == 0
    for name in builtin_names():
        assert re.search(rf"^{name}\s+{re.escape(workflow.load(name).version)}\s", result.stdout, re.M), name
    items = json.loads(run("list", "--json").stdout)
    assert {i["name"] for i in items} >= set(builtin_names())


# ------------------------------------------------------------------------------------------ help


def test_top_level_help_lists_every_command() -> None:
    """``workflow --help`` lists every command."""
    result = run("--help")
    assert result.exit_code == 0
    for name in main.commands:
        assert re.search(rf"^\s+{name}\s", result.stdout, re.M), name


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_has_help(name: str) -> None:
    """``workflow CMD --help`` exits 0 and shows the command's usage and its description."""
    command = main.commands[name]
    result = run(name, "--help")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Usage: main {name}") or result.stdout.startswith(f"Usage: workflow {name}")
    assert command.help, f"{name} has no help text"
    first_sentence = " ".join(command.help.split("\n\n")[0].split())
    assert first_sentence in " ".join(result.stdout.split())
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert param.opts[-1] in result.stdout, (name, param.opts)


@pytest.mark.parametrize("command", ["simulate", "rules", "validate", "diagram", "explore", "paths"])
def test_every_definition_argument_states_the_one_rule(command: str) -> None:
    """Each command taking DEFINITION ends its help with the rule workflow.load applies, word for word."""
    from workflow.io.load import REFERENCE_RULE

    result = run(command, "--help")
    assert result.exit_code == 0
    assert "DEFINITION" in result.stdout.splitlines()[0]
    assert " ".join(REFERENCE_RULE.split()) in " ".join(result.stdout.split())


def test_a_definition_file_without_suffix_or_separator_is_taken_as_a_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`workflow rules mini` with ./mini present is a built-in name (not found, exit 2); ./mini is the file."""
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path,
        "name: mini\nversion: '1'\nstates: {a: {initial: true}, z: {terminal: true}}\n"
        "events: {go: {}}\ntransitions: [{event: go, from: a, to: z}]\n",
        "mini",
    )
    result = run("rules", "mini")
    assert result.exit_code == 2
    assert "no built-in definition 'mini'" in result.stderr
    assert run("rules", "./mini").exit_code == 0
