"""Random walks: many reproducible walks of one definition, on one process or a pool, summed up in a report."""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs

from workflow.core.case import Case
from workflow.core.clock import DEFAULT_START, SimulatedClock, as_timestamp
from workflow.core.compiled import Compiled, compiled
from workflow.core.history import Step
from workflow.core.model import Definition
from workflow.io.load import load_file


@attrs.frozen
class Walk:
    """One random walk: where it ended, how many steps it took, and which rules refused on the way."""

    final_state: str
    length: int
    refusals: Mapping[str, int]
    accepted: int


def random_walk(
    defn: Definition, rng: Any, *, max_steps: int = 50, start: str | dt.datetime = DEFAULT_START, wander: float = 0.2
) -> Walk:
    """Walk one case: mostly events the state has a transition for, sometimes any event (``wander``).

    Each payload is, with even odds, one of the event's representative payloads (the payload-class catalog
    exploration uses: a sound base payload and one variant per class the rules tell apart, so walks get past
    the rules as often as they meet them) or one drawn at random by ``workflow.amazon.generate``. The simulated clock
    starts at ``start`` (a timestamp or its ISO 8601 text) and moves 0-4 business days before each step, so
    patience rules pass and fail. Timers that fall due are steps of the walk too, taken before the next event
    is chosen (from the state they lead to); the walk stops after ``max_steps`` steps or in a terminal state.

    Every draw is one ``rng.random()`` call. The payloads come checked and structured: the representatives
    once per definition, the drawn ones built so by ``workflow.amazon.generate.drawer``.
    """
    plan = _walk_plan(defn)
    comp = plan.comp
    clock = SimulatedClock(start, holidays=comp.holidays)
    case = Case(defn, clock=clock)
    terminal = comp.terminal
    timers = bool(comp.timers)
    here_of = plan.here
    every = plan.every
    n_every = len(every)
    decide = case.decide_payload
    apply = case.apply

    def fire(event: str, checked: Mapping[str, Any]) -> Step:
        return apply(decide(event, checked, checked=True))

    move = clock.advance_business_days
    r = rng.random
    refusals: dict[str, int] = {}
    accepted = 0
    steps = 0
    state = case.state
    while steps < max_steps and state not in terminal:
        days = int(r() * 5)
        if days:
            move(days)
        if timers:
            for st in case.advance():
                steps += 1
                accepted += st.accepted
                for rule in st.blocked_by:
                    refusals[rule] = refusals.get(rule, 0) + 1
            state = case.state
            if steps >= max_steps or state in terminal:
                break
        here = here_of[state]
        if here and r() >= wander:
            name, known, draw = here[int(r() * len(here))]
        else:
            name, known, draw = every[int(r() * n_every)]
        st = fire(name, known[int(r() * len(known))] if known and r() < 0.5 else draw(rng))
        steps += 1
        if st.accepted:
            accepted += 1
            state = case.state
        for rule in st.blocked_by:
            refusals[rule] = refusals.get(rule, 0) + 1
    return Walk(final_state=state, length=steps, refusals=refusals, accepted=accepted)


_Choice = tuple[str, tuple[Mapping[str, Any], ...], Callable[[Any], Mapping[str, Any]]]


@attrs.frozen
class _WalkPlan:
    """What walks of one definition draw from: per event its name, its representative payloads (checked and
    structured) and its payload drawer; every event, and per state the events it has a transition for."""

    comp: Compiled
    every: tuple[_Choice, ...]
    here: Mapping[str, tuple[_Choice, ...]]


_WALK_PLANS: weakref.WeakKeyDictionary[Definition, _WalkPlan] = weakref.WeakKeyDictionary()


def _walk_plan(defn: Definition) -> _WalkPlan:
    plan = _WALK_PLANS.get(defn)
    if plan is None:
        plan = _WALK_PLANS[defn] = _make_walk_plan(defn)
    return plan


def _make_walk_plan(defn: Definition) -> _WalkPlan:
    from workflow.amazon.generate import drawer
    from workflow.amazon.payload_classes import catalog

    comp = compiled(defn)
    classes = catalog(defn)
    choice = {
        e.name: (
            e.name,
            tuple(comp.check_payload(e.name, c.payload) for c in classes.get(e.name, ())),
            drawer(defn, e),
        )
        for e in defn.events
    }
    here = {state: tuple(choice[name] for name in table) for state, table in comp.table.items()}
    return _WalkPlan(comp, tuple(choice[e.name] for e in defn.events), here)


