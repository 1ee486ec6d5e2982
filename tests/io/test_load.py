"""Loading definitions: every built-in loads; errors name file, line and path; names resolved; graph checked."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import workflow
from workflow.amazon.rules import REGISTRY
from workflow.amazon.teams import teams_of
from workflow.errors import DefinitionError, NotFound, Problem
from workflow.io.load import builtin_names, definitions_dir, is_path

DEFINITIONS = sorted(p for p in definitions_dir().glob("*.yaml") if p.name != "teams.yaml")

# A small definition whose line numbers the tests below rely on: edit with care.
MINI = """\
name: mini
version: "1"
states:
  open: {initial: true}
  review: {}
  approved: {terminal: true}
  rejected: {terminal: true}
events:
  submit:
    payload:
      to: {type: team}
      channel: {type: str}
  nudge: {}
  approve: {}
  reject: {}
transitions:
  - event: submit
    from: open
    to: review
    guards:
      - {rule: submit.in_writing, source: "S1"}
  - event: nudge
    from: review
    guards:
      - {rule: patience.wait, source: "S2", params: {patience_days: 3}}
  - {event: reject, from: review, to: rejected}
  - {event: approve, from: review, to: approved}
advice:
  - {rule: advice.seller_support, events: nudge, source: "S3"}
