"""One error root, split by where the fault is. Every error carries structured fields; ``str()`` is one line.

Every exception the package raises on purpose is defined here (the other modules import them from here), so
one module shows them all. The command line maps them to exit statuses in one table (``workflow_cli.main``).
"""

from __future__ import annotations

import datetime as dt
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
    """A built-in definition's name, or a definition file, that does not exist.

    ``name`` is what was asked for; ``path`` the file looked for (None for a built-in's name); ``known`` the
    built-in names (for a name); ``reason`` is ``empty`` (no name at all), ``missing``, ``directory``, or ``table``
    (the name of a built-in decision table, which is no lifecycle).
    """

    def __init__(
        self, name: str, *, path: str | None = None, known: Sequence[str] = (), reason: str = "missing"
    ) -> None:
        self.name = name
        self.path = path
        self.known = tuple(known)
        self.reason = reason
        known_text = f" (known: {', '.join(self.known)})" if self.known else ""
        if reason == "empty":
            message = f"an empty definition name{known_text}"
        elif reason == "example":
            message = f"no example '{name}'{known_text}"
        elif reason == "table":
            message = (
                f"'{name}' is a decision table, not a lifecycle: 'workflow table show {name}' prints it and "
                f"'workflow health FILE' judges a snapshot with it"
            )
        elif path is not None and reason == "directory":
            message = f"{path} is a directory, not a definition file"
        elif path is not None:
            message = f"no such definition file: {path}"
        else:
            message = f"no built-in definition '{name}'{known_text}"
        super().__init__(printable(message))


class RuleFailure(WorkflowError):
    """A rule function raised instead of answering; the case was left unchanged."""

    def __init__(self, rule_id: str, event: str, error: BaseException) -> None:
        self.rule_id = rule_id
        self.event = event
        self.error = error
        super().__init__(f"rule '{rule_id}' failed on event '{event}': {type(error).__name__}: {error}")


class ModelNotAdded(WorkflowError):
    """A model was triggered on, or asked about, an adapter's machine it was not added to through the adapter."""

    def __init__(self, model: object, definition: str) -> None:
        self.model = model
        self.definition = definition
        super().__init__(
            f"{type(model).__name__} object was not added to the '{definition}' machine with add_model: it has no case"
        )


class WrongDefinition(WorkflowError):
    """A case of one definition was given where a case of another was expected."""

    def __init__(self, expected: str, got: str) -> None:
        self.expected = expected
        self.got = got
        super().__init__(f"a case of definition '{got}' was given where one of '{expected}' was expected")


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


class MetricsError(DocumentError):
    """A metrics snapshot is wrong: bad YAML or JSON, an unknown metric, a value that is not a rate."""

    kind = "metrics snapshot"


class UnknownMarketplace(WorkflowError):
    """A ``marketplace`` code the decision table does not know (``known``: the codes it does)."""

    def __init__(self, marketplace: str, known: Sequence[str]) -> None:
        self.marketplace = marketplace
        self.known = tuple(known)
        super().__init__(printable(f"unknown marketplace '{marketplace}' (known: {', '.join(self.known)})"))


class TimeOutOfRange(WorkflowError, ValueError):
    """A date moved past the last instant a datetime can hold: ``start`` moved by ``duration`` (its text)."""

    def __init__(self, start: dt.datetime, duration: str) -> None:
        self.start = start
        self.duration = duration
        at = start.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")
        super().__init__(f"{at} + {duration} is past the last date the clock can hold (9999-12-31)")


class ExplorationLimit(WorkflowError):
    """The reachable space of ``definition`` has more than ``max_configs`` configurations: exploration stopped
    (at ``depth``) instead of running on."""

    def __init__(self, definition: str, max_configs: int, depth: int) -> None:
        self.definition = definition
        self.max_configs = max_configs
        self.depth = depth
        super().__init__(
            f"exploration of '{definition}' stopped: its reachable space has more than {max_configs} "
            f"configurations (reached depth {depth}); raise --max-configs or bound --max-depth"
        )


class DiagramError(WorkflowError):
    """A diagram cannot be drawn as asked."""


class UnknownFormat(DiagramError):
    """A diagram ``format`` that is not one of ``known``."""

    def __init__(self, fmt: str, known: Sequence[str]) -> None:
        self.format = fmt
        self.known = tuple(known)
        super().__init__(printable(f"unknown diagram format '{fmt}' (known: {', '.join(self.known)})"))


