"""Exhaustive exploration of a definition: every reachable configuration, breadth first, on a simulated clock.

A **configuration** is a state plus an abstraction of the history the rules read. The engine is not
abstracted: every configuration holds a real ``Case`` and every move is decided by the real rules. Only the
*deduplication* is abstract: two cases with equal keys are explored once. The key is

- the state (in a terminal state, only the state, the counted events and the refusals: nothing leaves it);
- the class of the latest plan of action sent, and the classes of the plans that were in front of the
  reviewer when an appeal was rejected (what ``poa.revised`` and ``escalate.strong_poa`` compare with);
- the counts of the events the rules count (found by watching ``History.count`` while exploring, and
  starting again when a new one appears) and of the events invariants name, capped one above the largest
  count-like rule parameter (``repeat_denials_after``, ``ert_reopen_threshold`` ...);
- the **verdicts**: for every event the state has a transition for and each of its representative payloads,
  accepted or not, where to, refused by which rules, advised by which; and the same after each wait (and
  what the timers do then).

The verdicts are the facts the rules read, observed through the rules themselves: a notice's cited issues,
its reason class and enforcing team, the silence since the last submission, whether an escalation was heard
all show in what the next event is allowed to do, so no per-definition code is needed and cases the rules
cannot tell apart (two reason classes enforced by the same team) are merged. A fact the rules cannot see now
but would see later is kept only if it is a count, the latest plan or a rejected plan; a rule reading some
other part of the past (the order of two payloads of different events, say) would need a richer key.

The **moves** from a configuration are: every event of the definition with each of its representative
payloads (an event the state has no transition for is tried once, with its base payload), and, when the
definition reads time, waiting each threshold (``patience_days`` business days ...) or until the next
timed transition falls due. Every step, accepted or refused, counts for coverage; accepted steps lead to new
configurations. Declared invariants are checked on every step; the first (hence shortest) violation of each
becomes a counterexample, which ``counterexample_scenario`` turns into a scenario file.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from workflow.amazon.payload_classes import catalog
from workflow.core.case import Case, Decision
from workflow.core.clock import DEFAULT_START, Duration, SimulatedClock, format_time
from workflow.core.compiled import Compiled, compiled
from workflow.core.history import History, Step
from workflow.core.invariants import violations
from workflow.core.model import Definition
from workflow.core.rules import ADVICE, GUARD, REGISTRY, STATE
from workflow.core.structure import to_plain
from workflow.errors import ExplorationLimit, PayloadError, WorkflowError

DEFAULT_MAX_CONFIGS = 20_000
START = DEFAULT_START  # a Monday: the catalog's documents are dated from it


@attrs.frozen
class Move:
    """One move: an event with a representative payload, or a wait on the simulated clock."""

    event: str | None = None
    label: str = ""
    payload: Mapping[str, Any] = attrs.field(factory=dict, hash=False)
    wait: Duration | None = None
    until_deadline: bool = False

    def describe(self) -> str:
        if self.event is not None:
            return f"{self.event}[{self.label}]"
        return "wait until the next deadline" if self.until_deadline else f"wait {self.wait}"


@attrs.define(eq=False)
class Node:
    """A configuration reached: its case, how it was reached (parent and move) and its depth."""

    id: int
    case: Case
    parent: int | None
    move: Move | None
    depth: int
    latest: str | None  # the class of the latest plan of action sent
    steps: tuple[Step, ...] = ()  # the steps the move produced (timer steps for a wait)
    verdicts: list[tuple[Move, Decision]] | None = None  # every payload move decided now (until expanded)


@attrs.frozen
class Violation:
    """An invariant broken: which, how, and the shortest path to it (the violating step is the last)."""

    invariant: str
    message: str
    node: int | None  # the configuration the violating move started from
    move: Move
    step: Step


@attrs.frozen
class RuleUse:
    """How often a rule refused (or advised) and allowed (or stayed silent) during exploration."""

    id: str
    kind: str
    refused: int = 0
    allowed: int = 0


@attrs.define
class Exploration:
    """The result: configurations, coverage, dead ends, rule outcomes, invariant violations."""

    definition: Definition
    nodes: list[Node]
    truncated: bool
    max_depth: int | None
    seconds: float
    states_reached: set[str]
    transitions: dict[tuple[str, str, str], int]  # (event, source, dest) -> times taken
    rules: dict[str, RuleUse]
    violations: dict[str, Violation]
    dead_ends: list[int]
    #: first achievement of each coverage target: target -> (node id the move started from, move, step)
    firsts: dict[tuple[str, ...], tuple[int | None, Move, Step]]
    steps_tried: int = 0

    # ------------------------------------------------------------------------------------------------ reading

    def declared_transitions(self) -> list[tuple[str, str, str]]:
        out = []
        for t in self.definition.transitions:
            for src in t.sources:
                out.append((t.event, src, t.dest))
        return list(dict.fromkeys(out))

    def uncovered_transitions(self) -> list[tuple[str, str, str]]:
        return [t for t in self.declared_transitions() if t not in self.transitions]

    def unreached_states(self) -> list[str]:
        return [s for s in self.definition.state_names if s not in self.states_reached]

    def never_refused(self) -> list[str]:
        """Guards and state refusals that never refused, advice that never advised: rules that cannot fire."""
        return sorted(r.id for r in self.rules.values() if r.refused == 0 and r.kind in (GUARD, STATE, ADVICE))

    def never_allowed(self) -> list[str]:
        """Rules that refused (advised) every time they were asked, unless their registration says why they may
        (``Rule.never_allows``): a guard whose steps can never happen, advice that is always given."""
        return sorted(
            r.id
            for r in self.rules.values()
            if r.kind in (GUARD, STATE, ADVICE) and r.allowed == 0 and not REGISTRY[r.id].never_allows
        )

    def declared_never_allowing(self) -> list[str]:
        """Rules that never allowed and whose registration says why they may not (not a finding)."""
        return sorted(r.id for r in self.rules.values() if r.allowed == 0 and REGISTRY[r.id].never_allows)

    @property
    def ok(self) -> bool:
        """No invariant broken, and every rule both refused and allowed something, except a rule whose
        registration says why it never allows (``Rule.never_allows``). Dead ends are reported, not counted."""
        return not self.violations and not self.never_refused() and not self.never_allowed()

    def path(self, node_id: int | None) -> list[Node]:
        """The nodes from the root (excluded) down to ``node_id``."""
        out: list[Node] = []
        while node_id is not None:
            node = self.nodes[node_id]
            if node.parent is None:
                break
            out.append(node)
            node_id = node.parent
        return out[::-1]

    def to_json(self) -> dict[str, Any]:
        defn = self.definition
        depth = max((n.depth for n in self.nodes), default=0)
        return {
            "definition": defn.name,
            "version": defn.version,
            "configurations": len(self.nodes),
            "depth": depth,
            "truncated": self.truncated,
            "seconds": round(self.seconds, 3),
            "steps_tried": self.steps_tried,
            "states": {
                "reached": [s for s in defn.state_names if s in self.states_reached],
                "unreached": self.unreached_states(),
            },
            "transitions": {
                "declared": len(self.declared_transitions()),
                "covered": [list(t) for t in self.declared_transitions() if t in self.transitions],
                "uncovered": [list(t) for t in self.uncovered_transitions()],
            },
            "dead_ends": [
                {"state": self.nodes[i].case.state, "path": [n.move.describe() for n in self.path(i) if n.move]}
                for i in self.dead_ends[:20]
            ],
            "dead_end_count": len(self.dead_ends),
            "rules": {
                r.id: {"kind": r.kind, "refused": r.refused, "allowed": r.allowed}
                for r in sorted(self.rules.values(), key=lambda r: r.id)
            },
            "never_refused": self.never_refused(),
            "never_allowed": self.never_allowed(),
            "never_allows_as_declared": self.declared_never_allowing(),
            "invariants": {
                inv.id: (
                    {"holds": True}
                    if inv.id not in self.violations
                    else {
                        "holds": False,
                        "message": self.violations[inv.id].message,
                        "steps": len(self.path(self.violations[inv.id].node)) + 1,
                    }
                )
                for inv in defn.invariants
            },
            "ok": self.ok,
        }


# ---------------------------------------------------------------------------------------------------- the key


def time_thresholds(defn: Definition) -> list[Duration]:
    """The waits worth trying: each rule parameter named ``*days`` (as business days) the definition uses."""
    days: set[int] = set()
    uses = [g for t in defn.transitions for g in t.guards] + [a.rule for a in defn.advice]
    for ref in uses:
        rule = REGISTRY[ref.id]
        for name, default in rule.params.items():
            if name.endswith("days"):
                value = defn.parameter(ref, name, default)
                if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                    days.add(value)
    return [Duration(business_days=d) for d in sorted(days)]


def count_cap(defn: Definition) -> int:
    """How far event counts are told apart: one above the largest count-like rule parameter (2 to 5)."""
    values = [2]
    uses = [g for t in defn.transitions for g in t.guards] + [a.rule for a in defn.advice]
    for ref in uses:
        for name, default in REGISTRY[ref.id].params.items():
            value = defn.parameter(ref, name, default)
            if (
                isinstance(value, int)
                and not isinstance(value, bool)
                and not name.endswith("days")
                and not name.startswith(("min_", "max_"))  # bounds on a payload's size, not counts
            ):
                values.append(value + 1)
    return min(max(values), 5)


# ---------------------------------------------------------------------------------------------------- search


def _clone(case: Case, steps: Sequence[Step], state: str, now: dt.datetime) -> Case:
    """The case as it would stand after ``steps``, at ``now`` on a simulated clock of its own."""
    clock = SimulatedClock(now, holidays=compiled(case.definition).holidays)
    return Case.rebuild(
        case.definition, state=state, created=case.created, history=steps, facts=case.facts, clock=clock
    )


def _try(case: Case, event: str, payload: Mapping[str, Any]) -> Decision:
    """What ``fire`` would do now (``payload`` already checked), without changing the case."""
    return case.decide_payload(event, payload, checked=True)


def _hashable(value: Any) -> Any:
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


def _summary(step: Step | Decision) -> tuple[Any, ...]:
    return (step.accepted, step.target, step.blocked_by, step.advice)


def targets_of(comp: Compiled, step: Step) -> list[tuple[str, ...]]:
    """What a step covers: the state it reaches, the transition it takes, each rule's answer on it.

    Rule targets are ``("rule", id, "allows" | "refuses" | "advises" | "silent")``; a guard that ruled out an
    earlier candidate of an accepted step (a "route" finding) refused it.
    """
    out: list[tuple[str, ...]] = []
    blocked = set(step.blocked_by)
    edges = comp.table[step.source].get(step.event, ())
    if step.accepted:
        out.append(("state", step.target))
        out.append(("transition", step.event, step.source, step.target))
        chosen = next((e for e in edges if e.dest == step.target), None)
        for bound in chosen.guards if chosen is not None else ():
            out.append(("rule", bound.id, "allows"))
        for rid in dict.fromkeys(f.rule for f in step.findings if f.kind == "route"):
            out.append(("rule", rid, "refuses"))  # it refused an earlier candidate: the step took another route
        advised = set(step.advice)
        for bound in comp.advice.get(step.event, ()):
            out.append(("rule", bound.id, "advises" if bound.id in advised else "silent"))
    elif not edges:
        out.append(("rule", comp.refusal[step.source].id, "refuses"))
    else:
        for edge in edges:
            for bound in edge.guards:
                out.append(("rule", bound.id, "refuses" if bound.id in blocked else "allows"))
    return out


class _Explorer:
    def __init__(
        self,
        defn: Definition,
        *,
        max_configs: int,
        max_depth: int | None,
        cap: int | None,
        facts: Mapping[str, Any] | None,
    ) -> None:
        self.defn = defn
        self.comp = compiled(defn)
        self.max_configs = max_configs
        self.max_depth = max_depth
        self.cap = cap if cap is not None else count_cap(defn)
        self.event_set = set(defn.event_names)
        self.classes = catalog(defn)
        self.checked: dict[tuple[str, str], Mapping[str, Any]] = {}
        for event, classes in list(self.classes.items()):
            kept = []
            for c in classes:
                try:
                    self.checked[(event, c.label)] = self.comp.check_payload(event, c.payload)
                except PayloadError as e:
                    if c.label == "base":
                        raise WorkflowError(
                            f"cannot explore '{defn.name}': the payload catalog (workflow/payload_classes.py) has no "
                            f"valid representative payload for '{event}': {e}"
                        ) from e
                    continue  # a class this event's schema does not take
                kept.append(c)
            self.classes[event] = tuple(kept)
        self.waits = time_thresholds(defn)
        # what the rules say they read of the past: the events they count, the payload types they compare with
        used = [REGISTRY[rid] for rid in defn.rule_ids()]
        counts = sorted({e for rule in used for e in rule.counts} & self.event_set)
        self.counted = tuple(
            dict.fromkeys([*counts, *(str(inv.params["event"]) for inv in defn.invariants if "event" in inv.params)])
        )
        recalls = {t for rule in used for t in rule.recalls}
        #: per event, its payload fields of a type some rule compares with later
        self.recall_fields = {
            ev.name: tuple(f.name for f in ev.payload if f.type in recalls)
            for ev in defn.events
            if any(f.type in recalls for f in ev.payload)
        }
        #: (event, payload label) -> the class of the remembered value it carries, for events that carry one
        self.memory: dict[tuple[str, str], str] = {}
        #: a remembered value (as the catalog's payloads give it) -> its class
        self.labels: dict[Any, str] = {}
        for event, fields in self.recall_fields.items():
            for c in self.classes[event]:
                label = c.cls if c.field in fields and c.cls else "base"
                self.memory[(event, c.label)] = label
                for name in fields:
                    value = self.checked[(event, c.label)].get(name)
                    if value is not None:
                        self.labels.setdefault(_hashable(value), label)
        self.holidays = self.comp.holidays
        clock = SimulatedClock(START, holidays=self.holidays)
        root_case = Case(defn, clock=clock, facts=facts)
        root = Node(id=0, case=root_case, parent=None, move=None, depth=0, latest=None)
        self.nodes = [root]
        self.index: dict[tuple[Any, ...], int] = {}
        self.edges: dict[int, set[int]] = {}
        self.states = {root_case.state}
        self.transitions: dict[tuple[str, str, str], int] = {}
        self.rules: dict[str, RuleUse] = {}
        for rid in defn.rule_ids():
            self.rules[rid] = RuleUse(id=rid, kind=REGISTRY[rid].kind)
        self.violations: dict[str, Violation] = {}
        self.firsts: dict[tuple[str, ...], tuple[int | None, Move, Step]] = {}
        self.truncated = False
        self.steps_tried = 0
        self.refused_inv = any(inv.check == "refuses_all" for inv in defn.invariants)

    # -------------------------------------------------------------------------------------- the key

    def verdicts(self, case: Case) -> list[tuple[Move, Decision]]:
        """Every move of an event the state has a transition for, with each payload class, decided now."""
        out = []
        table = self.comp.table[case.state]
        for event, classes in self.classes.items():
            if event in table:
                for c in classes:
                    move = Move(event=event, label=c.label, payload=c.payload)
                    out.append((move, _try(case, event, self.checked[(event, c.label)])))
        return out

    def key(self, node: Node) -> tuple[Any, ...]:
        """State, plans and letters held, rejected plans, counted events, and every verdict now and after waiting."""
        case = node.case
        if node.verdicts is None:
            node.verdicts = self.verdicts(case)
        history = case.log
        recalled = self.recalled(history)
        counts = tuple(min(history.count(e), self.cap) for e in self.counted)
        if case.state in self.comp.terminal:  # nothing leaves it: what the case remembers no longer matters
            return (case.state, counts, tuple(_summary(st) for _, st in node.verdicts))
        now_sig = tuple(_summary(st) for _, st in node.verdicts)
        later: list[Any] = []
        for wait in self.waits_for(case):
            moved = self.waited(case, wait)
            if moved is None:
                continue
            child, timer_steps = moved
            later.append((tuple(_summary(st) for st in timer_steps), child.state))
            later.append(tuple(_summary(st) for _, st in self.verdicts(child)))
        return (case.state, node.latest, recalled, counts, now_sig, tuple(later))

    def recalled(self, history: History) -> frozenset[tuple[str, str]]:
        """What the past holds that rules compare with: for each counted event accepted while a remembered value
        (the latest plan sent, say) stood, that value's class and the event (a plan and the rejection it met)."""
        if not self.recall_fields:
            return frozenset()
        out: set[tuple[str, str]] = set()
        current: str | None = None
        for step in history.accepted_steps():
            fields = self.recall_fields.get(step.event)
            if fields:
                for name in fields:
                    value = step.payload.get(name)
                    if value is not None:
                        current = self.labels.get(_hashable(value), "other")
            elif current is not None and step.event in self.counted:
                out.add((current, step.event))
        return frozenset(out)

    def waits_for(self, case: Case) -> list[Move]:
        moves = [Move(wait=w) for w in self.waits]
        if self.comp.timers.get(case.state):
            moves.append(Move(until_deadline=True))
        return moves

    def waited(self, case: Case, move: Move) -> tuple[Case, tuple[Step, ...]] | None:
        now = case.clock.now()
        child = _clone(case, case.history, case.state, now)
        assert isinstance(child.clock, SimulatedClock)
        if move.until_deadline:
            due = child.deadline()
            if due is None:
                return None
            child.clock.set(max(due[0], now))
        else:
            assert move.wait is not None
            child.clock.advance(move.wait)
        return child, tuple(child.advance())

    # -------------------------------------------------------------------------------------- bookkeeping

    def _count(self, rid: str, *, refused: bool) -> None:
        use = self.rules.get(rid)
        if use is None:
            use = self.rules[rid] = RuleUse(id=rid, kind=REGISTRY[rid].kind)
        if refused:
            self.rules[rid] = attrs.evolve(use, refused=use.refused + 1)
        else:
            self.rules[rid] = attrs.evolve(use, allowed=use.allowed + 1)

    def _first(self, target: tuple[str, ...], origin: int | None, move: Move, step: Step) -> None:
        if target not in self.firsts:
            self.firsts[target] = (origin, move, step)

    def _observe(self, origin: int | None, move: Move, step: Step) -> None:
        """Coverage and rule outcomes of one step."""
        self.steps_tried += 1
        if step.accepted:
            key = (step.event, step.source, step.target)
            self.transitions[key] = self.transitions.get(key, 0) + 1
            self.states.add(step.target)
        for target in targets_of(self.comp, step):
            if target[0] == "rule":
                self._count(target[1], refused=target[2] in ("refuses", "advises"))
                if target[2] == "silent":
                    continue
            self._first(target, origin, move, step)

    def _check(self, state: str, history: Sequence[Step], origin: int | None, move: Move, step: Step) -> None:
        if not self.defn.invariants:
            return
        for inv_id, message in violations(self.defn, state, history):
            if inv_id not in self.violations:
                self.violations[inv_id] = Violation(inv_id, message, origin, move, step)

    # -------------------------------------------------------------------------------------- moves

    def _add(self, parent: Node, move: Move, case: Case, steps: tuple[Step, ...]) -> None:
        latest = parent.latest
        if move.event is not None and steps and steps[-1].accepted and (move.event, move.label) in self.memory:
            latest = self.memory[(move.event, move.label)]
        node = Node(
            id=len(self.nodes),
            case=case,
            parent=parent.id,
            move=move,
            depth=parent.depth + 1,
            latest=latest,
            steps=steps,
        )
        key = self.key(node)
        known = self.index.get(key)
        if known is not None:
            self.edges.setdefault(parent.id, set()).add(known)
            return
        if len(self.nodes) >= self.max_configs:
            raise ExplorationLimit(self.defn.name, self.max_configs, parent.depth + 1)
        self.nodes.append(node)
        self.index[key] = node.id
        self.edges.setdefault(parent.id, set()).add(node.id)

    def expand(self, node: Node) -> None:
        case = node.case
        history = case.history
        if node.verdicts is None:
            node.verdicts = self.verdicts(case)
        tried = list(node.verdicts)
        table = self.comp.table[case.state]
        for event, classes in self.classes.items():
            if event not in table:  # refused by the state whatever the payload: one try is enough
                c = classes[0]
                move = Move(event=event, label=c.label, payload=c.payload)
                tried.append((move, _try(case, event, self.checked[(event, c.label)])))
        for move, decision in tried:
            step = decision.step
            self._observe(node.id, move, step)
            if not step.accepted:
                if self.refused_inv:
                    self._check(case.state, (*history, *decision.due, step), node.id, move, step)
                continue
            steps = (*decision.due, step)
            child = _clone(case, (*history, *steps), step.target, step.at)
            self._check(child.state, (*history, *steps), node.id, move, step)
            self._add(node, move, child, steps)
        node.verdicts = None  # expanded: free the memory
        if case.state in self.comp.terminal:
            return
        for move in self.waits_for(case):
            moved = self.waited(case, move)
            if moved is None:
                continue
            child, timer_steps = moved
            for st in timer_steps:
                self._observe(node.id, move, st)
            if timer_steps:
                self._check(child.state, child.history, node.id, move, timer_steps[-1])
            self._add(node, move, child, timer_steps)

    def run(self) -> None:
        self.index[self.key(self.nodes[0])] = 0
        queue: deque[int] = deque([0])
        while queue:
            node = self.nodes[queue.popleft()]
            if self.max_depth is not None and node.depth >= self.max_depth:
                self.truncated = True
                continue
            before = len(self.nodes)
            self.expand(node)
            queue.extend(range(before, len(self.nodes)))

    def dead_ends(self) -> list[int]:
        """Non-terminal configurations from which no terminal state can be reached (within what was explored)."""
        good = {n.id for n in self.nodes if n.case.state in self.comp.terminal}
        frontier = {n.id for n in self.nodes if n.id not in self.edges and n.case.state not in self.comp.terminal}
        if self.truncated:
            good |= frontier  # unexpanded: unknown, so not reported
        preds: dict[int, set[int]] = {}
        for src, dsts in self.edges.items():
            for d in dsts:
                preds.setdefault(d, set()).add(src)
        stack = list(good)
        while stack:
            n = stack.pop()
            for p in preds.get(n, ()):
                if p not in good:
                    good.add(p)
                    stack.append(p)
        return [n.id for n in self.nodes if n.id not in good]


