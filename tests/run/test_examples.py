"""Every scenario in examples/ runs, meets its expectations, tells its story with its sources, and together
the stories cover every rule the account_suspension lifecycle uses."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest

import workflow
from workflow.run.scenario import Trace

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FILES = sorted(EXAMPLES.glob("*.yaml"))

#: a source key as the definitions cite them: a seed text, or an Amazon page (A-), notice (N-) or third party (T-)
SOURCE_KEY = re.compile(r"\b(SEED[0-4]|[ANT]-[A-Z0-9]+(?:-[A-Z0-9]+)*)\b")


@functools.cache
def trace_of(path: Path) -> Trace:
    return workflow.simulate(path)


def test_there_are_stories_to_tell() -> None:
    """examples/ holds at least a dozen scenarios, the demo's among them."""
    assert len(FILES) >= 12
    assert EXAMPLES / "strong_poa_after_one_rejection.yaml" in FILES


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_example_meets_its_expectations(path: Path) -> None:
    """The scenario runs and every step's expectation holds."""
    trace = trace_of(path)
    missed = [(t.step.index, t.step.event, t.expect, t.step.blocked_by) for t in trace.steps if not t.met]
    assert trace.expectations_met, missed


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_example_expects_something(path: Path) -> None:
    """Each example states at least one expectation, so it can fail."""
    assert any(t.expect is not None for t in trace_of(path).steps)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_refusals_are_for_the_reasons_told(path: Path) -> None:
    """A step expected to be blocked by named rules is blocked by exactly those rules, none besides."""
    for t in trace_of(path).steps:
        if isinstance(t.expect, tuple):
            assert sorted(t.step.blocked_by) == sorted(t.expect), (t.step.index, t.step.event)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_example_opens_with_its_story_and_source(path: Path) -> None:
    """The file opens with a comment telling the story and naming at least one source key."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = []
    for line in lines:
        if not line.startswith("#"):
            break
        header.append(line)
    text = " ".join(header)
    assert len(header) >= 2, "a header comment of at least two lines tells the story"
    assert SOURCE_KEY.search(text), f"the header names no source key: {text[:80]!r}"


def test_advice_stories_state_their_advice() -> None:
    """Every advice rule of account_suspension is stated with ``expect_advice`` in some story, and holds there."""
    advice = {a.rule.id for a in workflow.load("account_suspension").advice}
    stated = set()
    for path in FILES:
        for t in trace_of(path).steps:
            if t.expect_advice is not None:
                assert t.met and t.step.accepted, (path.stem, t.step.index)
                stated.update(t.expect_advice)
    assert advice <= stated, sorted(advice - stated)


def test_stories_cover_every_rule_of_account_suspension() -> None:
    """Every rule account_suspension uses is expected, or refuses or advises, in some example."""
    definition = workflow.load("account_suspension")
    seen: set[str] = set()
    for path in FILES:
        trace = trace_of(path)
        if trace.definition.name != definition.name:
            continue
        for t in trace.steps:
            if isinstance(t.expect, tuple):
                seen.update(t.expect)
            seen.update(t.step.blocked_by)
            seen.update(t.step.advice)
    missing = sorted(set(definition.rule_ids()) - seen)
    assert not missing, f"no example tells a story for: {', '.join(missing)}"


def test_the_examples_module_finds_every_story_here() -> None:
    """workflow.run.examples reads this checkout's examples/ (the wheel's copy when installed), a story per file."""
    from workflow.run.examples import examples_dir, stories, story, title

    assert examples_dir() == EXAMPLES
    assert [s.path for s in stories()] == FILES
    assert story("faked_invoice.yaml") == story("faked_invoice")
    assert title("# The faked invoice (SEED3: don't).\n# more\ndefinition: x\n") == "The faked invoice"
    with pytest.raises(workflow.NotFound, match="no example 'nope'"):
        story("nope")
