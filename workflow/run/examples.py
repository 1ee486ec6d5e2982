"""The example stories that travel with the package: scenario files (and metric snapshots) to start from.

In an installed package they are ``workflow/_examples`` (the wheel carries the repository's ``examples/``); in a
checkout, ``examples/``. Each scenario file opens with a comment that tells its story; its first clause is the
story's title.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import attrs
import yaml

from workflow.errors import NotFound


@attrs.frozen
class Story:
    """One example scenario: its name (the file's stem), the definition it runs, its title, and its file."""

    name: str
    definition: str
    title: str
    path: Path


def examples_dir() -> Path:
    """Where the examples are: inside the installed package, or the checkout's ``examples/``."""
    packaged = resources.files("workflow") / "_examples"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "examples"


def title(text: str) -> str:
    """A story's title: the first clause of the file's opening comment (before its sources, in parentheses)."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("#").strip())
    said = " ".join(lines)
    for stop in (" (", ". ", ": "):
        said = said.split(stop, 1)[0]
    return said.rstrip(".")


def stories() -> tuple[Story, ...]:
    """Every example scenario, by name."""
    found = []
    for path in sorted(examples_dir().glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
        definition = str(data.get("definition", "")) if isinstance(data, dict) else ""
        found.append(Story(path.stem, definition, title(text), path))
    return tuple(found)


def story(name: str) -> Story:
    """The example scenario called ``name`` (its file's stem, with or without ``.yaml``). Raises ``NotFound``."""
    wanted = name.removesuffix(".yaml")
    for s in stories():
        if s.name == wanted:
            return s
    raise NotFound(name, known=[s.name for s in stories()], reason="example")


def copy_examples(target: Path) -> list[Path]:
    """Write every example (scenarios and metric snapshots) into ``target``; returns the files written. Files
    already there are replaced; nothing else in ``target`` is touched."""
    source = examples_dir()
    written = []
    for path in sorted(source.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            dest = target / path.relative_to(source)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
            written.append(dest)
    return written