def walk_seed(seed: int, index: int) -> int:
    """The seed of walk ``index`` in a run seeded ``seed``: walks are independent and reproducible."""
    return seed * 1_000_003 + index


@attrs.frozen
class WalkReport:
    """The distribution of final states and walk lengths, and how often each rule refused."""

    definition: str
    walks: int
    seed: int
    final_states: Mapping[str, int]
    lengths: Mapping[int, int]
    refusals: Mapping[str, int]
    events: int

    def to_json(self) -> dict[str, Any]:
        return {
            "definition": self.definition,
            "walks": self.walks,
            "seed": self.seed,
            "events": self.events,
            "final_states": dict(sorted(self.final_states.items())),
            "lengths": {str(k): v for k, v in sorted(self.lengths.items())},
            "refusals": dict(sorted(self.refusals.items(), key=lambda kv: (-kv[1], kv[0]))),
        }


def summarise(defn: Definition, seed: int, walks: list[Walk]) -> WalkReport:
    finals: dict[str, int] = {}
    lengths: dict[int, int] = {}
    refusals: dict[str, int] = {}
    for w in walks:
        finals[w.final_state] = finals.get(w.final_state, 0) + 1
        lengths[w.length] = lengths.get(w.length, 0) + 1
        for rule, n in w.refusals.items():
            refusals[rule] = refusals.get(rule, 0) + n
    return WalkReport(
        definition=defn.name,
        walks=len(walks),
        seed=seed,
        final_states=finals,
        lengths=lengths,
        refusals=refusals,
        events=sum(w.length for w in walks),
    )


Progress = Callable[[int], None]  # told how many more walks are done, as they finish


def random_walks(
    defn: Definition, n: int, seed: int, *, max_steps: int = 50, workers: int = 1, progress: Progress | None = None
) -> WalkReport:
    """``n`` reproducible random walks of ``defn``, on ``workers`` processes.

    Walk ``i`` is seeded ``walk_seed(seed, i)`` whichever process runs it, so the report is the same for any
    number of workers. ``progress``, if given, is called with the number of walks just finished.
    """
    walks = walk_range(defn, 0, n, seed, max_steps=max_steps, workers=workers, progress=progress)
    return summarise(defn, seed, walks)


def walk_range(
    defn: Definition,
    start: int,
    stop: int,
    seed: int,
    *,
    max_steps: int = 50,
    workers: int = 1,
    progress: Progress | None = None,
) -> list[Walk]:
    """Walks ``start`` to ``stop - 1`` of a run seeded ``seed``, in order; split among ``workers`` processes.

    ``progress``, if given, is called in this process with the number of walks just finished (one at a time
    here, a chunk at a time from the workers); it does not change the walks.
    """
    import random

    if workers <= 1 or stop - start < 2:
        begin = as_timestamp(DEFAULT_START)  # every walk starts then: parsed once here, not once a walk
        out = []
        for i in range(start, stop):
            out.append(random_walk(defn, random.Random(walk_seed(seed, i)), max_steps=max_steps, start=begin))
            if progress is not None:
                progress(1)
        return out
    import multiprocessing

    size = max(1, (stop - start) // (workers * 8))
    chunks = [(i, min(i + size, stop), seed, max_steps) for i in range(start, stop, size)]
    ctx: Any
    if "fork" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("fork")
        _WORKER_DEFINITION[0] = defn  # inherited by the forked workers; nothing to pickle
        init: tuple[Any, ...] = ()
    elif defn.origin is not None and Path(defn.origin).exists():
        ctx = multiprocessing.get_context("spawn")
        init = (defn.origin,)
    else:  # a definition from text on a platform without fork: walk here
        return walk_range(defn, start, stop, seed, max_steps=max_steps, progress=progress)
    parts: list[list[Walk]] = []
    try:
        with ctx.Pool(min(workers, len(chunks)), initializer=_init_worker, initargs=init) as pool:
            for part in pool.imap(_walk_chunk, chunks, chunksize=1):  # in chunk order, whichever finishes first
                parts.append(part)
                if progress is not None:
                    progress(len(part))
    finally:
        _WORKER_DEFINITION[0] = None
    return [w for part in parts for w in part]


_WORKER_DEFINITION: list[Definition | None] = [None]


def _init_worker(origin: str | None = None) -> None:
    if origin is not None:
        _WORKER_DEFINITION[0] = load_file(origin)


def _walk_chunk(chunk: tuple[int, int, int, int]) -> list[Walk]:
    defn = _WORKER_DEFINITION[0]
    assert defn is not None
    start, stop, seed, max_steps = chunk
    return walk_range(defn, start, stop, seed, max_steps=max_steps)
