"""The account-suspension rules answer exactly as their plain statements do, on generated plans, letters and histories.

Each ``plain_*`` function below states a rule (or the helper it uses) the straightforward way: normalise every
text, build every list, scan the whole history. The rules take shorter ways; these tests check that the
answers (``None`` or the same sentence, character for character) never differ.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator, Mapping
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import workflow
from workflow.amazon.payloads import ASKS_FOR, Document, EscalationLetter, PlanOfAction, RootCause, normalise
from workflow.amazon.rules import REGISTRY, poa, reading, submit
from workflow.amazon.teams import Teams, teams_of
from workflow.core.clock import business_days_between
from workflow.core.history import History, Step
from workflow.core.rules import Context

UTC = dt.timezone.utc
START = dt.datetime(2026, 3, 2, 9, tzinfo=UTC)  # a Monday

# ------------------------------------------------------------------------------------------ plain statements


def plain_missing_parts(plan: PlanOfAction) -> list[str]:
    missing = []
    if not plan.root_causes or any(not r.text.strip() for r in plan.root_causes):
        missing.append("root causes" if not plan.root_causes else "an explanation for each root cause")
    if not [a for a in plan.corrective_actions if a.strip()]:
        missing.append("corrective actions")
    if not [a for a in plan.preventive_measures if a.strip()]:
        missing.append("preventive measures")
    return missing


def plain_unanswered_issues(plan: PlanOfAction, cited: tuple[str, ...]) -> list[str]:
    answered = {normalise(r.issue) for r in plan.root_causes}
    return [i for i in cited if normalise(i) not in answered]


def plain_rejected_poas(history: History) -> Iterator[PlanOfAction]:
    current: PlanOfAction | None = None
    for step in history:
        if step.accepted and step.event in ("submit_poa", "escalate"):
            current = step.payload.get("poa", current)
        elif step.accepted and step.event == "reject" and current is not None:
            yield current


def plain_repeats_rejected(history: History, plan: PlanOfAction) -> bool:
    return any(old.content_key() == plan.content_key() for old in plain_rejected_poas(history))


def plain_letter(ctx: Context, params: Mapping[str, Any]) -> str | None:
    text = ctx.payload.get("letter")
    if not isinstance(text, EscalationLetter):
        return "An escalation needs a letter asking for a senior investigator or Seller Performance manager."
    plan = ctx.payload.get("poa")
    actions = tuple(normalise(a) for a in plan.actions()) if isinstance(plan, PlanOfAction) else ()

    def matches(key_action: str) -> bool:
        key = normalise(key_action)
        return bool(key) and any(a and (key == a or a in key) for a in actions)

    faults = []
    if text.asks_for not in ASKS_FOR:
        faults.append("ask for a senior investigator or a Seller Performance manager to review the plan")
    low, high = int(params["min_key_actions"]), int(params["max_key_actions"])
    n = len({normalise(k) for k in text.key_actions})
    if not low <= n <= high:
        faults.append(f"restate {low} to {high} key actions (it restates {n})")
    strays = [k for k in text.key_actions if not matches(k)]
    if strays:
        faults.append(f"restate only actions from the plan ('{strays[0]}' is not one)")
    if faults:
        return "The escalation letter must " + "; ".join(faults) + "."
    return None


def plain_enforcing_team(ctx: Context) -> str | None:
    notice = reading.suspension(ctx)
    team = notice.get("team")
    return str(team) if team else teams_of(ctx).enforcer(notice.get("reason_class"))


def plain_in_writing(ctx: Context) -> str | None:
    channel = ctx.payload.get("channel")
    if channel is None:
        return None
    to = ctx.payload.get("to")
    deciding = teams_of(ctx).get(str(to)) if to is not None else None
    if deciding is None or "appeals" not in deciding.decides:
        enforcer = plain_enforcing_team(ctx)
        deciding = teams_of(ctx).get(enforcer) if enforcer is not None else None
    if deciding is None or not deciding.appeal_channels:
        return None
    if channel not in deciding.appeal_channels:
        ways = " or ".join(c.replace("_", " ") for c in deciding.appeal_channels)
        return f"{deciding.name} takes appeals in writing only ({ways}), never by {str(channel).replace('_', ' ')}."
    return None


# ------------------------------------------------------------------------------------------ generated inputs

#: words that normalise alike and apart: case, runs of spaces, tabs, non-breaking spaces, letters whose lower
#: case is longer (İ), blanks
WORDS = (
    "late_shipment_rate",
    "Late_Shipment_Rate",
    " late_shipment_rate ",
    "late  shipment\trate",
    "late shipment rate",
    "inauthentic",
    "INAUTHENTIC",
    "İnauthentic",
    "refunded every affected buyer",
    "Refunded  every affected buyer",
    "refunded every affected buyer\u00a0today",
    "every affected buyer",
    "weekly carrier audit",
    "",
    " ",
    "\t\n",
    "\u2003",
)
texts = st.sampled_from(WORDS) | st.text(alphabet="aAİ _\t\u00a0b", max_size=6)
tuples = st.lists(texts, max_size=3).map(tuple)
causes = st.lists(st.builds(RootCause, issue=texts, text=texts), max_size=3).map(tuple)
documents = st.lists(
    st.builds(Document, kind=st.sampled_from(("invoice", "licence")), genuine=st.booleans()), max_size=2
).map(tuple)
plans = st.builds(
    PlanOfAction, root_causes=causes, corrective_actions=tuples, preventive_measures=tuples, documents=documents
)
letters = st.builds(
    EscalationLetter,
    asks_for=st.sampled_from((None, *ASKS_FOR, "jeff")),
    key_actions=st.lists(texts, max_size=4).map(tuple),
)


def _definition() -> workflow.Definition:
    return workflow.load("account_suspension")


def _teams() -> Teams:
    return teams_of(_definition())


def _context(payload: Mapping[str, Any], history: History | None = None, *, event: str = "submit_poa") -> Context:
    return Context(
        event=event,
        state="suspended",
        target="poa_submitted",
        payload=payload,
        facts={},
        history=history or History(),
        now=START,
        resources={"teams": _teams()},
    )


def _step(index: int, event: str, *, accepted: bool = True, payload: Mapping[str, Any] | None = None) -> Step:
    at = START + dt.timedelta(days=index)
    return Step(index, event, at, "s", "t", accepted, dict(payload or {}))


# ------------------------------------------------------------------------------------------ the comparisons


@given(plan=plans)
def test_missing_parts_as_plainly_stated(plan: PlanOfAction) -> None:
    """missing_parts names the same parts, in the same order, as the plain statement."""
    assert poa.missing_parts(plan) == plain_missing_parts(plan)


@given(plan=plans, cited=tuples)
def test_unanswered_issues_as_plainly_stated(plan: PlanOfAction, cited: tuple[str, ...]) -> None:
    """unanswered_issues lists the same issues, in order and with repeats, as normalising every one."""
    assert poa.unanswered_issues(plan, cited) == plain_unanswered_issues(plan, cited)


def test_unanswered_issues_compares_normalised_text() -> None:
    """An issue written with other case and spacing is answered; a different issue is not."""
    plan = PlanOfAction(root_causes=(RootCause(" Late  Shipment_Rate"),))
    assert poa.unanswered_issues(plan, ("late shipment_rate", "inauthentic")) == ["inauthentic"]


#: the events of a history: plans sent (some without a plan), rejections, and events the rule does not read;
#: mostly accepted, so that rejected plans are common
history_events = st.lists(
    st.tuples(
        st.sampled_from(("submit_poa", "reject", "submit_poa", "reject", "escalate", "provide_info", "follow_up")),
        st.sampled_from((True, True, True, False)),  # accepted
        st.sampled_from((None, 0, 1, 1)),  # which plan of the pool it carries, or none
    ),
    max_size=6,
)


@given(
    events=history_events,
    pool=st.lists(plans, min_size=2, max_size=2, unique_by=lambda p: p.content_key()),  # two different plans
    which=st.integers(0, 1),
    copy=st.booleans(),
    again=st.booleans(),
)
def test_repeats_rejected_as_plainly_stated(
    events: list[tuple[str, bool, int | None]], pool: list[PlanOfAction], which: int, copy: bool, again: bool
) -> None:
    """poa.revised and strong_poa see a repeat exactly when some rejected plan has the new plan's content key."""
    if again:  # the plan about to be sent was rejected last
        events = [*events, ("submit_poa", True, which), ("reject", True, None)]
    history = History()
    for i, (event, accepted, plan) in enumerate(events):
        history.append(_step(i, event, accepted=accepted, payload={} if plan is None else {"poa": pool[plan]}))
    new = attrs.evolve(pool[which]) if copy else pool[which]  # an equal plan, or the very one sent before
    ctx = _context({"poa": new}, history)
    assert list(reading.rejected_poas(ctx)) == list(plain_rejected_poas(history))
    assert poa.repeats_rejected(ctx, new) is plain_repeats_rejected(history, new)
    revised = REGISTRY["poa.revised"].check(ctx, {})
    assert (revised is not None) is plain_repeats_rejected(history, new)


