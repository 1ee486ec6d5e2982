"""The lifecycle's guards as plain functions over plain dicts, for the contenders that are not ``workflow``.

Each function answers the same question as the ``workflow`` rule of the same id, on the raw payload dicts
(no payload checking, no records built), and returns ``True`` when the step may happen. What the rules read
from history is kept in a small ``Tracker`` updated after each accepted step (``record``), as a hand-written
implementation would keep it. No message is built and nothing is explained: a guard only says yes or no.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from workflow import Definition, business_days_between
from workflow.amazon.payloads import ASKS_FOR
from workflow.amazon.teams import teams_of

Payload = Mapping[str, Any]


class Tracker:
    """What the guards need to know about a case's past: the suspension notice, the latest submissions ..."""

    __slots__ = ("current_poa", "escalations", "last_review_reject", "last_submit_at", "now", "rejected", "suspension")

    def __init__(self, now: dt.datetime) -> None:
        self.now = now
        self.suspension: Payload = _NO_PAYLOAD
        self.last_submit_at: dt.datetime | None = None
        self.last_review_reject = False
        self.escalations = 0
        self.current_poa: tuple[Any, ...] | None = None
        self.rejected: frozenset[tuple[Any, ...]] = frozenset()


_NO_PAYLOAD: Payload = {}
Guard = Callable[[Tracker, Payload], bool]


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def _poa(payload: Payload) -> Payload:
    poa = payload.get("poa")
    return poa if isinstance(poa, Mapping) else _NO_PAYLOAD


def poa_key(poa: Payload) -> tuple[Any, ...]:
    """What makes two plans the same plan (as ``PlanOfAction.content_key``)."""
    return (
        tuple(sorted((_norm(r["issue"]), _norm(r.get("text", ""))) for r in poa.get("root_causes", ()))),
        tuple(sorted(_norm(a) for a in poa.get("corrective_actions", ()))),
        tuple(sorted(_norm(a) for a in poa.get("preventive_measures", ()))),
        tuple(sorted((d["kind"], d.get("genuine", True)) for d in poa.get("documents", ()))),
    )


def _complete(poa: Payload) -> bool:
    causes = poa.get("root_causes", ())
    if not causes or any(not r.get("text", "").strip() for r in causes):
        return False
    if not any(a.strip() for a in poa.get("corrective_actions", ())):
        return False
    return any(a.strip() for a in poa.get("preventive_measures", ()))


def _answers_all(t: Tracker, poa: Payload) -> bool:
    answered = {_norm(r["issue"]) for r in poa.get("root_causes", ())}
    return all(_norm(i) in answered for i in t.suspension.get("issues") or ())


def _genuine(poa: Payload) -> bool:
    return all(d.get("genuine", True) for d in poa.get("documents", ()))


def _revised(t: Tracker, poa: Payload) -> bool:
    return not t.rejected or poa_key(poa) not in t.rejected


def fraud_no_appeal(t: Tracker, p: Payload) -> bool:
    return t.suspension.get("reason_class") != "fraud"


def poa_complete(t: Tracker, p: Payload) -> bool:
    return _complete(_poa(p))


def poa_addresses_all_issues(t: Tracker, p: Payload) -> bool:
    return _answers_all(t, _poa(p))


def poa_genuine_documents(t: Tracker, p: Payload) -> bool:
    return _genuine(_poa(p))


def poa_revised(t: Tracker, p: Payload) -> bool:
    return _revised(t, _poa(p))


class TeamRules:
    """The teams' data as plain dicts, and the two guards that read it."""

    def __init__(self, defn: Definition) -> None:
        teams = teams_of(defn)
        self.deciders = frozenset(t.id for t in teams.values() if "appeals" in t.decides)
        self.channels = {t.id: t.appeal_channels for t in teams.values()}
        self.enforcer_of = {rc: t.id for t in reversed(tuple(teams.values())) for rc in t.enforces}
        self.default = teams.default_enforcer

    def enforcer(self, t: Tracker) -> str | None:
        team = t.suspension.get("team")
        return str(team) if team else self.enforcer_of.get(t.suspension.get("reason_class") or "", self.default)

    def deciding_team(self, t: Tracker, p: Payload) -> bool:
        to = p.get("to")
        if to is None:
            return True
        if to not in self.deciders:
            return False
        enforcer = self.enforcer(t)
        return enforcer is None or to == enforcer

    def in_writing(self, t: Tracker, p: Payload) -> bool:
        channel = p.get("channel")
        if channel is None:
            return True
        to = p.get("to")
        deciding = to if to in self.deciders else self.enforcer(t)
        ways = self.channels.get(deciding or "")
        return not ways or channel in ways


