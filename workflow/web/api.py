"""The JSON API (DESIGN.md, "The service"): definitions, cases, events, why-not, due, and the OpenAPI document.

Each endpoint's request is parsed into the records of ``workflow.web.bodies`` (the same records the OpenAPI
document is generated from); the answers are the store's JSON (``workflow.store.wire``). Store calls run in
Starlette's thread pool: the store is synchronous.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.endpoints import HTTPEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from workflow.core.structure import format_path, structure
from workflow.errors import RequestError
from workflow.store import due_json, list_json

from . import bodies
from .bodies import MAX_LIMIT, CaseQuery, DueQuery, ErrorBody, NewCase, NewEvent
from .describe import definition_json
from .encoding import EncodedJSON
from .openapi import SVG, Header, operation
from .security import require_bearer, require_json
from .service import Service, parse_time

T = TypeVar("T")
IDEMPOTENCY = Header("Idempotency-Key", "a key this case has seen before answers its first step and writes nothing")


def service_of(request: Request) -> Service:
    found: Service = request.app.state.service
    return found


def json_answer(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(data, status_code=status, headers=dict(headers or {}))


# --------------------------------------------------------------------------------------------- parsing


async def read_body(request: Request, record: type[T]) -> T:
    """The request's JSON body structured as ``record``, or a 415/422 naming the field at fault."""
    require_json(request)
    raw = await request.body()
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise RequestError(422, f"the body is not JSON: {e}") from None
    _no_nul(data, "")
    return parse(data, record, "")


def parse(data: Any, record: type[T], prefix: str) -> T:
    value, faults = structure(data, record)
    if faults:
        where, message = faults[0]
        path = format_path(where)
        more = f" (and {len(faults) - 1} more)" if len(faults) > 1 else ""
        raise RequestError(422, f"{path or 'the body'}: {message}{more}", f"{prefix}{path}" or None)
    parsed: T = value
    return parsed


def query_of(request: Request, record: type[T]) -> T:
    """The query string structured as ``record`` (numbers from their text), or a 422 naming the parameter."""
    hints = typing.get_type_hints(record, include_extras=True)
    data: dict[str, Any] = {}
    for name, value in request.query_params.multi_items():
        if name not in hints:
            continue  # other parameters are ignored, as on the web
        _no_nul(value, name)
        if _base(hints[name]) is int:
            try:
                data[name] = int(value)
            except ValueError:
                raise RequestError(422, f"{name}: expected an integer (got {value!r})", name) from None
        else:
            data[name] = value
    return parse(data, record, "")


def _base(t: Any) -> Any:
    while typing.get_origin(t) is Annotated:
        t = typing.get_args(t)[0]
    return t


def _no_nul(data: Any, path: str) -> None:
    """No NUL character in any string (a database refuses them)."""
    if isinstance(data, str):
        if "\x00" in data:
            raise RequestError(422, "a NUL character is not allowed in text", path or None)
    elif isinstance(data, dict):
        for k, v in data.items():
            sub = f"{path}.{k}" if path else str(k)
            _no_nul(k, sub)
            _no_nul(v, sub)
    elif isinstance(data, list):
        for i, v in enumerate(data):
            _no_nul(v, f"{path}[{i}]")


def idempotency_key(request: Request) -> str | None:
    key = request.headers.get("idempotency-key")
    if key is None:
        return None
    if not 0 < len(key) <= 200 or not key.isprintable() or "\x00" in key:
        raise RequestError(422, "an Idempotency-Key is 1 to 200 printable characters", "Idempotency-Key")
    return key


# --------------------------------------------------------------------------------------------- definitions


@operation({200: bodies.DefinitionList}, tag="definitions")
async def list_definitions(request: Request) -> Response:
    """The definitions: lifecycles (states and events) and decision tables."""
    service = service_of(request)
    return json_answer({"definitions": await run_in_threadpool(service.summaries)})


@operation({200: bodies.DefinitionDetail, 404: ErrorBody}, tag="definitions")
async def get_definition(request: Request) -> Response:
    """A definition: its states, its events with their payload schema, its transitions with their rules."""
    service = service_of(request)
    name = request.path_params["name"]
    return json_answer(await run_in_threadpool(definition_json, service, name))


@operation({200: SVG, 404: ErrorBody, 503: ErrorBody}, tag="definitions")
async def definition_diagram(request: Request) -> Response:
    """A lifecycle's diagram (SVG, drawn by Graphviz; 503 when Graphviz is not installed on the server)."""
    service = service_of(request)
    defn = service.definition(request.path_params["name"])
    svg = await run_in_threadpool(service.diagram, defn)
    return Response(svg, media_type=SVG)


# --------------------------------------------------------------------------------------------- cases