@given(plan=st.none() | plans, text=st.none() | letters, low=st.integers(0, 3), extra=st.integers(0, 2))
def test_escalation_letter_as_plainly_stated(
    plan: PlanOfAction | None, text: EscalationLetter | None, low: int, extra: int
) -> None:
    """escalate.letter says the same sentence as the plain statement, for any plan and letter."""
    payload = {k: v for k, v in (("poa", plan), ("letter", text)) if v is not None}
    params = {"min_key_actions": low, "max_key_actions": low + extra}
    ctx = _context(payload, event="escalate")
    assert REGISTRY["escalate.letter"].check(ctx, params) == plain_letter(ctx, params)


def test_escalation_letter_key_action_in_plan_words_passes() -> None:
    """A key action in the very words of a plan's action, or in other case and spacing, restates it."""
    plan = PlanOfAction(corrective_actions=("refunded every affected buyer",), preventive_measures=("weekly audit",))
    text = EscalationLetter("senior_investigator", ("refunded every affected buyer", "Weekly  Audit"))
    params = {"min_key_actions": 2, "max_key_actions": 3}
    assert REGISTRY["escalate.letter"].check(_context({"poa": plan, "letter": text}), params) is None


_SUSPENSIONS = [{"reason_class": rc} for rc in ("performance", "product_quality", "ip", "fraud")] + [
    {"reason_class": "performance", "team": t} for t in ("seller_performance", "product_quality")
]