class TraceMismatch(DiagramError):
    """A run drawn on a definition it is not a run of: ``run`` and ``definition`` are ``(name, version)``."""

    def __init__(self, run: tuple[str, str], definition: tuple[str, str]) -> None:
        self.run = run
        self.definition = definition
        super().__init__(
            printable(
                f"the run is of definition '{run[0]}' {run[1]}, "
                f"not of '{definition[0]}' {definition[1]} (their content hashes differ)"
            )
        )


#: what to do when Graphviz is missing
INSTALL_HINT = "install Graphviz (apt-get install graphviz, or brew install graphviz)"


class GraphvizMissing(DiagramError):
    """SVG or PNG (``format``) was asked for and Graphviz's ``dot`` is not on the PATH."""

    def __init__(self, fmt: str) -> None:
        self.format = fmt
        super().__init__(
            f"--format {fmt} needs Graphviz, and its 'dot' program was not found on the PATH; "
            f"{INSTALL_HINT}, or use --format mermaid or --format dot, which need nothing"
        )


class GraphvizFailed(DiagramError):
    """``dot -T<format>`` ran and failed with exit status ``code``; ``stderr`` is what it said."""

    def __init__(self, fmt: str, code: int, stderr: str) -> None:
        self.format = fmt
        self.code = code
        self.stderr = stderr
        first = next((line.strip() for line in stderr.splitlines() if line.strip()), "no message")
        super().__init__(printable(f"Graphviz 'dot -T{fmt}' failed with exit status {code}: {first}"))


class StoreError(WorkflowError):
    """The case store cannot be used as asked: its URL, its server, or its schema revision."""


class CaseNotFound(WorkflowError):
    """The store holds no case with this id."""

    def __init__(self, case_id: str) -> None:
        self.case_id = case_id
        super().__init__(f"no case '{printable(case_id)}' in the store")


class CaseExists(WorkflowError):
    """A case with this id is already in the store."""

    def __init__(self, case_id: str) -> None:
        self.case_id = case_id
        super().__init__(f"a case '{printable(case_id)}' is already in the store")


class ConflictError(WorkflowError):
    """A case changed under the caller: its stored version is not the one expected, or retries ran out.

    ``expected`` is the version the caller (or the last attempt) counted on, ``actual`` the one stored then.
    """

    def __init__(self, case_id: str, expected: int, actual: int, *, attempts: int = 1) -> None:
        self.case_id = case_id
        self.expected = expected
        self.actual = actual
        self.attempts = attempts
        if attempts > 1:
            message = (
                f"case '{printable(case_id)}' kept changing under this writer: "
                f"gave up after {attempts} attempts (last expected version {expected}, stored {actual})"
            )
        else:
            message = (
                f"case '{printable(case_id)}' is at version {actual}, not the expected {expected}; nothing written"
            )
        super().__init__(message)


class BadOption(WorkflowError):
    """A command-line option's value is not of its kind (a time, a duration)."""

    def __init__(self, option: str, value: str, expected: str) -> None:
        self.option = option
        self.value = value
        self.expected = expected
        super().__init__(f"{option}: not {expected}: {printable(repr(value))}")


class StructureFault(WorkflowError, ValueError):
    """A plain value refused while structuring it into a record; the message says what was expected and what
    came. Raised inside the core's converter and reported as a ``Problem`` with the value's path."""


class ResourceError(WorkflowError):
    """A definition resource's file names what it does not define; ``faults`` holds ``(path, message)`` pairs
    inside that file, which the loader locates."""

    def __init__(self, faults: Sequence[tuple[tuple[str | int, ...], str]]) -> None:
        self.faults = list(faults)
        super().__init__("; ".join(f"{'.'.join(map(str, p))}: {m}" for p, m in self.faults))


class MemberError(WorkflowError):
    """A group was asked for a member it does not have, or given a member name it cannot take (empty or taken).

    ``name`` is the name asked for, ``members`` the group's members then, ``taken`` whether the name is in use.
    """

    def __init__(self, name: str, members: Sequence[str], *, taken: bool = False) -> None:
        self.name = name
        self.members = tuple(members)
        self.taken = taken
        if not name:
            message = "a member needs a name"
        elif taken:
            message = f"the group already has a member named '{printable(name)}'"
        else:
            message = f"no member named '{printable(name)}' (members: {', '.join(map(printable, self.members))})"
        super().__init__(message)


