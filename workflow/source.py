"""Safe YAML parsing that remembers where every value came from.

Only ``yaml.SafeLoader`` is used: no tag can build an object or run code. Anchors and aliases are allowed,
but a document whose aliases expand past ``MAX_NODES`` values, or that nests deeper than Python can walk,
is refused with a ``Problem`` instead of exhausting the process.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs
import yaml

from .errors import DocumentError, Problem

MAX_BYTES = 4 * 1024 * 1024
MAX_NODES = 200_000

PathKey = tuple[str | int, ...]


def format_path(path: PathKey) -> str:
    """``("transitions", 3, "to")`` -> ``transitions[3].to``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@attrs.frozen
class Located:
    """A parsed document and the line of each value in it (1-based), keyed by path."""

    data: Any
    lines: Mapping[PathKey, int]
    file: str | None

    def line(self, path: PathKey) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        p = tuple(path)
        while True:
            if p in self.lines:
                return self.lines[p]
            if not p:
                return None
            p = p[:-1]

    def problem(self, path: PathKey, message: str) -> Problem:
        return Problem(message=message, path=format_path(path), line=self.line(path), file=self.file)


class _TooLarge(Exception):
    pass


def _index(node: yaml.Node, lines: dict[PathKey, int]) -> None:
    """Walk the node graph iteratively, recording the line of every value; bounded by ``MAX_NODES``."""
    seen = 0
    stack: list[tuple[yaml.Node, PathKey]] = [(node, ())]
    while stack:
        current, path = stack.pop()
        seen += 1
        if seen > MAX_NODES:
            raise _TooLarge
        lines.setdefault(path, current.start_mark.line + 1)
        if isinstance(current, yaml.MappingNode):
            for key_node, value_node in current.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
                stack.append((value_node, (*path, key)))
        elif isinstance(current, yaml.SequenceNode):
            for i, item in enumerate(current.value):
                stack.append((item, (*path, i)))


def parse(text: str, *, file: str | None = None, error: Callable[[list[Problem]], DocumentError]) -> Located:
    """Parse one YAML (or JSON) document safely; raise ``error([...])`` with a located problem on failure."""
    if len(text) > MAX_BYTES:
        raise error([Problem(f"file too large ({len(text)} bytes; at most {MAX_BYTES})", file=file)])
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        if node is None:
            raise error([Problem("empty document", file=file, line=1)])
        lines: dict[PathKey, int] = {}
        _index(node, lines)
        loader = yaml.SafeLoader(text)
        try:
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except _TooLarge:
        raise error([Problem(f"document expands to more than {MAX_NODES} values (aliases?)", file=file)]) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else None
        msg = " ".join(str(x) for x in (e.context, e.problem) if x) or "invalid YAML"
        raise error([Problem(f"invalid YAML: {msg}", file=file, line=line)]) from e
    except yaml.YAMLError as e:
        raise error([Problem(f"invalid YAML: {e}", file=file)]) from e
    except RecursionError:
        raise error([Problem("document nests too deeply", file=file)]) from None
    except (ValueError, TypeError, OverflowError) as e:  # e.g. an unhashable key or a bad timestamp
        raise error([Problem(f"invalid YAML: {e}", file=file)]) from e
    return Located(data=data, lines=lines, file=file)


def read(path: str | Path, *, error: Callable[[list[Problem]], DocumentError]) -> Located:
    """Read and parse a file; a missing or unreadable file is a located problem too."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise error([Problem(f"cannot read file: {e.strerror or e}", file=str(p))]) from e
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise error([Problem(f"not UTF-8 text (byte {e.start})", file=str(p))]) from e
    return parse(text, file=str(p), error=error)
