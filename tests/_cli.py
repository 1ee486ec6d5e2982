"""Shared helpers for the CLI tests: run ``workflow`` in-process and write scenario files."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result
from workflow_cli.main import main


def run(*args: str | Path) -> Result:
    """``workflow ARGS`` in-process; stdout and stderr kept apart."""
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def write(tmp_path: Path, text: str, name: str = "scenario.yaml") -> Path:
    """``text`` written to ``tmp_path/name``."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path
