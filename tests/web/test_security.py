"""The service's defences: escaped output, CSRF on forms, the bearer token on writes, the body limit, headers."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from workflow.store import Store

HOSTILE = "<img src=x onerror=alert(1)>\"'&"
MakeClient = Callable[..., TestClient]


def csrf_of(client: TestClient) -> str:
    """The CSRF token a page gives (and its cookie)."""
    r = client.get("/")
    token = re.search(r'name="csrf" value="([^"]+)"', r.text)
    assert token is not None
    assert client.cookies.get("csrf") == token.group(1)
    return token.group(1)


def page_of(client: TestClient, case_id: str) -> str:
    return client.get(f"/cases/{quote(case_id, safe='')}").text


# --------------------------------------------------------------------------------------------- escaping


def test_case_ids_facts_and_payload_text_are_escaped(client: TestClient, store: Store) -> None:
    """Markup in a case id, a fact or a payload's text reaches the pages only escaped."""
    store.create("linked_accounts", case_id=HOSTILE, facts={"linked_account": HOSTILE + "2"})
    store.create("account_suspension", case_id="A")
    store.fire("A", "contact_seller_support", {"question": HOSTILE})
    for html in (page_of(client, HOSTILE), page_of(client, "A"), client.get("/").text):
        assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;&#34;&#39;&amp;" in page_of(client, HOSTILE)


def test_error_pages_escape_what_was_asked(client: TestClient) -> None:
    """An unknown case's page names it escaped."""
    r = client.get("/cases/" + quote(HOSTILE, safe=""))
    assert r.status_code == 404
    assert "<img" not in r.text and "&lt;img" in r.text


# --------------------------------------------------------------------------------------------- CSRF


@pytest.mark.parametrize("how", ["no field", "no cookie", "another token"])
def test_forms_without_a_matching_csrf_token_are_refused(client: TestClient, store: Store, how: str) -> None:
    """A form post whose CSRF field is missing, has no cookie beside it, or does not match is 403; nothing written."""
    store.create("account_suspension", case_id="A")
    token = csrf_of(client)
    data: dict[str, Any] = {"version": "0", "event": "warn", "csrf": token}
    if how == "no field":
        del data["csrf"]
    elif how == "no cookie":
        client.cookies.clear()
    else:
        data["csrf"] = "x" * len(token)
    r = client.post("/cases/A/events", data=data, follow_redirects=False)
    assert r.status_code == 403
    assert "CSRF" in r.text
    r = client.post("/cases", data={**data, "definition": "verification", "id": "B"}, follow_redirects=False)
    assert r.status_code == 403
    assert store.get("A").version == 0
    assert [c.id for c in store.list()] == ["A"]


def test_forms_with_the_csrf_token_go_through(client: TestClient, store: Store) -> None:
    """The same posts with the page's token are taken."""
    token = csrf_of(client)
    r = client.post(
        "/cases", data={"csrf": token, "definition": "account_suspension", "id": "A"}, follow_redirects=False
    )
    assert (r.status_code, r.headers["location"]) == (303, "/cases/A")
    r = client.post("/cases/A/events", data={"csrf": token, "version": "0", "event": "warn"}, follow_redirects=False)
    assert r.status_code == 303
    assert store.get("A").state == "warning"


def test_csrf_cookie_is_httponly_and_strict(client: TestClient) -> None:
    """The CSRF cookie is out of scripts' reach and never sent cross-site."""
    cookie = client.get("/").headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


def test_api_writes_need_a_json_content_type(client: TestClient, store: Store) -> None:
    """A cross-site HTML form cannot write through the API: a body that is not declared JSON is 415."""
    for kind in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
        r = client.post("/api/cases", content=b'{"definition": "verification"}', headers={"content-type": kind})
        assert r.status_code == 415
    assert len(store.list()) == 0


# --------------------------------------------------------------------------------------------- token


@pytest.fixture
def guarded(make_client: MakeClient) -> Iterator[TestClient]:
    yield make_client(token="s3cret-token")


def test_api_writes_need_the_bearer_token(guarded: TestClient, store: Store) -> None:
    """With a token, API writes without it (or with another) are 401 with WWW-Authenticate; with it they work."""
    body = {"definition": "account_suspension", "id": "A"}
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic s3cret-token"}):
        r = guarded.post("/api/cases", json=body, headers=headers)
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
        assert r.json()["error"]["path"] == "Authorization"
    assert guarded.post("/api/cases", json=body, headers={"Authorization": "Bearer s3cret-token"}).status_code == 201
    r = guarded.post("/api/cases/A/events", json={"event": "warn"})
    assert r.status_code == 401
    assert store.get("A").version == 0
    assert guarded.get("/api/cases/A").status_code == 200  # reads need no token


def test_forms_need_the_token_cookie_from_login(guarded: TestClient, store: Store) -> None:
    """With a token, form posts need the token cookie /login sets; a wrong token sets none."""
    store.create("account_suspension", case_id="A")
    token = csrf_of(guarded)
    post = {"csrf": token, "version": "0", "event": "warn"}
    assert guarded.post("/cases/A/events", data=post, follow_redirects=False).status_code == 401
    r = guarded.post("/login", data={"csrf": token, "token": "wrong"}, follow_redirects=False)
    assert r.status_code == 401 and "workflow_token" not in r.headers.get("set-cookie", "")
    r = guarded.post("/login", data={"csrf": token, "token": "s3cret-token"}, follow_redirects=False)
    assert r.status_code == 303
    assert "httponly" in r.headers["set-cookie"].lower()
    assert guarded.post("/cases/A/events", data=post, follow_redirects=False).status_code == 303
    assert store.get("A").state == "warning"


# --------------------------------------------------------------------------------------------- body limit


def test_bodies_over_the_limit_are_413(make_client: MakeClient, store: Store) -> None:
    """A body over the limit is 413 in the error shape: declared by Content-Length, or counted as it arrives."""
    small = make_client(max_body=1024)
    big = b'{"definition": "verification", "facts": {"x": "' + b"y" * 2000 + b'"}}'
    r = small.post("/api/cases", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert r.json() == {"error": {"status": 413, "message": r.json()["error"]["message"], "path": None}}

    def chunks() -> Iterator[bytes]:
        yield big[:600]
        yield big[600:]

    r = small.post("/api/cases", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]["status"] == 413
    r = small.post("/cases", data={"definition": "verification", "id": "y" * 2000})
    assert r.status_code == 413 and "larger than the limit" in r.text
    assert len(store.list()) == 0


# --------------------------------------------------------------------------------------------- headers


@pytest.mark.parametrize(
    "path", ["/", "/cases/nope", "/definitions/ip_complaint", "/api/cases", "/api/cases/nope", "/static/style.css"]
)
def test_security_headers_on_every_answer(client: TestClient, path: str) -> None:
    """Every answer (pages, API, errors, static files) carries the CSP, nosniff and frame denial."""
    r = client.get(path)
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"


def test_pages_have_no_inline_script_or_style(client: TestClient, store: Store) -> None:
    """The pages hold no inline script, event handler or style attribute (the CSP would block them)."""
    store.create("ip_complaint", case_id="A")
    store.fire("A", "receive_complaint", {"complaint_type": "trademark"})
    for path in ("/", "/cases/A", "/definitions/ip_complaint", "/definitions/account_health"):
        html = client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", html)
        assert not re.search(r"\s(on[a-z]+|style)=", html)
