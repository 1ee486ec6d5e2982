"""Errors as HTTP answers: the status of each kind of error, the field at fault, and nothing leaked from a bug."""

from __future__ import annotations

import pytest

from workflow.errors import (
    CaseExists,
    CaseNotFound,
    ConflictError,
    FactsError,
    GraphvizMissing,
    NotFound,
    PayloadError,
    Problem,
    RequestError,
    StoreError,
    UnknownEvent,
)
from workflow.web.problems import INTERNAL, describe, status_of


@pytest.mark.parametrize(
    ("error", "status", "path"),
    [
        (CaseNotFound("A"), 404, None),
        (NotFound("nope"), 404, "definition"),
        (CaseExists("A"), 409, "id"),
        (ConflictError("A", 1, 2), 409, "expected_version"),
        (UnknownEvent("x", ("a",)), 422, "event"),
        (PayloadError("e", [Problem("bad", path="poa.root_causes[0].issue")]), 422, "payload.poa.root_causes[0].issue"),
        (FactsError([Problem("bad", path="rejections")]), 422, "facts.rejections"),
        (RequestError(413, "too big"), 413, None),
        (GraphvizMissing("svg"), 503, None),
        (StoreError("the database refused a write"), 503, None),
    ],
)
def test_each_error_has_its_status_and_path(error: Exception, status: int, path: str | None) -> None:
    """The table gives each error its status, and the field at fault where there is one."""
    assert describe(error) == {"error": {"status": status, "message": str(error), "path": path}}


def test_a_bug_is_500_and_says_nothing_of_itself() -> None:
    """An error the table does not know is a 500 whose message gives nothing away."""
    body = describe(KeyError("secret internals"))
    assert body["error"]["status"] == 500 == status_of(RuntimeError())
    assert body["error"]["message"] == INTERNAL and "secret" not in str(body)
