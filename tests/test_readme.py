"""The README stays true: its rule table matches the definition, every source key it cites is explained, and
its scenario example runs. (Its Python examples run as doctests.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import workflow
from workflow.io.load import load_resource

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")

#: a source key: a seed text, an Amazon page (A-), an Amazon notice (N-), a third party (T-), or the card
SOURCE_KEY = re.compile(r"\b(SEED[0-9]|[ANT]-[A-Z0-9]+(?:-[A-Z0-9]+)*|card)\b")


def section(title: str) -> str:
    """The text of the README section ``## title``, up to the next ``## `` heading."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, flags=re.M | re.S)
    assert match, f"README has no section '## {title}'"
    return match.group(1)


def table_rows(text: str) -> dict[str, list[str]]:
    """Markdown table rows keyed by their first cell (backticks removed)."""
    rows = {}
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("|---"):
            cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
            rows[cells[0].strip("`")] = cells
    return rows


def cited_sources() -> list[str]:
    """Every source string account_suspension and the teams file cite."""
    definition = workflow.load("account_suspension")
    sources = [g.source for t in definition.transitions for g in t.guards]
    sources += [a.rule.source for a in definition.advice]
    sources += [workflow.RULES[s.refuse_with].source for s in definition.states]
    sources += [team.source for team in load_resource("teams").by_id.values()]
    return sources


def test_rule_table_matches_the_definition() -> None:
    """Every rule account_suspension uses has a README row with its kind, sentence and the source it cites."""
    definition = workflow.load("account_suspension")
    rows = table_rows(section("Where the rules come from"))
    cited = {g.id: g.source for t in definition.transitions for g in t.guards}
    cited |= {a.rule.id: a.rule.source for a in definition.advice}
    for rule_id in definition.rule_ids():
        rule = workflow.RULES[rule_id]
        assert rule_id in rows, f"README does not list {rule_id}"
        _, kind, sentence, source = rows[rule_id]
        assert (kind, sentence) == (rule.kind, rule.summary), rule_id
        assert source == cited.get(rule_id, rule.source), rule_id
    assert {k for k in rows if "." in k} == set(definition.rule_ids()), "a listed rule is not used"


def test_every_cited_source_key_is_explained() -> None:
    """Each source key the definition and the teams file cite has a row saying what it is."""
    keys = table_rows(section("Where the rules come from"))
    cited = {key for source in cited_sources() for key in SOURCE_KEY.findall(source)}
    assert cited, "no source keys found; the pattern is wrong"
    missing = sorted(cited - set(keys))
    assert not missing, f"README does not explain: {', '.join(missing)}"


def test_readme_speaks_of_the_project_only() -> None:
    """The README carries what it needs in its own words and points at no file outside the project."""
    assert "../" not in README
    assert "RULES.md" not in README and "sources.md" not in README


@pytest.mark.parametrize("title", ["Diagrams", "Side flows"])
def test_sections_kept_for_later_exist(title: str) -> None:
    """The sections other parts of the project fill in are present."""
    assert section(title).strip()


def test_scenario_example_runs(tmp_path: Path) -> None:
    """The scenario file shown in the README loads and meets its expectations."""
    block = re.search(r"^## Scenario files\n.*?^```yaml\n(.*?)^```", README, flags=re.M | re.S)
    assert block
    path = tmp_path / "readme_scenario.yaml"
    path.write_text(block.group(1), encoding="utf-8")
    trace = workflow.simulate(path)
    assert trace.expectations_met
    assert trace.steps[-1].step.blocked_by == ("escalate.after_review", "escalate.letter", "escalate.strong_poa")


def test_demo_scenario_named_in_readme_exists() -> None:
    """The demo scenario the quick start names is in examples/."""
    assert "examples/strong_poa_after_one_rejection.yaml" in section("Quick start")
    assert (ROOT / "examples" / "strong_poa_after_one_rejection.yaml").is_file()
