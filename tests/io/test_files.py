"""Files outside what the user asked for: no escape from --out, no teams file outside the definition's folder, no
echo of a file's content, nothing but regular files opened, and a bare name is always the built-in."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from workflow_cli.main import main

import workflow
from workflow.errors import DefinitionError, WorkflowError
from workflow.io.files import file_part
from workflow.io.load import definitions_dir

SECRET = "hunter2-token-0123456789"

MINI = {
    "name": "mini",
    "version": "1",
    "states": {"open": {"initial": True}, "done": {"terminal": True}},
    "events": {"go": {}, "stop": {}},
    "transitions": [{"event": "go", "from": "open", "to": "done"}, {"event": "stop", "from": "open", "to": "done"}],
}


def write(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def one_line_exit_2(args: list[str]) -> str:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, (args, result.output, result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


# ------------------------------------------------------------------------------------------ names in file names


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=0, max_size=30))
def test_a_file_part_never_leaves_its_folder(name: str) -> None:
    """Whatever the name, ``DIR / f'{file_part(name)}.x.yaml'`` is a plain file name directly inside DIR."""
    part = file_part(name)
    assert part and "/" not in part and "\\" not in part and "\x00" not in part
    assert part not in (".", "..") and not part.startswith(".")
    assert Path("out", f"{part}.transitions.01.yaml").parent == Path("out")


def test_paths_out_keeps_a_climbing_name_inside_the_folder(tmp_path: Path) -> None:
    """``name: ../../x`` with ``paths --out DIR``: every file written is inside DIR."""
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    defn = write(deep / "mini.yaml", {**MINI, "name": "../../x"})
    out = deep / "out"
    result = CliRunner().invoke(main, ["paths", str(defn), "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = sorted(p for p in tmp_path.rglob("*.yaml") if p.name != "mini.yaml")
    assert written and all(p.parent == out for p in written), written


def test_explore_out_keeps_climbing_names_inside_the_folder(tmp_path: Path) -> None:
    """A broken invariant of ``name: ../x`` with id ``../../y``: its counterexample is written inside DIR."""
    data = {
        **MINI,
        "name": "../x",
        "invariants": [{"id": "../../y", "check": "at_most", "params": {"event": "go", "times": 0}}],
    }
    defn = write(tmp_path / "mini.yaml", data)
    out = tmp_path / "deep" / "out"
    result = CliRunner().invoke(main, ["explore", str(defn), "--out", str(out)])
    assert result.exit_code == 1, result.output
    written = sorted(p for p in tmp_path.rglob("*.yaml") if p.name != "mini.yaml")
    assert len(written) == 1 and written[0].parent == out, written


# ------------------------------------------------------------------------------------------ resource files


@pytest.mark.parametrize("teams", ["../teams.yaml", "sub/../../teams.yaml", "/etc/passwd", "ABSOLUTE"])
def test_a_teams_file_must_lie_beside_the_definition(tmp_path: Path, teams: str) -> None:
    """``teams:`` naming a file above the definition's folder, or an absolute path, is refused, unread."""
    (tmp_path / "teams.yaml").write_text(f"{SECRET}\n", encoding="utf-8")
    inner = tmp_path / "inner"
    (inner / "sub").mkdir(parents=True)
    if teams == "ABSOLUTE":
        teams = str(tmp_path / "teams.yaml")
    defn = write(inner / "mini.yaml", {**MINI, "teams": teams})
    with pytest.raises(DefinitionError) as info:
        workflow.load(defn)
    assert any(p.path == "teams" and p.line is not None for p in info.value.problems), info.value.report()
    assert SECRET not in info.value.report()


