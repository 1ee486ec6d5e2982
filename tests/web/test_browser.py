"""The inspector in a real browser: Playwright driving Debian's Chromium (/usr/bin/chromium, no browser download)
against uvicorn on 127.0.0.1, with axe-core checking each page (no serious or critical violation).

Screenshots of each page go to the test's output folder (``screenshots/``); with WORKFLOW_DOCS_SCREENSHOTS=1
they are also copied to docs/img/ for the documentation. Without Chromium the tests skip with one line, and
fail under CI=true.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import workflow
from workflow.store import Store, open_store
from workflow.web import create_app

CHROMIUM = "/usr/bin/chromium"
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
PHONE = {"width": 390, "height": 844}

if not Path(CHROMIUM).exists():
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true needs Chromium at {CHROMIUM} (apt-get install chromium)", pytrace=False)
    pytest.skip(f"browser tests skipped: no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)

uvicorn = pytest.importorskip("uvicorn")
sync_api = pytest.importorskip("playwright.sync_api")
axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Served:
    """uvicorn serving the app over ``store`` on 127.0.0.1, in a thread of this process."""

    def __init__(self, store: Store) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(create_app(store), host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Served:
        self.thread.start()
        for _ in range(500):
            if self.server.started:
                return self
            time.sleep(0.01)
        raise RuntimeError("uvicorn did not start")

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def clock() -> workflow.SimulatedClock:
    return workflow.SimulatedClock("2026-03-02T09:00:00Z")


@pytest.fixture
def live(tmp_path: Path, clock: workflow.SimulatedClock) -> Iterator[tuple[Served, Store]]:
    with open_store(f"sqlite:///{tmp_path / 'cases.db'}", clock=clock) as store, Served(store) as served:
        yield served, store


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield b
        b.close()


@pytest.fixture
def shots(tmp_path: Path) -> Iterator[Any]:
    """``shot(page, name)``: a full-page screenshot in the test's output folder (and docs/img/ when asked)."""
    folder = tmp_path / "screenshots"
    folder.mkdir()

    def shot(page: Any, name: str) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        if os.environ.get("WORKFLOW_DOCS_SCREENSHOTS") == "1":
            DOCS_IMG.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, DOCS_IMG / path.name)
        return path

    yield shot
    print(f"screenshots: {folder}")


def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page, one line each."""
    results = axe_module.Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} node(s)"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def open_event(page: Any, event: str) -> None:
    """Open the event's form (its ``details``), unless it is open already."""
    if page.get_attribute(f"#fire-{event}", "open") is None:
        page.click(f"#fire-{event} summary")


def test_a_case_through_the_pages(browser: Any, live: tuple[Served, Store], shots: Any, clock: Any) -> None:
    """Create a case, fire a refused event and read every rule's sentence, fire an accepted one, see the diagram
    follow it and the timer it arms; axe finds no serious violation on any page."""
    served, store = live
    page = browser.new_page()
    page.goto(served.url + "/")
    assert serious_violations(page) == []
    page.select_option("#new-definition", "ip_complaint")
    page.fill("#new-id", "IP-1")
    page.click("text=Create the case")
    page.wait_for_url(re.compile(r"/cases/IP-1$"))
    assert page.inner_text("h1") == "Case IP-1"
    assert store.get("IP-1").version == 0
    first_diagram = page.get_attribute(".diagram img", "src")
    first_svg = page.request.get(served.url + str(first_diagram)).text()

    # a refused event: every rule that refuses it is shown with its sentence and source
    open_event(page, "reinstate_listing")
    page.click("#fire-reinstate_listing >> text=Fire reinstate_listing")
    page.wait_for_url(re.compile(r"step=0"))
    result = page.inner_text("#result")
    refused = store.get("IP-1").history[0]
    assert not refused.accepted and refused.findings
    assert "refused" in result
    for f in refused.findings:
        assert f.rule in result and f.message in result and f.source in result
    shots(page, "case-refused")

    # an accepted one, with a payload from the form
    open_event(page, "receive_complaint")
    page.select_option("#f-p-complaint-type", "copyright")
    page.fill("#f-p-asin", "B000TEST")
    page.click("#fire-receive_complaint >> text=Fire receive_complaint")
    page.wait_for_url(re.compile(r"step=1"))
    assert "accepted" in page.inner_text("#result")
    assert page.inner_text(".summary .state") == "complaint_received"
    assert store.get("IP-1").history[1].payload["asin"] == "B000TEST"

    # the diagram follows: a new drawing of the run, which the browser loads
    second_diagram = page.get_attribute(".diagram img", "src")
    assert second_diagram != first_diagram
    assert page.evaluate("document.querySelector('.diagram img').naturalWidth") > 0
    svg = page.request.get(served.url + str(second_diagram)).text()
    assert "receive_complaint" in svg and svg != first_svg

    # the timer it armed, and once its time has passed, due now
    due = page.inner_text("#due-title + ul")
    assert "complaint_timed_out" in due and "2026-05-31 09:00 UTC" in due and "due now" not in due
    clock.advance("91d")
    page.reload()
    assert "due now" in page.inner_text("#due-title + ul")
    assert serious_violations(page) == []
    shots(page, "case")

    page.goto(served.url + "/")
    assert "IP-1" in page.inner_text("table")
    shots(page, "cases")
    page.goto(served.url + "/definitions/ip_complaint")
    assert serious_violations(page) == []
    assert "ip.timeout_90d" in page.inner_text("main")
    shots(page, "definition")
    page.close()


def test_a_stale_tab_meets_a_conflict(browser: Any, live: tuple[Served, Store], shots: Any) -> None:
    """Two tabs on one case: after the first fires, the second's form meets a conflict and writes nothing."""
    served, store = live
    store.create("account_suspension", case_id="ACME-1")
    first, second = browser.new_page(), browser.new_page()
    for page in (first, second):
        page.goto(served.url + "/cases/ACME-1")
    open_event(first, "warn")
    first.click("#fire-warn >> text=Fire warn")
    first.wait_for_url(re.compile(r"step=0"))
    assert store.get("ACME-1").version == 1

    open_event(second, "suspend")
    second.select_option("#f-p-reason-class", "performance")
    second.fill("#f-p-issues-0", "order_defect_rate")
    answer = second.expect_navigation()
    with answer as navigation:
        second.click("#fire-suspend >> text=Fire suspend")
    assert navigation.value.status == 409
    text = second.inner_text("[role=alert]")
    assert "changed since this page was loaded" in text and "now at version 1" in text
    assert store.get("ACME-1").version == 1
    assert serious_violations(second) == []
    shots(second, "conflict")
    first.close()
    second.close()


def test_pages_fit_a_phone(browser: Any, live: tuple[Served, Store], shots: Any) -> None:
    """At a phone's width the pages need no sideways scrolling (wide tables scroll inside their box)."""
    served, store = live
    store.create("account_suspension", case_id="ACME-1")
    store.fire("ACME-1", "suspend", {"reason_class": "performance", "issues": ["order_defect_rate"]})
    page = browser.new_page(viewport=PHONE)
    for path, name in (
        ("/", "phone-cases"),
        ("/cases/ACME-1", "phone-case"),
        ("/definitions/account_suspension", None),
    ):
        page.goto(served.url + path)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), path
        assert serious_violations(page) == []
        if name:
            shots(page, name)
    page.close()
