"""The documentation stays true: its recorded command sessions replay, its rule catalog is the registry's, every
source key it cites is explained, and the README is a front door whose example files are the real ones. (The
pages' Python examples run as doctests; the site builds strictly in the test command.)"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import workflow
from workflow.io.load import load_resource

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = ROOT / "docs"


def _docsite() -> ModuleType:
    """tools/docsite.py, the documentation's own upkeep (sessions, the catalog)."""
    spec = importlib.util.spec_from_file_location("docsite", ROOT / "tools" / "docsite.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


docsite = _docsite()
SESSIONS = list(docsite.all_sessions())

#: a source key: a seed text, an Amazon page (A-), an Amazon notice (N-), a third party (T-), or the card
SOURCE_KEY = re.compile(r"\b(SEED[0-9]|[ANT]-[A-Z0-9]+(?:-[A-Z0-9]+)*|card)\b")


def table_rows(text: str) -> dict[str, list[str]]:
    """Markdown table rows keyed by their first cell (backticks removed)."""
    rows = {}
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("|---"):
            cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
            rows[cells[0].strip("`")] = cells
    return rows


@pytest.mark.parametrize("session", SESSIONS, ids=[s[0].id for s in SESSIONS])
def test_recorded_session_replays(session: list[object]) -> None:
    """Each console block's commands print what the page shows (`python3 tasks.py docs --update` rewrites it)."""
    for command, actual in zip(session, docsite.run(session), strict=True):
        assert docsite.matches(command.expected, actual), (  # type: ignore[attr-defined]
            f"{command.id}: {' '.join(command.argv)} printed:\n{actual}"  # type: ignore[attr-defined]
        )


def test_sessions_are_found_on_the_pages_that_show_commands() -> None:
    """The collector finds the README's session and those of the command-line page (a broken pattern finds none)."""
    pages = {s[0].page.name for s in SESSIONS}
    assert {"README.md", "command-line.md", "getting-started.md", "diagrams.md"} <= pages


def test_a_changed_output_fails_the_session(tmp_path: Path) -> None:
    """A recorded output that no longer matches is reported as such, and `...` stands for any text."""
    assert docsite.matches("a ...\nc\n", "a b\nb\nc\n")
    assert not docsite.matches("a\nc\n", "a\nb\nc\n")


def test_rule_catalog_is_generated_from_the_registry() -> None:
    """docs/rules.md is what the registry and the built-in definitions give now (`tasks.py docs --update`)."""
    assert docsite.CATALOG.read_text(encoding="utf-8") == docsite.rule_catalog()
    registered = docsite.CATALOG.read_text(encoding="utf-8").split("## Every registered rule", 1)[1]
    rows = table_rows(registered.split("\n## ", 1)[0])
    for rule in workflow.RULES.values():
        assert rule.id in rows and rows[rule.id][1] == rule.kind


def cited_sources() -> list[str]:
    """Every source string the built-in definitions, the registry and the teams file cite."""
    sources = [rule.source for rule in workflow.RULES.values()]
    for name in workflow.builtin_names():
        definition = workflow.load(name)
        sources += [g.source for t in definition.transitions for g in t.guards]
        sources += [a.rule.source for a in definition.advice]
    sources += [team.source for team in load_resource("teams").by_id.values()]
    return sources


def test_every_cited_source_key_is_explained() -> None:
    """Each source key a rule, a definition or the teams file cites has a row in docs/sources.md."""
    keys = table_rows((DOCS / "sources.md").read_text(encoding="utf-8"))
    cited = {key for source in cited_sources() for key in SOURCE_KEY.findall(source)}
    assert cited, "no source keys found; the pattern is wrong"
    missing = sorted(cited - set(keys))
    assert not missing, f"docs/sources.md does not explain: {', '.join(missing)}"


def test_docs_speak_of_the_project_only() -> None:
    """The README and the pages point at no file outside the project."""
    for page in docsite.pages():
        text = page.read_text(encoding="utf-8")
        assert "../shared" not in text and "RULES.md" not in text, page


def test_scenario_format_example_runs(tmp_path: Path) -> None:
    """The scenario file the scenario format page shows loads and meets its expectations."""
    text = (DOCS / "scenario-format.md").read_text(encoding="utf-8")
    block = re.search(r"^```yaml\n(.*?)^```", text, flags=re.M | re.S)
    assert block
    path = tmp_path / "page_scenario.yaml"
    path.write_text(block.group(1), encoding="utf-8")
    trace = workflow.simulate(path)
    assert trace.expectations_met
    assert trace.steps[-1].step.blocked_by == ("escalate.after_review", "escalate.letter", "escalate.strong_poa")


def test_readme_is_a_front_door() -> None:
    """Under 200 lines; install, the two set-up-free commands, the installed command, a quick start, the docs."""
    assert len(README.splitlines()) < 200
    for needed in (
        "## Install",
        "python3 tasks.py demo",
        "python3 tasks.py test",
        ".venv/bin/workflow",
        "## Quick start",
        "workflow.SystemClock()",
        "## Documentation",
    ):
        assert needed in README, needed
    for link in re.findall(r"\]\((docs/[^)#]+)", README):
        assert (ROOT / link).is_file(), link


def test_readme_scenario_is_the_example_file() -> None:
    """The scenario the README shows is examples/appeal_by_phone.yaml as it is (less its opening comment)."""
    shown = re.search(r"^```yaml\n(.*?)^```", README, flags=re.M | re.S)
    assert shown
    real = (ROOT / "examples" / "appeal_by_phone.yaml").read_text(encoding="utf-8")
    assert shown.group(1) == "".join(line for line in real.splitlines(True) if not line.startswith("#"))


def _plain_python_blocks() -> list[tuple[str, str]]:
    """Every ```python block of the pages that is not a doctest (those run as doctests)."""
    found = []
    for page in docsite.pages():
        text = page.read_text(encoding="utf-8")
        for block in re.finditer(r"^```python\n(.*?)^```", text, flags=re.M | re.S):
            if not block.group(1).lstrip().startswith(">>>"):
                found.append((f"{page.name}:{text.count(chr(10), 0, block.start()) + 1}", block.group(1)))
    return found


@pytest.mark.parametrize("where,code", _plain_python_blocks(), ids=[w for w, _ in _plain_python_blocks()])
def test_plain_python_block_runs(where: str, code: str) -> None:
    """A Python example that is not a doctest runs in its own interpreter without an error."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 0, f"{where}: {done.stderr}"
