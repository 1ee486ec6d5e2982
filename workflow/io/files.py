"""Names from a document used in file names: made safe, so what is written stays in the folder asked for."""

from __future__ import annotations

import re

#: the longest file part made from a name (file systems take 255 bytes; room is left for what is added)
MAX_PART = 100

_UNSAFE = re.compile(r"[^A-Za-z0-9_.+-]")


def file_part(name: str) -> str:
    """``name`` as one plain file-name part: letters, digits and ``_.+-`` kept, anything else (a path separator,
    a NUL, a control or non-ASCII character) made ``_``; no leading dot (so never ``.`` or ``..``); never empty;
    at most ``MAX_PART`` characters."""
    part = _UNSAFE.sub("_", name)[:MAX_PART]
    if part.startswith("."):
        part = "_" + part[1:]
    return part or "_"


__all__ = ["MAX_PART", "file_part"]
