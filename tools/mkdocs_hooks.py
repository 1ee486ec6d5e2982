"""MkDocs hooks: the rendered diagrams of ``diagrams/`` are published with the site under ``diagrams/``, so a page
links them where they are kept (``python3 tasks.py diagrams`` keeps them current), never a copy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent


def on_files(files: Files, config: Any) -> Files:
    """Add every ``diagrams/*.svg`` to the site's files."""
    for svg in sorted((ROOT / "diagrams").glob("*.svg")):
        files.append(File.generated(config, f"diagrams/{svg.name}", abs_src_path=str(svg)))
    return files
