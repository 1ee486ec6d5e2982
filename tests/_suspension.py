"""Helpers shared by the account_suspension tests: payloads, cases driven to a given state, citations."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml

import workflow
from workflow.amazon.rules import REGISTRY
from workflow.io.load import definitions_dir

START = "2026-03-02T09:00:00Z"  # a Monday
ISSUES = ("order_defect_rate", "late_shipment_rate")
ACTIONS = ("moved to two-day carrier pickup", "refunded every affected buyer")
MEASURES = ("daily late-shipment report reviewed by the owner", "weekly carrier audit")

#: the events of RULES.md §1, in its order
EVENTS = (
    "warn",
    "recover",
    "suspend",
    "submit_poa",
    "follow_up",
    "request_info",
    "provide_info",
    "reject",
    "reinstate",
    "escalate",
    "decide_final",
    "contact_seller_support",
)

#: the transition table of RULES.md §1: the events each state allows at all
TABLE: Mapping[str, frozenset[str]] = {
    "active": frozenset({"warn", "suspend", "contact_seller_support"}),
    "warning": frozenset({"recover", "suspend", "contact_seller_support"}),
    "suspended": frozenset({"submit_poa", "contact_seller_support"}),
    "poa_submitted": frozenset(
        {"follow_up", "request_info", "reject", "reinstate", "escalate", "decide_final", "contact_seller_support"}
    ),
    "info_requested": frozenset({"provide_info", "contact_seller_support"}),
    "rejected": frozenset({"submit_poa", "escalate", "decide_final", "contact_seller_support"}),
    "escalated": frozenset({"reject", "reinstate", "decide_final", "contact_seller_support"}),
    "reinstated": frozenset(),
    "final_decision": frozenset(),
}


def poa(
    issues: Iterable[str] = ISSUES,
    *,
    text: str = "late carrier hand-off in December",
    actions: Iterable[str] = ACTIONS,
    measures: Iterable[str] = MEASURES,
    documents: Iterable[Mapping[str, Any]] = ({"kind": "invoice"},),
) -> dict[str, Any]:
    """A plan of action answering ``issues`` (complete and genuine unless told otherwise)."""
    return {
        "root_causes": [{"issue": i, "text": f"{text} ({i})"} for i in issues],
        "corrective_actions": list(actions),
        "preventive_measures": list(measures),
        "documents": [dict(d) for d in documents],
    }


def revised(n: int) -> dict[str, Any]:
    """The ``n``-th distinct complete plan of action answering ``ISSUES``."""
    return poa(text=f"root cause found on review {n}")


def letter(plan: Mapping[str, Any], *, asks_for: str | None = "senior_investigator", n: int = 2) -> dict[str, Any]:
    """A letter restating ``n`` of ``plan``'s actions."""
    actions = [*plan.get("corrective_actions", ()), *plan.get("preventive_measures", ())]
    out: dict[str, Any] = {"key_actions": actions[:n], "text": "Please review our plan of action."}
    if asks_for is not None:
        out["asks_for"] = asks_for
    return out


def escalation(plan: Mapping[str, Any], target: str = "executive_seller_relations") -> dict[str, Any]:
    """A well-formed escalation payload carrying ``plan``."""
    return {"target": target, "poa": plan, "letter": letter(plan)}


def sim_clock(case: workflow.Case) -> workflow.SimulatedClock:
    clock = case.clock
    assert isinstance(clock, workflow.SimulatedClock)
    return clock


def new_case(defn: workflow.Definition, *, start: str = START, facts: Mapping[str, Any] | None = None) -> workflow.Case:
    return workflow.Case(defn, clock=workflow.SimulatedClock(start), facts=facts)


def accept(case: workflow.Case, event: str, **payload: Any) -> workflow.Step:
    """Fire ``event`` and insist it is accepted (a helper's precondition, not a test's assertion)."""
    step = case.fire(event, **payload)
    assert step.accepted, (event, step.findings)
    return step


def suspended(
    defn: workflow.Definition,
    *,
    reason_class: str = "performance",
    issues: Iterable[str] = ISSUES,
    start: str = START,
    facts: Mapping[str, Any] | None = None,
    **extra: Any,
) -> workflow.Case:
    case = new_case(defn, start=start, facts=facts)
    accept(case, "suspend", reason_class=reason_class, issues=list(issues), **extra)
    return case


def submitted(defn: workflow.Definition, plan: Mapping[str, Any] | None = None, **kw: Any) -> workflow.Case:
    case = suspended(defn, **kw)
    accept(case, "submit_poa", poa=dict(plan or revised(0)), to="seller_performance", channel="email")
    return case


