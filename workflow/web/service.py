"""What the API and the pages both do with the store: read cases and definitions, fire events, draw diagrams.

Only the store's public API is used. The threads of one process could share its ``Store`` freely, but this
process's writes go through one lock (reads do not): 32 clients on 20 shared cases then find the store's own copy
of a case current instead of racing each other to a stale one (296-307 requests/s with the lock, 220 without,
BENCHMARKS.md). Several processes (``--workers``) write concurrently, which the store serialises per case in the
database.
"""

from __future__ import annotations

import datetime as dt
import functools
import string
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import attrs

import workflow
from workflow import Definition, Step
from workflow.amazon.health import builtin_tables, load_table, tables_dir
from workflow.errors import NotFound, RequestError
from workflow.run.scenario import Trace, TraceStep
from workflow.store import DueItem, Store, StoredCase, case_json

from .encoding import StepTexts, case_text, fired_text

#: how many drawn diagrams (a definition's, or a case's run at one version) are kept
DIAGRAMS_KEPT = 128
LIFECYCLE, TABLE = "lifecycle", "table"
MAX_ID = 200


@attrs.frozen
class Settings:
    """How the service runs: the token its writes need (``None``: none), the largest request body, cookies."""

    token: str | None = None
    max_body: int = 64 * 1024
    secure_cookies: bool = False  # cookies marked Secure (behind HTTPS)


class Service:
    """The store, the built-in definitions, and the diagrams drawn so far."""

    def __init__(self, store: Store, settings: Settings | None = None) -> None:
        self.store = store
        self.settings = settings or Settings()
        self._writing = threading.Lock()
        self._diagrams: OrderedDict[tuple[str, ...], bytes] = OrderedDict()
        self._drawing = threading.Lock()
        self.texts = StepTexts()

    # ------------------------------------------------------------------------------------------ definitions

    @staticmethod
    def definition_names() -> tuple[str, ...]:
        """The lifecycles this service runs (built in): a name that is not one of them is never read as a path."""
        return tuple(workflow.builtin_names())

    def definition(self, name: str) -> Definition:
        """A built-in lifecycle by name, or ``NotFound``."""
        if name not in self.definition_names():
            raise NotFound(name, known=self.definition_names())
        return workflow.load(name)

    @staticmethod
    def table(name: str) -> Any:
        """A built-in decision table by name, or ``NotFound``."""
        if name not in builtin_tables():
            raise NotFound(name, known=(*workflow.builtin_names(), *builtin_tables()))
        return _table(name)

    def kind(self, name: str) -> str:
        if name in self.definition_names():
            return LIFECYCLE
        if name in builtin_tables():
            return TABLE
        raise NotFound(name, known=(*self.definition_names(), *builtin_tables()))

    def summaries(self) -> list[dict[str, str]]:
        out = [
            {"name": d.name, "version": d.version, "description": d.description.strip(), "kind": LIFECYCLE}
            for d in map(workflow.load, self.definition_names())
        ]
        for name in builtin_tables():
            t = _table(name)
            out.append({"name": t.name, "version": t.version, "description": t.description.strip(), "kind": TABLE})
        return out

    # ------------------------------------------------------------------------------------------ cases

    def create(self, definition: str, case_id: str | None, facts: Mapping[str, Any] | None) -> StoredCase:
        defn = self.definition(definition)
        if case_id is not None:
            check_case_id(case_id)
        with self._writing:
            return self.store.create(defn, case_id=case_id, facts=facts)

    def fire(
        self,
        case_id: str,
        event: str,
        payload: Mapping[str, Any] | None,
        expected_version: int | None,
        idempotency_key: str | None,
    ) -> Step:
        with self._writing:
            return self.store.fire(
                case_id, event, payload, expected_version=expected_version, idempotency_key=idempotency_key
            )

    def fire_answer(
        self,
        case_id: str,
        event: str,
        payload: Mapping[str, Any] | None,
        expected_version: int | None,
        idempotency_key: str | None,
    ) -> tuple[bytes, int]:
        """``fire``, answered: ``{"step": …, "case": …}`` as JSON bytes, with the case as the write left it, and
        its version."""
        with self._writing:
            written = self.store.fire_case(
                case_id, event, payload, expected_version=expected_version, idempotency_key=idempotency_key
            )
        return fired_text(written, self.texts).encode(), written.case.version

    def case_answer(self, case_id: str) -> tuple[bytes, int]:
        """The case JSON of a stored case as bytes, and its version."""
        case = self.store.get(case_id)
        return case_text(case, self.store.due_of(case.id), self.texts).encode(), case.version

    def get(self, case_id: str) -> StoredCase:
        return self.store.get(case_id)

    def due_of(self, case_id: str) -> list[DueItem]:
        return self.store.due_of(case_id)

    def case_json(self, case: StoredCase) -> dict[str, Any]:
        return case_json(case, self.store.due_of(case.id))

    def now(self) -> dt.datetime:
        return self.store.clock.now()

    # ------------------------------------------------------------------------------------------ diagrams

    def diagram(self, defn: Definition, case: StoredCase | None = None) -> bytes:
        """The definition's SVG, or with ``case`` its run drawn on it (``GraphvizMissing`` without Graphviz)."""
        from workflow.diagram import draw

        key: tuple[str, ...] = (defn.hash,) if case is None else (defn.hash, case.id, str(case.version))
        with self._drawing:
            kept = self._diagrams.get(key)
            if kept is not None:
                self._diagrams.move_to_end(key)
                return kept
        svg = (
            draw(defn, "svg")
            if case is None
            else draw(defn, "svg", run_of(case), title=f"{defn.name} — the case's run")
        )
        with self._drawing:
            self._diagrams[key] = svg
            while len(self._diagrams) > DIAGRAMS_KEPT:
                self._diagrams.popitem(last=False)
        return svg


@functools.lru_cache(maxsize=8)
def _table(name: str) -> Any:
    return load_table(tables_dir() / f"{name}.yaml")


def run_of(case: StoredCase) -> Trace:
    """A stored case's history as a run the diagram draws (every step, in order)."""
    defn = case.definition
    return Trace(
        definition=defn,
        initial_state=defn.initial.name,
        final_state=case.state,
        steps=tuple(TraceStep(step=st, expect=None, met=True) for st in case.history),
        case=case,
    )


_PRINTABLE = frozenset(string.printable) - frozenset("\t\n\r\x0b\x0c")


def check_case_id(case_id: str) -> None:
    """A case id the service can address: 1 to 200 printable characters, no ``/``."""
    if not 0 < len(case_id) <= MAX_ID or not case_id.isprintable() or "/" in case_id:
        raise RequestError(422, f"a case id is 1 to {MAX_ID} printable characters without '/'", "id")
    if case_id != case_id.strip():
        raise RequestError(422, "a case id does not start or end with a space", "id")


def parse_time(text: str, what: str) -> dt.datetime:
    """An ISO 8601 time (``Z`` or an offset; none means UTC), or a 422 naming the parameter."""
    raw = text.strip()
    try:
        stamp = dt.datetime.fromisoformat(raw[:-1] + "+00:00" if raw[-1:] in ("Z", "z") else raw)
    except ValueError:
        raise RequestError(422, f"not a time such as 2026-03-02T09:00:00Z: {text!r}", what) from None
    stamp = stamp.replace(tzinfo=dt.timezone.utc) if stamp.tzinfo is None else stamp
    try:
        return stamp.astimezone(dt.timezone.utc)
    except OverflowError:
        raise RequestError(422, f"a time out of range: {text!r}", what) from None
