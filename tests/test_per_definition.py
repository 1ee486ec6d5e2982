"""``PerDefinition``: what is made once per definition is kept while the definition lives, and no longer."""

from __future__ import annotations

import gc
import weakref

import workflow
from workflow.core.model import Definition, PerDefinition
from workflow.io.load import definitions_dir


def _fresh() -> Definition:
    return workflow.load(text=(definitions_dir() / "account_suspension.yaml").read_text(encoding="utf-8"))


def test_a_value_is_made_once_per_definition_and_part() -> None:
    """The same definition (and part) gets the value made the first time; another part gets its own."""
    cache: PerDefinition[list[str]] = PerDefinition()
    defn = _fresh()
    made: list[str] = []

    def make(d: Definition) -> list[str]:
        made.append(d.name)
        return [d.name]

    first = cache.get_or_make(defn, make)
    assert cache.get_or_make(defn, make) is first and made == ["account_suspension"]
    suspend, warn = defn.event("suspend"), defn.event("warn")
    by_suspend = cache.get_or_make(defn, make, suspend)
    assert by_suspend is not first and cache.get_or_make(defn, make, suspend) is by_suspend
    assert cache.get_or_make(defn, make, warn) is not by_suspend
    assert set(cache) == {id(defn), (id(defn), id(suspend)), (id(defn), id(warn))}
    assert cache[id(defn)] is first and len(cache) == 3 and len(made) == 3


def test_entries_go_with_their_definition() -> None:
    """Once nothing holds a definition, its entries leave the cache; another definition's stay."""
    cache: PerDefinition[str] = PerDefinition()
    kept, dropped = _fresh(), _fresh()
    cache.get_or_make(kept, lambda d: "kept")
    cache.get_or_make(dropped, lambda d: "dropped")
    cache.get_or_make(dropped, lambda d: "dropped, per event", dropped.events[0])
    gone = weakref.ref(dropped)
    del dropped
    gc.collect()
    assert gone() is None
    assert list(cache.values()) == ["kept"] and cache.get_or_make(kept, lambda d: "again") == "kept"