def rejected(defn: workflow.Definition, plan: Mapping[str, Any] | None = None, **kw: Any) -> workflow.Case:
    case = submitted(defn, plan, **kw)
    accept(case, "reject")
    return case


def escalated(defn: workflow.Definition, **kw: Any) -> workflow.Case:
    case = rejected(defn, **kw)
    accept(case, "escalate", **escalation(revised(1)))
    return case


def in_state(defn: workflow.Definition, state: str) -> workflow.Case:
    """A case of account_suspension driven by accepted events into ``state``."""
    if state == "active":
        return new_case(defn)
    if state == "warning":
        case = new_case(defn)
        accept(case, "warn", metric="order_defect_rate", value=0.012)
        return case
    if state == "suspended":
        return suspended(defn)
    if state == "poa_submitted":
        return submitted(defn)
    if state == "info_requested":
        case = submitted(defn)
        accept(case, "request_info")
        return case
    if state == "rejected":
        return rejected(defn)
    if state == "escalated":
        return escalated(defn)
    if state == "reinstated":
        case = submitted(defn)
        accept(case, "reinstate")
        return case
    if state == "final_decision":
        case = submitted(defn)
        accept(case, "decide_final")
        return case
    raise KeyError(state)


def sample_payload(event: str) -> dict[str, Any]:
    """A well-formed payload for ``event`` that the rules accept wherever the event is allowed."""
    return {
        "warn": {"metric": "order_defect_rate", "value": 0.012},
        "suspend": {"reason_class": "performance", "issues": list(ISSUES)},
        "submit_poa": {"poa": revised(7), "to": "seller_performance", "channel": "email"},
        "provide_info": {"documents": [{"kind": "invoice"}]},
        "escalate": escalation(revised(8)),
        "contact_seller_support": {"question": "when will my appeal be read?"},
    }.get(event, {})


def refused(defn: workflow.Definition, step: workflow.Step, *rule_ids: str) -> None:
    """``step`` was refused by exactly ``rule_ids``, with no advice, each finding a cited sentence."""
    assert not step.accepted
    assert step.target == step.source
    assert step.blocked_by == tuple(sorted(rule_ids))
    assert step.advice == ()
    for rule_id in rule_ids:
        assert_cited(defn, step, rule_id)


def variant(defn: workflow.Definition, old: str, new: str) -> workflow.Definition:
    """account_suspension with one line of its file changed (a parameter, say), loaded from text."""
    assert defn.origin is not None
    text = Path(defn.origin).read_text(encoding="utf-8")
    assert old in text
    return workflow.load(text=text.replace(old, new, 1))


@cache
def _cited(origin: str) -> dict[tuple[str, str], str]:
    """``(event, rule id) -> source`` as written in the definition file itself, read without the loader."""
    data = yaml.safe_load(Path(origin).read_text(encoding="utf-8"))
    out: dict[tuple[str, str], str] = {}
    for t in data["transitions"]:
        for g in t.get("guards") or ():
            out[(t["event"], g["rule"])] = g["source"]
    for a in data.get("advice") or ():
        events = [a["events"]] if isinstance(a["events"], str) else a["events"]
        for ev in events:
            out[(ev, a["rule"])] = a["source"]
    return out


def cited_source(defn: workflow.Definition, event: str, rule_id: str) -> str:
    """The source the definition cites for ``rule_id`` on ``event`` (a state rule cites the registry's)."""
    origin = defn.origin or definitions_dir() / f"{defn.name}.yaml"  # a variant loaded from text cites the same
    cited = _cited(str(origin))
    if (event, rule_id) in cited:
        return cited[(event, rule_id)]
    return REGISTRY[rule_id].source


_SENTENCE = re.compile(r"""^["'A-Z].*\S[.!?]$""", re.DOTALL)


def is_sentence(text: str) -> bool:
    """A sentence for a person: starts with a capital (or a quoted name), ends with a full stop, one line."""
    return bool(_SENTENCE.match(text)) and "\n" not in text and len(text.split()) >= 4


def finding(step: workflow.Step, rule_id: str) -> workflow.Finding:
    """The one finding of ``rule_id`` on ``step``."""
    found = [f for f in step.findings if f.rule == rule_id]
    assert len(found) == 1, (rule_id, step.findings)
    return found[0]


def assert_cited(defn: workflow.Definition, step: workflow.Step, rule_id: str) -> workflow.Finding:
    """``rule_id``'s finding on ``step`` is a sentence citing the definition's source; returned for more checks."""
    f = finding(step, rule_id)
    assert is_sentence(f.message), f.message
    assert f.source == cited_source(defn, step.event, rule_id)
    return f