@operation({201: bodies.CaseOut, 404: ErrorBody, 409: ErrorBody}, body=NewCase, writes=True)
async def create_case(request: Request) -> Response:
    """Create a case: 201 with the case and its Location; 409 when the id is taken.

    404 for an unknown definition, 422 for bad facts.
    """
    service = service_of(request)
    require_bearer(request, service.settings.token)
    new = await read_body(request, NewCase)
    case = await run_in_threadpool(service.create, new.definition, new.id, new.facts)
    data = await run_in_threadpool(service.case_json, case)
    return json_answer(data, 201, {"Location": case_url(case.id), "ETag": etag(case.version)})


@operation({200: bodies.CaseList, 422: ErrorBody}, query=CaseQuery)
async def list_cases(request: Request) -> Response:
    """A page of cases by id, filtered by definition, state and next due time; `next` is the following page's cursor."""
    service = service_of(request)
    q = query_of(request, CaseQuery)
    if not 1 <= q.limit <= MAX_LIMIT:
        raise RequestError(422, f"limit: from 1 to {MAX_LIMIT} (got {q.limit})", "limit")
    due_before = parse_time(q.due_before, "due_before") if q.due_before is not None else None
    page = await run_in_threadpool(service.store.list, q.definition, q.state, due_before, q.limit, q.cursor)
    return json_answer(list_json(page))


@operation({200: bodies.CaseOut, 404: ErrorBody})
async def get_case(request: Request) -> Response:
    """A case as stored; its ETag is its version."""
    service = service_of(request)
    body, version = await run_in_threadpool(service.case_answer, request.path_params["id"])
    return EncodedJSON(body, headers={"ETag": etag(version)})


@operation({200: bodies.Fired, 404: ErrorBody, 409: ErrorBody}, body=NewEvent, headers=(IDEMPOTENCY,), writes=True)
async def fire_event(request: Request) -> Response:
    """Offer an event to a case: 200 with the step and the case, whether the rules accepted it or refused it.

    409 when expected_version is not the stored version (nothing written); 422 for an unknown event or a bad
    payload, with the field's path.
    """
    service = service_of(request)
    require_bearer(request, service.settings.token)
    new = await read_body(request, NewEvent)
    if new.expected_version is not None and new.expected_version < 0:
        raise RequestError(
            422, f"expected_version: a version is 0 or more (got {new.expected_version})", "expected_version"
        )
    key = idempotency_key(request)
    case_id = request.path_params["id"]
    body, version = await run_in_threadpool(
        service.fire_answer, case_id, new.event, new.payload, new.expected_version, key
    )
    return EncodedJSON(body, headers={"ETag": etag(version)})


@operation({200: bodies.WhyNot, 404: ErrorBody, 422: ErrorBody})
async def why_not(request: Request) -> Response:
    """Whether an event would be accepted now (payload rules aside), and every rule that refuses it."""
    service = service_of(request)
    event = request.path_params["event"]

    def judge() -> dict[str, Any]:
        case = service.get(request.path_params["id"])
        findings = case.why_not(event)
        return {
            "event": event,
            "allowed": event in case.allowed(),
            "findings": [{"rule": f.rule, "kind": f.kind, "message": f.message, "source": f.source} for f in findings],
        }

    return json_answer(await run_in_threadpool(judge))


@operation({200: bodies.DueList, 422: ErrorBody}, query=DueQuery)
async def due(request: Request) -> Response:
    """What has come due across all cases by `now` (default: the server's clock), soonest first."""
    service = service_of(request)
    q = query_of(request, DueQuery)
    now = parse_time(q.now, "now") if q.now is not None else None
    items = await run_in_threadpool(service.store.due, now)
    return json_answer({"due": [due_json(d, with_case=True) for d in items]})


async def openapi(request: Request) -> Response:
    """The OpenAPI 3.1 document."""
    return json_answer(request.app.state.openapi)


def case_url(case_id: str) -> str:
    return f"/api/cases/{quote(case_id, safe='')}"


def etag(version: int) -> str:
    return f'"{version}"'


class Cases(HTTPEndpoint):
    """``/api/cases``: one resource, two methods (a 405 elsewhere names both in ``Allow``)."""

    get = staticmethod(list_cases)
    post = staticmethod(create_case)


def routes() -> list[Route]:
    return [
        Route("/api/definitions", list_definitions, methods=["GET"]),
        Route("/api/definitions/{name}", get_definition, methods=["GET"]),
        Route("/api/definitions/{name}/diagram.svg", definition_diagram, methods=["GET"]),
        Route("/api/cases", Cases),
        Route("/api/cases/{id}", get_case, methods=["GET"]),
        Route("/api/cases/{id}/events", fire_event, methods=["POST"]),
        Route("/api/cases/{id}/why-not/{event}", why_not, methods=["GET"]),
        Route("/api/due", due, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"], include_in_schema=False),
    ]
