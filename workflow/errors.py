"""One error root, split by where the fault is. Every error carries structured fields; ``str()`` is one line."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs


def printable(text: str) -> str:
    """``text`` with newlines and other unprintable characters escaped, so a message stays on one line."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def _printable_or_none(text: str | None) -> str | None:
    return None if text is None else printable(text)


@attrs.frozen
class Problem:
    """One thing wrong with an input document, and where it is (unprintable characters escaped)."""

    message: str = attrs.field(converter=printable)
    path: str = attrs.field(default="", converter=printable)
    line: int | None = None
    file: str | None = attrs.field(default=None, converter=_printable_or_none)

    def __str__(self) -> str:
        where = self.file or "<text>"
        if self.line is not None:
            where += f":{self.line}"
        return f"{where} {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class WorkflowError(Exception):
    """The root of every error this package raises on purpose."""


class DocumentError(WorkflowError):
    """An input document (definition, scenario, snapshot, metrics) is wrong; ``problems`` lists every fault."""

    kind = "document"

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(self._summary())

    def _summary(self) -> str:
        if not self.problems:
            return f"invalid {self.kind}"
        first = str(self.problems[0])
        more = len(self.problems) - 1
        return first if more == 0 else f"{first} (and {more} more problem{'s' if more > 1 else ''})"

    def report(self) -> str:
        """Every problem, one per line."""
        return "\n".join(str(p) for p in self.problems)


class DefinitionError(DocumentError):
    """A definition file cannot be loaded: bad YAML, wrong shape, unknown names or a broken graph."""

    kind = "definition"


class ScenarioError(DocumentError):
    """A scenario file is wrong: bad YAML, unknown event, malformed payload, bad duration."""

    kind = "scenario"


class PayloadError(WorkflowError):
    """An event's payload is malformed: an unknown field, a missing one, or a value of the wrong type."""

    def __init__(self, event: str, problems: Sequence[Problem]) -> None:
        self.event = event
        self.problems = tuple(problems)
        parts = "; ".join(f"{p.path}: {p.message}" if p.path else p.message for p in self.problems)
        super().__init__(f"{self._subject()}: {parts}")

    def _subject(self) -> str:
        return f"event '{printable(self.event)}'"


class FactsError(PayloadError):
    """A case's facts are malformed: an unknown fact, or a value of the wrong type (``event`` is ``'facts'``)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("facts", problems)

    def _subject(self) -> str:
        return "facts"


class UnknownEvent(WorkflowError):
    """The definition does not know this event at all."""

    def __init__(self, event: str, known: Sequence[str]) -> None:
        self.event = event
        self.known = tuple(known)
        super().__init__(f"unknown event '{printable(event)}' (known: {', '.join(self.known)})")


class SnapshotError(WorkflowError):
    """A snapshot cannot be restored: malformed, or taken with another definition. ``problems`` lists every fault
    (each message a sentence of its own, ``path`` where in the snapshot); ``str()`` joins them on one line."""

    def __init__(self, problems: str | Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = (
            (Problem(message=problems),) if isinstance(problems, str) else tuple(problems)
        )
        super().__init__("; ".join(p.message for p in self.problems))


class DefinitionMismatch(SnapshotError):
    """A snapshot was taken with a definition whose content hash differs from the one given."""

    def __init__(self, name: str, expected: str, got: str) -> None:
        self.name = name
        self.expected = expected
        self.got = got
        WorkflowError.__init__(
            self,
            f"snapshot was taken with definition '{name}' hash {got[:12]}, "
            f"but the definition given has hash {expected[:12]}; "
            "pass allow_definition_change=True to restore it anyway",
        )
        self.problems = (Problem(message=str(self)),)


class NotFound(WorkflowError):
    """A named definition or file does not exist."""


class RuleFailure(WorkflowError):
    """A rule function raised instead of answering; the case was left unchanged."""

    def __init__(self, rule_id: str, event: str, error: BaseException) -> None:
        self.rule_id = rule_id
        self.event = event
        self.error = error
        super().__init__(f"rule '{rule_id}' failed on event '{event}': {type(error).__name__}: {error}")


class StaleDecision(WorkflowError):
    """``Case.apply`` was given a decision made on another case, or on this one at another version."""

    def __init__(self, event: str, *, expected: int, got: int, other_case: bool = False) -> None:
        self.event = event
        self.expected = expected
        self.got = got
        self.other_case = other_case
        if other_case:
            message = f"the decision on '{event}' was made on another case"
        else:
            message = f"the decision on '{event}' was made on version {expected} of the case, which is now at {got}"
        super().__init__(message)