def explore(
    defn: Definition,
    *,
    max_configs: int = DEFAULT_MAX_CONFIGS,
    max_depth: int | None = None,
    cap: int | None = None,
    facts: Mapping[str, Any] | None = None,
) -> Exploration:
    """Explore every configuration of ``defn`` reachable with the catalog's payloads (see the module docstring).

    Raises ``ExplorationLimit`` when more than ``max_configs`` configurations are reachable.
    """
    started = time.perf_counter()
    ex = _Explorer(defn, max_configs=max_configs, max_depth=max_depth, cap=cap, facts=facts)
    ex.run()
    return Exploration(
        definition=defn,
        nodes=ex.nodes,
        truncated=ex.truncated,
        max_depth=max_depth,
        seconds=time.perf_counter() - started,
        states_reached=ex.states,
        transitions=ex.transitions,
        rules=ex.rules,
        violations=ex.violations,
        dead_ends=ex.dead_ends(),
        firsts=ex.firsts,
        steps_tried=ex.steps_tried,
    )


# ---------------------------------------------------------------------------------------------------- scenarios


def _expect(step: Step) -> str | list[str]:
    return "accepted" if step.accepted else list(step.blocked_by) or "blocked"


def scenario_steps(
    exploration: Exploration,
    origin: int | None,
    last: tuple[Move, Step] | None,
    extras: Mapping[int, Sequence[tuple[Move, Step]]] | None = None,
) -> list[dict[str, Any]]:
    """The scenario steps replaying the path to ``origin`` then ``last``; each step expects what happened.

    ``extras`` are refused moves to try on the way, by the configuration they start from: a refusal changes
    nothing, so the path goes on unchanged after them.
    """
    extras = extras or {}
    moves: list[tuple[Move, tuple[Step, ...]]] = [(m, (st,)) for m, st in extras.get(0, ())]
    for n in exploration.path(origin):
        assert n.move is not None
        moves.append((n.move, n.steps))
        moves.extend((m, (st,)) for m, st in extras.get(n.id, ()))
    if last is not None:
        moves.append((last[0], (last[1],)))
    out: list[dict[str, Any]] = []
    pending: list[str] = []  # waits not yet attached to a step
    for move, steps in moves:
        if move.event is None:
            pending.append(_wait_text(move, steps))
            continue
        step = steps[0]
        entry: dict[str, Any] = {"event": move.event}
        if pending:
            entry.update(_after(pending))
            pending = []
        if move.payload:
            entry["with"] = to_plain(dict(move.payload))
        entry["expect"] = _expect(step)
        if step.accepted:  # where the step went and what it advised are part of what it must do again
            entry["expect_state"] = step.target
            if step.advice:
                entry["expect_advice"] = list(step.advice)
        entry["description"] = f"payload class: {move.label}"
        out.append(entry)
    if pending:
        probe = catalog(exploration.definition)[exploration.definition.events[0].name][0]
        entry = {"event": probe.event, **_after(pending)}
        if probe.payload:
            entry["with"] = to_plain(dict(probe.payload))
        out.append({**entry, "description": "any event, so that the timers above fire"})
    return out


