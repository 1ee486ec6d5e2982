"""The definition format's ``migrations:``: checked when loaded, and outside the content hash."""

from __future__ import annotations

import pytest

import workflow
from workflow.errors import DefinitionError

BASE = """
name: mini
version: "2"
states:
  waiting: {initial: true}
  done: {terminal: true}
events: {finish: {}}
facts:
  priority: {type: int, default: 0}
transitions:
  - {event: finish, from: waiting, to: done}
"""


def test_a_migration_is_read_into_the_definition() -> None:
    """Renames, new facts' values and removed events are kept as declared."""
    defn = workflow.load(
        text=BASE
        + 'migrations:\n  - {from: "1", states: {open: waiting}, facts: {priority: 2}, removed_events: [drop]}\n'
    )
    (m,) = defn.migrations
    assert (m.from_version, dict(m.states), dict(m.facts), m.removed_events) == (
        "1",
        {"open": "waiting"},
        {"priority": 2},
        ("drop",),
    )
    assert defn.migration_from("1") is m and defn.migration_from("0") is None


def test_declaring_a_migration_leaves_the_hash_as_it_was() -> None:
    """The content hash is the lifecycle's: a migration added later does not change it."""
    plain = workflow.load(text=BASE)
    migrating = workflow.load(text=BASE + 'migrations:\n  - {from: "1"}\n')
    assert plain.hash == migrating.hash


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('{from: "1", states: {open: nowhere}}', "unknown state 'nowhere'"),
        ('{from: "1", facts: {colour: red}}', "unknown fact 'colour'"),
        ('{from: "2"}', "from an earlier version, not this one"),
        ('{from: "1"}\n  - {from: "1"}', "a second migration from version 1"),
        ("{states: {}}", "from"),
    ],
)
def test_a_faulty_migration_is_located(entry: str, message: str) -> None:
    """Each fault names the migration's place in the file."""
    with pytest.raises(DefinitionError, match=message) as e:
        workflow.load(text=BASE + f"migrations:\n  - {entry}\n", file="mini.yaml")
    assert "migrations" in str(e.value)
