"""The error classes: one root, structured fields, every message on one line."""

from __future__ import annotations

import inspect

import pytest

from workflow import errors
from workflow.errors import (
    ConflictError,
    DefinitionError,
    DefinitionMismatch,
    FactsError,
    MemberError,
    PayloadError,
    Problem,
    ResourceError,
    SnapshotError,
    StaleDecision,
    UnknownEvent,
    WorkflowError,
    printable,
)


def test_every_exception_class_descends_from_workflow_error() -> None:
    """Catching WorkflowError catches every exception the package defines."""
    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, BaseException)]
    assert len(classes) > 20
    assert all(issubclass(c, WorkflowError) for c in classes)


def test_printable_escapes_newlines_and_keeps_printable_text() -> None:
    """A newline or tab becomes its escape; ordinary text, accents included, is unchanged."""
    assert printable("a\nb\tc") == "a\\nb\\tc"
    assert printable("café ok") == "café ok"


def test_problem_says_where_and_what() -> None:
    """A problem reads ``file:line path: message``, with ``<text>`` when it has no file."""
    assert str(Problem("bad", path="states.a", line=3, file="d.yaml")) == "d.yaml:3 states.a: bad"
    assert str(Problem("bad")) == "<text>: bad"
    assert Problem("two\nlines").message == "two\\nlines"


@pytest.mark.parametrize(("count", "tail"), [(1, ""), (2, " (and 1 more problem)"), (3, " (and 2 more problems)")])
def test_a_document_error_shows_its_first_problem_and_counts_the_rest(count: int, tail: str) -> None:
    """``str()`` is the first problem and how many more; ``report()`` has one line per problem."""
    error = DefinitionError([Problem(f"fault {i}", file="d.yaml") for i in range(count)])
    assert str(error) == "d.yaml: fault 0" + tail
    assert error.report().splitlines() == [f"d.yaml: fault {i}" for i in range(count)]


def test_a_payload_error_names_the_event_and_each_field() -> None:
    """The event (or ``facts``) comes first, then each problem with its path."""
    error = PayloadError("submit_poa", [Problem("required", path="poa"), Problem("unknown field", path="x")])
    assert str(error) == "event 'submit_poa': poa: required; x: unknown field"
    assert str(FactsError([Problem("not a number", path="rejections")])) == "facts: rejections: not a number"


def test_a_snapshot_error_keeps_every_fault() -> None:
    """Given problems, every one stays in ``problems`` and in the message; a string is one problem."""
    error = SnapshotError([Problem("first."), Problem("second.")])
    assert [p.message for p in error.problems] == ["first.", "second."]
    assert str(error) == "first.; second."
    assert SnapshotError("only.").problems == (Problem("only."),)


def test_a_definition_mismatch_is_a_snapshot_error_with_both_hashes() -> None:
    """The mismatch shows both hashes, shortened, and says how to restore anyway."""
    error = DefinitionMismatch("d", expected="a" * 64, got="b" * 64)
    assert isinstance(error, SnapshotError) and error.problems == (Problem(str(error)),)
    assert "b" * 12 in str(error) and "a" * 12 in str(error) and "allow_definition_change" in str(error)


def test_unknown_event_lists_the_known_events_on_one_line() -> None:
    """An event name with a newline in it cannot break the message onto two lines."""
    error = UnknownEvent("bad\nname", ["a", "b"])
    assert (error.event, error.known) == ("bad\nname", ("a", "b"))
    assert "\n" not in str(error) and str(error).endswith("(known: a, b)")


def test_a_conflict_says_whether_retries_ran_out() -> None:
    """One attempt reports the versions; several say the writer gave up."""
    assert "version 5, not the expected 4" in str(ConflictError("c", 4, 5))
    retried = ConflictError("c", 4, 5, attempts=3)
    assert retried.attempts == 3 and "gave up after 3 attempts" in str(retried)


def test_member_error_tells_missing_taken_and_empty_names_apart() -> None:
    """A missing member lists the members; a taken or an empty name says so."""
    assert "(members: a, b)" in str(MemberError("c", ["a", "b"]))
    assert "already has a member named 'a'" in str(MemberError("a", ["a"], taken=True))
    assert str(MemberError("", ["a"])) == "a member needs a name"


def test_resource_error_joins_each_fault_with_its_path() -> None:
    """Each fault is ``dotted.path: message``."""
    error = ResourceError([(("teams", "ert", "part_of"), "unknown team 'x'"), (("default_enforcer",), "unknown")])
    assert str(error) == "teams.ert.part_of: unknown team 'x'; default_enforcer: unknown"


def test_stale_decision_carries_both_versions() -> None:
    """A decision applied to another version of the case keeps the version it was made on and the case's."""
    error = StaleDecision("reject", expected=3, got=2)
    assert (error.event, error.expected, error.got) == ("reject", 3, 2)
    assert "version 3 of the case, which is now at 2" in str(error)
    assert "another case" in str(StaleDecision("reject", expected=3, got=3, other_case=True))
