"""The distribution: its name is not the import name's taken one, its extras are declared, and a missing extra
is named in one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import tomllib

from workflow.errors import DISTRIBUTION

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_distribution_name_is_the_one_the_errors_name() -> None:
    """pyproject.toml's name is the one messages tell users to install, and not the import name (taken)."""
    assert PROJECT["name"] == DISTRIBUTION
    assert DISTRIBUTION != "workflow"


def test_console_command_and_extras() -> None:
    """The command stays `workflow`; the extras a user is told about are declared."""
    assert PROJECT["scripts"] == {"workflow": "workflow_cli.main:main"}
    extras = PROJECT["optional-dependencies"]
    assert {"testing", "store", "web", "docs", "dev"} <= set(extras)
    assert any(dep.lower().startswith("hypothesis") for dep in extras["testing"])
    web = {dep.split(">")[0].split("[")[0].lower() for dep in extras["web"]}
    assert {"starlette", "uvicorn", "jinja2"} <= web
    docs = {dep.split(">")[0].split("[")[0].lower() for dep in extras["docs"]}
    assert {"mkdocs", "mkdocs-material", "mkdocstrings", "mkdocs-click"} <= docs


def test_testing_without_hypothesis_names_the_extra() -> None:
    """`import workflow.testing` without Hypothesis ends in one line naming the extra to install."""
    code = "import sys; sys.modules['hypothesis'] = None; import workflow.testing"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last == (
        f'workflow.errors.MissingExtra: workflow.testing needs Hypothesis: pip install "{DISTRIBUTION}[testing]"'
    )
