"""Account health: the decision table, its verdicts, snapshots in both forms, the CLI (each rule firing and not is
tested in tests/amazon/rules/test_rules_health.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from _health import PROTECTED, verdict_for
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from workflow_cli.main import main

from workflow.amazon.health import (
    LEVELS,
    MetricsError,
    builtin_tables,
    evaluate,
    load_table,
    read_snapshot,
    snapshot_from,
    to_event,
)
from workflow.amazon.rules import REGISTRY
from workflow.errors import DefinitionError

HEALTH = Path(__file__).resolve().parents[2] / "examples" / "health"
TABLE_FILE = Path(__file__).resolve().parents[2] / "definitions" / "tables" / "account_health.yaml"
HEALTH_RULES = (
    "health.odr",
    "health.cancel_rate",
    "health.late_shipment",
    "health.valid_tracking",
    "health.on_time_delivery",
    "health.contact_response",
    "health.ahr",
    "health.aha_protection",
)


# ------------------------------------------------------------------------------------------------ the table


def test_table_holds_every_health_rule_with_its_source() -> None:
    """The built-in table uses the eight health rules, each registered as a table rule with a source."""
    table = load_table()
    assert table.rule_ids() == tuple(sorted(HEALTH_RULES))
    assert builtin_tables() == ("account_health",)
    for rule_id in HEALTH_RULES:
        assert REGISTRY[rule_id].kind == "table"
        assert REGISTRY[rule_id].source.strip()
    assert all(m.source.strip() for m in table.metrics)


def test_table_marketplaces_and_india_cancel_target() -> None:
    """US is the default; India's cancel-rate target is 2%, the others' 2.5%, each with its own source."""
    table = load_table()
    assert table.default_marketplace == "US"
    assert set(table.marketplaces) == {"US", "UK", "IN"}
    cancel = next(m for m in table.metrics if m.metric == "cancel_rate")
    assert cancel.resolved("US")[0]["target"] == 0.025
    assert cancel.resolved("UK") == cancel.resolved("US")
    params, source = cancel.resolved("IN")
    assert params["target"] == 0.02
    assert source == "A-CR-IN [S]"


def test_only_contractual_metrics_allow_suspension() -> None:
    """ODR, cancel rate and late shipment are contractual and allow a suspension; the others never do."""
    rows = {m.metric: m for m in load_table().metrics}
    allowing = {name for name, m in rows.items() if m.on_breach == "suspension_allowed"}
    assert allowing == {"order_defect_rate", "cancel_rate", "late_shipment_rate"}
    assert all(rows[name].contractual for name in allowing)
    assert rows["valid_tracking_rate"].on_breach == "category_restriction"
    assert rows["on_time_delivery_rate"].on_breach == rows["contact_response_rate"].on_breach == "warning"


# ------------------------------------------------------------------------------------------------ properties

rates = st.floats(min_value=0, max_value=1, allow_nan=False)
snapshots = st.fixed_dictionaries(
    {},
    optional={
        "order_defect_rate": rates,
        "cancel_rate": rates,
        "late_shipment_rate": rates,
        "valid_tracking_rate": rates,
        "on_time_delivery_rate": rates,
        "contact_response_rate": rates,
        "account_health_rating": st.integers(0, 1000),
    },
)


@given(metrics=snapshots, marketplace=st.sampled_from(["US", "UK", "IN"]), protected=st.booleans())
def test_verdict_properties(metrics: dict[str, Any], marketplace: str, protected: bool) -> None:
    """The level is the worst fired (a warning if AHA protects); only contractual metrics or an unhealthy rating
    allow a suspension, and every metric given is judged."""
    verdict = verdict_for(metrics, marketplace, PROTECTED if protected else None)
    worst = max((f.level for f in verdict.fired), key=LEVELS.index, default="healthy")
    if verdict.protected and worst == "suspension_allowed":
        worst = "warning"
    assert verdict.level == worst
    if verdict.level == "suspension_allowed":
        assert not verdict.protected
        assert {f.rule for f in verdict.fired} & {
            "health.odr",
            "health.cancel_rate",
            "health.late_shipment",
            "health.ahr",
        }
    for f in verdict.fired:
        if f.rule in {"health.valid_tracking", "health.on_time_delivery", "health.contact_response"}:
            assert f.level != "suspension_allowed"
    assert set(verdict.evaluated) | {REGISTRY_RULE[m] for m in verdict.not_given} >= set(HEALTH_RULES) - {
        "health.aha_protection"
    }


REGISTRY_RULE = {m.metric: m.rule for m in load_table().metrics} | {"account_health_rating": "health.ahr"}


# ------------------------------------------------------------------------------------------------ snapshots


def test_amazon_report_form() -> None:
    """Amazon's report is read by its field names: ODR per channel, the cancel rate, an AHR status noted."""
    snap = read_snapshot(HEALTH / "amazon_report.json")
    assert snap.marketplace == "US"
    assert dict(snap.metrics["order_defect_rate"]) == {"mfn": 0.012, "afn": 0.004}
    assert snap.metrics["cancel_rate"] == 0.005
    assert "account_health_rating" not in snap.metrics
    assert any("WARNED" in n for n in snap.notes)
    verdict = evaluate(snap)
    assert "in: mfn 1.2%" in next(f.message for f in verdict.fired if f.rule == "health.odr")


