"""The case inspector: pages rendered on the server with Jinja2 (autoescaped), forms that work without JavaScript.

``/`` lists cases (filtered by definition, state and due time) and creates one; ``/cases/{id}`` shows a case:
its run drawn on the diagram, its history with every rule's sentence and source, what is allowed now, why
every other event is not, what comes due, linked cases, and a form per event built from its payload schema;
``/definitions/{name}`` shows a definition. Forms carry a CSRF token; the event form carries the case version
the page showed, so a stale page meets a conflict instead of writing over what it did not see.
"""

from __future__ import annotations

import datetime as dt
import hmac
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import jinja2
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from workflow.errors import (
    CaseExists,
    CaseNotFound,
    ConflictError,
    NotFound,
    PayloadError,
    RequestError,
    UnknownEvent,
    WorkflowError,
)
from workflow.store import StoredCase

from . import forms
from .describe import definition_json
from .problems import describe
from .schema import payload_schema
from .security import CSRF_COOKIE, CSRF_FIELD, TOKEN_COOKIE, check_form, csrf_of, new_csrf
from .service import Service, check_case_id, parse_time

TEMPLATES = Path(__file__).parent / "templates"
env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,  # every value is escaped: case ids, facts and payload text are hostile input
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _time(stamp: dt.datetime | None) -> str:
    return "—" if stamp is None else stamp.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _iso(stamp: dt.datetime | None) -> str:
    return "" if stamp is None else stamp.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")


env.filters["time"] = _time
env.filters["iso"] = _iso
env.filters["q"] = lambda text: quote(str(text), safe="")


def service_of(request: Request) -> Service:
    found: Service = request.app.state.service
    return found


def render(
    request: Request, template: str, status: int = 200, headers: dict[str, str] | None = None, **context: Any
) -> HTMLResponse:
    """A page, with the CSRF token its forms carry (a new cookie when the browser has none)."""
    token = csrf_of(request)
    fresh = token is None
    if token is None:
        token = new_csrf()
    service = service_of(request)
    body = env.get_template(template).render(
        csrf=token, csrf_field=CSRF_FIELD, needs_login=service.settings.token is not None, **context
    )
    response = HTMLResponse(body, status_code=status, headers=headers)
    if fresh:
        response.set_cookie(
            CSRF_COOKIE, token, httponly=True, samesite="strict", secure=service.settings.secure_cookies, path="/"
        )
    return response


