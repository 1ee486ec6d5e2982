"""How messages and findings name things: a word with its article, a list joined as a sentence says it."""

from __future__ import annotations

from collections.abc import Sequence


def with_article(word: str) -> str:
    """``a licence``, ``an invoice``: ``word`` after its indefinite article."""
    return ("an " if word[:1] in "aeiou" else "a ") + word


def joined(items: Sequence[str], last: str = "and") -> str:
    """``a``, ``a and b``, ``a, b and c``: ``items`` (at least one) with ``last`` before the last of them."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {last} " + items[-1]


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``1 step``, ``2 steps``, ``0 steps``: ``n`` and ``noun``, plural unless ``n`` is 1 (``plural`` when the
    plural is not ``noun`` + s)."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
