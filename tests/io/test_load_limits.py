"""Cost out of proportion: a definition whose transitions expand past the bound is refused with a clear error;
large chains load and validate."""

from __future__ import annotations

import pytest

import workflow
from workflow.errors import DefinitionError
from workflow.io.source import MAX_PAIRS


def chain(n: int, loops: int = 0, *, stuck: bool = False) -> str:
    """States s0..s(n-1) in a chain to ``end``; ``loops`` self-loop events from every state (``from: '*'``)."""
    states = "\n".join(f"  s{i}: {{{'initial: true' if i == 0 else ''}}}" for i in range(n))
    events = "\n".join(f"  e{i}: {{}}" for i in range(loops))
    moves = "\n".join(
        f"  - {{event: go, from: s{i}, to: {'s' + str(i + 1) if i + 1 < n else 'end'}}}" for i in range(n)
    )
    stay = "\n".join(f"  - {{event: e{i}, from: '*'}}" for i in range(loops))
    trap = "  trap: {}\n" if stuck else ""
    trap_moves = "  - {event: go, from: trap, to: s0}\n  - {event: go, from: s0, to: trap}\n" if stuck else ""
    return (
        f"name: chain\nversion: '1'\nstates:\n{states}\n{trap}  end: {{terminal: true}}\n"
        f"events:\n  go: {{}}\n{events}\ntransitions:\n{moves}\n{stay}\n{trap_moves}"
    )


def test_star_loops_that_expand_past_the_bound_are_refused() -> None:
    """300 states and 200 ``from: '*'`` self-loops (60,000 pairs) are refused, naming the bound and the place."""
    assert MAX_PAIRS < 300 * 200
    with pytest.raises(DefinitionError) as info:
        workflow.load(text=chain(300, 200), file="big.yaml")
    problem = info.value.problems[0]
    assert str(MAX_PAIRS) in problem.message and problem.path.startswith("transitions[")
    assert problem.line is not None


def test_star_loops_under_the_bound_load() -> None:
    """100 states and 100 ``from: '*'`` self-loops (10,000 pairs) load, one self-loop per state each."""
    defn = workflow.load(text=chain(100, 100), file="ok.yaml")
    assert len(defn.transitions) == 100 + 100 * 100


def test_a_long_chain_validates_and_a_trap_is_still_found() -> None:
    """A 3,000-state chain loads; every state reaches the end through one backward search."""
    assert len(workflow.load(text=chain(3000), file="long.yaml").states) == 3001
    text = chain(50).replace("  - {event: go, from: s49, to: end}", "  - {event: go, from: s49, to: s48}")
    with pytest.raises(DefinitionError, match="no terminal state can be reached"):
        workflow.load(text=text, file="trap.yaml")