def test_a_teams_file_beside_the_definition_still_loads(tmp_path: Path) -> None:
    """A teams file named beside the definition (or below it) is read as before."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "teams.yaml").write_text((definitions_dir() / "teams.yaml").read_text(), encoding="utf-8")
    defn = workflow.load(write(tmp_path / "mini.yaml", {**MINI, "teams": "sub/teams.yaml"}))
    assert defn.resources["teams"]


def test_a_teams_file_that_is_not_teams_is_not_echoed(tmp_path: Path) -> None:
    """A teams file holding one secret line: the error says what kind of value it is, not what it says."""
    (tmp_path / "teams.yaml").write_text(f"{SECRET}\n", encoding="utf-8")
    defn = write(tmp_path / "mini.yaml", {**MINI, "teams": "teams.yaml"})
    with pytest.raises(DefinitionError) as info:
        workflow.load(defn)
    assert SECRET not in info.value.report()


def test_a_scenario_naming_a_secret_file_does_not_echo_it(tmp_path: Path) -> None:
    """``definition: /abs/secret`` in a scenario: the error names the file and never quotes its first line."""
    secret = tmp_path / "shadow"
    secret.write_text(f"root:{SECRET}:19000:0:99999:7:::\n", encoding="utf-8")
    scenario = write(tmp_path / "s.yaml", {"definition": str(secret), "steps": [{"event": "go"}]})
    with pytest.raises(WorkflowError) as info:
        workflow.load_scenario(scenario)
    assert SECRET not in str(info.value) and "root:" not in str(info.value)
    line = one_line_exit_2(["simulate", "--scenario", str(scenario)])
    assert SECRET not in line and "root:" not in line


def test_a_definition_file_that_is_one_line_of_text_is_not_echoed(tmp_path: Path) -> None:
    """``validate ./secret``: the definition is not a mapping, and the message does not quote it."""
    secret = tmp_path / "secret.yaml"
    secret.write_text(f"{SECRET}\n", encoding="utf-8")
    with pytest.raises(DefinitionError) as info:
        workflow.load(secret)
    assert SECRET not in info.value.report()


# ------------------------------------------------------------------------------------------ not regular files


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    """A FIFO; should anything open it for reading, a writer comes and closes it, so the test cannot hang."""
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    done = threading.Event()

    def unblock() -> None:
        while not done.wait(0.2):
            try:
                fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:
                continue
            os.close(fd)

    thread = threading.Thread(target=unblock, daemon=True)
    thread.start()
    yield path
    done.set()
    thread.join()


def test_a_fifo_is_refused_before_it_is_opened(fifo: Path) -> None:
    """A FIFO as a definition, scenario, metrics snapshot or table: refused as not a regular file."""
    for load in (workflow.load, workflow.load_scenario):
        with pytest.raises(WorkflowError, match="not a regular file"):
            load(fifo)
    result = CliRunner().invoke(main, ["validate", str(fifo)])
    assert result.exit_code == 1 and "not a regular file" in result.output  # validate reports, as for any fault
    for args in (
        ["simulate", "--scenario", str(fifo)],
        ["health", str(fifo)],
        ["diagram", str(fifo)],
    ):
        line = one_line_exit_2(args)
        assert "not a regular file" in line or "no such" in line, (args, line)


def test_a_device_is_refused(tmp_path: Path) -> None:
    """``/dev/zero`` (endless) and ``/dev/null`` are not definition files."""
    for dev in ("/dev/zero", "/dev/null"):
        with pytest.raises(WorkflowError, match="not a regular file"):
            workflow.load(Path(dev))


# ------------------------------------------------------------------------------------------ built-ins by name


@pytest.mark.parametrize("name", ["account_suspension", "ip_complaint"])
def test_a_file_named_like_a_builtin_does_not_replace_it(
    tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file ``account_suspension`` (and a folder of that name) in the working folder: the bare name is the built-in
    in ``load``, a scenario's ``definition:`` and every command."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_text(yaml.safe_dump({**MINI, "name": name}), encoding="utf-8")
    (tmp_path / f"{name}.yml").mkdir()
    builtin = workflow.load(definitions_dir() / f"{name}.yaml")
    assert workflow.load(name).hash == builtin.hash
    scenario = write(tmp_path / "s.yaml", {"definition": name, "steps": []})
    assert workflow.load_scenario(scenario).definition.hash == builtin.hash
    for args in (["validate", name], ["diagram", name], ["explore", name, "--max-depth", "1"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code in (0, 1), (args, result.output)
        assert "mini" not in result.output
