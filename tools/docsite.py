"""The documentation's own upkeep: its recorded command-line sessions and its generated rule catalog.

A ``console`` block in a page is a recorded session: each ``$ workflow ...`` line is run (in-process, in a
directory where ``examples/`` and ``definitions/`` are the repository's) and what it printed, stdout and stderr
as a terminal shows them, must match the lines under it. ``...`` stands for any text, as in a doctest with
ELLIPSIS; ``$ echo $?`` prints the exit status of the command before it. A block whose first line is not a
``$`` line is shown, not run.

``docs/rules.md`` is generated from the rule registry and the built-in definitions by ``rule_catalog()``; the
test suite fails when the checked-in page differs. ``python3 tasks.py docs --update`` rewrites the page and
every recorded output that no longer matches.
"""

from __future__ import annotations

import doctest
import os
import re
import shlex
import tempfile
from collections.abc import Iterator
from pathlib import Path

import attrs

ROOT = Path(__file__).resolve().parent.parent
#: the pages whose console blocks are sessions: the README and every page of the site
PAGES = ("README.md", "docs")
CATALOG = ROOT / "docs" / "rules.md"

_BLOCK = re.compile(r"^```console\n(.*?)^```$", re.M | re.S)


@attrs.frozen
class Command:
    """One ``$`` line of a session and the output recorded under it."""

    page: Path
    line: int  # 1-based line of the ``$`` in the page
    argv: tuple[str, ...]
    expected: str
    #: where the expected output sits in the page's text (start, end offsets)
    span: tuple[int, int]

    @property
    def id(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def pages() -> list[Path]:
    """Every Markdown file that may hold sessions."""
    found: list[Path] = []
    for name in PAGES:
        path = ROOT / name
        found.extend(sorted(path.rglob("*.md")) if path.is_dir() else [path])
    return found


def sessions(page: Path) -> list[list[Command]]:
    """The sessions of ``page``: per console block that starts with ``$``, its commands in order."""
    text = page.read_text(encoding="utf-8")
    out: list[list[Command]] = []
    for block in _BLOCK.finditer(text):
        body = block.group(1)
        if not body.startswith("$ "):
            continue
        commands: list[Command] = []
        offset = block.start(1)
        chunks = re.split(r"(?m)^(?=\$ )", body)
        for chunk in chunks:
            if not chunk:
                continue
            first, _, rest = chunk.partition("\n")
            line = text.count("\n", 0, offset) + 1
            start = offset + len(first) + 1
            argv = tuple(shlex.split(first[2:], comments=True))
            commands.append(Command(page, line, argv, rest, (start, start + len(rest))))
            offset += len(chunk)
        out.append(commands)
    return out


def all_sessions() -> Iterator[list[Command]]:
    for page in pages():
        yield from sessions(page)


def run(session: list[Command]) -> list[str]:
    """What each command of ``session`` prints, in a fresh directory beside the repository's examples."""
    from click.testing import CliRunner
    from workflow_cli.main import main

    outputs: list[str] = []
    status = 0
    here = Path.cwd()
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("examples", "definitions", "diagrams", "docs"):
            os.symlink(ROOT / name, Path(tmp) / name)
        os.chdir(tmp)
        try:
            for command in session:
                if command.argv == ("echo", "$?"):
                    outputs.append(f"{status}\n")
                    continue
                if not command.argv or command.argv[0] != "workflow":
                    raise ValueError(f"{command.id}: a session runs 'workflow ...' commands only: {command.argv}")
                result = CliRunner().invoke(main, list(command.argv[1:]), prog_name="workflow", terminal_width=120)
                if result.exception is not None and not isinstance(result.exception, SystemExit):
                    raise result.exception
                status = result.exit_code
                outputs.append(result.output)
        finally:
            os.chdir(here)
    return outputs


_CHECKER = doctest.OutputChecker()


def matches(expected: str, actual: str) -> bool:
    """Whether ``actual`` is what was recorded (``...`` stands for any text; trailing spaces do not count)."""

    def norm(s: str) -> str:
        return "\n".join(line.rstrip() for line in s.rstrip("\n").split("\n")) + "\n"

    return _CHECKER.check_output(norm(expected), norm(actual), doctest.ELLIPSIS)


def update_sessions() -> list[str]:
    """Rewrite every recorded output that no longer matches; returns the ids of the commands rewritten."""
    rewritten: list[str] = []
    for page in pages():
        edits: list[tuple[tuple[int, int], str]] = []
        for session in sessions(page):
            for command, actual in zip(session, run(session), strict=True):
                if not matches(command.expected, actual):
                    edits.append((command.span, actual if actual.endswith("\n") or not actual else actual + "\n"))
                    rewritten.append(command.id)
        if edits:
            text = page.read_text(encoding="utf-8")
            for (start, end), new in sorted(edits, reverse=True):
                text = text[:start] + new + text[end:]
            page.write_text(text, encoding="utf-8")
    return rewritten


# ------------------------------------------------------------------------------------------------ the catalog


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def rule_catalog() -> str:
    """``docs/rules.md``: every registered rule, and per built-in definition the rules it uses and the source
    it cites for each, from the registry and the definitions themselves."""
    import inspect

    from workflow_cli.render import rule_uses

    import workflow
    from workflow.amazon.health import builtin_tables, load_table, tables_dir

    out = [
        "# The rule catalog",
        "",
        "<!-- generated by `python3 tasks.py docs --update` from the rule registry and the built-in definitions;",
        "     the test suite fails when it differs: do not edit by hand -->",
        "",
        "Every rule has an id, a kind, a sentence saying what it asks, and the source it stands on (the keys are",
        "explained in [Sources](sources.md)). *guard* rules refuse a step; *advice* rules let it through with a",
        "warning; *state* rules explain why an event does not apply in the case's state at all. A definition cites",
        "its own source for each rule it uses, given per definition below.",
        "",
        "## Every registered rule",
        "",
        "| rule | kind | what it says | source | never allows | code |",
        "|---|---|---|---|---|---|",
    ]
    for rule in sorted(workflow.RULES.values(), key=lambda r: r.id):
        module = inspect.getmodule(rule.check)
        code = f"`{module.__name__}`" if module is not None else ""
        never = _cell(rule.never_allows) if rule.never_allows else ""
        out.append(f"| `{rule.id}` | {rule.kind} | {_cell(rule.summary)} | {_cell(rule.source)} | {never} | {code} |")
    for name in workflow.builtin_names():
        defn = workflow.load(name)
        out += ["", f"## `{name}` {defn.version}", "", _cell(defn.description), ""]
        out += ["| rule | kind | on | source cited |", "|---|---|---|---|"]
        for rule, source, where in rule_uses(defn):
            on = ", ".join(f"`{w}`" for w in where) or "any event the state does not take"
            out.append(f"| `{rule.id}` | {rule.kind} | {on} | {_cell(source)} |")
    for name in builtin_tables():
        table = load_table(tables_dir() / f"{name}.yaml")
        out += ["", f"## `{name}` {table.version} (a decision table)", "", _cell(table.description), ""]
        out += ["| rule | metric | source cited |", "|---|---|---|"]
        for m in table.metrics:
            out.append(f"| `{m.rule}` | `{m.metric}` | {_cell(m.source)} |")
        for r in (table.rating, table.protection):
            if r is not None:
                out.append(f"| `{r.rule}` | | {_cell(r.source)} |")
    return "\n".join(out) + "\n"
