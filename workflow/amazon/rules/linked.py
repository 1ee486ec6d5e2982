"""Rules about linked (related) accounts: one case per account, the accounts held together in a group.

What a rule knows about the other accounts it reads from their histories, through ``ctx.group`` (set when
the case belongs to a ``workflow.run.group.CaseGroup``): which of them were suspended for their own violation,
and when each was reinstated. A case outside a group reads the same from its facts (``linked_account``,
``linked_reinstated_on``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from workflow.amazon.rules import reading
from workflow.core.history import History, Step
from workflow.core.rules import EFFECT, Context, register
from workflow.core.text import joined

RELATED = "related_account"
REINSTATE = "reinstate"


class Member(Protocol):
    """Another account of the group, as a rule sees it."""

    @property
    def name(self) -> str: ...

    @property
    def state(self) -> str: ...

    @property
    def history(self) -> Sequence[Step]: ...


class GroupView(Protocol):
    """What ``ctx.group`` offers: the case's own name in the group and the other members."""

    @property
    def name(self) -> str: ...

    def others(self) -> Sequence[Member]: ...


def group(ctx: Context) -> GroupView | None:
    view: GroupView | None = ctx.group
    return view


def last_suspension(history: Sequence[Step]) -> Step | None:
    """The latest accepted suspension in ``history`` (a case's ``History`` answers from its index by event)."""
    if isinstance(history, History):
        return history.latest(reading.SUSPEND)
    return next((st for st in reversed(history) if st.accepted and st.event == reading.SUSPEND), None)


def reinstated_on(history: Sequence[Step], after: Step) -> dt.date | None:
    """The date the account was reinstated after the suspension ``after``, or ``None``."""
    steps = history.accepted(REINSTATE) if isinstance(history, History) else history[after.index + 1 :]
    for st in steps:
        if st.accepted and st.event == REINSTATE and st.index > after.index:
            return st.at.date()
    return None


def own_violation(member: Member) -> tuple[bool, dt.date | None]:
    """Whether the member was enforced for its own violation (not as a related account), and when reinstated."""
    history = member.history
    step = last_suspension(history)
    if step is None or step.payload.get("reason_class") == RELATED:
        return False, None
    return True, reinstated_on(history, step)


def enforced_now(history: Sequence[Step]) -> bool:
    """Suspended and not reinstated since."""
    step = last_suspension(history)
    return step is not None and reinstated_on(history, step) is None


def _names(names: Sequence[str]) -> str:
    return joined([f"'{n}'" for n in names])


@register(
    "linked.cascade",
    kind=EFFECT,
    summary=(
        "When one account of a linked group is suspended, every account in it is suspended "
        "(reason_class: related_account)."
    ),
    source="SEED3 [S]",
)
def cascade(ctx: Context, params: Mapping[str, Any]) -> str | None:
    view = group(ctx)
    if view is None:
        return None
    others = [m.name for m in view.others()]
    if not others:
        return None
    return (
        f"'{view.name}' is suspended, so every account linked to it is suspended with it: {_names(others)} "
        "(reason: related account)."
    )


def _own_violations(ctx: Context) -> list[tuple[str, dt.date | None]] | None:
    """The accounts enforced for their own violation, with their reinstatement dates; ``None`` if unknown."""
    view = group(ctx)
    if view is not None:
        out = []
        for m in view.others():
            own, when = own_violation(m)
            if own:
                out.append((m.name, when))
        if out:
            return out
    named = ctx.facts.get("linked_account")
    if named:
        when = ctx.facts.get("linked_reinstated_on")
        return [(str(named), when if isinstance(when, dt.date) else None)]
    return None


@register(
    "linked.reinstatement_order",
    summary=(
        "A related-account appeal is accepted only once every linked account enforced for its own violation "
        "is reinstated, and it names that account and its reinstatement date."
    ),
    source="N-RELATED-UK [S]",
    reads=("linked_account", "reinstatement_date"),
    counts=("reinstate",),
)
def reinstatement_order(ctx: Context, params: Mapping[str, Any]) -> str | None:
    if reading.suspension(ctx).get("reason_class") != RELATED:
        return None  # an appeal of the account's own violation: not a related-account appeal
    named = ctx.payload.get("linked_account")
    date = ctx.payload.get("reinstatement_date")
    owners = _own_violations(ctx)
    if owners is None:
        if named is None or date is None:
            return (
                "A related-account appeal names the linked account that was reinstated and the date it was "
                "reinstated; this one does not."
            )
        return None
    pending = [n for n, when in owners if when is None]
    if pending:
        verb = "is" if len(pending) == 1 else "are"
        return (
            f"{_names(pending)} {verb} enforced for {'its' if len(pending) == 1 else 'their'} own violation and "
            "not reinstated; every such account must be reinstated (one appeal per enforcement) before this "
            "related account's appeal is heard."
        )
    reinstated = dict(owners)
    if named is None or date is None:
        gaps = [x for x, v in (("the linked account", named), ("its reinstatement date", date)) if v is None]
        return (
            f"The appeal must name the reinstated account ({_names(list(reinstated))}) and the date it was "
            f"reinstated; {' and '.join(gaps)} {'is' if len(gaps) == 1 else 'are'} missing."
        )
    if named not in reinstated:
        return (
            f"'{named}' is not an account of this group that was enforced for its own violation "
            f"(those are: {_names(list(reinstated))})."
        )
    when = reinstated[named]
    if when != date:
        return f"'{named}' was reinstated on {when}, not on {date}; the appeal must give the reinstatement date."
    return None


@register(
    "linked.no_new_accounts",
    summary="A suspended seller may not open a new account; one opened is closed.",
    source="N-RELATED-OLD, N-REVIEWFAIL [S]",
    counts=("reinstate",),
)
def no_new_accounts(ctx: Context, params: Mapping[str, Any]) -> str | None:
    suspended = []
    view = group(ctx)
    if enforced_now(ctx.history):
        suspended.append(view.name if view is not None else "this account")
    if view is not None:
        suspended.extend(m.name for m in view.others() if enforced_now(m.history))
    if not suspended:
        return None
    return (
        f"This seller's selling privileges are removed ({_names(suspended)} suspended); a suspended seller may "
        "not open a new account, and Amazon closes any account opened meanwhile."
    )
