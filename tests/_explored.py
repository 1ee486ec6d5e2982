"""Helpers shared by the exploration tests: each built-in explored once per run, generated paths, mutants."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import attrs
import yaml

import workflow
from workflow.amazon.rules import REGISTRY
from workflow.analysis.explore import Exploration, PathSet, dump_scenario, explore, paths
from workflow.core.rules import STATE
from workflow.errors import DefinitionError
from workflow.io.load import ENGINE_PARAMETERS, resolve
from workflow.run.scenario import Trace, load_scenario, run_scenario

BUILTINS = workflow.builtin_names()


@cache
def explored(name: str) -> Exploration:
    """The exploration of built-in ``name`` (one per test run: account_suspension takes seconds)."""
    return explore(workflow.load(name))


@cache
def path_set(name: str, cover: str) -> PathSet:
    return paths(explored(name), cover)


def run(scenario: dict[str, Any], definition: workflow.Definition | None = None) -> Trace:
    """Run generated scenario data as ``workflow simulate`` would (through its YAML text), on ``definition``."""
    if definition is not None:
        scenario = {**scenario, "definition": definition.name}  # the built-in's payload schema, then ...
    loaded = load_scenario(text=dump_scenario(scenario), file="generated.yaml")
    if definition is not None:
        loaded = attrs.evolve(loaded, definition=definition)  # ... run on ``definition``
    return run_scenario(loaded)


def definition_data(name: str) -> dict[str, Any]:
    data = yaml.safe_load(resolve(name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


#: (built-in, rule id) -> the YAML text of the last mutant built by ``without_rule``
mutant_texts: dict[tuple[str, str], str] = {}


def without_rule(name: str, rule_id: str) -> workflow.Definition:
    """Built-in ``name`` with every use of ``rule_id`` taken out (guards, advice, state refusals, cascades).

    ``state.no_transition`` is the engine's default refusal and cannot be left out; it is replaced by
    another state rule on every state that uses it.
    """
    data = definition_data(name)
    for t in data.get("transitions") or []:
        if t.get("guards"):
            t["guards"] = [g for g in t["guards"] if g.get("rule") != rule_id]
    if data.get("advice"):
        data["advice"] = [a for a in data["advice"] if a.get("rule") != rule_id]
    if data.get("cascades"):
        data["cascades"] = [c for c in data["cascades"] if c.get("rule") != rule_id]
    other_state_rule = next(r.id for r in REGISTRY.values() if r.kind == STATE and r.id != "state.no_transition")
    for state_name, given in list((data.get("states") or {}).items()):
        st = given or {}
        data["states"][state_name] = st
        if rule_id == "state.no_transition" and st.get("refuse_with", "state.no_transition") == rule_id:
            st["refuse_with"] = other_state_rule
        elif st.get("refuse_with") == rule_id:
            del st["refuse_with"]
    used = {g["rule"] for t in data.get("transitions") or [] for g in t.get("guards") or []}
    used |= {a["rule"] for a in data.get("advice") or []}
    read = {p for r in used for p in REGISTRY[r].params} | set(ENGINE_PARAMETERS)
    if data.get("parameters"):  # a parameter only the removed rule read is no longer allowed
        data["parameters"] = {k: v for k, v in data["parameters"].items() if k in read}
    for _ in range(5):
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        try:
            mutant = workflow.load(text=text, file=f"{name}-without-{rule_id}.yaml")
        except DefinitionError as e:
            # a branch that lost its only guard shadows the transitions after it: those go too
            dead = sorted(
                {int(m.group(1)) for p in e.problems if (m := re.fullmatch(r"transitions\[(\d+)\]", p.path or ""))},
                reverse=True,
            )
            if not dead or any("can never happen" not in p.message for p in e.problems):
                raise
            for i in dead:
                del data["transitions"][i]
            continue
        assert rule_id not in mutant.rule_ids(), rule_id
        mutant_texts[(name, rule_id)] = text
        return mutant
    raise AssertionError(f"could not build {name} without {rule_id}")
