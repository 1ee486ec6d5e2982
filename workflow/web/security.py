"""The service's defences: a limit on request bodies, security headers on every answer, the bearer token on
writes, and CSRF tokens on the inspector's forms.

- Bodies: a declared ``Content-Length`` over the limit is answered 413 before the body is read; a body sent
  without one is counted as it arrives and refused at the limit.
- Headers: a Content Security Policy with no inline script or style (``'self'`` only), no framing
  (``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``), ``X-Content-Type-Options: nosniff``, no referrer.
- Writes: when the service has a token, every write of the API needs ``Authorization: Bearer TOKEN`` and every
  form post needs the token cookie that ``/login`` sets; API writes also need a JSON content type, which a
  cross-site HTML form cannot send.
- Forms: double-submit CSRF tokens. A page sets a random ``csrf`` cookie (``HttpOnly``, ``SameSite=Strict``)
  and writes the same value in each form; a post whose field does not match the cookie is refused (403).
"""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.requests import Request

from workflow.errors import RequestError

from .problems import error_body

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
CSRF_COOKIE = "csrf"
CSRF_FIELD = "csrf"
TOKEN_COOKIE = "workflow_token"


class Guard:
    """ASGI middleware: the body limit and the security headers, around everything else."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in HEADERS if h[0] not in names)]
            await send(message)

        declared = _content_length(scope)
        if declared is not None and declared > self.max_body:
            await _too_large(scope, send_with_headers, self.max_body)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise RequestError(413, too_large(self.max_body))
            return message

        await self.app(scope, counted, send_with_headers)


def too_large(limit: int) -> str:
    return f"the request body is larger than the limit of {limit} bytes"


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _too_large(scope: Scope, send: Send, limit: int) -> None:
    page = not scope.get("path", "").startswith("/api/")
    if page:
        body = f"<!doctype html><title>413</title><p>{too_large(limit)}</p>".encode()
        kind = b"text/html; charset=utf-8"
    else:
        body = json.dumps(error_body(413, too_large(limit))).encode()
        kind = b"application/json"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", kind),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def bearer_ok(request: Request, token: str | None) -> bool:
    """Whether the request carries the service's token (always, when the service has none)."""
    if token is None:
        return True
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def require_bearer(request: Request, token: str | None) -> None:
    if not bearer_ok(request, token):
        raise RequestError(401, "this write needs the service's token: Authorization: Bearer TOKEN", "Authorization")


def require_json(request: Request) -> None:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json" and not kind.endswith("+json"):
        raise RequestError(415, f"the body must be JSON (Content-Type: application/json), not {kind or 'none'!r}")


def new_csrf() -> str:
    return secrets.token_urlsafe(32)


def csrf_of(request: Request) -> str | None:
    """The page's CSRF token: the cookie's, when it looks like one."""
    value = request.cookies.get(CSRF_COOKIE)
    return value if value and 20 <= len(value) <= 100 and value.isascii() else None


def check_form(form: Any, request: Request, token: str | None) -> None:
    """A form post: its CSRF field matches its cookie, and (with a token) the token cookie is the service's."""
    cookie = csrf_of(request)
    field = form.get(CSRF_FIELD)
    if cookie is None or not isinstance(field, str) or not hmac.compare_digest(cookie.encode(), field.encode()):
        raise RequestError(403, "this form is stale or was not sent from this site (CSRF check): reload the page")
    if token is not None:
        given = request.cookies.get(TOKEN_COOKIE, "")
        if not hmac.compare_digest(given.encode(), token.encode()):
            raise RequestError(401, "this server needs its token for changes: sign in at /login first")
