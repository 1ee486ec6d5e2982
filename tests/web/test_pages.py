"""The inspector's pages through the test client: what each shows, and the event form's round trip."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

import workflow
from workflow.store import Store


def csrf_of(client: TestClient) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/").text)
    assert found is not None
    return found.group(1)


def section(html: str, heading_id: str) -> str:
    """The HTML of the page's section under the heading with ``heading_id``."""
    start = html.index(f'id="{heading_id}"')
    end = html.find("<section", start)
    return html[start : end if end != -1 else len(html)]


def test_cases_list_filters_and_shows_next_deadlines(client: TestClient, store: Store) -> None:
    """The list filters by definition, state and due time, and shows each case's next deadline."""
    store.create("account_suspension", case_id="S-1")
    store.create("ip_complaint", case_id="IP-1")
    store.fire("IP-1", "receive_complaint", {"complaint_type": "trademark"})
    html = client.get("/").text
    assert "S-1" in html and "IP-1" in html
    assert "2026-05-31 09:00 UTC" in html  # 90 days after the complaint
    assert "S-1" not in client.get("/?definition=ip_complaint").text.split("<table")[1]
    assert "IP-1" not in client.get("/?state=active").text.split("<table")[1]
    assert "S-1" not in client.get("/?due_before=2026-06-01T00:00:00Z").text.split("<table")[1]


def test_case_page_shows_where_it_stands(client: TestClient, store: Store, web_clock: workflow.SimulatedClock) -> None:
    """The case page: the run's diagram, allowed now, why not for every other event, due timers, the history."""
    store.create("ip_complaint", case_id="IP-1")
    store.fire("IP-1", "receive_complaint", {"complaint_type": "copyright"})
    store.fire("IP-1", "reinstate_listing")  # refused: no dispute filed
    html = client.get("/cases/IP-1").text
    case = store.get("IP-1")
    assert 'src="/cases/IP-1/diagram.svg?v=2"' in html
    allowed = section(html, "allowed-title")
    assert all(f'href="#fire-{e}"' in allowed for e in case.allowed())
    why = section(html, "why-title")
    for event in case.definition.event_names:
        if event not in case.allowed():
            assert f"<code>{event}</code>" in why
            for f in case.why_not(event):
                assert f.rule in why
    due = section(html, "due-title")
    assert "complaint_timed_out" in due and "2026-05-31 09:00 UTC" in due and "due now" not in due
    history = section(html, "history-title")
    refused = case.history[1]
    assert not refused.accepted
    for f in refused.findings:
        assert f.rule in history and workflow_escaped(f.message) in history and workflow_escaped(f.source) in history
    web_clock.advance("91d")
    assert "due now" in section(client.get("/cases/IP-1").text, "due-title")


def workflow_escaped(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;").replace('"', "&#34;")
    )


def test_advice_is_marked(client: TestClient, store: Store) -> None:
    """An advice finding in the history is marked as advice, apart from refusals."""
    store.create("account_suspension", case_id="A")
    step = store.fire("A", "contact_seller_support", {"question": "can you reinstate my account?"})
    assert step.advice
    html = section(client.get("/cases/A").text, "history-title")
    assert re.search(r'class="finding advice">\s*<span class="kind">Advice</span>', html)


def test_event_forms_are_built_from_the_payload_schema(client: TestClient, store: Store) -> None:
    """Each event's form has a field per payload field, nested records and list slots included."""
    store.create("account_suspension", case_id="A")
    html = client.get("/cases/A").text
    form = section(html, "fire-title")
    for name in (
        "p.poa.root_causes.0.issue",
        "p.poa.root_causes.1.text",
        "p.poa.corrective_actions.2",
        "p.poa.documents.0.genuine",
        "p.letter.asks_for",
        "p.reason_class",
    ):
        assert f'name="{name}"' in form
    assert '<option value="performance">' in form  # a choice is a select


def test_form_round_trip_and_stale_page(client: TestClient, store: Store) -> None:
    """A posted form fires its event with the payload it holds; a page at an older version meets a conflict."""
    store.create("account_suspension", case_id="A")
    token = csrf_of(client)
    post = {"csrf": token, "version": "0", "event": "suspend", "p.reason_class": "performance"}
    post |= {"p.issues.0": "order_defect_rate", "p.issues.1": ""}
    r = client.post("/cases/A/events", data=post, follow_redirects=False)
    assert r.headers["location"] == "/cases/A?step=0#result"
    assert store.get("A").history[0].payload["issues"] == ("order_defect_rate",)
    page = client.get(r.headers["location"]).text
    assert "Step 0: suspend accepted" in page
    r = client.post("/cases/A/events", data=post | {"event": "recover"}, follow_redirects=False)
    assert r.status_code == 409
    assert "Conflict: the case changed since this page was loaded" in r.text
    assert "now at version 1" in r.text
    assert store.get("A").version == 1


def test_form_errors_are_shown_on_the_case_page(client: TestClient, store: Store) -> None:
    """A bad payload from the form answers 422 with the case page and the field's path; nothing is written."""
    store.create("account_suspension", case_id="A")
    token = csrf_of(client)
    post = {"csrf": token, "version": "0", "event": "warn", "p.value": "lots"}
    r = client.post("/cases/A/events", data=post)
    assert r.status_code == 422 and "payload.value" in r.text
    assert store.get("A").version == 0


def test_linked_cases_are_linked(client: TestClient, store: Store) -> None:
    """A case naming another stored case in a linked_* fact links to it."""
    store.create("linked_accounts", case_id="main")
    store.create("linked_accounts", case_id="other", facts={"linked_account": "main"})
    html = client.get("/cases/other").text
    assert 'href="/cases/main"' in section(html, "facts-title")


def test_definition_page_lists_states_and_rules_with_sources(client: TestClient) -> None:
    """The definition page draws the lifecycle and lists its states and every rule with its source."""
    html = client.get("/definitions/account_suspension").text
    defn = workflow.load("account_suspension")
    assert 'src="/api/definitions/account_suspension/diagram.svg"' in html
    for s in defn.states:
        assert f"<code>{s.name}</code>" in html
    for t in defn.transitions:
        for g in t.guards:
            assert f"<code>{g.id}</code>" in html and workflow_escaped(g.source) in html
    table = client.get("/definitions/account_health").text
    assert "health.odr" in table