def _wait_text(move: Move, steps: tuple[Step, ...]) -> str:
    if move.until_deadline and steps:
        return "@" + format_time(steps[0].at)
    assert move.wait is not None or move.until_deadline
    return str(move.wait) if move.wait is not None else ""


def _after(pending: list[str]) -> dict[str, Any]:
    """Waits as a step's ``after`` (business days add up) or ``at`` (a deadline)."""
    at = [p[1:] for p in pending if p.startswith("@")]
    if at:
        return {"at": at[-1]}
    total = sum(int(p[:-2]) for p in pending if p.endswith("bd"))
    return {"after": f"{total}bd"} if total else {}


def counterexample_scenario(exploration: Exploration, invariant: str) -> dict[str, Any]:
    """The shortest path to the violation of ``invariant`` as scenario data (``workflow simulate`` replays it).

    Every step expects what the engine did, except the violating one, which expects what the invariant
    demands (refused, or refused by the invariant's rule): replaying it fails until the definition is fixed.
    """
    v = exploration.violations[invariant]
    steps = scenario_steps(exploration, v.node, (v.move, v.step))
    inv = next(i for i in exploration.definition.invariants if i.id == invariant)
    if v.move.event is not None and steps:
        demanded: str | list[str] = [str(inv.params["rule"])] if inv.check == "refuses_all" else "blocked"
        steps[-1]["expect"] = demanded
        steps[-1].pop("expect_state", None)  # a refused step stays where it is: the state is not in question
        steps[-1].pop("expect_advice", None)
        steps[-1]["description"] = f"violates {invariant}: {v.message}"
    return {
        "definition": definition_ref(exploration.definition),
        "start": START,
        "description": f"Counterexample to invariant {invariant} ({inv.description or inv.check}): {v.message}",
        "steps": steps,
    }


