"""The verification rules (workflow.amazon.rules.verification) allowing and refusing through Case.fire and timers on
the verification definition that uses them; that definition's states and table."""

from __future__ import annotations

from typing import Any

import pytest
from _flows import EXAMPLES, accept, cited_sources, new_case, only, refuse, sim_clock, told_rules

import workflow
from workflow.amazon.rules import REGISTRY
from workflow.core.clock import as_timestamp, parse_duration
from workflow.io.load import definitions_dir

NAME = "verification"
RULE_IDS = ("verification.trigger", "verification.documents", "verification.genuine", "verification.decision_5d")
GOOD = [{"kind": "passport"}, {"kind": "utility_bill", "issued": "2026-02-20"}]


def required(**facts: Any) -> workflow.Case:
    case = new_case(NAME, facts=facts or None)
    accept(case, "change_account_info", field="bank_account")
    return case


def interviewed(start_days: str = "1d") -> workflow.Case:
    case = required()
    sim_clock(case).advance(start_days)
    accept(case, "submit_documents", documents=GOOD)
    accept(case, "attend_video_interview")
    return case


# ------------------------------------------------------------------------------------------ the definition


def test_states_are_those_of_the_catalog() -> None:
    """The states are exactly RULES.md §2's; verified and final_decision are final."""
    defn = workflow.load(NAME)
    assert defn.state_names == (
        "active",
        "verification_required",
        "documents_submitted",
        "video_interview",
        "verified",
        "verification_failed",
        "final_decision",
    )
    assert defn.initial.name == "active"
    assert {s.name for s in defn.states if s.terminal} == {"verified", "final_decision"}


def test_every_rule_of_the_table_is_used_and_cited() -> None:
    """Each rule of the verification table guards a transition, citing SEED3, N-VERIF-EU or N-VIDEO."""
    defn = workflow.load(NAME)
    assert set(RULE_IDS) <= set(defn.rule_ids())
    cited = cited_sources(NAME)
    for rule_id in RULE_IDS:
        sources = [src for (_, rid), src in cited.items() if rid == rule_id]
        assert sources, rule_id
        assert all(any(key in src for key in ("SEED3", "N-VERIF-EU", "N-VIDEO")) for src in sources)


def test_the_decision_timer_agrees_with_its_rule() -> None:
    """The decision_due timer waits the business days verification.decision_5d counts."""
    defn = workflow.load(NAME)
    (timer,) = [t for t in defn.transitions if t.timer is not None]
    days = defn.parameter(timer.guards[0], "decision_business_days", None)
    assert timer.timer is not None and timer.timer.after == parse_duration(f"{days}bd")


def test_the_stories_tell_every_rule() -> None:
    """Every rule verification uses is expected or refuses in an example; the trigger shows both its branches."""
    missing = set(workflow.load(NAME).rule_ids()) - told_rules(NAME)
    assert missing <= {"verification.trigger"}
    changes = set()
    for path in sorted(EXAMPLES.glob("verification_*.yaml")):
        for t in workflow.simulate(path).steps:
            if t.step.event == "change_account_info" and t.step.accepted:
                changes.add(t.step.target)
    assert changes == {"active", "verification_required"}


# ------------------------------------------------------------------------------------------ verification.trigger


@pytest.mark.parametrize("field", ["phone", "card", "address", "bank_account"])
def test_trigger_starts_a_verification_on_a_change_of_these_details(field: str) -> None:
    """Changing the phone, card, address or bank details starts a verification."""
    case = new_case(NAME)
    step = accept(case, "change_account_info", field=field)
    assert (step.source, step.target) == ("active", "verification_required")


@pytest.mark.parametrize("field", ["email", "display_name"])
def test_trigger_lets_other_changes_through(field: str) -> None:
    """Another change does not start a verification: the account stays active, and the step says why."""
    case = new_case(NAME)
    step = accept(case, "change_account_info", field=field)
    assert (step.source, step.target, step.blocked_by) == ("active", "active", ())
    assert [(f.rule, f.kind) for f in step.findings] == [("verification.trigger", "route")]
    assert accept(case, "change_account_info", field="phone").target == "verification_required"


