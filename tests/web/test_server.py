"""``workflow serve``: loopback by default, and no listening beyond it without a token."""

from __future__ import annotations

from pathlib import Path

import pytest
from _cli import run

from workflow.web import server


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "example.org"])
def test_serve_refuses_beyond_loopback_without_a_token(
    tmp_path: Path, host: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beyond loopback without --token or WORKFLOW_TOKEN, serve exits 2 with one line and listens on nothing."""
    monkeypatch.delenv("WORKFLOW_TOKEN", raising=False)
    started: list[object] = []
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: started.append(k))
    result = run("serve", "--db", f"sqlite:///{tmp_path / 'c.db'}", "--host", host)
    assert result.exit_code == 2
    assert "without a token" in result.stderr and result.stderr.count("\n") == 1
    assert started == []


def test_serve_beyond_loopback_with_a_token_hands_it_to_the_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a token, serve starts uvicorn on the host asked, and the workers' app requires the token for writes."""
    monkeypatch.setenv("WORKFLOW_TOKEN", "s3cret")
    monkeypatch.setenv(server.DB_VARIABLE, "")  # restored after the test: serve sets it for its workers
    started: list[dict[str, object]] = []
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: started.append(k))
    db = f"sqlite:///{tmp_path / 'c.db'}"
    result = run("serve", "--db", db, "--host", "0.0.0.0", "--port", "9999", "--workers", "2")
    assert result.exit_code == 0, result.stderr
    assert (started[0]["host"], started[0]["port"], started[0]["workers"]) == ("0.0.0.0", 9999, 2)
    app = server.app_from_environment()
    assert app.state.service.settings.token == "s3cret"


def test_loopback_hosts() -> None:
    """127.0.0.1, ::1 and localhost are loopback; the wildcard and other addresses are not."""
    assert all(server.is_loopback(h) for h in ("127.0.0.1", "127.8.0.1", "::1", "[::1]", "localhost"))
    assert not any(server.is_loopback(h) for h in ("0.0.0.0", "::", "10.0.0.1", "example.org"))
