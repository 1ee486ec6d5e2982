"""Text rendering for the terminal: tables of steps, walk reports, rule lists, and JSON."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from workflow.amazon.rules import REGISTRY, Rule
from workflow.core.clock import format_time
from workflow.core.model import Definition
from workflow.core.text import counted
from workflow.run.explain import Explanation
from workflow.run.scenario import Trace
from workflow.run.walks import WalkReport

from .output import echo

WIDTH = 100


def echo_json(data: Any) -> None:
    """``data`` as indented JSON on stdout (non-ASCII kept as is)."""
    echo(json.dumps(data, indent=2, ensure_ascii=False), json=True)


def _wrap(text: str, indent: str) -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ")


def trace_table(trace: Trace, name: str) -> str:
    lines = [f"{trace.definition.name} {trace.definition.version} — {name}", ""]
    lines.append(f"{'#':>3}  {'at':<20}  {'event':<24}  {'state change':<34}  result")
    for t in trace.steps:
        st = t.step
        change = f"{st.source} → {st.target}" if st.target != st.source else f"{st.source} (stays)"
        result = "accepted" if st.accepted else "BLOCKED"
        if st.timer:
            result += " (timer)"
        if t.cascade:
            result += " (cascade)"
        if t.expect is not None and not t.met:
            exp = t.expect if isinstance(t.expect, str) else "blocked by " + ", ".join(t.expect)
            result += f"  ✗ expected {exp}"
        event = f"{t.case}: {st.event}" if t.case is not None else st.event
        lines.append(f"{st.index:>3}  {format_time(st.at):<20}  {event:<24}  {change:<34}  {result}")
        for f in st.findings:
            mark = {"refusal": "✗", "route": "→"}.get(f.kind, f.kind)
            lines.append(_wrap(f"{mark} {f.rule}: {f.message} [{f.source}]", "       "))
    lines.append("")
    verdict = "all expectations met" if trace.expectations_met else "an expectation was NOT met"
    blocked = len(trace.blocked)
    final = f"final state: {trace.final_state}"
    if trace.final_states is not None:
        final = "final states: " + ", ".join(f"{n} {s}" for n, s in trace.final_states.items())
    lines.append(f"{final}; {counted(len(trace.steps), 'step')}, {blocked} blocked; {verdict}")
    return "\n".join(lines)


def _bar(n: int, total: int, width: int = 30) -> str:
    return "█" * max(1, round(width * n / total)) if n else ""


def walk_report(report: WalkReport) -> str:
    total = max(report.walks, 1)
    lines = [
        f"{counted(report.walks, 'random walk')} of {report.definition} (seed {report.seed}); "
        f"{counted(report.events, 'event')}",
        "",
    ]
    lines.append("final states")
    for state, n in sorted(report.final_states.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"  {state:<28} {n:>7}  {100 * n / total:5.1f}%  {_bar(n, total)}")
    lines.append("")
    lines.append("walk lengths")
    buckets: dict[str, int] = {}
    for length, n in sorted(report.lengths.items()):
        lo = (length - 1) // 10 * 10 + 1
        key = f"{lo}-{lo + 9}"
        buckets[key] = buckets.get(key, 0) + n
    for key, n in buckets.items():
        lines.append(f"  {key:<28} {n:>7}  {100 * n / total:5.1f}%  {_bar(n, total)}")
    lines.append("")
    lines.append("refusals by rule")
    if not report.refusals:
        lines.append("  (none)")
    refused = max(sum(report.refusals.values()), 1)
    for rule, n in sorted(report.refusals.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"  {rule:<28} {n:>7}  {100 * n / refused:5.1f}%  {_bar(n, refused)}")
    return "\n".join(lines)


def explanation(trace: Trace, result: Explanation) -> str:
    lines = [f"{trace.definition.name}: after {counted(len(trace.steps), 'step')} the case is '{result.state}'", ""]
    return "\n".join(lines + _allowed_and_refused(result))


def case_explanations(trace: Trace, results: Mapping[str, Explanation]) -> str:
    """A section per named case of a group scenario: its state, what it may do now and what is refused."""
    states = ", ".join(f"{name} '{r.state}'" for name, r in results.items())
    lines = [f"{trace.definition.name}: after {counted(len(trace.steps), 'step')} the cases are {states}"]
    for name, result in results.items():
        lines += ["", f"case {name} ('{result.state}')", ""]
        lines += _allowed_and_refused(result)
    return "\n".join(lines)


def _allowed_and_refused(result: Explanation) -> list[str]:
    lines = ["allowed now:"]
    if not result.allowed:
        lines.append("  (nothing)")
    for event in result.allowed:
        pending = result.depends_on_payload.get(event)
        extra = f"  (if the payload passes {', '.join(pending)})" if pending else ""
        lines.append(f"  {event}{extra}")
    lines.append("")
    lines.append("refused now:")
    for event, findings in result.refused.items():
        lines.append(f"  {event}")
        for f in findings:
            lines.append(_wrap(f"✗ {f.rule}: {f.message} [{f.source}]", "      "))
    return lines


def rule_uses(defn: Definition) -> list[tuple[Rule, str, tuple[str, ...]]]:
    """Every rule ``defn`` uses, with the source it cites and the events (or states) it applies to."""
    uses: dict[str, tuple[str, list[str]]] = {}
    for t in defn.transitions:
        for g in t.guards:
            _, where = uses.setdefault(g.id, (g.source, []))
            if t.event not in where:
                where.append(t.event)
    for a in defn.advice:
        _, where = uses.setdefault(a.rule.id, (a.rule.source, []))
        where.extend(e for e in a.events if e not in where)
    for c in defn.cascades:
        _, where = uses.setdefault(c.rule.id, (c.rule.source, []))
        where.append(f"{c.when} (cascades {c.fire} to the group)")
    for st in defn.states:
        _src, where = uses.setdefault(st.refuse_with, (REGISTRY[st.refuse_with].source, []))
        if st.refuse_with != "state.no_transition":
            where.append(f"state {st.name}")
    return [(REGISTRY[i], src, tuple(w)) for i, (src, w) in sorted(uses.items())]


def rules_table(rows: Sequence[tuple[str, str, str, str, Iterable[str]]]) -> str:
    lines = []
    for rule_id, kind, summary, source, where in rows:
        lines.append(f"{rule_id}  ({kind})")
        lines.append(_wrap(summary, "    "))
        lines.append(_wrap(f"source: {source}", "    "))
        places = list(where)
        if places:
            lines.append(_wrap(f"on: {', '.join(places)}", "    "))
        rule = REGISTRY.get(rule_id)
        if rule is not None and rule.never_allows:
            lines.append(_wrap(f"never allows: {rule.never_allows}", "    "))
    return "\n".join(lines)


def definitions_table(items: list[dict[str, Any]]) -> str:
    """The lifecycles, then the decision tables apart (no states or events; their own commands)."""
    lines = ["lifecycles (the commands that take a DEFINITION take these)"]
    lines.append(f"{'name':<22} {'version':<9} {'states':>6} {'events':>6} {'rules':>5}  description")
    tables = [it for it in items if it["kind"] == "decision table"]
    for it in items:
        if it["kind"] == "decision table":
            continue
        desc = " ".join(it["description"].split())
        if len(desc) > 60:
            desc = desc[:57] + "..."
        lines.append(
            f"{it['name']:<22} {it['version']:<9} {it['states']:>6} {it['events']:>6} {it['rules']:>5}  {desc}"
        )
    if tables:
        lines += ["", "decision tables (workflow table show NAME; workflow health FILE)"]
        lines.append(f"{'name':<22} {'version':<9} {'':>6} {'':>6} {'rules':>5}  description")
        for it in tables:
            desc = " ".join(it["description"].split())
            desc = desc[:57] + "..." if len(desc) > 60 else desc
            lines.append(f"{it['name']:<22} {it['version']:<9} {'':>6} {'':>6} {it['rules']:>5}  {desc}")
    return "\n".join(lines)
