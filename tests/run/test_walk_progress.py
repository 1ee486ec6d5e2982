"""Random walks report their progress through a callback, without changing the walks."""

from __future__ import annotations

import workflow
from workflow.run.walks import random_walks, walk_range


def test_serial_progress_counts_every_walk_once(suspension_def: workflow.Definition) -> None:
    """One call per walk, each saying one more is done; the walks equal those of a run without a callback."""
    calls: list[int] = []
    walks = walk_range(suspension_def, 3, 23, 5, max_steps=15, progress=calls.append)
    assert calls == [1] * 20
    assert walks == walk_range(suspension_def, 3, 23, 5, max_steps=15)


def test_worker_progress_adds_up_to_every_walk(suspension_def: workflow.Definition) -> None:
    """With two workers the chunks reported add up to the walks, and the walks are the serial ones in order."""
    calls: list[int] = []
    walks = walk_range(suspension_def, 0, 40, 7, max_steps=15, workers=2, progress=calls.append)
    assert sum(calls) == 40
    assert len(calls) > 1 and all(n >= 1 for n in calls)
    assert walks == walk_range(suspension_def, 0, 40, 7, max_steps=15)


def test_random_walks_passes_progress_on(suspension_def: workflow.Definition) -> None:
    """random_walks reports every walk through the callback and gives the same report as without it."""
    done: list[int] = []
    report = random_walks(suspension_def, 25, 2, max_steps=10, progress=done.append)
    assert sum(done) == 25
    assert report == random_walks(suspension_def, 25, 2, max_steps=10)
