"""The service's shared work: built-in definitions only, case ids and times checked, diagrams drawn per version."""

from __future__ import annotations

import shutil

import pytest

from workflow.errors import NotFound, RequestError
from workflow.store import Store
from workflow.web.service import Service, check_case_id, parse_time, run_of


@pytest.mark.parametrize("name", ["definitions/account_suspension.yaml", "../x", "x.yml", "", "account_health"])
def test_only_built_in_lifecycles_are_loaded(store: Store, name: str) -> None:
    """A name that is not a built-in lifecycle is NotFound: never read as a file path."""
    with pytest.raises(NotFound):
        Service(store).definition(name)


@pytest.mark.parametrize("case_id", ["", "a/b", "x" * 201, "tab\there", " padded "])
def test_case_ids_the_service_cannot_address_are_refused(case_id: str) -> None:
    """A case id is 1 to 200 printable characters without '/' or surrounding spaces."""
    with pytest.raises(RequestError) as e:
        check_case_id(case_id)
    assert (e.value.status, e.value.path) == (422, "id")


def test_times() -> None:
    """ISO 8601 times with Z, an offset or none (UTC); anything else is a 422 naming the parameter."""
    assert parse_time("2026-03-02T09:00:00Z", "now") == parse_time("2026-03-02T10:00:00+01:00", "now")
    assert parse_time("2026-03-02T09:00:00", "now").utcoffset() is not None
    with pytest.raises(RequestError) as e:
        parse_time("next tuesday", "now")
    assert e.value.path == "now"


def test_run_of_a_case_is_its_history(store: Store) -> None:
    """A stored case's run holds every step in order and ends in its state."""
    store.create("account_suspension", case_id="A")
    store.fire("A", "escalate")
    store.fire("A", "warn")
    case = store.get("A")
    run = run_of(case)
    assert [t.step for t in run.steps] == list(case.history)
    assert run.final_state == case.state == "warning"


def test_diagram_of_a_case_follows_its_version(store: Store) -> None:
    """A case's diagram is drawn again when the case moves on, and kept while it does not."""
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    service = Service(store)
    store.create("account_suspension", case_id="A")
    before = service.diagram(store.get("A").definition, store.get("A"))
    assert service.diagram(store.get("A").definition, store.get("A")) is before
    store.fire("A", "warn")
    assert service.diagram(store.get("A").definition, store.get("A")) != before
