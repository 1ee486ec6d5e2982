"""Helpers shared by the linked-account tests: a group of linked_accounts cases, an own-violation suspension."""

from __future__ import annotations

import datetime as dt

import workflow
from workflow.run.group import CaseGroup

START = "2026-03-02T09:00:00Z"  # a Monday
OWN = {"reason_class": "performance", "issues": ["order_defect_rate"]}


def make_group(defn: workflow.Definition, *names: str) -> tuple[CaseGroup, workflow.SimulatedClock]:
    clock = workflow.SimulatedClock(START)
    return CaseGroup(defn, names or ("main", "second", "third"), clock=clock), clock


def reinstate_own(group: CaseGroup, clock: workflow.SimulatedClock, name: str = "main") -> dt.date:
    """Appeal and reinstate ``name`` (suspended for its own violation); return the reinstatement date."""
    clock.advance("1d")
    assert group.fire(name, "submit_appeal").accepted
    clock.advance("3d")
    assert group.fire(name, "reinstate").accepted
    return clock.now().date()