def patience(days: int, holidays: frozenset[dt.date]) -> Guard:
    def wait(t: Tracker, p: Payload) -> bool:
        last = t.last_submit_at
        return last is None or business_days_between(last, t.now, holidays) >= days

    return wait


def after_review(days: int, holidays: frozenset[dt.date]) -> Guard:
    def check(t: Tracker, p: Payload) -> bool:
        if t.last_review_reject:
            return True
        last = t.last_submit_at
        return last is not None and business_days_between(last, t.now, holidays) >= days

    return check


def strong_poa(t: Tracker, p: Payload) -> bool:
    poa = p.get("poa")
    if not isinstance(poa, Mapping):
        return False
    return _complete(poa) and _answers_all(t, poa) and _genuine(poa) and _revised(t, poa)


def _matches(key_action: str, actions: list[str]) -> bool:
    key = _norm(key_action)
    return bool(key) and any(a and (key == a or a in key) for a in actions)


def letter(low: int, high: int) -> Guard:
    def check(t: Tracker, p: Payload) -> bool:
        text = p.get("letter")
        if not isinstance(text, Mapping):
            return False
        if text.get("asks_for") not in ASKS_FOR:
            return False
        keys = text.get("key_actions", ())
        if not low <= len({_norm(k) for k in keys}) <= high:
            return False
        poa = _poa(p)
        actions = [_norm(a) for a in (*poa.get("corrective_actions", ()), *poa.get("preventive_measures", ()))]
        return all(_matches(k, actions) for k in keys)

    return check


def escalate_once(t: Tracker, p: Payload) -> bool:
    return t.escalations == 0


def guards_for(defn: Definition) -> dict[str, tuple[Guard, ...]]:
    """Per event, the plain guards of its transition, in the definition's order (one transition per event here)."""
    teams = TeamRules(defn)
    holidays = frozenset(dt.date.fromisoformat(str(d)) for d in defn.parameters.get("holidays", ()))
    out: dict[str, tuple[Guard, ...]] = {}
    for tr in defn.transitions:
        guards: list[Guard] = []
        for ref in tr.guards:
            days = int(defn.parameter(ref, "patience_days", 5))
            made: dict[str, Guard] = {
                "fraud.no_appeal": fraud_no_appeal,
                "poa.complete": poa_complete,
                "poa.addresses_all_issues": poa_addresses_all_issues,
                "poa.genuine_documents": poa_genuine_documents,
                "poa.revised": poa_revised,
                "submit.deciding_team": teams.deciding_team,
                "submit.in_writing": teams.in_writing,
                "patience.wait": patience(days, holidays),
                "escalate.after_review": after_review(days, holidays),
                "escalate.strong_poa": strong_poa,
                "escalate.letter": letter(
                    int(defn.parameter(ref, "min_key_actions", 2)), int(defn.parameter(ref, "max_key_actions", 3))
                ),
                "escalate.once": escalate_once,
            }
            guards.append(made[ref.id])
        out[tr.event] = tuple(guards)
    return out


def record(t: Tracker, event: str, p: Payload) -> None:
    """Update what the guards remember after ``event`` was accepted."""
    if event == "suspend":
        t.suspension = p
    elif event in ("submit_poa", "provide_info", "escalate"):
        t.last_submit_at = t.now
        if event != "escalate":
            t.last_review_reject = False
        else:
            t.escalations += 1
        poa = p.get("poa")
        if isinstance(poa, Mapping):
            t.current_poa = poa_key(poa)
    elif event == "reject":
        t.last_review_reject = True
        if t.current_poa is not None:
            t.rejected = t.rejected | {t.current_poa}