"""

STATES = "open, review, approved, rejected"
EVENTS = "submit, nudge, approve, reject"


def mini(*edits: tuple[str, str]) -> str:
    """MINI with each ``(old, new)`` replaced once; the old text must be there."""
    text = MINI
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def problems_of(text: str, file: str = "mini.yaml") -> tuple[Problem, ...]:
    """The problems ``load`` reports for ``text``; fails the test when it loads."""
    with pytest.raises(DefinitionError) as info:
        workflow.load(text=text, file=file)
    assert info.value.problems, "a DefinitionError must list its problems"
    return info.value.problems


def one_problem(text: str) -> Problem:
    problems = problems_of(text)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def known(kind: str) -> str:
    return ", ".join(sorted(r.id for r in REGISTRY.values() if r.kind == kind))


# ------------------------------------------------------------------------------------------ every definition


def test_the_definitions_directory_has_definitions() -> None:
    """The glob below finds the built-ins, so the parametrised test cannot pass by finding nothing."""
    assert any(p.stem == "account_suspension" for p in DEFINITIONS)
    assert sorted(p.stem for p in DEFINITIONS) == sorted(builtin_names())


@pytest.mark.parametrize("path", DEFINITIONS, ids=lambda p: p.stem)
def test_every_definition_loads(path: Path) -> None:
    """Every YAML file in definitions/ (bar the teams file) loads by path and by name, as the same definition."""
    by_path = workflow.load_file(path)
    assert by_path.name == path.stem
    assert by_path.states and by_path.events and by_path.transitions
    assert workflow.load(path.stem).hash == by_path.hash


@pytest.mark.parametrize("path", DEFINITIONS, ids=lambda p: p.stem)
def test_every_rule_use_in_a_definition_cites_a_source(path: Path) -> None:
    """Every guard and advice in a built-in definition names a registered rule of its kind and a source."""
    defn = workflow.load_file(path)
    for t in defn.transitions:
        for g in t.guards:
            assert REGISTRY[g.id].kind == "guard"
            assert g.source.strip()
    for a in defn.advice:
        assert REGISTRY[a.rule.id].kind == "advice"
        assert a.rule.source.strip()


def test_the_teams_file_is_not_a_definition() -> None:
    """teams.yaml is data for the definitions, not one of them: it is not listed and cannot be loaded by name."""
    assert "teams" not in builtin_names()
    with pytest.raises(NotFound):
        workflow.load("teams")


# ------------------------------------------------------------------------------------------ ways in


def test_load_text_path_and_name(tmp_path: Path) -> None:
    """``load(text=...)``, ``load_file(path)`` and a path given to ``load`` give the same definition."""
    f = tmp_path / "mini.yaml"
    f.write_text(MINI)
    from_text = workflow.load(text=MINI)
    from_path = workflow.load_file(f)
    positional = workflow.load(str(f))
    assert from_text.name == from_path.name == positional.name == "mini"
    assert from_text.hash == from_path.hash == positional.hash
    assert from_path.origin == str(f)
    assert [st.name for st in from_text.states] == STATES.split(", ")


def test_load_builtin_by_name() -> None:
    """A built-in definition loads by its bare name."""
    defn = workflow.load("account_suspension")
    assert defn.name == "account_suspension"
    assert defn.initial.name == "active"


def test_unknown_builtin_name_lists_the_known_names() -> None:
    """An unknown name raises NotFound whose message lists every built-in definition."""
    with pytest.raises(NotFound) as info:
        workflow.load("acount_suspension")
    assert str(info.value) == f"no built-in definition 'acount_suspension' (known: {', '.join(builtin_names())})"
    assert isinstance(info.value, workflow.WorkflowError)


def test_missing_definition_file_is_not_found(tmp_path: Path) -> None:
    """A path to a file that does not exist raises NotFound naming it."""
    missing = tmp_path / "nope.yaml"
    with pytest.raises(NotFound, match=r"no such definition file: .*nope\.yaml"):
        workflow.load_file(missing)


def test_load_without_a_definition_says_what_to_give() -> None:
    """load() with nothing raises TypeError naming the ways to give a definition, not an OS error."""
    with pytest.raises(TypeError, match=r"give a built-in definition's name, or text="):
        workflow.load()


def test_an_empty_name_or_a_directory_is_not_found(tmp_path: Path) -> None:
    """An empty name and a directory raise NotFound saying so, instead of reading a directory."""
    with pytest.raises(NotFound, match=r"^an empty definition name \(known: account_suspension"):
        workflow.load("")
    with pytest.raises(NotFound, match=r"is a directory, not a definition file$"):
        workflow.load_file(tmp_path)
    with pytest.raises(NotFound, match=r"is a directory, not a definition file$"):
        workflow.load(str(tmp_path))


# ------------------------------------------------------------------------------------------ the one rule


@pytest.mark.parametrize(
    ("ref", "path"),
    [
        ("account_suspension", False),
        ("mini", False),
        ("mini.json", True),
        ("mini.txt", False),
        ("mini.yaml", True),
        ("mini.yml", True),
        ("./mini", True),
        ("sub/mini", True),
        (Path("mini"), True),
    ],
)
def test_is_path_is_the_rule(ref: str | Path, path: bool) -> None:
    """A bare name is a built-in; a Path, a separator or a .yaml/.yml/.json ending makes it a file."""
    assert is_path(ref) is path


def test_a_bare_name_is_a_builtin_even_when_a_file_has_that_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files in the working folder named like a built-in (or like anything) never change what a name means."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "account_suspension").write_text(MINI)
    (tmp_path / "mini").write_text(MINI)
    assert workflow.load("account_suspension").name == "account_suspension"
    with pytest.raises(NotFound) as info:
        workflow.load("mini")
    assert info.value.path is None and info.value.known == builtin_names()
    assert workflow.load("./mini").name == "mini"


def test_a_yaml_suffix_makes_a_file_relative_to_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``load("mini.yaml")`` reads ./mini.yaml; a missing one is NotFound naming the file, not a built-in."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(NotFound) as info:
        workflow.load("mini.yaml")
    assert info.value.path == "mini.yaml"
    (tmp_path / "mini.yaml").write_text(MINI)
    assert workflow.load("mini.yaml").name == "mini"


def test_a_scenario_names_its_definition_file_relative_to_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scenario's ``definition: mini.yaml`` is the file beside the scenario, whatever the working folder."""
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "mini.yaml").write_text(MINI)
    scenario = tmp_path / "s" / "run.yaml"
    scenario.write_text("definition: mini.yaml\nsteps: []\n")
    monkeypatch.chdir(tmp_path)
    assert workflow.load_scenario(scenario).definition.name == "mini"


TEAMS = """
default_enforcer: seller_performance
teams:
  seller_performance: {name: Seller Performance, source: S0, channels: [email]}
"""


