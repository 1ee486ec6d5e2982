"""Explaining where a case stands: what may happen now, and which rules refuse everything else."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from workflow.core.case import Case
from workflow.core.compiled import compiled
from workflow.run.scenario import Trace


@attrs.frozen
class Explanation:
    """Where a case stands: the events allowed now, and for every other event the rules that refuse it."""

    state: str
    allowed: tuple[str, ...]
    refused: Mapping[str, tuple[Any, ...]]
    depends_on_payload: Mapping[str, tuple[str, ...]]

    def to_json(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "allowed": list(self.allowed),
            "payload_rules": {k: list(v) for k, v in self.depends_on_payload.items()},
            "refused": {
                event: [{"rule": f.rule, "message": f.message, "source": f.source} for f in findings]
                for event, findings in self.refused.items()
            },
        }


def explain(case: Case) -> Explanation:
    """``case.allowed()`` and ``case.why_not`` for every other event, with the payload rules still to pass."""
    allowed = case.allowed()
    comp = compiled(case.definition)
    refused = {
        e: tuple(f for f in case.why_not(e) if f.kind == "refusal")  # the payload rules are pending, below
        for e in case.definition.event_names
        if e not in allowed
    }
    pending = {
        e: tuple(dict.fromkeys(g.id for edge in comp.table[case.state][e] for g in edge.guards if g.rule.reads))
        for e in allowed
    }
    return Explanation(
        state=case.state, allowed=allowed, refused=refused, depends_on_payload={k: v for k, v in pending.items() if v}
    )


def explain_cases(trace: Trace) -> dict[str, Explanation]:
    """``explain`` for each named case of a group scenario's trace, in the scenario's order; empty for one case."""
    if trace.group is None:
        return {}
    return {name: explain(case) for name, case in trace.group.items()}
