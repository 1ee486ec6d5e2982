"""The application: its document built once, and a fault of the server answered 500 in the error shape."""

from __future__ import annotations

import warnings

import pytest

warnings.filterwarnings("ignore", message=".*httpx.*starlette.testclient.*")
from starlette.testclient import TestClient  # noqa: E402

from workflow.store import Store  # noqa: E402
from workflow.web import create_app  # noqa: E402


def test_a_fault_of_the_server_is_500_json_that_leaks_nothing(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unexpected exception answers 500 with the error shape, and its text is not in the answer."""
    app = create_app(store)

    def broken() -> list[dict[str, str]]:
        raise RuntimeError("password=hunter2")

    monkeypatch.setattr(app.state.service, "summaries", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get("/api/definitions")
        assert r.status_code == 500
        assert r.json()["error"]["status"] == 500 and "hunter2" not in r.text
        page = client.get("/")
        assert page.status_code == 500 and "hunter2" not in page.text


def test_the_document_is_built_once_from_the_routes(store: Store) -> None:
    """/openapi.json serves the document the app built from its routes when it was created."""
    app = create_app(store)
    with TestClient(app) as client:
        assert client.get("/openapi.json").json() == app.state.openapi
    assert set(app.state.openapi["components"]["schemas"]) >= {"CaseOut", "Fired", "ErrorBody", "NewCase", "NewEvent"}