@pytest.mark.parametrize("notice", _SUSPENSIONS)
def test_in_writing_as_plainly_stated_for_every_team_and_channel(notice: dict[str, str]) -> None:
    """submit.in_writing says the same as the plain statement for every team, channel and enforcing team."""
    history = History([_step(0, "suspend", payload=notice)])
    refused = 0
    for to, channel in itertools.product((None, *_teams().ids()), (None, "email", "appeal_form", "phone", "chat")):
        payload = {k: v for k, v in (("to", to), ("channel", channel)) if v is not None}
        ctx = _context(payload, history)
        answer = submit.in_writing(ctx, {})
        assert answer == plain_in_writing(ctx)
        refused += answer is not None
    assert refused  # some channel is refused somewhere: the comparison covered a sentence


days = st.integers(0, 40).map(lambda n: START + dt.timedelta(days=n))
hours = st.integers(0, 23).map(lambda h: dt.timedelta(hours=h))
holiday_sets = st.frozensets(st.integers(0, 40).map(lambda n: START.date() + dt.timedelta(days=n)), max_size=4)


def plain_silence(since: dt.datetime, now: dt.datetime, holidays: frozenset[dt.date]) -> int:
    """Business days after ``since``'s date up to ``now``'s date, counted one date at a time."""
    n, day = 0, since.date()
    while day < now.date():
        day += dt.timedelta(days=1)
        n += day.weekday() < 5 and day not in holidays
    return n


@given(start=days, end=days, h1=hours, h2=hours, holidays=holiday_sets)
def test_silence_is_counted_as_the_clock_counts_it(
    start: dt.datetime, end: dt.datetime, h1: dt.timedelta, h2: dt.timedelta, holidays: frozenset[dt.date]
) -> None:
    """The days of silence the patience rules read, at any time of either day, with and without holidays: the
    clock's business_days_between, and the same as counting the dates one by one."""
    history = History([_step(0, "suspend")])
    history.append(Step(1, "submit_poa", start + h1, "s", "t", True, {}))
    for off in (holidays, frozenset()):
        ctx = Context(
            event="follow_up",
            state="poa_submitted",
            target="poa_submitted",
            payload={},
            facts={},
            history=history,
            now=end + h2,
            resources={"teams": _teams()},
            holidays=off,
        )
        counted = reading.silence_days(ctx)
        assert counted == business_days_between(start + h1, end + h2, off) == plain_silence(start + h1, end + h2, off)


def test_silence_days_counts_from_the_latest_submission() -> None:
    """silence_days counts business days from the latest counted event to now; None before any."""
    history = History([_step(0, "suspend"), _step(1, "submit_poa")])  # submitted on a Tuesday
    ctx = _context({}, history, event="follow_up")
    assert reading.silence_days(ctx, counting=("provide_info",)) is None
    ctx.now = START + dt.timedelta(days=9)  # the Wednesday after: Wed to Fri, Mon to Wed
    assert reading.silence_days(ctx) == 6
