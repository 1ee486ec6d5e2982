"""The ASGI application: the API's and the pages' routes, the error answers, and the guard around them."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from workflow.errors import WorkflowError
from workflow.store import Store

from . import api, pages
from .openapi import OpenAPIGenerator, info
from .problems import INTERNAL, describe, error_body
from .security import Guard
from .service import Service, Settings

STATIC = Path(__file__).parent / "static"
log = logging.getLogger("workflow.web")


def create_app(store: Store, settings: Settings | None = None) -> Starlette:
    """The service over ``store``: the JSON API under ``/api``, the inspector's pages, ``/openapi.json``."""
    service = Service(store, settings)
    routes: list[BaseRoute] = [
        *api.routes(),
        *pages.routes(),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={WorkflowError: _known, HTTPException: _http, Exception: _unknown},
        middleware=[Middleware(Guard, max_body=service.settings.max_body)],
    )
    app.state.service = service
    app.state.openapi = OpenAPIGenerator(info()).get_schema(routes)
    return app


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def answer(request: Request, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    status = int(body["error"]["status"])
    if _is_api(request):
        return JSONResponse(body, status_code=status, headers=headers)
    return pages.error_page(request, body["error"], headers)


async def _known(request: Request, exc: Exception) -> Response:
    body = describe(exc)
    headers = {"WWW-Authenticate": "Bearer"} if body["error"]["status"] == 401 and _is_api(request) else None
    if body["error"]["status"] == 500:
        log.exception("unexpected error answering %s %s", request.method, request.url.path, exc_info=exc)
    return answer(request, body, headers)


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = {404: "no such page or resource", 405: "this method is not allowed here"}.get(exc.status_code, exc.detail)
    headers = dict(exc.headers or {})
    return answer(request, error_body(exc.status_code, message), headers)


async def _unknown(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error answering %s %s", request.method, request.url.path, exc_info=exc)
    return answer(request, error_body(500, INTERNAL))
