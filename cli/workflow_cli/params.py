"""What the commands share about their arguments: DEFINITION, and the one rule that says what it names."""

from __future__ import annotations

import inspect
from collections.abc import Callable
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
