"""Everything the commands print goes through here: names from a definition are escaped, and a stream that
cannot encode a character gets a stand-in.

A definition's names, a scenario's text and a payload reach tables, reports and JSON. A terminal acts on some
characters (escape sequences, bidirectional overrides, line separators), so every character that is not
printable is shown as its escape: ``\\x1b`` in text, ``\\u001b`` in JSON (which stays JSON and reads back to the
same text). A stream whose encoding cannot hold a character (``PYTHONIOENCODING=latin-1``) gets an ASCII
stand-in for the few symbols the tables use (``—`` as ``-``, ``→`` as ``->``) and ``?`` for anything else.
"""

from __future__ import annotations

import codecs
import sys
from typing import Any

import click

#: the symbols the tables and reports use, and what a stream that cannot encode them shows instead
STAND_INS = {"—": "-", "–": "-", "→": "->", "✗": "x", "✓": "v", "█": "#", "…": "...", "×": "x", "µ": "u"}


def escape_text(text: str) -> str:
    """``text`` with each character that is not printable (newlines aside) as its Python escape."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == "\n" else c.encode("unicode_escape").decode("ascii") for c in text)


def escape_json(text: str) -> str:
    """JSON text with each character that is not printable (newlines aside) as a JSON ``\\u`` escape.

    ``json.dumps`` escapes the C0 controls already; what is left (DEL, C1 controls, format characters,
    separators) can only be inside strings, where the escape means the same character."""
    if text.isprintable():
        return text
    out = []
    for c in text:
        if c.isprintable() or c == "\n":
            out.append(c)
        elif ord(c) > 0xFFFF:  # a surrogate pair, as JSON writes characters beyond the BMP
            n = ord(c) - 0x10000
            out.append(f"\\u{0xD800 + (n >> 10):04x}\\u{0xDC00 + (n & 0x3FF):04x}")
        else:
            out.append(f"\\u{ord(c):04x}")
    return "".join(out)


def encodable(text: str, err: bool = False) -> str:
    """``text`` as the stream (stdout, or stderr when ``err``) can encode it: stand-ins, else ``?``."""
    stream = sys.stderr if err else sys.stdout
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        pass
    except LookupError:  # pragma: no cover - an encoding Python does not know: leave it to the stream
        return text
    else:
        return text
    if codecs.lookup(encoding).name != "utf-8":
        text = "".join(STAND_INS.get(c, c) for c in text)
    return text.encode(encoding, errors="replace").decode(encoding)


def echo(message: Any = "", *, err: bool = False, json: bool = False) -> None:
    """``click.echo(message)``, escaped (as JSON when ``json``) and encodable on its stream."""
    text = str(message)
    text = escape_json(text) if json else escape_text(text)
    click.echo(encodable(text, err), err=err)
