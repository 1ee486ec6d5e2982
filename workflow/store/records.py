"""What the store hands back besides cases and steps: list rows, due items, fired timers, verify findings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import attrs

from .. import Case, Step


class StoredCase(Case):
    """A ``workflow.Case`` as the store holds it: with its id, when it was last written and its next due time.

    ``version`` is the number of steps in its history, accepted and refused.
    """

    __slots__ = ("group_id", "id", "member", "next_due", "updated")

    id: str
    updated: dt.datetime
    next_due: dt.datetime | None
    #: for a linked case: its group's id and its name there (``None`` for a case on its own)
    group_id: str | None
    member: str | None

    def copy(self) -> StoredCase:
        """An independent copy, with the same id, times and group."""
        out = super().copy()
        assert isinstance(out, StoredCase)
        out.id, out.updated, out.next_due = self.id, self.updated, self.next_due
        out.group_id, out.member = self.group_id, self.member
        return out


@attrs.frozen
class CaseSummary:
    """One row of ``store.list``."""

    id: str
    definition: str
    state: str
    version: int
    updated: dt.datetime
    next_due: dt.datetime | None


@attrs.frozen
class CasePage:
    """A page of ``store.list``: the cases, and ``next``, the cursor of the following page (``None``: no more)."""

    cases: tuple[CaseSummary, ...]
    next: str | None = None

    def __iter__(self) -> Iterator[CaseSummary]:
        return iter(self.cases)

    def __len__(self) -> int:
        return len(self.cases)

    def __getitem__(self, i: int) -> CaseSummary:
        return self.cases[i]


@attrs.frozen
class DueItem:
    """Something that comes due on a case: ``kind`` ``timer`` (fired by ``run_due``) or ``opening``."""

    case_id: str
    kind: str
    event: str
    at: dt.datetime
    rules: tuple[str, ...] = ()


@attrs.frozen
class Written:
    """What ``store.fire_case`` gives back: the step, the case as the write left it, and what comes due on it."""

    step: Step
    case: StoredCase
    due: tuple[DueItem, ...]


@attrs.frozen
class Fired:
    """A timer ``run_due`` fired: the case, the timer's event and the steps it recorded (timer steps)."""

    case_id: str
    event: str
    steps: tuple[Step, ...]


@attrs.frozen
class Mismatch:
    """A case whose stored rows its replay does not rebuild: what differs, as stored and as replayed."""

    case_id: str
    what: str
    stored: Any
    replayed: Any

    def __str__(self) -> str:
        return f"case '{self.case_id}': {self.what}: stored {self.stored!r}, replayed {self.replayed!r}"


@attrs.frozen
class VerifyReport:
    """What ``store.verify`` checked, and every mismatch it found."""

    cases: int
    steps: int
    mismatches: tuple[Mismatch, ...]

    @property
    def ok(self) -> bool:
        return not self.mismatches


@attrs.define
class StoreStats:
    """What this store object saw: lost races re-decided on fresh state, and timers found stale."""

    lost_races: int = 0
    stale_timers: int = 0


@attrs.frozen
class Moved:
    """A case ``store.migrate`` moved (or, in a dry run, would move): its versions and its state before and after."""

    case_id: str
    from_version: str
    to_version: str
    from_state: str
    to_state: str


@attrs.frozen
class NotMoved:
    """A case in flight ``store.migrate`` could not move, and why."""

    case_id: str
    from_version: str
    reason: str


@attrs.frozen
class MigrationReport:
    """What ``store.migrate`` moved to ``to_version`` and what it could not (``dry_run``: nothing was written)."""

    to_version: str
    moved: tuple[Moved, ...]
    not_moved: tuple[NotMoved, ...]
    dry_run: bool = False
