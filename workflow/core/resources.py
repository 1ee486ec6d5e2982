"""Resources: data a domain pack attaches to a definition by name (the Amazon pack's ``teams``, say).

A pack registers a resource name with the record its file is structured as, how to build the resource from
that record, and the file used when a definition names none. A definition file may then name its own file
under that key (``teams: my_teams.yaml``, beside the definition); the loader reads it, the core's converter
structures it, and the built resource is found in ``Definition.resources[name]`` and in a rule's
``Context.resources[name]``. The core never looks inside a resource.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs


@attrs.frozen
class ResourceKind:
    """A registered resource: its name in a definition, its file's record, how to build it, its default file."""

    name: str
    record: Any  # the type the file's content is structured as
    build: Callable[[Any], Any] = attrs.field(eq=False)  # the structured record -> the resource (or ResourceError)
    default_file: str | None = None  # beside the built-in definitions; None: the resource is absent unless named
    empty: Callable[[], Any] = attrs.field(default=dict, eq=False)  # the resource when its file cannot be read


RESOURCES: dict[str, ResourceKind] = {}


def register_resource(
    name: str,
    *,
    record: Any,
    build: Callable[[Any], Any],
    default_file: str | None = None,
    empty: Callable[[], Any] = dict,
) -> None:
    """Let definitions carry the resource ``name`` (see the module's docstring)."""
    if name in RESOURCES:
        raise RuntimeError(f"resource {name!r} registered twice")
    RESOURCES[name] = ResourceKind(name=name, record=record, build=build, default_file=default_file, empty=empty)


__all__ = ["RESOURCES", "ResourceKind", "register_resource"]
