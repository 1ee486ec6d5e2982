"""``workflow``: the command group, and the one place errors become exit statuses. All behaviour lives in
``workflow``; each command group has its own module (simulate_cmd, definitions_cmd, diagram_cmd, explore_cmd,
health_cmd).

Errors become exit statuses here and nowhere else: ``EXIT_STATUSES`` maps each kind of error to a click exception
(one line on stderr, an exit status), and ``Main`` raises it, and turns a command's returned status into the exit
status. Commands return ``status.OK`` or ``status.FAILED``, or raise; none exits by itself.
"""

from __future__ import annotations

from typing import Any

import click

import workflow
from workflow.errors import CaseExists, ConflictError, WorkflowError, printable

from .case_cmd import case
from .definitions_cmd import list_cmd, rules, validate
from .diagram_cmd import diagram
from .examples_cmd import examples
from .explore_cmd import explore_cmd, paths_cmd
from .health_cmd import health
from .output import echo
from .serve_cmd import serve
from .simulate_cmd import explain_cmd, simulate
from .status import FAILED, INPUT
from .store_cmd import store, worker
from .table_cmd import table


class InputError(click.ClickException):
    """The input is wrong: one line on stderr, ``workflow: error: ...``, and exit status 2."""

    exit_code = INPUT

    def show(self, file: Any = None) -> None:
        echo(f"workflow: error: {printable(self.message)}", err=True)


#: error class -> the click exception it becomes (and so its exit status); the first class an error is an
#: instance of decides, so a subclass goes before its base
class Conflict(click.ClickException):
    """The case moved on under the caller, or its id is taken: one line on stderr, ``workflow: conflict: ...``, and
    exit status 1 (the input was right; the store's state decided)."""

    exit_code = FAILED

    def show(self, file: Any = None) -> None:
        echo(f"workflow: conflict: {printable(self.message)}", err=True)


class UsageLine(click.UsageError):
    """The command line itself is wrong (an unknown option or command, a bad value): one line on stderr,
    ``workflow: usage: ... (see 'COMMAND --help')``, and exit status 2, instead of click's usage, hint and error."""

    exit_code = INPUT

    def show(self, file: Any = None) -> None:
        where = self.ctx.command_path if self.ctx is not None else "workflow"
        echo(f"workflow: usage: {printable(self.message)} (see '{printable(where)} --help')", err=True)


def one_line_usage(error: click.UsageError) -> UsageLine:
    """A click usage error as the one line ``UsageLine`` shows."""
    if isinstance(error, UsageLine):
        return error
    return UsageLine(error.format_message(), ctx=error.ctx)


#: what no argument may hold: the operating system cannot pass it, and no file name can contain it
NUL = "\x00"


EXIT_STATUSES: tuple[tuple[type[Exception], type[click.ClickException]], ...] = (
    (ConflictError, Conflict),
    (CaseExists, Conflict),
    (WorkflowError, InputError),  # every error of the package: a file, YAML, a name, an event, a payload, a limit
    (OSError, InputError),  # a file that cannot be read or written
)


def as_click(error: Exception) -> click.ClickException | None:
    """``error`` as the click exception ``EXIT_STATUSES`` gives it, or None for one it does not know (a bug)."""
    for cls, click_cls in EXIT_STATUSES:
        if isinstance(error, cls):
            return click_cls(message(error))
    return None


def message(error: Exception) -> str:
    """An error as the one line the user reads."""
    if isinstance(error, ValueError) and "null byte" in str(error):  # a path read from a file, given to the OS
        return "a path holds a NUL byte, which no file name can"
    if isinstance(error, OSError) and not isinstance(error, WorkflowError):
        return f"{getattr(error, 'filename', '') or ''}: {error.strerror or error}".lstrip(": ")
    return str(error)


class Main(click.Group):
    """Turns every known error into its click exception (never a traceback), and a command's returned status
    into the exit status."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        """The group's context; a usage error in the group's own options is one line, and so is a NUL byte in
        any argument (refused before any command reads it)."""
        try:
            ctx = super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as e:
            raise one_line_usage(e) from e
        for arg in args:
            if NUL in arg:
                raise UsageLine(f"an argument holds a NUL byte, which no path or name can: {arg!r}", ctx=ctx)
        return ctx

    def invoke(self, ctx: click.Context) -> Any:
        try:
            status = super().invoke(ctx)
        except click.UsageError as e:
            raise one_line_usage(e) from e
        except Exception as e:
            converted = as_click(e)
            if converted is None:
                raise
            raise converted from e
        if status:
            raise click.exceptions.Exit(int(status))
        return status


@click.group(cls=Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(workflow.__version__, prog_name="workflow")
def main() -> None:
    """Model what happens to an Amazon seller account in trouble, and why a step is refused.

    Every refusal names its rule, says why in a sentence, and cites its source.
    """


for command in (simulate, explain_cmd, validate, rules, list_cmd, diagram, health, table, explore_cmd, paths_cmd):
    main.add_command(command)

for command in (examples, case, store, worker, serve):
    main.add_command(command)

if __name__ == "__main__":  # pragma: no cover
    main()