class TimerLimit(WorkflowError):
    """One call would fire more than ``limit`` timer steps (timers that lead into each other faster than the
    clock moved): it stopped at ``at`` in ``state`` instead of running on."""

    def __init__(self, limit: int, state: str, at: dt.datetime) -> None:
        self.limit = limit
        self.state = state
        self.at = at
        when = at.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")
        super().__init__(
            printable(
                f"more than {limit} timer steps fell due in one call (stopped in '{state}' at {when}): "
                "the definition's timers fire faster than the clock was moved"
            )
        )


class HistoryDeparture(SnapshotError):
    """A recorded history that offering its steps again does not rebuild: at step ``index`` the record says
    ``expected`` and the definition's rules give ``got`` (each a short description of a step, or of none);
    ``field`` is the first of the step's fields that differs (``"step"`` when one side has no step)."""

    def __init__(self, index: int, expected: str, got: str, *, field: str = "step", where: str = "history") -> None:
        self.index = index
        self.expected = expected
        self.got = got
        self.field = field
        message = printable(f"{where}[{index}] departs from the definition: recorded {expected}, but it gives {got}")
        super().__init__([Problem(message=message, path=f"{where}[{index}]")])


class ConcurrentUse(WorkflowError):
    """A case was used by two threads at once: ``case`` (its repr) was being decided on or changed by thread
    ``owner`` when another thread called it. Nothing was changed by the refused call."""

    def __init__(self, case: str, owner: int) -> None:
        self.case = case
        self.owner = owner
        super().__init__(
            printable(
                f"{case} is in use by another thread (thread {owner}): a Case is not thread-safe; "
                "give each thread its own case, or guard a shared one with a lock"
            )
        )


class GraphvizTimedOut(DiagramError):
    """Graphviz's ``dot`` (drawing ``format``) did not finish within ``seconds`` and was stopped."""

    def __init__(self, fmt: str, seconds: float) -> None:
        self.format = fmt
        self.seconds = seconds
        super().__init__(f"Graphviz 'dot -T{fmt}' did not finish within {seconds:g} s and was stopped")


#: the name the package is installed by (its import name stays ``workflow``)
DISTRIBUTION = "seller-case-rules"


class MissingExtra(WorkflowError, ImportError):
    """A module needs a package that an extra of the distribution installs, and it is not installed."""

    def __init__(self, module: str, needs: str, extra: str) -> None:
        self.module = module
        self.needs = needs
        self.extra = extra
        super().__init__(f'{module} needs {needs}: pip install "{DISTRIBUTION}[{extra}]"')


class RequestError(WorkflowError):
    """An HTTP request the service cannot take: a body that is not JSON or is too large, a field or parameter
    that is missing or of the wrong kind, a missing token or CSRF token. ``status`` is the HTTP status it is
    answered with, ``path`` the field at fault (``None`` when it is no field)."""

    def __init__(self, status: int, message: str, path: str | None = None) -> None:
        self.status = status
        self.path = path
        super().__init__(printable(message))


class UnsafeBind(WorkflowError):
    """``workflow serve`` asked to listen beyond loopback without a token for its write endpoints."""

    def __init__(self, host: str) -> None:
        self.host = host
        super().__init__(
            f"refusing to listen on {printable(host)} without a token: beyond loopback, writes need one "
            "(--token or WORKFLOW_TOKEN)"
        )


class GroupExists(CaseExists):
    """A group of linked cases with this id is already in the store."""

    def __init__(self, group_id: str) -> None:
        self.case_id = group_id
        WorkflowError.__init__(self, f"a group '{printable(group_id)}' is already in the store")


class UnknownVersion(NotFound):
    """A version of a built-in definition that is not kept: ``version`` asked for, ``versions`` those kept."""

    def __init__(self, name: str, version: str, versions: Sequence[str]) -> None:
        self.name = name
        self.path = None
        self.known = tuple(versions)
        self.reason = "missing"
        self.version = version
        self.versions = tuple(versions)
        WorkflowError.__init__(
            self,
            printable(f"no version {version} of the built-in definition '{name}' (kept: {', '.join(versions)})"),
        )


class UnjudgedDecision(WorkflowError):
    """``Case.apply`` was given a decision the case did not judge (made by ``Decision.make`` or changed after it
    was judged): recording it could write a history that the rules would not give and replay would not rebuild.
    ``event`` is the decision's event."""

    def __init__(self, event: str) -> None:
        self.event = event
        super().__init__(
            printable(
                f"the decision on '{event}' was not judged by the case (or was changed since): "
                "only a decision from Case.decide, decide_payload or decide_timer is applied"
            )
        )