def test_report_names_accepted_in_our_form() -> None:
    """The report's names and its spelling variants are accepted for our metrics, and percentages too."""
    snap = snapshot_from({"metrics": {"prefulfillmentCancelRate": "2.6%", "lateShipmentRate": {"rate": 0.01}}})
    assert snap.metrics == {"cancel_rate": pytest.approx(0.026), "late_shipment_rate": 0.01}


def test_report_picks_the_marketplace_entry() -> None:
    """With several marketplaces the snapshot's (or the default's) entry is judged; a missing one is an error."""
    report = {
        "performanceMetrics": [
            {"marketplaceId": "A21TJRUUN4KGV", "preFulfillmentCancellationRate": {"rate": 0.022}},
            {"marketplaceId": "ATVPDKIKX0DER", "preFulfillmentCancellationRate": {"rate": 0.001}},
        ]
    }
    assert evaluate(report).level == "healthy"
    assert evaluate({**report, "marketplace": "IN"}).level == "suspension_allowed"
    with pytest.raises(MetricsError, match="no entry for marketplace UK"):
        evaluate({**report, "marketplace": "UK"})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"metrics": {"odr": 0.1}}, "metrics.odr: unknown metric 'odr'"),
        ({"metrics": {"order_defect_rate": 1.5}}, "metrics.order_defect_rate: expected a rate"),
        ({"metrics": {"order_defect_rate": "high"}}, "expected a rate"),
        ({"metrics": {"account_health_rating": 1200}}, "expected a rating from 0 to 1000"),
        ({"metrics": {"cancel_rate": 0.1, "prefulfillmentCancelRate": 0.1}}, "'cancel_rate' is given twice"),
        ({"metrics": {}, "marketplace": "FR"}, "unknown marketplace 'FR'"),
        ({"metrics": {}, "colour": 1}, "unknown field 'colour'"),
        ({"metrics": {}, "account": {"unreachable_hours": -1}}, "account.unreachable_hours"),
    ],
)
def test_bad_snapshots_are_refused_with_their_path(data: dict[str, Any], message: str) -> None:
    """A wrong snapshot raises MetricsError naming where the fault is."""
    with pytest.raises(MetricsError) as err:
        snapshot_from(data)
    assert message in err.value.report()


def test_snapshot_errors_name_file_and_line(tmp_path: Path) -> None:
    """A snapshot file's fault names the file and the line."""
    path = tmp_path / "s.yaml"
    path.write_text("marketplace: US\nmetrics:\n  order_defect_rate: 7\n")
    with pytest.raises(MetricsError) as err:
        read_snapshot(path)
    assert str(err.value).startswith(f"{path}:3 metrics.order_defect_rate: expected a rate")


