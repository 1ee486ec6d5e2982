"""Random walks on several processes: the same walks, the same report, whatever the number of workers."""

from __future__ import annotations

import json

from click.testing import CliRunner
from workflow_cli.main import main

import workflow
from workflow.run.walks import random_walks, walk_range


def test_report_is_the_same_for_any_number_of_workers(suspension_def: workflow.Definition) -> None:
    """One, two and three workers give the same report as the serial run."""
    serial = random_walks(suspension_def, 60, 11, max_steps=20).to_json()
    for workers in (2, 3):
        assert random_walks(suspension_def, 60, 11, max_steps=20, workers=workers).to_json() == serial
    assert serial["walks"] == 60 and serial["events"] > 60


def test_walks_come_back_in_order(suspension_def: workflow.Definition) -> None:
    """Walk i is walk i whichever process ran it: the lists are equal element by element."""
    serial = walk_range(suspension_def, 5, 40, 3, max_steps=15)
    parallel = walk_range(suspension_def, 5, 40, 3, max_steps=15, workers=2)
    assert len(serial) == 35
    assert parallel == serial


def test_different_seeds_give_different_walks(suspension_def: workflow.Definition) -> None:
    """The seed matters: two seeds do not give the same walks (the equality above is not vacuous)."""
    assert walk_range(suspension_def, 0, 30, 1, max_steps=15) != walk_range(suspension_def, 0, 30, 2, max_steps=15)


def test_cli_workers_option_gives_the_same_json() -> None:
    """``workflow simulate DEF --random N --workers 2`` prints what the serial run prints."""
    runner = CliRunner()
    args = ["simulate", "account_suspension", "--random", "40", "--seed", "9", "--max-steps", "15", "--json"]
    one = runner.invoke(main, args)
    two = runner.invoke(main, [*args, "--workers", "2"])
    assert one.exit_code == 0 and two.exit_code == 0, one.output + two.output
    assert json.loads(two.output) == json.loads(one.output)
    assert json.loads(one.output)["walks"] == 40