def test_a_changed_own_teams_file_is_read_again(tmp_path: Path) -> None:
    """A definition naming its own teams file is rebuilt when that file changes, though the definition did not."""
    (tmp_path / "my_teams.yaml").write_text(TEAMS)
    f = tmp_path / "mini.yaml"
    f.write_text("teams: my_teams.yaml\n" + MINI)
    first = workflow.load_file(f)
    assert workflow.load_file(f) is first  # unchanged files: the cached definition
    assert teams_of(first).ids() == ("seller_performance",)
    (tmp_path / "my_teams.yaml").write_text(
        TEAMS + "  seller_support: {name: Seller Support, source: S0, channels: [phone]}\n"
    )
    second = workflow.load_file(f)
    assert second is not first
    assert set(teams_of(second).ids()) == {"seller_performance", "seller_support"}
    assert second.hash != first.hash


def test_a_changed_default_teams_file_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A definition using the built-in teams file is rebuilt when that file changes."""
    builtin = tmp_path / "builtin"
    builtin.mkdir()
    (builtin / "teams.yaml").write_text(TEAMS)
    monkeypatch.setattr(sys.modules["workflow.io.load"], "definitions_dir", lambda: builtin)
    f = tmp_path / "mini.yaml"
    f.write_text(MINI)
    first = workflow.load_file(f)
    assert workflow.load_file(f) is first
    (builtin / "teams.yaml").write_text(TEAMS.replace("Seller Performance", "Seller Performance Team"))
    second = workflow.load_file(f)
    assert second is not first
    assert teams_of(second)["seller_performance"].name == "Seller Performance Team"


def test_errors_from_a_file_name_the_file(tmp_path: Path) -> None:
    """Problems found in a file carry its path; problems in text carry the name given with ``file=``."""
    f = tmp_path / "broken.yaml"
    f.write_text(mini(("to: approved}", "to: aproved}")))
    with pytest.raises(DefinitionError) as info:
        workflow.load_file(f)
    assert [p.file for p in info.value.problems] == [str(f)]
    assert str(info.value).startswith(f"{f}:27 transitions[3].to: unknown state 'aproved'")
    text_problem = one_problem(mini(("to: approved}", "to: aproved}")))
    assert text_problem.file == "mini.yaml"


# ------------------------------------------------------------------------------------------ located problems


def test_unknown_destination_state_is_located_exactly() -> None:
    """``to: aproved`` -> path transitions[3].to, its line, and a message listing the known states."""
    problem = one_problem(mini(("to: approved}", "to: aproved}")))
    assert problem == Problem(
        message=f"unknown state 'aproved' (known: {STATES})",
        path="transitions[3].to",
        line=27,
        file="mini.yaml",
    )
    assert str(problem) == f"mini.yaml:27 transitions[3].to: unknown state 'aproved' (known: {STATES})"


def test_several_faults_give_several_problems() -> None:
    """A definition with three wrong names reports all three at once, in document order."""
    problems = problems_of(
        mini(
            ("from: open", "from: opne"),
            ("{event: reject, from: review", "{event: rejct, from: review"),
            ("to: approved}", "to: aproved}"),
        )
    )
    assert [(p.path, p.line, p.message) for p in problems] == [
        ("transitions[0].from", 18, f"unknown state 'opne' (known: {STATES})"),
        ("transitions[2].event", 26, f"unknown event 'rejct' (known: {EVENTS})"),
        ("transitions[3].to", 27, f"unknown state 'aproved' (known: {STATES})"),
    ]


def test_unknown_keys_everywhere_are_all_reported() -> None:
    """Unknown keys at the top, in a state, in a transition and in a guard are four located problems."""
    problems = problems_of(
        mini(
            ('version: "1"', 'version: "1"\ncolour: red'),  # shifts every later line by one
            ("open: {initial: true}", "open: {initial: true, colour: red}"),
            ('source: "S2",', 'source: "S2", colour: red,'),
            ("{event: reject, from: review, to: rejected}", "{event: reject, from: review, to: rejected, colour: red}"),
        )
    )
    located = {p.path: p.line for p in problems}
    assert located == {
        "colour": 3,
        "states.open.colour": 5,
        "transitions[1].guards[0].colour": 26,
        "transitions[2].colour": 27,
    }
    known = {p.path: p.message for p in problems}
    assert known["colour"].startswith("unknown field 'colour' (known: name, version, description,")
    assert known["states.open.colour"].startswith("unknown field 'colour' (known: description, initial, terminal,")
    assert known["transitions[1].guards[0].colour"].startswith("unknown field 'colour' (known: rule, source, params")
    assert known["transitions[2].colour"].startswith("unknown field 'colour' (known: event, to, description,")


def test_shape_and_name_faults_are_reported_together_in_document_order() -> None:
    """An unknown key does not hide an unknown state: one error lists both, by line."""
    problems = problems_of(
        mini(
            ("open: {initial: true}", "open: {initial: true, colour: red}"),
            ("to: approved}", "to: aproved}"),
            ("- {event: reject, from: review, to: rejected}", "- {from: review, to: rejected}"),
        )
    )
    assert [(p.path, p.line) for p in problems] == [
        ("states.open.colour", 4),
        ("transitions[2].event", 26),
        ("transitions[3].to", 27),
    ]
    assert problems[2].message == f"unknown state 'aproved' (known: {STATES})"


def test_missing_required_field() -> None:
    """A guard without ``source`` is a problem at that guard's path: every rule use must cite its source."""
    problem = one_problem(mini(('{rule: submit.in_writing, source: "S1"}', "{rule: submit.in_writing}")))
    assert (problem.path, problem.line, problem.message) == (
        "transitions[0].guards[0].source",
        21,
        "missing required field",
    )