def error_page(request: Request, error: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return render(request, "error.html", int(error["status"]), headers, error=error, title=f"Error {error['status']}")


# --------------------------------------------------------------------------------------------- cases


async def cases_page(request: Request) -> Response:
    """The cases, filtered by definition, state and due time, with each one's next deadline; a form for a new one."""
    service = service_of(request)
    q = request.query_params
    definition = q.get("definition") or None
    state = q.get("state") or None
    due_text = q.get("due_before") or None
    cursor = q.get("cursor") or None
    due_before = parse_time(due_text, "due_before") if due_text else None
    page = await run_in_threadpool(service.store.list, definition, state, due_before, 50, cursor)
    filters = {k: v for k, v in (("definition", definition), ("state", state), ("due_before", due_text)) if v}
    next_url = "/?" + urlencode({**filters, "cursor": page.next}) if page.next else None
    now = service.now()
    return render(
        request,
        "cases.html",
        title="Cases",
        cases=page.cases,
        filters=filters,
        next_url=next_url,
        now=now,
        definitions=service.summaries(),
        lifecycles=service.definition_names(),
    )


async def create_case_form(request: Request) -> Response:
    """The new-case form: a definition and an optional id; then the case's page."""
    service = service_of(request)
    form = await request.form()
    check_form(form, request, service.settings.token)
    definition = str(form.get("definition") or "")
    case_id = str(form.get("id") or "").strip() or None
    try:
        if case_id is not None:
            check_case_id(case_id)
        case = await run_in_threadpool(service.create, definition, case_id, None)
    except (CaseExists, NotFound, RequestError) as e:
        return error_page(request, describe(e)["error"])
    return RedirectResponse(f"/cases/{quote(case.id, safe='')}", status_code=303)


def case_view(service: Service, case: StoredCase) -> dict[str, Any]:
    """Everything the case page shows, read once."""
    defn = case.definition
    allowed = case.allowed()
    why = {e.name: case.why_not(e.name) for e in defn.events if e.name not in allowed}
    due = service.due_of(case.id)
    now = service.now()
    events = []
    for e in defn.events:
        events.append(
            {
                "name": e.name,
                "description": e.description.strip(),
                "actor": e.actor,
                "allowed": e.name in allowed,
                "why_not": why.get(e.name, ()),
                "fields": forms.fields(payload_schema(defn, e.name)),
            }
        )
    events.sort(key=lambda ev: not ev["allowed"])
    return {
        "case": case,
        "defn": defn,
        "allowed": allowed,
        "events": events,
        "due": due,
        "now": now,
        "history": list(reversed(case.history)),
        "linked": linked_cases(service, case),
        "facts": case.snapshot()["facts"],
    }


def linked_cases(service: Service, case: StoredCase) -> list[str]:
    """Other cases in the store that this one names: a ``linked_*`` fact or payload field holding a case id."""
    named: list[str] = []
    values: list[Any] = [v for k, v in case.facts.items() if k.startswith("linked")]
    for st in case.history:
        values.extend(v for k, v in dict(st.payload).items() if k.startswith("linked"))
    for v in values:
        if isinstance(v, str) and v and v != case.id and v not in named and len(named) < 20:
            try:
                check_case_id(v)
                service.get(v)
            except (CaseNotFound, RequestError):
                continue
            named.append(v)
    return named


async def case_page(request: Request) -> Response:
    """One case."""
    service = service_of(request)
    case_id = request.path_params["id"]
    view = await run_in_threadpool(lambda: case_view(service, service.get(case_id)))
    shown = request.query_params.get("step")
    step = None
    if shown is not None and shown.isdigit() and int(shown) < len(view["case"].history):
        step = view["case"].history[int(shown)]
    return render(request, "case.html", title=f"Case {case_id}", step=step, problem=None, **view)


async def fire_form(request: Request) -> Response:
    """An event posted from the case page, with the version the page showed: then the case page, with the step."""
    service = service_of(request)
    case_id = request.path_params["id"]
    form = await request.form()
    check_form(form, request, service.settings.token)
    event = str(form.get("event") or "")
    version_text = str(form.get("version") or "")
    if not version_text.isdigit():
        raise RequestError(422, "the form names no case version: reload the page", "version")
    case = await run_in_threadpool(service.get, case_id)
    try:
        tree = forms.fields(payload_schema(case.definition, event))
    except KeyError:
        tree = ()
    try:
        payload = forms.read(tree, form)
        step = await run_in_threadpool(service.fire, case_id, event, payload, int(version_text), None)
    except ConflictError as e:
        return await _again(request, service, case_id, 409, e, conflict=e)
    except (PayloadError, UnknownEvent, RequestError) as e:
        return await _again(request, service, case_id, describe(e)["error"]["status"], e)
    return RedirectResponse(f"/cases/{quote(case_id, safe='')}?step={step.index}#result", status_code=303)


async def _again(
    request: Request, service: Service, case_id: str, status: int, error: WorkflowError, conflict: Any = None
) -> Response:
    """The case page as it is now, with what went wrong at the top."""
    view = await run_in_threadpool(lambda: case_view(service, service.get(case_id)))
    problem = {"status": status, "message": str(error), "path": describe(error)["error"]["path"], "conflict": conflict}
    return render(request, "case.html", status, title=f"Case {case_id}", step=None, problem=problem, **view)


async def case_diagram(request: Request) -> Response:
    """The case's run drawn on its definition's diagram (SVG)."""
    service = service_of(request)
    case = await run_in_threadpool(service.get, request.path_params["id"])
    svg = await run_in_threadpool(service.diagram, case.definition, case)
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})


# --------------------------------------------------------------------------------------------- definitions


async def definition_page(request: Request) -> Response:
    """One definition: its diagram, states, events, and rules with their sources."""
    service = service_of(request)
    name = request.path_params["name"]
    data = definition_json(service, name)
    return render(request, "definition.html", title=f"Definition {name}", d=data)


# --------------------------------------------------------------------------------------------- signing in


async def login_page(request: Request) -> Response:
    """The token form (when the server has a token, the inspector's forms need it), and its post."""
    if request.method == "POST":
        return await login(request)
    return render(request, "login.html", title="Sign in", problem=None)


async def login(request: Request) -> Response:
    service = service_of(request)
    form = await request.form()
    check_form(form, request, None)
    token = service.settings.token
    given = str(form.get("token") or "")
    if token is None:
        return RedirectResponse("/", status_code=303)
    if not hmac.compare_digest(given.encode(), token.encode()):
        return render(request, "login.html", 401, title="Sign in", problem="That is not this server's token.")
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        TOKEN_COOKIE, given, httponly=True, samesite="strict", secure=service.settings.secure_cookies, path="/"
    )
    return response


def routes() -> list[Route]:
    return [
        Route("/", cases_page, methods=["GET"]),
        Route("/cases", create_case_form, methods=["POST"]),
        Route("/cases/{id}", case_page, methods=["GET"]),
        Route("/cases/{id}/events", fire_form, methods=["POST"]),
        Route("/cases/{id}/diagram.svg", case_diagram, methods=["GET"]),
        Route("/definitions/{name}", definition_page, methods=["GET"]),
        Route("/login", login_page, methods=["GET", "POST"]),
    ]
