"""One random walk's bookkeeping: what it reports is what its case recorded, and what it fires is checked payloads."""

from __future__ import annotations

import gc
import itertools
import math
import random
import weakref
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import pytest

import workflow
from workflow.amazon import generate
from workflow.core.case import Case, Decision
from workflow.core.clock import as_timestamp
from workflow.core.compiled import compiled
from workflow.core.history import Step
from workflow.core.structure import to_plain
from workflow.run import walks


def _spied(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Mapping[str, Any], Step]]:
    fired: list[tuple[str, Mapping[str, Any], Step]] = []
    real = Case.apply

    def spy(self: Case, decision: Decision) -> Step:
        step = real(self, decision)
        fired.append((decision.event, decision.payload, step))
        return step

    def spy_timers(self: Case, now: Any = None) -> list[Step]:
        steps = real_advance(self, now)
        fired.extend((step.event, step.payload, step) for step in steps)
        return steps

    real_advance = Case.advance
    monkeypatch.setattr(Case, "apply", spy)
    monkeypatch.setattr(Case, "advance", spy_timers)
    return fired


def test_a_walk_reports_what_its_case_recorded(
    suspension_def: workflow.Definition, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Length, accepted steps, refusals per rule (each rule once per step) and the final state match the steps."""
    fired = _spied(monkeypatch)
    several_findings = lone_advice = 0
    for seed in range(60):
        fired.clear()
        walk = walks.random_walk(suspension_def, random.Random(seed), max_steps=40)
        steps = [step for _, _, step in fired]
        assert walk.length == len(steps)
        assert walk.accepted == sum(s.accepted for s in steps)
        assert dict(walk.refusals) == dict(Counter(rule for s in steps for rule in s.blocked_by))
        assert walk.final_state == (steps[-1].target if steps else suspension_def.initial.name)
        several_findings += sum(len(s.findings) > 1 for s in steps)
        lone_advice += sum(len(s.findings) == 1 and s.findings[0].kind == "advice" for s in steps)
    assert several_findings > 0 and lone_advice > 0  # steps of each kind were counted (or rightly not)


def test_a_walk_fires_payloads_as_checking_builds_them(
    suspension_def: workflow.Definition, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every payload fired (representatives and drawn ones alike) equals its plain form checked afresh."""
    fired = _spied(monkeypatch)
    comp = compiled(suspension_def)
    for seed in range(30):
        walks.random_walk(suspension_def, random.Random(seed), max_steps=30)
    assert len({event for event, _, _ in fired}) == len(suspension_def.events)
    for event, checked, _ in fired:
        plain = {name: to_plain(value) for name, value in checked.items()}
        assert comp.check_payload(event, plain) == checked


def test_walks_are_reproducible(suspension_def: workflow.Definition) -> None:
    """The same seed gives the same walk; a copy of the definition loaded afresh from its text (its own compiled
    structures, walk plan and drawers) walks the same way."""
    assert suspension_def.origin is not None
    again = workflow.load(text=Path(suspension_def.origin).read_text(encoding="utf-8"))
    assert again is not suspension_def and again == suspension_def
    for seed in range(20):
        one = walks.random_walk(suspension_def, random.Random(seed))
        assert walks.random_walk(suspension_def, random.Random(seed)) == one
        assert walks.random_walk(again, random.Random(seed)) == one


def test_a_walk_starts_at_the_time_given_as_text_or_timestamp(suspension_def: workflow.Definition) -> None:
    """``start`` as ISO text or as a datetime is the same walk; ``walk_range`` (parsing the default start once)
    gives the walks ``random_walk`` gives from the default start."""
    later = "2026-12-21T17:30:00Z"
    done = [walks.random_walk(suspension_def, random.Random(walks.walk_seed(3, i))) for i in range(12)]
    assert walks.walk_range(suspension_def, 0, 12, 3) == done
    for seed in range(12):
        as_text = walks.random_walk(suspension_def, random.Random(seed), start=later)
        assert walks.random_walk(suspension_def, random.Random(seed), start=as_timestamp(later)) == as_text


def test_key_actions_are_distinct_actions_of_the_pool() -> None:
    """A letter's key actions: 1 to 4 distinct actions of the pool (all of a smaller pool at most), every count
    and every action turning up; a pool too large for a table is shuffled instead, with the same bounds."""
    r = random.Random(2).random
    for pool in (("a",), ("a", "b", "c"), generate.ACTIONS, tuple("abcdefghij")):
        counts: set[int] = set()
        seen: set[str] = set()
        for _ in range(300):
            got = generate.key_actions(r, pool)
            assert len(set(got)) == len(got) and set(got) <= set(pool)
            counts.add(len(got))
            seen.update(got)
        assert counts == set(range(1, min(len(pool), 4) + 1)), pool
        assert seen == set(pool), pool


def test_key_actions_draw_the_same_whether_a_table_is_kept_or_not(monkeypatch: pytest.MonkeyPatch) -> None:
    """The letter's key actions are the same draws for a pool with a kept table and for one without (a full
    cache, or a pool too large for a table): a walk does not depend on which pools were seen before."""
    pools = (("a",), ("a", "b"), ("a", "b", "c"), ("a", "b", "c", "d"), generate.ACTIONS, tuple("abcdefg"))
    for pool in pools:
        monkeypatch.setattr(generate, "KEY_ACTIONS", {})
        with_table = [generate.key_actions(random.Random(seed).random, pool) for seed in range(200)]
        monkeypatch.setattr(generate, "KEY_ACTIONS_KEPT", 0)
        without = [generate.key_actions(random.Random(seed).random, pool) for seed in range(200)]
        monkeypatch.setattr(generate, "KEY_ACTIONS_KEPT", 512)
        assert with_table == without, pool
        possible = sum(math.perm(len(pool), k) for k in range(1, min(len(pool), 4) + 1))
        assert len(set(without)) >= min(possible, 50), pool  # the draws vary: the comparison means something
    for k in range(1, 5):  # every position of the permutations, unranked without listing them
        listed = list(itertools.permutations(generate.ACTIONS, k))
        got = [generate.nth_permutation(generate.ACTIONS, k, (i + 0.5) / len(listed)) for i in range(len(listed))]
        assert got == listed


def test_key_action_tables_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """However many plans' pools letters are drawn for, at most 512 pools keep a table."""
    monkeypatch.setattr(generate, "KEY_ACTIONS", {})
    r = random.Random(3).random
    for i in range(700):
        pool = (f"action {i}", f"action {i + 1}", f"action {i + 2}")
        got = generate.key_actions(r, pool)
        assert 1 <= len(got) == len(set(got)) and set(got) <= set(pool)
    assert len(generate.KEY_ACTIONS) == 512


def test_walk_caches_let_go_of_a_collected_definition(suspension_def: workflow.Definition) -> None:
    """A definition walked and then dropped takes its walk plan and its payload drawers with it."""
    assert suspension_def.origin is not None
    defn = attrs.evolve(suspension_def, description="a definition no other test holds")
    walks.random_walk(defn, random.Random(1), max_steps=20)
    drawer = weakref.ref(generate.drawer(defn, defn.events[0]))
    gone = weakref.ref(defn)
    del defn
    gc.collect()
    assert gone() is None
    assert drawer() is None


@pytest.mark.parametrize("name", ["ip_complaint", "verification"])
def test_a_walk_with_timers_reports_its_timer_steps_too(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """In a definition with timed transitions, timer steps count in the walk like events (and some are taken)."""
    defn = workflow.load(name)
    assert compiled(defn).timers
    fired = _spied(monkeypatch)
    timer_steps = 0
    for seed in range(300):  # a verification timer is rare: about one walk in twenty takes one
        fired.clear()
        walk = walks.random_walk(defn, random.Random(seed), max_steps=40)
        steps = [step for _, _, step in fired]
        assert walk.length == len(steps) <= 40
        assert walk.accepted == sum(s.accepted for s in steps)
        assert dict(walk.refusals) == dict(Counter(rule for s in steps for rule in s.blocked_by))
        assert walk.final_state == (steps[-1].target if steps else defn.initial.name)
        timer_steps += sum(s.timer for s in steps)
    assert timer_steps > 0