def test_wrong_type_says_expected_and_got() -> None:
    """A state's ``initial: yes please`` says what was expected and what came."""
    problem = one_problem(mini(("open: {initial: true}", "open: {initial: yes please}")))
    assert (problem.path, problem.line) == ("states.open.initial", 4)
    assert problem.message == "expected true or false (got 'yes please' that is a str)"


# ------------------------------------------------------------------------------------------ rules resolved at load


def test_unknown_rule_id_lists_the_known_guards() -> None:
    """An unknown rule id in a guard names the id and every guard rule there is."""
    problem = one_problem(mini(("rule: submit.in_writing", "rule: submit.in_writting")))
    assert (problem.path, problem.line) == ("transitions[0].guards[0].rule", 21)
    assert problem.message == f"unknown rule 'submit.in_writting' (known: {known('guard')})"
    assert "submit.in_writing" in problem.message


def test_unknown_advice_rule_lists_the_known_advice() -> None:
    """An unknown rule id in an advice entry lists the advice rules."""
    problem = one_problem(mini(("rule: advice.seller_support", "rule: advice.seller_suport")))
    assert (problem.path, problem.line) == ("advice[0].rule", 29)
    assert problem.message == f"unknown rule 'advice.seller_suport' (known: {known('advice')})"


def test_advice_rule_used_as_a_guard() -> None:
    """A rule of the wrong kind is refused: advice cannot guard a transition."""
    problem = one_problem(mini(("rule: patience.wait", "rule: advice.seller_support")))
    assert (problem.path, problem.line) == ("transitions[1].guards[0].rule", 25)
    assert problem.message == "rule 'advice.seller_support' is an advice rule, not a guard rule"


def test_guard_rule_used_as_advice() -> None:
    """... and a guard cannot be given as advice."""
    problem = one_problem(mini(("rule: advice.seller_support", "rule: patience.wait")))
    assert (problem.path, problem.line) == ("advice[0].rule", 29)
    assert problem.message == "rule 'patience.wait' is a guard rule, not an advice rule"


def test_unknown_rule_parameter() -> None:
    """A parameter the rule does not take is named with the ones it does."""
    problem = one_problem(mini(("patience_days: 3", "patience_dayz: 3")))
    assert (problem.path, problem.line) == ("transitions[1].guards[0].params.patience_dayz", 25)
    assert problem.message == (
        "unknown parameter 'patience_dayz' for rule 'patience.wait' (known: patience_days, follow_ups_wait_too)"
    )


@pytest.mark.parametrize(
    ("value", "got"),
    [('"three"', "'three' that is a str"), ("true", "True that is a bool"), ("[3]", "(3,) that is a list")],
)
def test_rule_parameter_of_the_wrong_type(value: str, got: str) -> None:
    """An integer parameter given a string, a boolean or a list says what it expects and what came."""
    problem = one_problem(mini(("patience_days: 3", f"patience_days: {value}")))
    assert (problem.path, problem.line) == ("transitions[1].guards[0].params.patience_days", 25)
    assert problem.message == f"parameter 'patience_days' expects an int (got {got})"


