"""--strict counts only the steps a scenario offered: a timer refused on its own does not fail the run."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
from _cli import run, write

from workflow.run.scenario import load_scenario, run_scenario

# A trademark complaint answered by a counter-notice: ten days later the lawsuit-window timer is refused
# (ip.counter_notice_10d: copyright only), then the claimant sues. Every offered step is accepted.
TRADEMARK_COUNTER_NOTICE = """\
definition: ip_complaint
start: 2026-03-02T09:00:00Z
steps:
  - event: receive_complaint
    with: {complaint_type: trademark}
  - event: file_counter_notice
    with: {text: "the listing does not infringe"}
  - event: claimant_sues
    after: 20d
"""


def test_a_refused_timer_does_not_fail_strict(tmp_path: Path) -> None:
    """The refused lawsuit-window timer is in the trace as blocked, yet --strict exits 0."""
    path = write(tmp_path, TRADEMARK_COUNTER_NOTICE)
    result = run("simulate", "--scenario", path, "--strict", "--json")
    assert result.exit_code == 0, result.output
    steps = json.loads(result.stdout)["steps"]
    refused = [s for s in steps if not s["accepted"]]
    assert [(s["event"], s.get("timer"), s["blocked_by"]) for s in refused] == [
        ("lawsuit_window_closed", True, ["ip.counter_notice_10d"])
    ]
    text = run("simulate", "--scenario", path, "--strict")
    assert text.exit_code == 0
    assert "1 blocked" in text.stdout


def test_an_offered_blocked_step_still_fails_strict(tmp_path: Path) -> None:
    """The same story with the timer event offered by the scenario itself: --strict exits 1."""
    offered = TRADEMARK_COUNTER_NOTICE.replace(
        "  - event: claimant_sues\n    after: 20d\n", "  - event: lawsuit_window_closed\n    expect: blocked\n"
    )
    path = write(tmp_path, offered)
    assert run("simulate", "--scenario", path).exit_code == 0
    assert run("simulate", "--scenario", path, "--strict").exit_code == 1


def test_strict_help_says_timers_do_not_count() -> None:
    """simulate --help says what --strict counts."""
    out = " ".join(run("simulate", "--help").stdout.split())
    assert "Exit 1 when a step the scenario offered was blocked" in out
    assert "refused timers and cascades do not count" in out


def test_a_blocked_cascade_is_not_counted_as_offered(tmp_path: Path) -> None:
    """Trace.blocked_offered leaves out a blocked step marked as another case's cascade, keeps an offered one."""
    text = (
        "definition: linked_accounts\nstart: 2026-03-02T09:00:00Z\ncases: {books: {}, toys: {}}\nsteps:\n"
        "  - case: toys\n    event: suspend\n    with: {reason_class: policy, issues: [restricted_products]}\n"
        "  - case: books\n    event: suspend\n    with: {reason_class: policy, issues: [restricted_products]}\n"
    )
    trace = run_scenario(load_scenario(write(tmp_path, text)))
    (offered,) = trace.blocked_offered
    assert (offered.case, offered.step.event, offered.cascade) == ("books", "suspend", False)
    as_cascade = attrs.evolve(
        trace, steps=tuple(attrs.evolve(t, cascade=t is offered or t.cascade) for t in trace.steps)
    )
    assert len(as_cascade.blocked) == 1
    assert as_cascade.blocked_offered == ()
