"""The inspector's pages (placeholder)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route


def error_page(request: Request, error: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return HTMLResponse(f"<p>{error['status']}</p>", status_code=int(error["status"]), headers=headers)


def routes() -> list[Route]:
    return []