def test_trigger_fields_are_a_parameter() -> None:
    """A definition that counts the email among the trigger fields starts a verification on it."""
    text = (definitions_dir() / f"{NAME}.yaml").read_text(encoding="utf-8")
    text = text.replace("  holidays: []", "  holidays: []\n  trigger_fields: [email]")
    case = workflow.Case(workflow.load(text=text), clock=workflow.SimulatedClock("2026-03-02T09:00:00Z"))
    assert accept(case, "change_account_info", field="phone").target == "active"
    assert accept(case, "change_account_info", field="email").target == "verification_required"


# ------------------------------------------------------------------------------------------ verification.documents


def test_documents_allows_legible_unaltered_matching_recent_documents() -> None:
    """A passport and a utility bill of 90 days ago go to review."""
    case = required()
    docs = [{"kind": "passport"}, {"kind": "utility_bill", "issued": "2025-12-02"}]  # 90 days before 2026-03-02
    assert accept(case, "submit_documents", documents=docs).target == "documents_submitted"


@pytest.mark.parametrize(
    ("document", "words"),
    [
        ({"kind": "passport", "legible": False}, "not legible"),
        ({"kind": "bank_statement", "screenshot": True}, "screenshot"),
        ({"kind": "driving_licence", "matches_registration": False}, "does not match"),
        ({"kind": "utility_bill", "issued": "2025-12-01"}, "91 days old"),
        ({"kind": "utility_bill"}, "shows no date"),
    ],
)
def test_documents_refuses_what_cannot_verify(document: dict[str, Any], words: str) -> None:
    """Illegible, a screenshot, not matching, a bill over 90 days old or undated: refused, nothing changes."""
    case = required()
    step = refuse(case, "submit_documents", documents=[{"kind": "passport"}, document])
    assert step.blocked_by == ("verification.documents",)
    (found,) = [f for f in step.refusals if f.rule == "verification.documents"]
    assert words in found.message
    assert found.source == "N-VERIF-EU [S]"


def test_documents_refuses_an_empty_submission() -> None:
    """A submission without documents is refused."""
    step = refuse(required(), "submit_documents", documents=[])
    assert "carries none" in next(f.message for f in step.refusals if f.rule == "verification.documents")


def test_documents_bill_age_is_a_parameter() -> None:
    """With utility_bill_max_age_days 30, a 40-day-old bill is refused."""
    text = (definitions_dir() / f"{NAME}.yaml").read_text(encoding="utf-8")
    text = text.replace("utility_bill_max_age_days: 90", "utility_bill_max_age_days: 30")
    case = workflow.Case(workflow.load(text=text), clock=workflow.SimulatedClock("2026-03-02T09:00:00Z"))
    accept(case, "change_account_info", field="address")
    step = refuse(case, "submit_documents", documents=[{"kind": "utility_bill", "issued": "2026-01-21"}])
    assert "at most 30" in next(f.message for f in step.refusals if f.rule == "verification.documents")


# ------------------------------------------------------------------------------------------ verification.genuine


@pytest.mark.parametrize("start", ["verification_required", "verification_failed"])
def test_genuine_ends_the_case_on_a_fabricated_document(start: str) -> None:
    """A fabricated document, however good the rest, ends the verification in final_decision."""
    case = required()
    if start == "verification_failed":
        accept(case, "submit_documents", documents=GOOD)
        accept(case, "fail_verification")
    step = accept(case, "submit_documents", documents=[*GOOD, {"kind": "bank_statement", "genuine": False}])
    assert (step.source, step.target) == (start, "final_decision")
    assert case.terminal


def test_genuine_documents_do_not_end_the_case() -> None:
    """Genuine documents take the other branch: review, not a final decision."""
    case = required()
    assert accept(case, "submit_documents", documents=GOOD).target == "documents_submitted"
    assert not case.terminal


def test_genuine_is_no_reason_to_refuse_genuine_documents() -> None:
    """Genuine but unacceptable documents: only verification.documents refuses; the final branch just does not apply."""
    step = refuse(required(), "submit_documents", documents=[{"kind": "passport", "screenshot": True}])
    assert [f.rule for f in step.refusals] == ["verification.documents"]