def dump_scenario(data: Mapping[str, Any]) -> str:
    """Scenario data as YAML text."""
    import yaml

    head = f"# {data.get('description', '')}\n" if data.get("description") else ""
    return head + yaml.safe_dump(json.loads(json.dumps(dict(data))), sort_keys=False, allow_unicode=True, width=110)


# ---------------------------------------------------------------------------------------------------- paths

COVER = ("states", "transitions", "rules")


def cover_targets(exploration: Exploration, cover: str) -> list[tuple[str, ...]]:
    """What ``paths`` must cover: every state, every transition, or every rule allowing and refusing."""
    defn = exploration.definition
    if cover == "states":
        return [("state", s) for s in defn.state_names if s != defn.initial.name]
    if cover == "transitions":
        return [("transition", *t) for t in exploration.declared_transitions()]
    if cover == "rules":
        out: list[tuple[str, ...]] = []
        for use in sorted(exploration.rules.values(), key=lambda r: r.id):
            if use.kind == GUARD:
                out += [("rule", use.id, "allows"), ("rule", use.id, "refuses")]
            elif use.kind == ADVICE:
                out.append(("rule", use.id, "advises"))
            elif use.kind == STATE:
                out.append(("rule", use.id, "refuses"))
        return out
    raise ValueError(f"cover must be one of {', '.join(COVER)}, not {cover!r}")


