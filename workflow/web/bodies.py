"""The service's bodies and query strings as attrs records: what requests are parsed into, what answers hold.

Requests are structured into these records by the core's cattrs converter (unknown fields refused, each fault
with its path), and the OpenAPI document's schemas are generated from the same records
(``workflow.web.schema.type_schema``), so the document cannot drift from the parser. The answer records
describe the JSON ``workflow.store.wire`` writes (DESIGN.md, "Case JSON"); the test suite checks every answer
against them (schemathesis, and the API tests).

``__field_docs__`` on a record gives its fields' descriptions in the document.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, get_args

import attrs

from workflow.core.structure import Constraint, NonEmpty, at_least

#: the constraints of ``at_least``, as metadata beside others
AT_LEAST_ZERO, AT_LEAST_ONE = get_args(at_least(0))[1], get_args(at_least(1))[1]
Count = Annotated[int, AT_LEAST_ZERO]
Timestamp = Annotated[str, Constraint("a time such as 2026-03-02T09:00:00Z (RFC 3339)", lambda v: None, ("date_time",))]
#: the most cases one page lists
MAX_LIMIT = 1000
AT_MOST_LIMIT = Constraint(
    f"an integer <= {MAX_LIMIT}", lambda v: None if v <= MAX_LIMIT else f"at most {MAX_LIMIT}", ("at_most", MAX_LIMIT)
)


# --------------------------------------------------------------------------------------------- requests


@attrs.frozen
class NewCase:
    """A case to create: its definition's name, and optionally its id and its facts."""

    definition: NonEmpty
    id: str | None = None
    facts: dict[str, Any] | None = None

    __field_docs__: ClassVar[dict[str, str]] = {
        "definition": "a built-in definition's name (GET /api/definitions)",
        "id": "the case's id: 1 to 200 printable characters, no '/' (default: a generated one)",
        "facts": "the case's facts, as the definition declares them",
    }


@attrs.frozen
class NewEvent:
    """An event offered to a case: its name, its payload, and the case version the caller saw."""

    event: NonEmpty
    payload: dict[str, Any] | None = None
    expected_version: Count | None = None

    __field_docs__: ClassVar[dict[str, str]] = {
        "event": "one of the definition's events",
        "payload": "the event's payload, as GET /api/definitions/{name} gives its schema",
        "expected_version": "the case version the caller saw; any other answers 409 and writes nothing",
    }


@attrs.frozen
class CaseQuery:
    """The filters of a list of cases."""

    definition: str | None = None
    state: str | None = None
    due_before: Timestamp | None = None
    limit: Annotated[int, AT_LEAST_ONE, AT_MOST_LIMIT] = 100
    cursor: str | None = None

    __field_docs__: ClassVar[dict[str, str]] = {
        "definition": "only cases of this definition",
        "state": "only cases in this state",
        "due_before": "only cases with something due at or before this time (ISO 8601)",
        "limit": "at most this many cases (1 to 1000)",
        "cursor": "the page after this one: the `next` of the previous page",
    }


@attrs.frozen
class DueQuery:
    """What has come due by a time."""

    now: Timestamp | None = None

    __field_docs__: ClassVar[dict[str, str]] = {"now": "the time (ISO 8601; default: the server's clock)"}


# --------------------------------------------------------------------------------------------- answers


@attrs.frozen
class ErrorDetail:
    """What went wrong: the HTTP status, one line for a person, and where in the request (a field's path)."""

    status: int
    message: str
    path: str | None


@attrs.frozen
class ErrorBody:
    """Every error's answer."""

    error: ErrorDetail


@attrs.frozen
class DefinitionSummary:
    """One definition: a lifecycle (states and events) or a decision table."""

    name: str
    version: str
    description: str
    kind: str


@attrs.frozen
class DefinitionList:
    """The definitions this service knows."""

    definitions: tuple[DefinitionSummary, ...]


@attrs.frozen
class RuleUse:
    """A rule as a definition uses it: its id, the source cited for it, and its parameters there."""

    rule: str
    source: str
    params: dict[str, Any]


@attrs.frozen
class StateOut:
    """A state of a lifecycle."""

    name: str
    description: str
    initial: bool
    terminal: bool
    outcome: str | None


@attrs.frozen
class EventOut:
    """An event of a lifecycle, with its payload's JSON Schema."""

    name: str
    description: str
    actor: str
    payload: dict[str, Any]


@attrs.frozen
class TransitionOut:
    """A transition: its event, from which states to which, its timer, and the rules that guard it."""

    event: str
    sources: tuple[str, ...]
    dest: str
    after: str | None
    description: str
    rules: tuple[RuleUse, ...]


@attrs.frozen
class AdviceOut:
    """An advice rule and the events it annotates."""

    rule: str
    source: str
    events: tuple[str, ...]


@attrs.frozen
class DefinitionDetail:
    """A definition: states, events with their payload schema, transitions with their rules, facts' schema."""

    name: str
    version: str
    hash: str
    description: str
    kind: str
    states: tuple[StateOut, ...]
    events: tuple[EventOut, ...]
    transitions: tuple[TransitionOut, ...]
    advice: tuple[AdviceOut, ...]
    facts: dict[str, Any]
    rules: tuple[RuleUse, ...] = ()


@attrs.frozen
class FindingOut:
    """A rule's finding on a step: its id, kind (``refusal``, ``advice`` ...), sentence and source."""

    rule: str
    kind: str
    message: str
    source: str


@attrs.frozen
class StepOut:
    """A step, accepted or refused, exactly as ``workflow simulate --json`` writes it."""

    index: int
    event: str
    at: str
    source: str
    target: str
    accepted: bool
    blocked_by: tuple[str, ...]
    advice: tuple[str, ...]
    findings: tuple[FindingOut, ...]
    timer: bool = False


@attrs.frozen
class DefinitionRef:
    """The definition a case runs on."""

    name: str
    version: str
    hash: str


@attrs.frozen
class DueOut:
    """Something that comes due on a case: a ``timer`` (fires by itself) or an ``opening``."""

    kind: str
    event: str
    at: str
    rules: tuple[str, ...]


@attrs.frozen
class CaseOut:
    """A case: what it is, where it stands, what may happen now, what comes due, and its history."""

    id: str
    definition: DefinitionRef
    state: str
    version: int
    created: str
    updated: str
    facts: dict[str, Any]
    terminal: bool
    allowed: tuple[str, ...]
    due: tuple[DueOut, ...]
    history: tuple[StepOut, ...]


@attrs.frozen
class Fired:
    """The step an event made (accepted or refused) and the case after it."""

    step: StepOut
    case: CaseOut


@attrs.frozen
class CaseSummaryOut:
    """A case in a list."""

    id: str
    definition: str
    state: str
    version: int
    updated: str
    next_due: str | None


@attrs.frozen
class CaseList:
    """A page of cases, and the cursor of the following page (``null``: no more)."""

    cases: tuple[CaseSummaryOut, ...]
    next: str | None


@attrs.frozen
class WhyNot:
    """Whether an event would be accepted now (payload rules aside), and every rule that refuses it."""

    event: str
    allowed: bool
    findings: tuple[FindingOut, ...]


@attrs.frozen
class DueAcross:
    """Something that has come due on a case."""

    case: str
    kind: str
    event: str
    at: str
    rules: tuple[str, ...]


@attrs.frozen
class DueList:
    """What has come due, soonest first."""

    due: tuple[DueAcross, ...]
