"""The resource registry (workflow.core.resources): what a pack attaches to definitions by name."""

from __future__ import annotations

import pytest

import workflow  # noqa: F401  (the Amazon pack registers its resources on import)
from workflow.core.resources import RESOURCES, ResourceKind, register_resource


def test_a_registered_resource_keeps_how_to_build_it() -> None:
    """Registering records the name, the file's record type, the builder, the default file and the empty value."""
    name = "test_resources_probe"
    try:
        register_resource(name, record=dict, build=len, default_file=None, empty=list)
        kind = RESOURCES[name]
        assert isinstance(kind, ResourceKind)
        assert (kind.name, kind.record, kind.default_file) == (name, dict, None)
        assert kind.build({"a": 1}) == 1 and kind.empty() == []
    finally:
        RESOURCES.pop(name, None)


def test_a_name_is_registered_once() -> None:
    """A second registration of a name already taken is refused, and the first stays."""
    first = RESOURCES["teams"]
    with pytest.raises(RuntimeError, match="registered twice"):
        register_resource("teams", record=dict, build=dict)
    assert RESOURCES["teams"] is first
