"""The request records: what the converter takes and refuses, with the field's path."""

from __future__ import annotations

from workflow.core.structure import structure
from workflow.web.bodies import CaseQuery, NewCase, NewEvent


def test_requests_are_structured_strictly() -> None:
    """Known fields are taken; an unknown one, an empty name or a wrong type is refused at its path."""
    assert structure({"definition": "x", "id": "A"}, NewCase) == (NewCase("x", "A", None), [])
    _, faults = structure({"definition": "x", "ids": "A"}, NewCase)
    assert [p for p, _ in faults] == [("ids",)]
    _, faults = structure({"event": " "}, NewEvent)
    assert [p for p, _ in faults] == [("event",)]
    _, faults = structure({"event": "e", "expected_version": "1"}, NewEvent)
    assert [p for p, _ in faults] == [("expected_version",)]
    assert structure({}, CaseQuery)[0].limit == 100