# ------------------------------------------------------------------------------------------------ table validation

BASE = TABLE_FILE.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "on_breach: category_restriction",
            "on_breach: suspension_allowed",
            "'valid_tracking_rate' is not contractual",
        ),
        ("rule: health.odr", "rule: poa.complete", "rule 'poa.complete' is a guard rule, not a table rule"),
        ("rule: health.odr", "rule: health.cancel_rate", "judges cancel_rate, not 'order_defect_rate'"),
        ("IN: {source", "FR: {source", "metrics.cancel_rate.marketplaces.FR: unknown marketplace 'FR'"),
        ("{target: 0.01, window: 60 days}", "{target: 1.5, window: 60 days}", "a rate target is a fraction"),
        ("{target: 0.01, window: 60 days}", "{goal: 0.01}", "unknown parameter 'goal' for rule 'health.odr'"),
        ("ids: [A1F83G8C2ARO7P]}", "ids: [A1F83G8C2ARO7P], default: true}", "exactly one marketplace is the default"),
        ("at_risk: warning", "at_risk: doom", "rating.at_risk: unknown value 'doom'"),
    ],
)
def test_broken_table_is_refused_with_located_problems(old: str, new: str, message: str) -> None:
    """A table that breaks a rule of its own format is refused, every problem with file and path."""
    assert old in BASE
    with pytest.raises(DefinitionError) as err:
        load_table(text=BASE.replace(old, new, 1), file="table.yaml")
    assert message in err.value.report()
    assert "table.yaml:" in err.value.report()


# ------------------------------------------------------------------------------------------------ events and CLI


def test_to_event_drives_account_suspension() -> None:
    """A suspension-level verdict gives suspend with the contractual issues; a warning gives warn; healthy none."""
    assert to_event(verdict_for({"order_defect_rate": 0.02, "on_time_delivery_rate": 0.5})) == (
        "suspend",
        {"reason_class": "performance", "issues": ["order_defect_rate"]},
    )
    assert to_event(verdict_for({"on_time_delivery_rate": 0.5})) == (
        "warn",
        {"metric": "on_time_delivery_rate", "value": 0.5},
    )
    assert to_event(verdict_for({"order_defect_rate": 0.001})) is None


def test_cli_health_prints_the_verdict() -> None:
    """`workflow health FILE` prints the level, the fired rule, its reason and source; exit 0."""
    result = CliRunner().invoke(main, ["health", str(HEALTH / "us_odr_breach.yaml")])
    assert result.exit_code == 0, result.output
    assert "verdict: suspension_allowed (allows 'suspend')" in result.output
    assert "health.odr" in result.output
    assert "A-ODR-US [S]" in result.output


def test_cli_health_json_and_marketplace() -> None:
    """--json prints one object; --marketplace UK judges the Indian snapshot with the UK's target."""
    path = str(HEALTH / "in_cancel_rate.yaml")
    india = json.loads(CliRunner().invoke(main, ["health", path, "--json"]).output)
    assert india["level"] == "suspension_allowed"
    assert [f["rule"] for f in india["fired"]] == ["health.cancel_rate"]
    assert india["event"] == {"name": "suspend", "payload": {"reason_class": "performance", "issues": ["cancel_rate"]}}
    uk = CliRunner().invoke(main, ["health", path, "--json", "--marketplace", "UK"])
    assert uk.exit_code == 0
    assert json.loads(uk.output)["level"] == "healthy"