@attrs.frozen
class PathSet:
    """The scenarios ``paths`` chose, and the targets no explored path reaches."""

    definition: Definition
    cover: str
    scenarios: tuple[dict[str, Any], ...]
    covered: tuple[tuple[str, ...], ...]
    unreachable: tuple[tuple[str, ...], ...]


def _path_targets(exploration: Exploration, origin: int | None, last: Step) -> set[tuple[str, ...]]:
    comp = compiled(exploration.definition)
    out: set[tuple[str, ...]] = set()
    for node in exploration.path(origin):
        for st in node.steps:
            out.update(targets_of(comp, st))
    out.update(targets_of(comp, last))
    return out


def paths(exploration: Exploration, cover: str = "transitions") -> PathSet:
    """The fewest shortest scenarios (greedy set cover) covering every ``cover`` target exploration reached.

    Each candidate is the shortest path to one target (breadth-first order); a chosen path covers every
    target on its way, and the refusals first met at a configuration it passes through are tried there
    (a refused step changes nothing). Each scenario step expects what the engine did (accepted, or the
    refusing rule ids), so running the scenarios re-checks the behaviour.
    """
    wanted = cover_targets(exploration, cover)
    wanted_set = set(wanted)
    refusals: dict[int, list[tuple[tuple[str, ...], Move, Step]]] = {}
    for target in wanted:
        first = exploration.firsts.get(target)
        if first is not None and first[0] is not None and not first[2].accepted and first[1].event is not None:
            refusals.setdefault(first[0], []).append((target, first[1], first[2]))
    candidates: list[tuple[int | None, Move, Step, set[tuple[str, ...]], list[int]]] = []
    for target in wanted:
        first = exploration.firsts.get(target)
        if first is None:
            continue
        origin, move, step = first
        on_way = [0, *(n.id for n in exploration.path(origin))]
        covers = _path_targets(exploration, origin, step) & wanted_set
        for nid in on_way:
            for _t, _, st in refusals.get(nid, ()):
                if st is not step:
                    covers |= set(targets_of(compiled(exploration.definition), st)) & wanted_set
        candidates.append((origin, move, step, covers, on_way))
    left = {t for t in wanted if t in exploration.firsts}
    chosen = []
    while left:
        best = max(candidates, key=lambda c: (len(c[3] & left), -len(c[4])))
        gain = best[3] & left
        if not gain:  # pragma: no cover - every candidate covers its own target
            break
        chosen.append((best, set(gain)))
        left -= gain
    chosen.sort(key=lambda c: (len(c[0][4]), c[0][1].describe()))
    scenarios = []
    defn = exploration.definition
    comp = compiled(defn)
    for i, ((origin, move, step, _covers, on_way), gain) in enumerate(chosen, 1):
        extras: dict[int, list[tuple[Move, Step]]] = {}
        for nid in on_way:
            for _t, m, st in refusals.get(nid, ()):
                if (
                    st is not step
                    and set(targets_of(comp, st)) & gain
                    and all(x[1] is not st for x in extras.get(nid, []))
                ):
                    extras.setdefault(nid, []).append((m, st))
        shown = sorted(" ".join(t[1:]) for t in gain)
        scenarios.append(
            {
                "definition": definition_ref(defn),
                "start": START,
                "description": f"{defn.name} path {i} ({cover}): covers {'; '.join(shown)}",
                "steps": scenario_steps(exploration, origin, (move, step), extras),
            }
        )
    return PathSet(
        definition=defn,
        cover=cover,
        scenarios=tuple(scenarios),
        covered=tuple(t for t in wanted if t in exploration.firsts),
        unreachable=tuple(t for t in wanted if t not in exploration.firsts),
    )


def definition_ref(defn: Definition) -> str:
    """How a scenario names ``defn``: a built-in by name, else the file it came from."""
    from pathlib import Path

    from workflow.io.load import builtin_names, resolve

    if defn.name in builtin_names() and (
        defn.origin is None or Path(defn.origin).resolve() == resolve(defn.name).resolve()
    ):
        return defn.name
    return str(Path(defn.origin).resolve()) if defn.origin and Path(defn.origin).is_file() else defn.name
