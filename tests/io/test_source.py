"""Safe YAML parsing: a key written twice in one mapping is a located problem, for every document kind."""

from __future__ import annotations

import pytest

import workflow
from workflow.errors import DefinitionError, DocumentError, ScenarioError
from workflow.io.source import parse
from workflow.run.scenario import load_scenario


def problems_of(text: str) -> list[tuple[int | None, str, str]]:
    """The (line, path, message) of every problem parsing ``text`` raises."""
    with pytest.raises(DocumentError) as info:
        parse(text, file="doc.yaml", error=DocumentError)
    assert all(p.file == "doc.yaml" for p in info.value.problems)
    return [(p.line, p.path, p.message) for p in info.value.problems]


def test_a_repeated_step_key_refuses_the_scenario() -> None:
    """A step with event: suspend then event: warn is refused at the second key, naming the first."""
    text = "definition: account_suspension\nsteps:\n  - event: suspend\n    event: warn\n"
    with pytest.raises(ScenarioError) as info:
        load_scenario(text=text, file="s.yaml")
    (problem,) = info.value.problems
    assert (problem.file, problem.line, problem.path) == ("s.yaml", 4, "steps[0].event")
    assert problem.message == "duplicate key 'event' (first at line 3)"


def test_a_repeated_key_refuses_a_definition() -> None:
    """A definition naming its version twice is refused with a DefinitionError, before any shape check."""
    text = "name: demo\nversion: 1.0.0\nversion: 2.0.0\n"
    with pytest.raises(DefinitionError) as info:
        workflow.load(text=text)
    assert [(p.line, p.path, p.message) for p in info.value.problems] == [
        (3, "version", "duplicate key 'version' (first at line 2)")
    ]


def test_every_repeated_key_is_reported_in_line_order() -> None:
    """Two duplicates, one in a nested flow mapping: both reported, ordered by line."""
    text = "a: 1\nb:\n  c: {x: 1, y: 2, x: 3}\na: 2\n"
    assert problems_of(text) == [
        (3, "b.c.x", "duplicate key 'x' (first at line 3)"),
        (4, "a", "duplicate key 'a' (first at line 1)"),
    ]


def test_keys_that_construct_to_the_same_value_are_one_key() -> None:
    """0x1 and 1 are the same integer key; the later one is the duplicate."""
    assert problems_of("1: one\n0x1: again\n") == [(2, "0x1", "duplicate key '0x1' (first at line 1)")]


def test_keys_of_different_types_are_different_keys() -> None:
    """1 and '1' are an integer and a string: both kept."""
    assert parse("1: int\n'1': str\n", error=DocumentError).data == {1: "int", "1": "str"}


def test_a_merged_key_may_be_overridden() -> None:
    """A key brought in by a merge (<<: *base) and written again is YAML's override, not a duplicate."""
    text = "base: &base {channel: email, to: seller_performance}\nstep:\n  <<: *base\n  channel: phone\n"
    assert parse(text, error=DocumentError).data["step"] == {"channel": "phone", "to": "seller_performance"}


def test_a_duplicate_reached_through_aliases_is_reported_once() -> None:
    """A mapping with a repeated key used three times by alias gives one problem, at its own line."""
    text = "base: &b {k: 1, k: 2}\nuses: [*b, *b, *b]\n"
    assert problems_of(text) == [(1, "base.k", "duplicate key 'k' (first at line 1)")]


def test_the_safe_loader_still_refuses_python_tags() -> None:
    """Checking duplicates constructs keys with the safe loader only: a python tag on a key is refused."""
    (problem,) = problems_of("? !!python/name:os.system\n: 1\n")
    assert problem[2].startswith("invalid YAML:")
    assert "python/name" in problem[2]