@pytest.mark.parametrize(
    "name", ["us_odr_breach", "in_cancel_rate", "vtr_category_restriction", "ahr_at_risk", "aha_protected"]
)
def test_every_health_example_is_judged(name: str) -> None:
    """Each example snapshot is judged (exit 0) and the verdict is the one its header tells."""
    expected = {
        "us_odr_breach": "suspension_allowed",
        "in_cancel_rate": "suspension_allowed",
        "vtr_category_restriction": "category_restriction",
        "ahr_at_risk": "warning",
        "aha_protected": "warning",
    }
    result = CliRunner().invoke(main, ["health", str(HEALTH / f"{name}.yaml"), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output)["level"] == expected[name]


def test_cli_health_bad_input_is_one_line_exit_2(tmp_path: Path) -> None:
    """A wrong snapshot: exit 2 and one line on stderr naming the file, line and path."""
    path = tmp_path / "bad.yaml"
    path.write_text("metrics:\n  late_shipment_rate: 40%\n  odr: 1\n")
    result = CliRunner().invoke(main, ["health", str(path)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert f"{path}:3 metrics.odr: unknown metric 'odr'" in lines[0]
    missing = CliRunner().invoke(main, ["health", str(tmp_path / "none.yaml")])
    assert missing.exit_code == 2
    assert "cannot read file" in missing.stderr


def test_list_shows_the_decision_table() -> None:
    """`workflow list` shows every flow, the account_health decision table among them."""
    items = json.loads(CliRunner().invoke(main, ["list", "--json"]).output)
    by_name = {i["name"]: i for i in items}
    assert by_name["account_health"]["kind"] == "decision table"
    assert by_name["account_health"]["rules"] == 8
    assert "linked_accounts" in by_name


def test_rules_command_lists_health_rules() -> None:
    """`workflow rules` lists the health rules with their sources."""
    items = json.loads(CliRunner().invoke(main, ["rules", "--json"]).output)
    health = {i["id"]: i for i in items if i["id"].startswith("health.")}
    assert set(health) == set(HEALTH_RULES)
    assert health["health.aha_protection"]["source"] == "A-AHA [S]"


def test_readme_explains_every_source_key_cited() -> None:
    """Every source key the health table and linked_accounts cite has a row in the README saying what it is."""
    import re

    import workflow

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    table = load_table()
    sources = [m.source for m in table.metrics] + [s for m in table.metrics for s, _ in m.by_marketplace.values() if s]
    sources += [r.source for r in (table.rating, table.protection) if r is not None]
    linked = workflow.load("linked_accounts")
    sources += [g.source for t in linked.transitions for g in t.guards] + [c.rule.source for c in linked.cascades]
    keys = {k for src in sources for k in re.findall(r"\b(SEED[0-9]|[ANT]-[A-Z0-9]+(?:-[A-Z0-9]+)*)\b", src)}
    assert {"A-AHA", "N-RELATED-UK", "A-CR-IN"} <= keys
    missing = sorted(k for k in keys if f"| {k} |" not in readme)
    assert not missing, f"README does not explain: {', '.join(missing)}"


def test_validate_checks_a_decision_table(tmp_path: Path) -> None:
    """`workflow validate --table` checks the table: ok as shipped, every problem listed when broken (exit 1)."""
    ok = CliRunner().invoke(main, ["validate", "--table", str(TABLE_FILE)])
    assert ok.exit_code == 0
    assert "(decision table)" in ok.output
    broken = tmp_path / "table.yaml"
    broken.write_text(BASE.replace("on_breach: warning", "on_breach: suspension_allowed"), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--table", str(broken)])
    assert result.exit_code == 1
    assert "2 problems" in result.output
    assert "'contact_response_rate' is not contractual" in result.output


def test_cli_health_marketplace_by_id_and_unknown() -> None:
    """--marketplace takes a table code or a marketplace id; an unknown one is bad input (exit 2, one line)."""
    path = str(HEALTH / "in_cancel_rate.yaml")
    by_id = CliRunner().invoke(main, ["health", path, "--json", "--marketplace", "A1F83G8C2ARO7P"])
    assert json.loads(by_id.output)["marketplace"] == "UK"
    unknown = CliRunner().invoke(main, ["health", path, "--marketplace", "FR"])
    assert unknown.exit_code == 2
    assert unknown.stderr.strip() == "workflow: error: unknown marketplace 'FR' (known: US, UK, IN)"
