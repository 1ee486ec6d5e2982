"""What the commands share about their arguments: DEFINITION, and the one rule that says what it names."""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from workflow.io.load import REFERENCE_RULE

F = TypeVar("F", bound=Callable[..., Any])

#: the rule for a DEFINITION argument, as every command's help ends with it (the rule of ``workflow.load``)
DEFINITION_HELP = f"DEFINITION is {REFERENCE_RULE}."


def definition_argument(name: str = "definition", *, required: bool = True, nargs: int = 1) -> Callable[[F], F]:
    """The DEFINITION argument (``nargs=-1``: any number of them), and its rule at the end of the command's help.

    The argument stays the text given; the command loads it with ``workflow.load``, which applies the rule.
    """

    def decorate(fn: F) -> F:
        fn.__doc__ = f"{inspect.cleandoc(fn.__doc__ or '')}\n\n{DEFINITION_HELP}"
        metavar = "[DEFINITION]..." if nargs != 1 else "DEFINITION" if required else "[DEFINITION]"
        return click.argument(name, metavar=metavar, required=required, nargs=nargs)(fn)

    return decorate


def write_file(path: Path, data: bytes) -> None:
    """``data`` written to ``path``; an ``OSError`` names the file, even one raised on writing or closing it
    (``-o /dev/full``: the disk is full), where the system gives no name."""
    try:
        path.write_bytes(data)
    except OSError as e:
        if e.filename is not None:
            raise
        raise OSError(e.errno, e.strerror or str(e), str(path)) from e


def at_most_cpus(ctx: click.Context, param: click.Parameter, value: int) -> int:
    """A number of worker processes no larger than the machine's CPU count (more only compete for them)."""
    cpus = os.cpu_count() or 1
    if value > cpus:
        raise click.BadParameter(f"{value} is more than this machine's {cpus} CPUs; give at most {cpus}")
    return value