def test_definition_parameter_no_rule_reads() -> None:
    """A definition-wide parameter that no rule in use reads is an error, not silently ignored."""
    problem = one_problem(mini(('version: "1"', 'version: "1"\nparameters: {patience_dayz: 3}')))
    assert (problem.path, problem.line) == ("parameters.patience_dayz", 3)
    assert problem.message == "unknown parameter 'patience_dayz': no rule this definition uses reads it"


def test_definition_parameter_of_the_wrong_type() -> None:
    """A definition-wide parameter is type-checked against the rule that reads it."""
    problem = one_problem(mini(('version: "1"', 'version: "1"\nparameters: {patience_days: soon}')))
    assert (problem.path, problem.line) == ("parameters.patience_days", 3)
    assert problem.message == "parameter 'patience_days' expects an int (got 'soon' that is a str)"


def test_guard_reads_a_payload_field_the_event_does_not_declare() -> None:
    """submit.in_writing reads ``channel``; an event that does not declare it is refused at load."""
    problem = one_problem(mini(("channel: {type: str}", "chanel: {type: str}")))
    assert (problem.path, problem.line) == ("transitions[0].guards[0].rule", 21)
    assert (
        problem.message
        == "rule 'submit.in_writing' reads payload field 'channel', which event 'submit' does not declare"
    )


def test_advice_reads_a_payload_field_an_event_does_not_declare() -> None:
    """advice.jeff_premature reads ``target``; attached to an event without it, it is refused at load."""
    assert "target" in REGISTRY["advice.jeff_premature"].reads
    problem = one_problem(mini(("rule: advice.seller_support", "rule: advice.jeff_premature")))
    assert (problem.path, problem.line) == ("advice[0].rule", 29)
    assert (
        problem.message
        == "rule 'advice.jeff_premature' reads payload field 'target', which event 'nudge' does not declare"
    )


def test_unknown_event_in_advice() -> None:
    """An advice entry naming an unknown event is located at its ``events``."""
    problem = one_problem(mini(("events: nudge", "events: nudg")))
    assert (problem.path, problem.line) == ("advice[0].events", 29)
    assert problem.message == f"unknown event 'nudg' (known: {EVENTS})"


# ------------------------------------------------------------------------------------------ structure

GRAPH_HEAD = """\
name: g
version: "1"
states:
"""


def graph(states: str, events: str, transitions: str) -> str:
    """A definition from its three blocks (already indented)."""
    return f"{GRAPH_HEAD}{states}events:\n{events}transitions:\n{transitions}"


def structural(text: str) -> list[tuple[str, str]]:
    return [(p.path, p.message) for p in problems_of(text, file="g.yaml")]


EV3 = "  go: {}\n  stay: {}\n  finish: {}\n"


def test_two_initial_states_names_every_one() -> None:
    """More than one initial state: every one of them is named."""
    text = graph(
        "  a: {initial: true}\n  b: {initial: true}\n  c: {initial: true}\n  done: {terminal: true}\n",
        EV3,
        "  - {event: go, from: [a, b, c], to: done}\n",
    )
    assert structural(text) == [("states.b", "more than one initial state: a, b, c")]


def test_no_initial_state() -> None:
    """No initial state at all is one problem at ``states``."""
    text = graph("  a: {}\n  done: {terminal: true}\n", EV3, "  - {event: go, from: a, to: done}\n")
    assert structural(text) == [("states", "no initial state: mark exactly one state with 'initial: true'")]


def test_unreachable_states_names_every_one() -> None:
    """States no transition leads to are all named, located at the first."""
    text = graph(
        "  a: {initial: true}\n  c: {}\n  d: {}\n  done: {terminal: true}\n",
        EV3,
        "  - {event: go, from: [a, c, d], to: done}\n",
    )
    problems = problems_of(text)
    assert [(p.path, p.line, p.message) for p in problems] == [
        ("states.c", 5, "these states cannot be reached from 'a': c, d"),
    ]


