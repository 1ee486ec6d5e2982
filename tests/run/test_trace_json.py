"""A trace's JSON step carries the same findings as the step's plain (snapshot) form."""

from __future__ import annotations

from pathlib import Path

from workflow.core.case import step_to_plain
from workflow.run.scenario import load_scenario, run_scenario

# A refused timer (its refusal), an accepted step and a step blocked by the state: findings of every kind.
SCENARIO = """\
definition: ip_complaint
start: 2026-03-02T09:00:00Z
steps:
  - event: receive_complaint
    with: {complaint_type: trademark}
  - event: file_counter_notice
    with: {text: "the listing does not infringe"}
  - event: claimant_sues
    after: 20d
  - event: deny
"""


def test_trace_findings_are_the_steps_findings(tmp_path: Path) -> None:
    """Every trace step's JSON findings equal step_to_plain's, and some step has findings to compare."""
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    trace = run_scenario(load_scenario(path))
    pairs = [(t.to_json()["findings"], step_to_plain(t.step)["findings"]) for t in trace.steps]
    assert all(mine == plain for mine, plain in pairs)
    kinds = {f["kind"] for mine, _ in pairs for f in mine}
    assert "refusal" in kinds
    assert [f["rule"] for f in pairs[2][0]] == ["ip.counter_notice_10d"]
