"""Serving the app with uvicorn: loopback by default, a token required beyond it, one app per worker process."""

from __future__ import annotations

import ipaddress
import os

from starlette.applications import Starlette

from workflow.errors import UnsafeBind

from .app import create_app
from .service import Settings

#: what ``serve`` hands its worker processes (each builds its own app and store from them)
DB_VARIABLE = "WORKFLOW_SERVE_DB"
TOKEN_VARIABLE = "WORKFLOW_TOKEN"
MAX_BODY_VARIABLE = "WORKFLOW_SERVE_MAX_BODY"


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (``127.0.0.1``, ``::1``, ``localhost``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def app_from_environment() -> Starlette:
    """The app as ``serve`` configured it through the environment: built once in each worker process."""
    from workflow.store import open_store

    store = open_store(os.environ[DB_VARIABLE])
    token = os.environ.get(TOKEN_VARIABLE) or None
    max_body = int(os.environ.get(MAX_BODY_VARIABLE) or Settings().max_body)
    return create_app(store, Settings(token=token, max_body=max_body))


def serve(
    db: str,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    token: str | None = None,
    log_level: str = "info",
) -> None:
    """Serve the store at ``db`` until interrupted. Beyond loopback, writes need ``token`` (else ``UnsafeBind``).

    The store is opened (created, or its schema checked) here first, so a wrong URL fails before any worker starts.
    """
    import uvicorn

    from workflow.store import open_store

    if not is_loopback(host) and not token:
        raise UnsafeBind(host)
    open_store(db).close()
    os.environ[DB_VARIABLE] = db
    if token:
        os.environ[TOKEN_VARIABLE] = token
    else:
        os.environ.pop(TOKEN_VARIABLE, None)
    uvicorn.run(
        "workflow.web.server:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers if workers > 1 else None,
        log_level=log_level,
        proxy_headers=False,
        server_header=False,
    )