def test_non_terminal_states_without_a_way_out_names_every_one() -> None:
    """Non-terminal states that only loop on themselves are all named (and nothing terminal is reachable from them)."""
    text = graph(
        "  a: {initial: true}\n  b: {}\n  c: {}\n  done: {terminal: true}\n",
        EV3,
        "  - {event: go, from: a, to: b}\n"
        "  - {event: stay, from: a, to: c}\n"
        "  - {event: finish, from: a, to: done}\n"
        "  - {event: stay, from: b, to: b}\n",
    )
    assert structural(text) == [
        ("states.b", "these non-terminal states have no transition to another state: b, c"),
        ("states.b", "no terminal state can be reached from: b, c"),
    ]


def test_terminal_state_with_an_outgoing_transition() -> None:
    """A transition leaving terminal states names all of them."""
    text = graph(
        "  a: {initial: true}\n  done: {terminal: true}\n  failed: {terminal: true}\n",
        EV3,
        "  - {event: go, from: a, to: done}\n"
        "  - {event: finish, from: a, to: failed}\n"
        "  - {event: stay, from: [done, failed], to: a}\n",
    )
    problems = problems_of(text)
    assert [(p.path, p.line, p.message) for p in problems] == [
        ("transitions[2].from", 14, "a terminal state has no way out: done, failed"),
    ]


def test_no_terminal_state_reachable_names_every_trapped_state() -> None:
    """A loop with no way to a terminal state: every state caught in it is named."""
    text = graph(
        "  a: {initial: true}\n  b: {}\n  c: {}\n  done: {terminal: true}\n",
        EV3,
        "  - {event: finish, from: a, to: done}\n"
        "  - {event: go, from: a, to: b}\n"
        "  - {event: go, from: b, to: c}\n"
        "  - {event: stay, from: c, to: b}\n",
    )
    assert structural(text) == [("states.b", "no terminal state can be reached from: b, c")]


def test_no_terminal_state_at_all() -> None:
    """A definition without any terminal state is refused."""
    text = graph(
        "  a: {initial: true}\n  b: {}\n",
        EV3,
        "  - {event: go, from: a, to: b}\n  - {event: go, from: b, to: a}\n",
    )
    assert ("states", "no terminal state: mark at least one state with 'terminal: true'") in structural(text)


def test_every_structural_check_reports_in_one_error() -> None:
    """Several structural faults of different kinds come back together in one DefinitionError."""
    text = graph(
        "  a: {initial: true}\n  b: {initial: true}\n  lost: {}\n  done: {terminal: true}\n",
        EV3,
        "  - {event: go, from: [a, b], to: done}\n  - {event: stay, from: [done, lost], to: a}\n",
    )
    messages = [m for _, m in structural(text)]
    assert "more than one initial state: a, b" in messages
    assert "a terminal state has no way out: done" in messages
    assert len(messages) >= 2


# ------------------------------------------------------------------------------------------ content hash


def test_hash_is_stable_and_ignores_comments_and_layout(tmp_path: Path) -> None:
    """The same content (re-read, or with comments and flow style changed) has the same hash."""
    f = tmp_path / "mini.yaml"
    f.write_text(MINI)
    first = workflow.load_file(f).hash
    assert workflow.load(text=MINI).hash == first
    relaid = mini(("  nudge: {}\n", "  # nudging a pending review\n  nudge:\n")) + "# the end\n"
    f.write_text(relaid)
    assert workflow.load_file(f).hash == first


@pytest.mark.parametrize(
    "edit",
    [
        ('version: "1"', 'version: "2"'),
        ("patience_days: 3", "patience_days: 4"),
        ('source: "S1"', 'source: "S1 [S]"'),
        ("  nudge: {}", "  nudge: {description: nudge the reviewer}"),
    ],
)
def test_hash_changes_when_the_definition_changes(tmp_path: Path, edit: tuple[str, str]) -> None:
    """Changing a version, a parameter, a source or a description changes the hash, also for the same file."""
    f = tmp_path / "mini.yaml"
    f.write_text(MINI)
    before = workflow.load_file(f).hash
    f.write_text(mini(edit) + "\n" * 3)  # a different size, so no cached result can be reused
    after = workflow.load_file(f).hash
    assert before != after
    assert workflow.load(text=mini(edit)).hash == after