def test_genuine_refuses_review_of_a_fabricated_document() -> None:
    """verification.genuine refuses review of a fabricated document: the step says so, and the case ends."""
    case = required()
    step = accept(case, "submit_documents", documents=[*GOOD, {"kind": "bank_statement", "genuine": False}])
    assert step.target == "final_decision"
    assert step.blocked_by == ()
    route = next(f for f in step.routes if f.rule == "verification.genuine")
    assert "bank statement is fabricated" in route.message


def test_final_decision_closes_the_case() -> None:
    """After the final decision every event is refused with appeals.closed."""
    case = required()
    accept(case, "submit_documents", documents=[{"kind": "utility_bill", "issued": "2026-02-20", "genuine": False}])
    attempts: list[tuple[str, dict[str, Any]]] = [
        ("submit_documents", {"documents": GOOD}),
        ("follow_up", {}),
        ("verify", {}),
        ("change_account_info", {"field": "phone"}),
    ]
    for event, payload in attempts:
        only(refuse(case, event, **payload), "appeals.closed")


# ------------------------------------------------------------------------------------------ verification.decision_5d


def test_decision_5d_makes_the_decision_due_five_business_days_after_the_interview() -> None:
    """Interview on a Tuesday: the decision falls due the next Tuesday, once, as a timer step."""
    case = interviewed("1d")  # Tuesday 2026-03-03
    assert case.history[-1].at == as_timestamp("2026-03-03T09:00:00Z")
    assert case.advance(as_timestamp("2026-03-10T08:59:00Z")) == []
    steps = case.advance(as_timestamp("2026-03-20T09:00:00Z"))
    assert [(s.event, s.timer, s.accepted, s.at) for s in steps] == [
        ("decision_due", True, True, as_timestamp("2026-03-10T09:00:00Z"))
    ]
    assert case.state == "video_interview"
    assert case.advance(as_timestamp("2026-04-20T09:00:00Z")) == []


def test_decision_5d_refuses_a_follow_up_before_the_five_days() -> None:
    """Four business days after the interview a follow-up is refused; on the fifth it goes through."""
    case = interviewed()
    sim_clock(case).advance("4bd")
    found = only(refuse(case, "follow_up"), "verification.decision_5d")
    assert "4 business days" in found.message
    sim_clock(case).advance("1bd")
    assert accept(case, "follow_up").target == "video_interview"


def test_decision_5d_refuses_the_decision_due_by_hand_early() -> None:
    """decision_due fired by hand two business days after the interview is refused."""
    case = interviewed()
    sim_clock(case).advance("2bd")
    only(refuse(case, "decision_due"), "verification.decision_5d")


def test_decision_5d_counts_holidays_out() -> None:
    """With a holiday in the week, the decision falls due a business day later."""
    text = (definitions_dir() / f"{NAME}.yaml").read_text(encoding="utf-8")
    text = text.replace("  holidays: []", '  holidays: ["2026-03-05"]')
    case = workflow.Case(workflow.load(text=text), clock=workflow.SimulatedClock("2026-03-02T09:00:00Z"))
    accept(case, "change_account_info", field="card")
    accept(case, "submit_documents", documents=GOOD)
    accept(case, "attend_video_interview")
    due = case.deadline()
    assert due is not None and due[0] == as_timestamp("2026-03-10T09:00:00Z")


def test_a_decision_within_the_five_days_needs_no_timer() -> None:
    """Verified three business days after the interview: the case is final and no timer fires."""
    case = interviewed()
    sim_clock(case).advance("3bd")
    assert accept(case, "verify").target == "verified"
    assert case.advance(as_timestamp("2026-06-01T09:00:00Z")) == []
    assert not any(s.timer for s in case.history)


def test_rules_say_what_they_check() -> None:
    """Each verification rule is a registered guard with a summary and its catalog source."""
    for rule_id in RULE_IDS:
        rule = REGISTRY[rule_id]
        assert rule.kind == "guard"
        assert rule.summary.endswith(".")
        assert any(key in rule.source for key in ("SEED3", "N-VERIF-EU", "N-VIDEO"))
