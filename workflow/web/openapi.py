"""The OpenAPI 3.1 document, generated from the code.

Starlette lists the routes (``BaseSchemaGenerator.get_endpoints``: paths without converters, methods, the
endpoint functions); each API endpoint carries an ``Operation`` (set by the ``operation`` decorator) naming
the records its request body, query string and answers are, and ``workflow.web.schema`` turns those records
into schemas. The summary is the endpoint's docstring's first line. Nothing in the document is written by hand
apart from those sentences: the same records parse the requests (``workflow.web.api``).
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import attrs
from starlette.routing import BaseRoute
from starlette.schemas import BaseSchemaGenerator

import workflow

from .bodies import ErrorBody
from .schema import Schema, field_name, type_schema

F = TypeVar("F", bound=Callable[..., Any])

JSON = "application/json"
SVG = "image/svg+xml"

REASONS = {
    200: "OK",
    201: "Created",
    304: "Not modified",
    400: "Bad request",
    401: "A bearer token is needed",
    403: "Forbidden",
    404: "Not found",
    409: "Conflict",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Unprocessable request",
    503: "Unavailable",
}


@attrs.frozen
class Header:
    """A request header an operation reads."""

    name: str
    description: str
    max_length: int = 200


@attrs.frozen
class Operation:
    """What an API endpoint takes and answers: its body record, query record, headers, and answers by status
    (a record, or a media type for a body that is not JSON)."""

    answers: Mapping[int, Any]
    body: type | None = None
    query: type | None = None
    headers: tuple[Header, ...] = ()
    writes: bool = False  # needs the bearer token when the service has one
    tag: str = "cases"


def operation(
    answers: Mapping[int, Any],
    *,
    body: type | None = None,
    query: type | None = None,
    headers: tuple[Header, ...] = (),
    writes: bool = False,
    tag: str = "cases",
) -> Callable[[F], F]:
    """Attach the ``Operation`` to an endpoint function."""
    op = Operation(answers, body, query, headers, writes, tag)

    def mark(func: F) -> F:
        func.__dict__["operation"] = op
        return func

    return mark


def operation_of(func: Callable[..., Any]) -> Operation | None:
    found = func.__dict__.get("operation")
    return found if isinstance(found, Operation) else None


_PARAM = re.compile(r"{([^}]+)}")


class OpenAPIGenerator(BaseSchemaGenerator):
    """The document for the routes that carry an ``Operation``."""

    def __init__(self, info: Mapping[str, Any]) -> None:
        self.info = dict(info)

    def get_schema(self, routes: list[BaseRoute]) -> dict[str, Any]:
        components: dict[str, Schema] = {}
        paths: dict[str, dict[str, Any]] = {}
        writes = False
        for ep in self.get_endpoints(routes):
            op = operation_of(ep.func)
            if op is None:
                continue
            writes = writes or op.writes
            paths.setdefault(ep.path, {})[ep.http_method] = _operation(ep.path, ep.func, op, components)
        doc: dict[str, Any] = {
            "openapi": "3.1.0",
            "info": self.info,
            "paths": paths,
            "components": {"schemas": dict(sorted(components.items()))},
        }
        if writes:
            doc["components"]["securitySchemes"] = {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "needed by writes when the server listens beyond loopback (--token)",
                }
            }
        return doc


def _operation(path: str, func: Callable[..., Any], op: Operation, components: dict[str, Schema]) -> dict[str, Any]:
    doc = (func.__doc__ or "").strip()
    summary, _, rest = doc.partition("\n")
    out: dict[str, Any] = {
        "operationId": func.__name__,
        "summary": summary.strip(),
        "tags": [op.tag],
    }
    if rest.strip():
        out["description"] = " ".join(rest.split())
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
        for name in _PARAM.findall(path)
    ]
    if op.query is not None:
        hints = typing.get_type_hints(op.query, include_extras=True)
        docs: Mapping[str, str] = getattr(op.query, "__field_docs__", {})
        for a in attrs.fields(op.query):
            schema = type_schema(hints[a.name])
            schema.pop("description", None)
            if isinstance(schema.get("type"), list):  # a query parameter is absent, never null
                schema["type"] = next(t for t in schema["type"] if t != "null")
            params.append(
                {
                    "name": field_name(a),
                    "in": "query",
                    "required": a.default is attrs.NOTHING,
                    "schema": schema,
                    "description": docs.get(a.name, ""),
                }
            )
    for h in op.headers:
        params.append(
            {
                "name": h.name,
                "in": "header",
                "required": False,
                "description": h.description,
                "schema": {"type": "string", "minLength": 1, "maxLength": h.max_length},
            }
        )
    if params:
        out["parameters"] = params
    if op.body is not None:
        out["requestBody"] = {"required": True, "content": {JSON: {"schema": type_schema(op.body, components)}}}
    answers: dict[str, Any] = {}
    statuses = dict(op.answers)
    if op.body is not None:
        statuses.setdefault(413, ErrorBody)
        statuses.setdefault(415, ErrorBody)
        statuses.setdefault(422, ErrorBody)
    if op.writes:
        statuses.setdefault(401, ErrorBody)
        out["security"] = [{}, {"bearer": []}]
    for status, what in sorted(statuses.items()):
        answer: dict[str, Any] = {"description": REASONS.get(status, str(status))}
        if isinstance(what, str):
            answer["content"] = {what: {"schema": {"type": "string"}}}
        elif what is not None:
            answer["content"] = {JSON: {"schema": type_schema(what, components)}}
        answers[str(status)] = answer
    out["responses"] = answers
    return out


def info() -> dict[str, Any]:
    return {
        "title": "workflow",
        "version": workflow.__version__,
        "description": (
            "Cases of the workflow rules engine kept in its store: create them, offer them events (a refusal is a "
            "normal answer that names every rule and its source), read them, and see what comes due."
        ),
    }
