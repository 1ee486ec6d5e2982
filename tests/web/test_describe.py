"""Definitions as the service describes them: every transition with its rules and sources; tables with theirs."""

from __future__ import annotations

import workflow
from workflow.amazon.health import load_table, tables_dir
from workflow.web.describe import lifecycle_json, table_json


def test_lifecycle_keeps_every_transition_and_rule() -> None:
    """Each transition appears with its sources, destination, timer and each guard's id, source and parameters."""
    defn = workflow.load("ip_complaint")
    data = lifecycle_json(defn)
    assert [(t["event"], t["dest"]) for t in data["transitions"]] == [(t.event, t.dest) for t in defn.transitions]
    timed = {t["event"]: t["after"] for t in data["transitions"] if t["after"]}
    assert timed == {"lawsuit_window_closed": "10d", "complaint_timed_out": "90d"}
    rules = [(r["rule"], r["source"]) for t in data["transitions"] for r in t["rules"]]
    assert rules == [(g.id, g.source) for t in defn.transitions for g in t.guards]
    assert [s["name"] for s in data["states"]] == list(defn.state_names)


def test_table_lists_its_rules_with_sources() -> None:
    """A decision table is described by its rules: the metrics', the rating's and the protection's."""
    table = load_table(tables_dir() / "account_health.yaml")
    data = table_json(table)
    assert data["kind"] == "table" and data["states"] == []
    ids = [r["rule"] for r in data["rules"]]
    assert ids == [*(m.rule for m in table.metrics), table.rating.rule, table.protection.rule]
