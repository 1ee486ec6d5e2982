"""The JSON API through Starlette's test client, against DESIGN.md's table ("The service")."""

from __future__ import annotations

import datetime as dt
import shutil
from typing import Any

import pytest
from _appeal import POA, SUSPEND
from starlette.testclient import TestClient

import workflow
from workflow.core.structure import structure
from workflow.store import Store
from workflow.web import bodies


def conforms(data: Any, record: type) -> None:
    """``data`` has exactly the shape of the answer record (no field missing, none unknown, each of its type)."""
    _, faults = structure(data, record)
    assert faults == []


def new_case(client: TestClient, case_id: str = "ACME-1", definition: str = "account_suspension") -> dict[str, Any]:
    r = client.post("/api/cases", json={"definition": definition, "id": case_id})
    assert r.status_code == 201, r.text
    return dict(r.json())


def fire(client: TestClient, case_id: str, event: str, payload: Any = None, **extra: Any) -> Any:
    body: dict[str, Any] = {"event": event}
    if payload is not None:
        body["payload"] = payload
    body |= extra
    return client.post(f"/api/cases/{case_id}/events", json=body)


def error_of(r: Any, status: int) -> dict[str, Any]:
    """The error of an answer with ``status``, checked to have the one error shape."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    data = r.json()
    conforms(data, bodies.ErrorBody)
    assert data["error"]["status"] == status
    return dict(data["error"])


# --------------------------------------------------------------------------------------------- definitions


def test_definitions_lists_every_lifecycle_and_the_table(client: TestClient) -> None:
    """GET /api/definitions names each built-in lifecycle and the decision table, each with its kind."""
    r = client.get("/api/definitions")
    assert r.status_code == 200
    conforms(r.json(), bodies.DefinitionList)
    kinds = {d["name"]: d["kind"] for d in r.json()["definitions"]}
    assert kinds == {**dict.fromkeys(workflow.builtin_names(), "lifecycle"), "account_health": "table"}


def test_definition_gives_payload_schemas_and_rules_with_sources(client: TestClient) -> None:
    """A lifecycle's events carry their payload's JSON Schema (nested records included), its transitions their rules."""
    r = client.get("/api/definitions/account_suspension")
    assert r.status_code == 200
    data = r.json()
    conforms(data, bodies.DefinitionDetail)
    events = {e["name"]: e for e in data["events"]}
    poa = events["submit_poa"]["payload"]["properties"]["poa"]
    root_cause = poa["properties"]["root_causes"]["items"]
    assert root_cause["required"] == ["issue"]
    assert events["suspend"]["payload"]["properties"]["reason_class"]["enum"][0] == "performance"
    defn = workflow.load("account_suspension")
    sources = {(r["rule"], r["source"]) for t in data["transitions"] for r in t["rules"]}
    assert sources == {(g.id, g.source) for t in defn.transitions for g in t.guards}


def test_the_table_lists_its_rules_with_sources(client: TestClient) -> None:
    """The decision table answers with its rules, each with its source."""
    data = client.get("/api/definitions/account_health").json()
    assert data["kind"] == "table"
    assert {"health.odr", "health.ahr"} <= {r["rule"] for r in data["rules"]}
    assert all(r["source"] for r in data["rules"])


@pytest.mark.parametrize("name", ["nope", "...", "definitions%2Faccount_suspension.yaml", "x.yaml"])
def test_unknown_definition_is_404_and_never_a_file(client: TestClient, name: str) -> None:
    """A name that is not a built-in answers 404, even when it looks like a path to a definition file."""
    err = error_of(client.get(f"/api/definitions/{name}"), 404)
    assert err["message"]


def test_diagram_is_svg(client: TestClient) -> None:
    """The definition's diagram is SVG drawn by Graphviz."""
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    r = client.get("/api/definitions/ip_complaint/diagram.svg")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in r.content and b"complaint_received" in r.content


