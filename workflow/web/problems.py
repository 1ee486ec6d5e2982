"""Errors as HTTP answers: one table from error class to status, and the one error shape.

Every error answers ``{"error": {"status", "message", "path"}}`` (``path``: the field at fault, else
``null``); pages answer the same in HTML. The first class in ``STATUSES`` an error is an instance of decides,
so a subclass goes before its base. Anything not in the table is a bug: 500, with a message that gives
nothing away.
"""

from __future__ import annotations

from typing import Any

from workflow.errors import (
    CaseExists,
    CaseNotFound,
    ConflictError,
    FactsError,
    GraphvizFailed,
    GraphvizMissing,
    NotFound,
    PayloadError,
    RequestError,
    StoreError,
    TimeOutOfRange,
    UnknownEvent,
    WorkflowError,
)

STATUSES: tuple[tuple[type[Exception], int], ...] = (
    (RequestError, 0),  # its own status
    (CaseNotFound, 404),
    (NotFound, 404),  # a definition's name
    (CaseExists, 409),
    (ConflictError, 409),
    (UnknownEvent, 422),
    (FactsError, 422),
    (PayloadError, 422),
    (TimeOutOfRange, 422),
    (GraphvizMissing, 503),
    (GraphvizFailed, 503),
    (StoreError, 503),  # the database refused or cannot be reached
    (WorkflowError, 422),
)

INTERNAL = "the server failed to answer this request (a fault of the server, logged there)"


def status_of(error: Exception) -> int:
    """The HTTP status ``error`` answers (500 for one the table does not know)."""
    for cls, status in STATUSES:
        if isinstance(error, cls):
            return error.status if isinstance(error, RequestError) else status
    return 500


def path_of(error: Exception) -> str | None:
    """The request field at fault: ``event``, ``payload.poa.root_causes[0].issue``, ``facts.rejections`` ..."""
    if isinstance(error, RequestError):
        return error.path
    if isinstance(error, UnknownEvent):
        return "event"
    if isinstance(error, PayloadError):
        head = "facts" if isinstance(error, FactsError) else "payload"
        first = next((p.path for p in error.problems if p.path), "")
        return f"{head}.{first}" if first else head
    if isinstance(error, ConflictError):
        return "expected_version"
    if isinstance(error, CaseExists):
        return "id"
    if isinstance(error, NotFound):
        return "definition"
    return None


def error_body(status: int, message: str, path: str | None = None) -> dict[str, Any]:
    """The error shape."""
    return {"error": {"status": status, "message": message, "path": path}}


def describe(error: Exception) -> dict[str, Any]:
    """``error`` in the error shape."""
    status = status_of(error)
    message = str(error) if status != 500 else INTERNAL
    return error_body(status, message, path_of(error))
