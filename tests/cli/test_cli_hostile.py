"""The command line under hostile input: names escaped in every output, one-line usage errors, streams that
cannot encode the headers, NUL bytes in paths, a bounded --workers, a full disk, a Graphviz that hangs."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from workflow_cli.main import main

from workflow.diagram import graphviz

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "appeal_by_phone.yaml"


def invoke(*args: str | Path, charset: str = "utf-8") -> Result:
    return CliRunner(charset=charset).invoke(main, [str(a) for a in args], catch_exceptions=False)


def one_line(result: Result, *fragments: str, code: int = 2) -> str:
    """Exit ``code``, nothing on stdout, one line on stderr holding every fragment, no traceback."""
    assert result.exit_code == code, (result.exit_code, result.output)
    assert result.stdout == ""
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def strings(data: object) -> set[str]:
    """Every string in JSON data, keys and values."""
    if isinstance(data, str):
        return {data}
    if isinstance(data, dict):
        return set(data) | {s for v in data.values() for s in strings(v)}
    if isinstance(data, list):
        return {s for v in data for s in strings(v)}
    return set()


def printable_lines(text: str) -> bool:
    return all(line.isprintable() for line in text.split("\n"))


# ------------------------------------------------------------------------------------------ names escaped

#: characters a terminal acts on or hides: C0 and C1 controls (ESC, CSI), format characters (bidi overrides),
#: line and paragraph separators
HOSTILE = st.characters(categories=["Cc", "Cf", "Zl", "Zp"], exclude_characters="\x00\ufeff")
NAMES = st.lists(
    st.text(st.characters(categories=["L", "N"], max_codepoint=0x7F), min_size=1, max_size=3) | HOSTILE,
    min_size=1,
    max_size=6,
).map(lambda parts: "n" + "".join(parts))


def hostile_definition(tmp_path: Path, state: str, event: str) -> tuple[Path, Path]:
    """A definition file whose first state and event are named ``state`` and ``event``, and a scenario of it."""
    data = {
        "name": "hostile",
        "version": "1",
        "states": {state: {"initial": True}, "done": {"terminal": True}},
        "events": {event: {}, "finish": {}},
        "transitions": [{"event": event, "from": state}, {"event": "finish", "from": state, "to": "done"}],
    }
    defn = tmp_path / "hostile.yaml"
    defn.write_text(yaml.safe_dump(data, allow_unicode=False), encoding="utf-8")
    scenario = tmp_path / "run.yaml"
    steps = [{"event": event}, {"event": "finish"}, {"event": event}]
    scenario.write_text(
        yaml.safe_dump({"definition": str(defn), "steps": steps}, allow_unicode=False), encoding="utf-8"
    )
    return defn, scenario


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(state=NAMES, event=NAMES)
def test_names_from_a_definition_are_escaped_in_every_output(tmp_path: Path, state: str, event: str) -> None:
    """Names holding control, format or separator characters reach no output raw: tables, reports, diagrams
    and errors print them escaped, and JSON stays JSON that reads back to the very names."""
    defn, scenario = hostile_definition(tmp_path, state, event)
    text_runs = [
        ("validate", defn),
        ("rules", defn),
        ("simulate", "--scenario", scenario),
        ("simulate", defn, "--random", "3"),
        ("explain", "--scenario", scenario),
        ("diagram", defn, "--format", "mermaid"),
        ("diagram", defn, "--format", "dot"),
        ("diagram", "--scenario", scenario, "--format", "html"),
        ("explore", defn),
    ]
    for args in text_runs:
        result = invoke(*args)
        assert result.exit_code in (0, 1), (args, result.output)
        assert printable_lines(result.stdout), (args, result.stdout)
        assert printable_lines(result.stderr), (args, result.stderr)
    for args in [("simulate", "--scenario", scenario, "--json"), ("explore", defn, "--json")]:
        result = invoke(*args)
        assert result.exit_code in (0, 1), (args, result.output)
        assert printable_lines(result.stdout), (args, result.stdout)
        assert {state, event} & strings(json.loads(result.stdout)), args


# ------------------------------------------------------------------------------------------ usage errors


@pytest.mark.parametrize(
    "args",
    [
        ("--bogus",),
        ("nope",),
        ("simulate", "--bogus"),
        ("simulate", "--random", "many", "account_suspension"),
        ("diagram", "account_suspension", "--format", "gif"),
        ("case", "nope"),
        ("simulate", "account_suspension", "--seed"),
    ],
)
def test_a_usage_error_is_one_line_with_exit_2(args: tuple[str, ...]) -> None:
    """click's usage errors print one line, ``workflow: usage: ...``, and exit 2 (not usage, blank, hint, error)."""
    line = one_line(invoke(*args), "workflow: usage: ")
    assert "--help" in line


# ------------------------------------------------------------------------------------------ stream encodings


@pytest.mark.parametrize(
    "args",
    [
        ("simulate", "--scenario", EXAMPLE),
        ("explain", "--scenario", EXAMPLE),
        ("simulate", "account_suspension", "--random", "5"),
        ("health", ROOT / "examples" / "health" / sorted(os.listdir(ROOT / "examples" / "health"))[0]),
    ],
)
def test_a_stream_that_cannot_encode_the_headers_still_gets_them(args: tuple[str | Path, ...]) -> None:
    """With stdout and stderr in latin-1 (PYTHONIOENCODING=latin-1), what latin-1 cannot hold is replaced."""
    result = invoke(*args, charset="latin-1")
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output
    assert result.stdout.strip()


# ------------------------------------------------------------------------------------------ NUL in a path


@pytest.mark.parametrize(
    "args",
    [
        ("validate", "bad\x00name.yaml"),
        ("simulate", "--scenario", "run\x00.yaml"),
        ("diagram", "account_suspension", "-o", "out\x00.mmd"),
        ("explore", "account_suspension", "--out", "dir\x00"),
    ],
)
def test_a_nul_byte_in_a_path_is_one_line(args: tuple[str, ...]) -> None:
    """A path holding a NUL byte is refused in one line, exit 2 (not a ValueError)."""
    one_line(invoke(*args), "NUL")


# ------------------------------------------------------------------------------------------ --workers bounded


def test_workers_are_bounded_by_the_cpu_count() -> None:
    """--workers past the machine's CPU count is refused in one line saying the bound."""
    cpus = os.cpu_count() or 1
    line = one_line(invoke("simulate", "account_suspension", "--random", "3", "--workers", str(cpus + 1)))
    assert "--workers" in line and str(cpus) in line


# ------------------------------------------------------------------------------------------ a full disk


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("fmt", ["mermaid", "dot", "html"])
def test_writing_to_a_full_device_names_the_file(fmt: str) -> None:
    """-o /dev/full is one line naming the file and saying the device is full."""
    one_line(invoke("diagram", "account_suspension", "--format", fmt, "-o", "/dev/full"), "/dev/full", "space")


# ------------------------------------------------------------------------------------------ Graphviz hangs


def test_a_graphviz_that_hangs_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``dot`` that never answers is stopped at the time limit and reported in one line, exit 2."""
    fake = tmp_path / "dot"
    fake.write_text("#!/bin/sh\nexec sleep 30\n", encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setattr(graphviz, "TIMEOUT", 0.5)
    one_line(invoke("diagram", "account_suspension", "--format", "svg"), "Graphviz", "did not finish", "0.5")
