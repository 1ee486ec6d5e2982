"""explain on a scenario with named cases explains every case, not only the first."""

from __future__ import annotations

import json
from pathlib import Path

from _cli import run, write

# Suspending "books" for a policy violation suspends "toys" with it; "books" is then deactivated for good.
GROUP = """\
definition: linked_accounts
start: 2026-03-02T09:00:00Z
cases:
  books: {}
  toys: {}
steps:
  - case: books
    event: suspend
    with: {reason_class: policy, issues: [restricted_products]}
  - case: books
    event: deactivate_permanently
    after: 10d
"""

SINGLE = """\
definition: account_suspension
start: 2026-03-02T09:00:00Z
steps:
  - event: suspend
    with: {reason_class: performance, issues: [order_defect_rate]}
"""


def test_explain_json_has_a_section_per_case(tmp_path: Path) -> None:
    """JSON: cases maps each named case to its own explanation; the top-level keys stay the first case's."""
    path = write(tmp_path, GROUP)
    states = json.loads(run("simulate", "--scenario", path, "--json").stdout)["final_states"]
    result = run("explain", "--scenario", path, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert list(out["cases"]) == ["books", "toys"]
    assert {name: c["state"] for name, c in out["cases"].items()} == states
    assert out["cases"]["books"]["state"] != out["cases"]["toys"]["state"]
    first = out["cases"]["books"]
    assert {k: out[k] for k in first} == first
    assert out["final_state"] == out["state"] == states["books"]
    assert out["cases"]["books"]["allowed"] == []  # permanently deactivated: terminal
    assert out["cases"]["toys"]["allowed"] != []


def test_explain_text_has_a_section_per_case(tmp_path: Path) -> None:
    """Text: one heading per case with its state, each followed by what is allowed and refused."""
    result = run("explain", "--scenario", write(tmp_path, GROUP))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "case books ('permanently_deactivated')" in out
    assert "case toys ('suspended')" in out
    assert out.index("case books") < out.index("case toys")
    assert out.count("allowed now:") == out.count("refused now:") == 2


def test_single_case_explain_is_unchanged(tmp_path: Path) -> None:
    """A scenario without named cases keeps its JSON keys (no cases) and its one-case text."""
    path = write(tmp_path, SINGLE)
    out = json.loads(run("explain", "--scenario", path, "--json").stdout)
    assert set(out) == {"definition", "final_state", "state", "allowed", "payload_rules", "refused"}
    text = run("explain", "--scenario", path).stdout
    assert "after 1 step the case is 'suspended'" in text
    assert text.count("allowed now:") == 1
