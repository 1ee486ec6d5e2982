"""The case JSON the API answers with, built from each step's JSON encoded once: the bytes of a fresh build.

Each answer is compared with Starlette's ``JSONResponse`` of the case JSON that a second store, reading the
same database, builds from scratch (``workflow.store.case_json``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from _appeal import APPEAL, POA, SUSPEND
from starlette.responses import JSONResponse
from starlette.testclient import TestClient

import workflow
from workflow import Step
from workflow.store import Store, case_json, open_store, step_json
from workflow.web.encoding import StepTexts, dumps

#: the appeal up to its request for information, with the time waited before each event
EVENTS = [(event, payload, f"{days}d") for event, payload, days in APPEAL[:-1]]


def fresh(store: Store, case_id: str, index: int | None = None) -> bytes:
    """The answer built from scratch by another store: the case JSON, or with ``index`` the fired answer."""
    with open_store(store.url, clock=store.clock) as other:
        case = other.get(case_id)
        data = case_json(case, other.due_of(case_id))
    if index is not None:
        data = {"step": step_json(case.history[index]), "case": data}
    return bytes(JSONResponse(data).body)


def fire(client: TestClient, case_id: str, event: str, payload: dict[str, Any]) -> Any:
    r = client.post(f"/api/cases/{case_id}/events", json={"event": event, "payload": payload})
    assert r.status_code == 200, r.text
    return r


def test_each_answer_is_the_bytes_of_a_fresh_build(
    client: TestClient, store: Store, web_clock: workflow.SimulatedClock
) -> None:
    """Every fired answer, and the case read after it, is byte for byte the case JSON built afresh."""
    assert client.post("/api/cases", json={"definition": "account_suspension", "id": "A"}).status_code == 201
    kinds = set()
    for event, payload, later in EVENTS:
        web_clock.advance(later)
        r = fire(client, "A", event, payload)
        index = r.json()["step"]["index"]
        assert r.content == fresh(store, "A", index)
        assert r.headers["content-type"] == "application/json"
        assert r.headers["etag"] == f'"{r.json()["case"]["version"]}"'
        kinds |= {d["kind"] for d in r.json()["case"]["due"]}
        read = client.get("/api/cases/A")
        assert read.content == fresh(store, "A")
    assert "opening" in kinds
    assert client.app.state.service.texts.reused > 0  # type: ignore[attr-defined]


def test_cases_fired_in_turn_keep_their_own_steps(client: TestClient, store: Store) -> None:
    """Two cases fired alternately each answer with their own history, never the other's."""
    for cid in ("A", "B"):
        assert client.post("/api/cases", json={"definition": "account_suspension", "id": cid}).status_code == 201
    for (event, payload, _), other in zip(EVENTS, reversed(EVENTS), strict=True):
        for cid, (e, p) in (("A", (event, payload)), ("B", other[:2])):
            r = fire(client, cid, e, p)
            assert r.json()["case"]["id"] == cid
            assert r.content == fresh(store, cid, r.json()["step"]["index"])
    assert client.get("/api/cases/A").json()["history"] != client.get("/api/cases/B").json()["history"]


def test_a_case_another_writer_moved_is_answered_as_stored(client: TestClient, store: Store) -> None:
    """After another store (another worker) writes the case, the next answer has its steps and the new one."""
    assert client.post("/api/cases", json={"definition": "account_suspension", "id": "A"}).status_code == 201
    fire(client, "A", "suspend", SUSPEND)
    with open_store(store.url, clock=store.clock) as other:
        other.fire("A", "submit_poa", {"poa": POA, "channel": "email"})
    texts = client.app.state.service.texts  # type: ignore[attr-defined]
    reused = texts.reused
    r = fire(client, "A", "escalate", {})
    assert [s["event"] for s in r.json()["case"]["history"]] == ["suspend", "submit_poa", "escalate"]
    assert r.content == fresh(store, "A", 2)
    assert texts.reused == reused + 1  # the first step, read again from the database, was equal to the kept one


def step(index: int, event: str, accepted: bool = True) -> Step:
    at = dt.datetime(2026, 3, 2, 9, tzinfo=dt.timezone.utc)
    return Step(index=index, event=event, at=at, source="active", target="suspended", accepted=accepted)


def test_a_kept_text_is_only_for_its_step() -> None:
    """A different step at the same index of the same case gets its own text; an equal one reuses the kept text."""
    texts = StepTexts()
    first = texts.texts("A", [step(0, "suspend")])
    assert texts.texts("A", [step(0, "warn")]) == (dumps(step_json(step(0, "warn"))),) != first
    assert texts.texts("A", [step(0, "warn", accepted=False)]) == (dumps(step_json(step(0, "warn", False))),)
    assert texts.texts("B", [step(0, "suspend")]) == first
    reused = texts.reused
    assert texts.texts("B", [step(0, "suspend"), step(1, "escalate")])[0] == first[0]
    assert texts.reused == reused + 1


def test_texts_kept_are_bounded() -> None:
    """Past the bound, the least recently answered cases' texts are let go."""
    texts = StepTexts(steps_kept=3)
    texts.texts("A", [step(0, "suspend"), step(1, "escalate")])
    texts.texts("B", [step(0, "suspend"), step(1, "escalate")])
    assert len(texts) == 2
    encoded = texts.encoded
    texts.texts("B", [step(0, "suspend"), step(1, "escalate")])
    assert texts.encoded == encoded  # B was kept
    texts.texts("A", [step(0, "suspend")])
    assert texts.encoded == encoded + 1  # A had been let go