def test_diagram_without_graphviz_is_503_json(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without Graphviz on the server, the diagram answers 503 with the error shape."""
    monkeypatch.setenv("PATH", "")
    err = error_of(client.get("/api/definitions/catalog_case/diagram.svg"), 503)
    assert "Graphviz" in err["message"] or "dot" in err["message"]


# --------------------------------------------------------------------------------------------- cases


def test_create_answers_201_with_location_and_the_case(client: TestClient) -> None:
    """POST /api/cases creates the case at version 0: 201, Location, ETag, the case JSON."""
    r = client.post("/api/cases", json={"definition": "account_suspension", "id": "ACME-1", "facts": {"rejections": 1}})
    assert r.status_code == 201
    assert r.headers["location"] == "/api/cases/ACME-1"
    assert r.headers["etag"] == '"0"'
    data = r.json()
    conforms(data, bodies.CaseOut)
    assert (data["id"], data["state"], data["version"], data["facts"]["rejections"]) == ("ACME-1", "active", 0, 1)
    assert client.get(r.headers["location"]).json() == data


def test_create_without_id_generates_one(client: TestClient) -> None:
    """A case created without an id gets one, and its Location names it."""
    r = client.post("/api/cases", json={"definition": "verification"})
    assert r.status_code == 201
    assert r.headers["location"] == f"/api/cases/{r.json()['id']}"


def test_create_errors(client: TestClient) -> None:
    """A taken id is 409, an unknown definition 404, bad facts 422 with the fact's path, a bad id 422."""
    new_case(client)
    assert (
        error_of(client.post("/api/cases", json={"definition": "account_suspension", "id": "ACME-1"}), 409)["path"]
        == "id"
    )
    assert error_of(client.post("/api/cases", json={"definition": "nope"}), 404)["path"] == "definition"
    bad = {"definition": "account_suspension", "facts": {"rejections": "two"}}
    assert error_of(client.post("/api/cases", json=bad), 422)["path"] == "facts.rejections"
    assert (
        error_of(client.post("/api/cases", json={"definition": "account_suspension", "id": "a/b"}), 422)["path"] == "id"
    )
    assert (
        error_of(client.post("/api/cases", json={"definition": "account_suspension", "idd": 1}), 422)["path"] == "idd"
    )
    assert error_of(client.post("/api/cases", json={"id": "x"}), 422)["path"] == "definition"


def test_get_has_etag_of_its_version_and_404(client: TestClient) -> None:
    """GET /api/cases/{id} carries the version as ETag; an unknown case is 404."""
    new_case(client)
    fire(client, "ACME-1", "suspend", SUSPEND)
    r = client.get("/api/cases/ACME-1")
    assert r.headers["etag"] == '"1"' and r.json()["version"] == 1
    assert "ACME-2" in error_of(client.get("/api/cases/ACME-2"), 404)["message"]


def test_list_filters_and_pages(client: TestClient, store: Store) -> None:
    """The list filters by definition, state and due time, and pages with its cursor."""
    for i in range(3):
        new_case(client, f"S-{i}")
    new_case(client, "IP-1", "ip_complaint")
    fire(client, "IP-1", "receive_complaint", {"complaint_type": "trademark"})
    fire(client, "S-1", "suspend", SUSPEND)
    r = client.get("/api/cases", params={"definition": "account_suspension"})
    conforms(r.json(), bodies.CaseList)
    assert [c["id"] for c in r.json()["cases"]] == ["S-0", "S-1", "S-2"]
    assert [c["id"] for c in client.get("/api/cases?state=suspended").json()["cases"]] == ["S-1"]
    later = (store.clock.now() + dt.timedelta(days=91)).isoformat()
    due = client.get("/api/cases", params={"due_before": later}).json()["cases"]
    assert [c["id"] for c in due] == ["IP-1"] and due[0]["next_due"]
    first = client.get("/api/cases?limit=2").json()
    second = client.get(f"/api/cases?limit=2&cursor={first['next']}").json()
    assert [c["id"] for c in first["cases"] + second["cases"]] == ["IP-1", "S-0", "S-1", "S-2"]
    assert second["next"] is None
    assert error_of(client.get("/api/cases?limit=0"), 422)["path"] == "limit"
    assert error_of(client.get("/api/cases?limit=ten"), 422)["path"] == "limit"
    assert error_of(client.get("/api/cases?due_before=soon"), 422)["path"] == "due_before"


# --------------------------------------------------------------------------------------------- events


def test_refusal_is_200_with_every_rule_and_changes_no_state(client: TestClient) -> None:
    """A refused event answers 200 with accepted false, each refusing rule's sentence and source; the state stays."""
    new_case(client)
    r = fire(client, "ACME-1", "escalate")
    assert r.status_code == 200
    conforms(r.json(), bodies.Fired)
    step, case = r.json()["step"], r.json()["case"]
    assert step["accepted"] is False and step["blocked_by"] == ["state.no_transition"]
    assert all(f["message"] and f["source"] for f in step["findings"])
    assert (case["state"], case["version"]) == ("active", 1)
    assert case["history"][-1] == step


def test_accepted_event_moves_the_case(client: TestClient) -> None:
    """An accepted event answers 200 with the step and the case in its new state."""
    new_case(client)
    r = fire(client, "ACME-1", "suspend", SUSPEND)
    assert r.status_code == 200 and r.headers["etag"] == '"1"'
    assert r.json()["step"]["accepted"] is True
    assert r.json()["case"]["state"] == "suspended"
    r = fire(client, "ACME-1", "submit_poa", {"poa": POA, "channel": "email"}, expected_version=1)
    assert r.json()["step"]["target"] == "poa_submitted"


def test_stale_version_is_409_and_writes_nothing(client: TestClient) -> None:
    """expected_version other than the stored one is 409 and nothing is written."""
    new_case(client)
    fire(client, "ACME-1", "suspend", SUSPEND)
    err = error_of(fire(client, "ACME-1", "recover", expected_version=0), 409)
    assert err["path"] == "expected_version" and "version 1" in err["message"]
    assert client.get("/api/cases/ACME-1").json()["version"] == 1


def test_event_errors(client: TestClient) -> None:
    """An unknown event or a bad payload is 422 with the field's path; an unknown case 404; nothing is written."""
    new_case(client)
    assert error_of(fire(client, "ACME-1", "explode"), 422)["path"] == "event"
    err = error_of(fire(client, "ACME-1", "suspend", {"reason_class": "boredom"}), 422)
    assert err["path"] == "payload.reason_class" and "boredom" in err["message"]
    bad_poa = {"poa": {"root_causes": [{"text": "no issue named"}]}}
    assert error_of(fire(client, "ACME-1", "submit_poa", bad_poa), 422)["path"] == "payload.poa.root_causes[0].issue"
    assert error_of(fire(client, "ACME-1", "suspend", [1, 2]), 422)["path"] == "payload"
    assert error_of(fire(client, "ACME-1", "suspend", expected_version=-1), 422)["path"] == "expected_version"
    assert error_of(fire(client, "ACME-1", "suspend", {"issues": ["a\x00b"]}), 422)["path"] == "payload.issues[0]"
    assert error_of(fire(client, "NOPE", "suspend"), 404)
    assert client.get("/api/cases/ACME-1").json()["version"] == 0


def test_idempotency_key_answers_the_first_step(client: TestClient) -> None:
    """A repeated Idempotency-Key answers the first step and writes nothing."""
    new_case(client)
    key = {"Idempotency-Key": "req-1"}
    first = client.post("/api/cases/ACME-1/events", json={"event": "suspend", "payload": SUSPEND}, headers=key)
    again = client.post("/api/cases/ACME-1/events", json={"event": "suspend", "payload": SUSPEND}, headers=key)
    assert first.json()["step"] == again.json()["step"]
    assert again.json()["case"]["version"] == 1
    long_key = {"Idempotency-Key": "k" * 201}
    r = client.post("/api/cases/ACME-1/events", json={"event": "recover"}, headers=long_key)
    assert error_of(r, 422)["path"] == "Idempotency-Key"


def test_why_not(client: TestClient) -> None:
    """why-not names every refusing rule now, or none for an event that is allowed; an unknown event is 422."""
    new_case(client)
    r = client.get("/api/cases/ACME-1/why-not/escalate")
    conforms(r.json(), bodies.WhyNot)
    assert r.json()["allowed"] is False
    assert [f["rule"] for f in r.json()["findings"]] == ["state.no_transition"]
    assert client.get("/api/cases/ACME-1/why-not/suspend").json() == {
        "event": "suspend",
        "allowed": True,
        "findings": [],
    }
    assert error_of(client.get("/api/cases/ACME-1/why-not/explode"), 422)["path"] == "event"
    assert error_of(client.get("/api/cases/NOPE/why-not/suspend"), 404)


def test_due_lists_timers_come_due(client: TestClient, store: Store) -> None:
    """GET /api/due lists what has come due by `now`: a 90-day timer is there after 90 days, not before."""
    new_case(client, "IP-1", "ip_complaint")
    fire(client, "IP-1", "receive_complaint", {"complaint_type": "trademark"})
    start = store.clock.now()
    assert client.get("/api/due", params={"now": (start + dt.timedelta(days=89)).isoformat()}).json() == {"due": []}
    r = client.get("/api/due", params={"now": (start + dt.timedelta(days=91)).isoformat()})
    conforms(r.json(), bodies.DueList)
    assert [(d["case"], d["kind"], d["event"]) for d in r.json()["due"]] == [("IP-1", "timer", "complaint_timed_out")]
    assert client.get("/api/cases/IP-1").json()["due"][0]["event"] == "complaint_timed_out"
    assert error_of(client.get("/api/due?now=tomorrow"), 422)["path"] == "now"


# --------------------------------------------------------------------------------------------- bodies, errors


def test_body_errors(client: TestClient) -> None:
    """A body that is not JSON is 422, one without a JSON content type 415, an unknown route 404, a method 405."""
    r = client.post("/api/cases", content=b"{not json", headers={"content-type": "application/json"})
    assert error_of(r, 422)["path"] is None
    r = client.post("/api/cases", content=b'{"definition": "verification"}', headers={"content-type": "text/plain"})
    error_of(r, 415)
    error_of(client.get("/api/nothing"), 404)
    error_of(client.delete("/api/cases"), 405)


def test_openapi_document_names_every_path_of_the_contract(client: TestClient) -> None:
    """/openapi.json is an OpenAPI 3.1 document with every path and method of DESIGN.md's table."""
    doc = client.get("/openapi.json").json()
    assert doc["openapi"] == "3.1.0"
    methods = {(p, m) for p, ops in doc["paths"].items() for m in ops}
    assert methods == {
        ("/api/definitions", "get"),
        ("/api/definitions/{name}", "get"),
        ("/api/definitions/{name}/diagram.svg", "get"),
        ("/api/cases", "post"),
        ("/api/cases", "get"),
        ("/api/cases/{id}", "get"),
        ("/api/cases/{id}/events", "post"),
        ("/api/cases/{id}/why-not/{event}", "get"),
        ("/api/due", "get"),
    }
    fire_op = doc["paths"]["/api/cases/{id}/events"]["post"]
    assert set(fire_op["responses"]) >= {"200", "404", "409", "413", "422"}
    assert any(p["name"] == "Idempotency-Key" for p in fire_op["parameters"])
