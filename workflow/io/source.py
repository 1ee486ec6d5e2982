"""Safe YAML parsing that remembers where every value came from.

Only ``yaml.SafeLoader`` is used: no tag can build an object or run code. Anchors and aliases are allowed,
but a document whose aliases expand past ``MAX_NODES`` values, or that nests deeper than ``MAX_DEPTH`` (an
alias inside its own anchor nests without end), is refused with a ``Problem`` instead of exhausting the process.
A key written twice in one mapping is refused too (YAML would silently keep the last value), with the line of
both; a key that a merge (``<<: *base``) brings in may be overridden, as YAML intends.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs
import yaml

from workflow.core.structure import PathKey, format_path
from workflow.errors import DocumentError, Problem

MAX_BYTES = 1024 * 1024
MAX_NODES = 100_000
MAX_DEPTH = 100
#: the most (source state, transition) pairs a definition's transitions expand to ('*' is every non-terminal state)
MAX_PAIRS = 50_000


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


class _TooDeep(Exception):
    pass


_MERGE = "tag:yaml.org,2002:merge"


class _Loader(yaml.SafeLoader):
    """``SafeLoader`` bounded while it reads: at most ``MAX_NODES`` nodes and ``MAX_DEPTH`` levels.

    The bounds apply before the whole text is scanned: the scanner looks ahead to the end of every open ``[``
    or ``{`` (each might start a key), so a long run of brackets would otherwise take quadratic time, and the
    composer recurses once per level.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._composed = 0
        self._depth = 0

    def fetch_flow_collection_start(self, TokenClass: Any) -> None:
        if self.flow_level >= MAX_DEPTH:
            raise _TooDeep
        super().fetch_flow_collection_start(TokenClass)

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self._composed += 1
        if self._composed > MAX_NODES:
            raise _TooLarge
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooDeep
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _timestamp(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """A YAML timestamp; one that looks like a timestamp but is not a date (month 13) is a located error."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)  # type: ignore[arg-type]
    except ValueError as e:
        raise yaml.constructor.ConstructorError(
            None, None, f"not a valid timestamp {node.value!r}: {e}", node.start_mark
        ) from e


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def _index(node: yaml.Node, lines: dict[PathKey, int], loader: _Loader) -> list[tuple[PathKey, int, str]]:
    """Walk the node graph iteratively, recording the line of every value; bounded by ``MAX_NODES`` and ``MAX_DEPTH``.

    The depth bound also stops a self-referencing alias (``&a [*a]``), whose paths would otherwise grow without
    end and make the walk quadratic. Returns every key written twice in one mapping: (path, line, message).
    """
    duplicates: dict[tuple[int, int], tuple[PathKey, int, str]] = {}
    seen = 0
    stack: list[tuple[yaml.Node, PathKey]] = [(node, ())]
    while stack:
        current, path = stack.pop()
        seen += 1
        if seen > MAX_NODES:
            raise _TooLarge
        if len(path) > MAX_DEPTH:
            raise _TooDeep
        lines.setdefault(path, current.start_mark.line + 1)
        if isinstance(current, yaml.MappingNode):
            first: dict[Any, int] = {}
            children = []
            for key_node, value_node in current.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
                children.append((value_node, (*path, key)))
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE:
                    continue
                value = loader.construct_object(key_node)  # 1 and 0x1 are one key; 1 and "1" are two
                line = key_node.start_mark.line + 1
                if value in first:
                    where = (id(current), line)  # a mapping reached again through an alias is reported once
                    duplicates.setdefault(
                        where, ((*path, key), line, f"duplicate key '{key}' (first at line {first[value]})")
                    )
                else:
                    first[value] = line
            stack.extend(reversed(children))  # in document order: a mapping is reported where it is first met
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((item, (*path, i)) for i, item in reversed(list(enumerate(current.value))))
    return sorted(duplicates.values(), key=lambda d: d[1])


def parse(text: str, *, file: str | None = None, error: Callable[[list[Problem]], DocumentError]) -> Located:
    """Parse one YAML (or JSON) document safely; raise ``error([...])`` with a located problem on failure."""
    if len(text) > MAX_BYTES:
        raise error([Problem(f"file too large ({len(text)} bytes; at most {MAX_BYTES})", file=file)])
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                raise error([Problem("empty document", file=file, line=1)])
            lines: dict[PathKey, int] = {}
            duplicates = _index(node, lines, loader)
            if duplicates:
                raise error([Problem(m, path=format_path(p), line=n, file=file) for p, n, m in duplicates])
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except _TooLarge:
        raise error(
            [Problem(f"document has more than {MAX_NODES} values (counting every use of an alias)", file=file)]
        ) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else None
        msg = " ".join(str(x) for x in (e.context, e.problem) if x) or "invalid YAML"
        raise error([Problem(f"invalid YAML: {msg}", file=file, line=line)]) from e
    except yaml.reader.ReaderError as e:  # a character YAML does not allow; its message spans two lines
        line = text.count("\n", 0, e.position) + 1
        char = f"#x{e.character:04x}" if isinstance(e.character, int) else repr(e.character)
        raise error([Problem(f"invalid YAML: {e.reason} (character {char})", file=file, line=line)]) from e
    except yaml.YAMLError as e:
        raise error([Problem(f"invalid YAML: {' '.join(str(e).split())}", file=file)]) from e
    except _TooDeep:
        raise error([Problem(f"document nests deeper than {MAX_DEPTH} levels", file=file)]) from None
    except RecursionError:
        raise error([Problem("document nests too deeply", file=file)]) from None
    except (ValueError, TypeError, OverflowError) as e:  # e.g. an unhashable key or a bad timestamp
        raise error([Problem(f"invalid YAML: {e}", file=file)]) from e
    return Located(data=data, lines=lines, file=file)


def read(path: str | Path, *, error: Callable[[list[Problem]], DocumentError]) -> Located:
    """Read and parse a file; a missing or unreadable file is a located problem too, and so is what is not a
    regular file (a FIFO, a device): it is refused before it is opened, as reading it could block or never end."""
    p = Path(path)
    try:
        mode = os.stat(p).st_mode
        if stat.S_ISDIR(mode):
            raise error([Problem("cannot read file: Is a directory", file=str(p))])
        if not stat.S_ISREG(mode):  # a FIFO would block, a device never end
            raise error([Problem("not a regular file", file=str(p))])
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fd).st_mode):  # replaced between the look and the opening
                raise error([Problem("not a regular file", file=str(p))])
            raw = fh.read(MAX_BYTES + 1)  # never more: a huge file is refused without being read whole
    except OSError as e:
        raise error([Problem(f"cannot read file: {e.strerror or e}", file=str(p))]) from e
    if len(raw) > MAX_BYTES:
        raise error([Problem(f"file too large (more than {MAX_BYTES} bytes)", file=str(p))])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise error([Problem(f"not UTF-8 text (byte {e.start})", file=str(p))]) from e
    return parse(text, file=str(p), error=error)
