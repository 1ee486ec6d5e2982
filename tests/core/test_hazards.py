"""Names the ``transitions`` machine underneath reserves are refused at load, located; any name that loads runs."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import workflow
from workflow.adapters.transitions import machine_for
from workflow.errors import DefinitionError


def small(states: list[str], events: list[str]) -> str:
    """A definition: ``states[0]`` initial, a ``done`` terminal, each event moving the chain one state on."""
    data = {
        "name": "names",
        "version": "1",
        "states": {**{s: {"initial": i == 0} for i, s in enumerate(states)}, "done!": {"terminal": True}},
        "events": {e: {} for e in events},
        "transitions": [
            {"event": events[i % len(events)], "from": s, "to": states[i + 1] if i + 1 < len(states) else "done!"}
            for i, s in enumerate(states)
        ],
    }
    return yaml.safe_dump(data, sort_keys=False)


class Model:
    """A model that declares what typed apps declare: a ``trigger`` stub."""

    def trigger(self, name: str, **payload: object) -> bool:
        raise NotImplementedError


@pytest.mark.parametrize(
    ("states", "events", "where"),
    [
        (["open"], ["state"], "events.state"),
        (["open"], ["trigger"], "events.trigger"),
        (["open"], ["may_trigger"], "events.may_trigger"),
        (["open", "review"], ["to_review", "go"], "events.to_review"),
        (["open", "review"], ["is_open", "go"], "events.is_open"),
        (["open"], ["submit", "may_submit"], "events.may_submit"),
        (["open"], ["submit", "before_submit"], "events.before_submit"),
        (["open", "review"], ["on_enter_review", "go"], "events.on_enter_review"),
        (["open"], ["__class__"], "events.__class__"),
        (["open", "="], ["go"], "states.="),
        (["open", "*"], ["go"], "states.*"),
    ],
)
def test_a_reserved_name_is_refused_where_it_is_written(states: list[str], events: list[str], where: str) -> None:
    """Each name transitions gives a meaning is refused at load, with its path and line."""
    with pytest.raises(DefinitionError) as info:
        workflow.load(text=small(states, events), file="names.yaml")
    found = [p for p in info.value.problems if p.path == where]
    assert found, [str(p) for p in info.value.problems]
    assert found[0].line is not None
    assert "state machine" in found[0].message


names = st.one_of(
    st.sampled_from(["state", "trigger", "may_trigger", "=", "*", "__init__", "__class__", "self", "initial"]),
    st.builds(
        lambda p, s: p + s,
        st.sampled_from(["to_", "is_", "may_", "before_", "after_", "on_exit_", ""]),
        st.sampled_from(["a", "b", "go", "stop"]),
    ),
    st.text(alphabet="ab_=*.", min_size=1, max_size=6),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(names, min_size=1, max_size=4, unique=True), st.lists(names, min_size=1, max_size=4, unique=True))
def test_whatever_loads_builds_its_machine_and_runs(states: list[str], events: list[str]) -> None:
    """A definition either is refused with a DefinitionError, or its transitions machine builds and runs."""
    try:
        defn = workflow.load(text=small(states, events), file="names.yaml")
    except DefinitionError as e:
        assert all(p.line is not None or p.path == "" for p in e.problems)
        return
    adapter = machine_for(defn)
    model = Model()
    adapter.add_model(model)
    for event in events:
        adapter.trigger(model, event)
    case = workflow.Case(defn)
    for event in events:
        case.fire(event)
