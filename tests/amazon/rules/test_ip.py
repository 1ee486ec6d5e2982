"""The IP rules (workflow.amazon.rules.ip) allowing and refusing through Case.fire and timers on ip_complaint, the
definition that uses them; that definition's states and table."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from _flows import START, accept, cited_sources, new_case, only, refuse, sim_clock, told_rules
from hypothesis import given
from hypothesis import strategies as st

import workflow
from workflow.amazon.rules import REGISTRY
from workflow.core.clock import as_timestamp, parse_duration
from workflow.io.load import definitions_dir

NAME = "ip_complaint"
RULE_IDS = (
    "ip.retraction_direct",
    "ip.dispute_legal_argument",
    "ip.document_appeal",
    "ip.counter_notice_10d",
    "ip.timeout_90d",
)
DIRECT = {"evidence": "retraction", "sent_by": "rights_owner", "states_error": True}


def complained(complaint_type: str = "trademark") -> workflow.Case:
    case = new_case(NAME)
    accept(case, "receive_complaint", complaint_type=complaint_type, rights_owner="legal@brand.example")
    return case


def countered(complaint_type: str) -> workflow.Case:
    case = complained(complaint_type)
    sim_clock(case).advance("1d")
    accept(case, "file_counter_notice")
    return case


# ------------------------------------------------------------------------------------------ the definition


def test_states_are_those_of_the_catalog() -> None:
    """The states are exactly RULES.md §2's, listing_active first and listing_removed the only final one."""
    defn = workflow.load(NAME)
    assert defn.state_names == (
        "listing_active",
        "complaint_received",
        "retraction_requested",
        "dispute_filed",
        "counter_notice_filed",
        "inventory_removal_requested",
        "listing_reinstated",
        "listing_removed",
    )
    assert defn.initial.name == "listing_active"
    assert [s.name for s in defn.states if s.terminal] == ["listing_removed"]


def test_every_rule_of_the_table_is_used_and_cited() -> None:
    """Each rule of the IP table guards a transition, with a source naming a key of the catalog."""
    defn = workflow.load(NAME)
    assert set(RULE_IDS) <= set(defn.rule_ids())
    cited = cited_sources(NAME)
    for rule_id in RULE_IDS:
        sources = [src for (_, rid), src in cited.items() if rid == rule_id]
        assert sources, rule_id
        assert all(any(key in src for key in ("SEED0", "N-IP", "A-DMCA")) for src in sources), sources


def test_timers_agree_with_their_rules() -> None:
    """The 10-day and 90-day timers use the same figures as the rules that guard them."""
    defn = workflow.load(NAME)
    timers = {t.event: t for t in defn.transitions if t.timer is not None}
    assert set(timers) == {"lawsuit_window_closed", "complaint_timed_out"}
    window = defn.parameter(timers["lawsuit_window_closed"].guards[0], "lawsuit_window_days", None)
    timeout = defn.parameter(timers["complaint_timed_out"].guards[0], "timeout_days", None)
    assert timers["lawsuit_window_closed"].timer is not None and timers["complaint_timed_out"].timer is not None
    assert timers["lawsuit_window_closed"].timer.after == parse_duration(f"{window}d")
    assert timers["complaint_timed_out"].timer.after == parse_duration(f"{timeout}d")


def test_the_stories_tell_every_rule() -> None:
    """Every rule ip_complaint uses is expected, or refuses, in one of the examples."""
    missing = set(workflow.load(NAME).rule_ids()) - told_rules(NAME)
    assert not missing


# ------------------------------------------------------------------------------------------ ip.retraction_direct


@pytest.mark.parametrize("state", ["complaint_received", "retraction_requested"])
def test_retraction_direct_allows_the_rights_owners_own_retraction(state: str) -> None:
    """A retraction the rights owner sends to Amazon, stating the error, reinstates the listing."""
    case = complained()
    if state == "retraction_requested":
        accept(case, "request_retraction")
    step = accept(case, "resolve_complaint", **DIRECT)
    assert (step.source, step.target) == (state, "listing_reinstated")
    assert step.findings == ()


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ({"evidence": "retraction", "sent_by": "seller", "states_error": True}, "forwards"),
        ({"evidence": "retraction", "states_error": True}, "forwards"),
        ({"evidence": "inventory_removed"}, "Removing the inventory"),
        ({"evidence": "promise_not_to_relist", "sent_by": "seller"}, "Promising not to list"),
        ({"evidence": "inventory_removed", "sent_by": "rights_owner", "states_error": True}, "Removing"),
        ({"evidence": "retraction", "sent_by": "rights_owner"}, "in error"),
        ({"evidence": "retraction", "sent_by": "rights_owner", "states_error": False}, "in error"),
    ],
)
def test_retraction_direct_refuses_anything_else(payload: dict[str, Any], words: str) -> None:
    """A forwarded retraction, removed inventory, a promise, or a retraction not stating the error: refused."""
    case = complained()
    accept(case, "request_retraction")
    found = only(refuse(case, "resolve_complaint", **payload), "ip.retraction_direct")
    assert words in found.message
    assert found.source == cited_sources(NAME)[("resolve_complaint", "ip.retraction_direct")]


# ------------------------------------------------------------------------------------------ ip.dispute_legal_argument


@pytest.mark.parametrize("grounds", ["false_claim", "contact_does_not_exist"])
def test_dispute_legal_argument_allows_a_legal_argument(grounds: str) -> None:
    """A false claim or a rights owner's contact that does not exist is a legal argument: the dispute is filed."""
    case = complained()
    assert accept(case, "dispute", grounds=grounds).target == "dispute_filed"


def test_dispute_legal_argument_refuses_baseless() -> None:
    """ "It is baseless" is not a legal argument; the dispute is refused and the case unchanged."""
    case = complained()
    found = only(refuse(case, "dispute", grounds="baseless", text="This is baseless."), "ip.dispute_legal_argument")
    assert '"it is baseless"' in found.message
    assert "the claim is false" in found.message


def test_dispute_legal_argument_grounds_are_a_parameter() -> None:
    """A definition may narrow the legal grounds; what it leaves out is refused."""
    yaml_text = (definitions_dir() / f"{NAME}.yaml").read_text(encoding="utf-8")
    yaml_text = yaml_text.replace(
        "  lawsuit_window_days: 10", "  lawsuit_window_days: 10\n  legal_grounds: [false_claim]"
    )
    defn = workflow.load(text=yaml_text)
    case = workflow.Case(defn, clock=workflow.SimulatedClock("2026-03-02T09:00:00Z"))
    accept(case, "receive_complaint", complaint_type="trademark")
    only(refuse(case, "dispute", grounds="contact_does_not_exist"), "ip.dispute_legal_argument")
    assert accept(case, "dispute", grounds="false_claim").target == "dispute_filed"


# ------------------------------------------------------------------------------------------ ip.document_appeal


@pytest.mark.parametrize(
    ("complaint_type", "document"),
    [
        ("trademark", {"kind": "letter_of_authorisation", "issuer": "manufacturer"}),
        ("trademark", {"kind": "invoice", "issuer": "rights_owner"}),
        ("counterfeit", {"kind": "invoice", "issuer": "manufacturer"}),
        ("copyright", {"kind": "licence", "issuer": "rights_owner"}),
    ],
)
def test_document_appeal_allows_the_documents_asked_for(complaint_type: str, document: dict[str, Any]) -> None:
    """An invoice, licence or letter of authorisation from the rights owner or manufacturer goes to review."""
    case = complained(complaint_type)
    docs = [{"kind": "invoice", "issuer": "distributor"}, document]
    assert accept(case, "appeal", documents=docs).target == "dispute_filed"


@pytest.mark.parametrize(
    ("complaint_type", "documents", "words"),
    [
        ("trademark", [{"kind": "invoice", "issuer": "distributor"}], "an invoice from a distributor"),
        ("trademark", [{"kind": "invoice"}], "no named issuer"),
        ("trademark", [{"kind": "receipt", "issuer": "manufacturer"}], "a receipt from a manufacturer"),
        ("copyright", [{"kind": "licence", "issuer": "manufacturer"}], "for a copyright complaint"),
        ("trademark", [{"kind": "invoice", "issuer": "manufacturer", "genuine": False}], "fabricated"),
        ("trademark", [], "at least one document"),
    ],
)
def test_document_appeal_refuses_other_documents(complaint_type: str, documents: list[Any], words: str) -> None:
    """Another issuer, another kind, a manufacturer for copyright, a fake, or nothing: refused."""
    case = complained(complaint_type)
    found = only(refuse(case, "appeal", documents=documents), "ip.document_appeal")
    assert words in found.message


DOCUMENT = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["invoice", "licence", "letter_of_authorisation", "receipt"]),
        "issuer": st.sampled_from(["rights_owner", "manufacturer", "distributor", "seller"]),
        "genuine": st.booleans(),
    }
)


@given(
    complaint_type=st.sampled_from(["trademark", "copyright", "patent", "counterfeit"]),
    documents=st.lists(DOCUMENT, max_size=4),
)
def test_document_appeal_for_copyright_takes_only_the_rights_owners_documents(
    complaint_type: str, documents: list[dict[str, Any]]
) -> None:
    """An appeal goes to review exactly when a genuine invoice, licence or letter of authorisation comes from
    the rights owner, or, except for copyright, from the manufacturer."""
    issuers = ("rights_owner",) if complaint_type == "copyright" else ("rights_owner", "manufacturer")
    qualifies = any(d["genuine"] and d["kind"] != "receipt" and d["issuer"] in issuers for d in documents)
    case = complained(complaint_type)
    if qualifies:
        assert accept(case, "appeal", documents=documents).target == "dispute_filed"
    else:
        found = only(refuse(case, "appeal", documents=documents), "ip.document_appeal")
        assert "from the rights owner" in found.message
        assert ("from the rights owner or manufacturer" in found.message) is (complaint_type != "copyright")


# ------------------------------------------------------------------------------------------ ip.counter_notice_10d


def test_counter_notice_10d_reinstates_a_copyright_listing_after_ten_days() -> None:
    """Copyright: no lawsuit within 10 days of the counter-notice, and the timer puts the listing back."""
    case = countered("copyright")
    filed = case.history[-1].at
    assert case.advance(parse_duration("9d23h").after(filed)) == []
    steps = case.advance(as_timestamp("2026-03-20T09:00:00Z"))
    assert [(s.event, s.accepted, s.timer, s.target) for s in steps] == [
        ("lawsuit_window_closed", True, True, "listing_reinstated")
    ]
    assert steps[0].at == as_timestamp("2026-03-13T09:00:00Z")


def test_counter_notice_10d_refuses_the_timer_for_a_trademark() -> None:
    """A counter-notice to a trademark complaint: the timer is refused once and the listing stays down."""
    case = countered("trademark")
    steps = case.advance(as_timestamp("2026-04-30T09:00:00Z"))
    assert len(steps) == 1
    found = only(steps[0], "ip.counter_notice_10d")
    assert "trademark" in found.message
    assert steps[0].timer and case.state == "counter_notice_filed"
    assert case.advance(as_timestamp("2026-05-31T08:00:00Z")) == []


def test_counter_notice_10d_refuses_the_window_closing_early() -> None:
    """Fired by hand 5 days after the counter-notice, the window is not closed yet."""
    case = countered("copyright")
    sim_clock(case).advance("5d")
    found = only(refuse(case, "lawsuit_window_closed"), "ip.counter_notice_10d")
    assert "only 5 days" in found.message


def test_a_lawsuit_within_the_window_keeps_the_listing_down() -> None:
    """The claimant sues on day 9: the listing stays removed and the timer never fires."""
    case = countered("copyright")
    sim_clock(case).advance("9d")
    assert accept(case, "claimant_sues").target == "listing_removed"
    assert case.advance(as_timestamp("2026-06-30T09:00:00Z")) == []


# ------------------------------------------------------------------------------------------ ip.timeout_90d


def test_timeout_90d_asks_for_inventory_removal_after_90_days() -> None:
    """90 days from the complaint, asking for a retraction meanwhile, the timer asks to remove the inventory."""
    case = complained()
    sim_clock(case).advance("30d")
    accept(case, "request_retraction")
    due = case.deadline()
    assert due is not None and due[0] == as_timestamp("2026-05-31T09:00:00Z")
    sim_clock(case).advance("70d")
    step = accept(case, "remove_inventory")
    timer = case.history[-2]
    assert (timer.event, timer.timer, timer.accepted, timer.at) == (
        "complaint_timed_out",
        True,
        True,
        as_timestamp("2026-05-31T09:00:00Z"),
    )
    assert step.target == "listing_removed"


def test_timeout_90d_refuses_an_early_timeout() -> None:
    """Fired by hand on day 60, the timeout is refused: the complaint has stood 60 days."""
    case = complained()
    sim_clock(case).advance("60d")
    found = only(refuse(case, "complaint_timed_out"), "ip.timeout_90d")
    assert "60 days" in found.message


NOTICE = as_timestamp(START)
DAY_90 = as_timestamp("2026-05-31T09:00:00Z")  # 90 days after the notice of 2 March


def test_timeout_90d_counts_from_the_notice_through_a_denied_dispute() -> None:
    """A dispute filed on day 10 and denied on day 40: the timer still falls due on day 90, not day 130."""
    case = complained()
    sim_clock(case).advance("10d")
    accept(case, "dispute", grounds="false_claim")
    sim_clock(case).advance("30d")
    assert accept(case, "deny").target == "complaint_received"
    due = case.deadline()
    assert due is not None and due[0] == DAY_90
    steps = case.advance(as_timestamp("2026-12-31T09:00:00Z"))
    assert [(s.event, s.accepted, s.at, s.target) for s in steps] == [
        ("complaint_timed_out", True, DAY_90, "inventory_removal_requested")
    ]
    assert steps[0].findings == ()


def test_timeout_90d_runs_while_a_dispute_is_under_review() -> None:
    """A dispute still under review on day 90 resolves nothing: the timer asks for the inventory's removal."""
    case = complained()
    sim_clock(case).advance("85d")
    accept(case, "dispute", grounds="contact_does_not_exist")
    steps = case.advance(as_timestamp("2026-12-31T09:00:00Z"))
    assert [(s.event, s.accepted, s.at, s.source, s.target) for s in steps] == [
        ("complaint_timed_out", True, DAY_90, "dispute_filed", "inventory_removal_requested")
    ]


def test_timeout_90d_runs_while_a_counter_notice_to_a_trademark_complaint_stands() -> None:
    """A counter-notice to a trademark complaint answers nothing: on day 90 the timer asks for removal."""
    case = countered("trademark")
    steps = case.advance(as_timestamp("2026-12-31T09:00:00Z"))
    assert [(s.event, s.accepted, s.at) for s in steps] == [
        ("lawsuit_window_closed", False, as_timestamp("2026-03-13T09:00:00Z")),
        ("complaint_timed_out", True, DAY_90),
    ]
    assert case.state == "inventory_removal_requested"


def test_timeout_90d_refuses_early_counting_from_the_notice_not_the_denial() -> None:
    """Fired by hand on day 85, five days after a denied appeal, the complaint has stood 85 days: refused."""
    case = complained()
    sim_clock(case).advance("20d")
    accept(case, "appeal", documents=[{"kind": "invoice", "issuer": "manufacturer"}])
    sim_clock(case).advance("60d")
    accept(case, "deny")
    sim_clock(case).advance("5d")
    found = only(refuse(case, "complaint_timed_out"), "ip.timeout_90d")
    assert "85 days" in found.message


#: what the seller may try while the complaint stands, each answered by Amazon with a denial
TRIES = ("request_retraction", "dispute", "appeal", "file_counter_notice")
TRY_PAYLOADS: dict[str, dict[str, Any]] = {
    "request_retraction": {},
    "dispute": {"grounds": "false_claim"},
    "appeal": {"documents": [{"kind": "licence", "issuer": "rights_owner"}]},
    "file_counter_notice": {},
}


@given(
    complaint_type=st.sampled_from(["trademark", "copyright", "patent", "counterfeit"]),
    tries=st.lists(st.tuples(st.sampled_from(TRIES), st.integers(0, 30), st.integers(0, 9)), min_size=1, max_size=6),
)
def test_timeout_90d_falls_due_90_days_after_the_notice_whatever_is_denied(
    complaint_type: str, tries: list[tuple[str, int, int]]
) -> None:
    """Any retractions asked for and disputes, appeals or counter-notices denied in 90 days: none resolves the
    complaint, and the timer falls due 90 days after the notice."""
    case = complained(complaint_type)
    clock = sim_clock(case)
    for event, wait, review in tries:
        if clock.now() + dt.timedelta(days=wait + review) >= DAY_90:
            break
        clock.advance(f"{wait}d")
        if event == "request_retraction" and case.state != "complaint_received":
            continue
        accept(case, event, **TRY_PAYLOADS[event])
        if event != "request_retraction":
            clock.advance(f"{review}d")
            assert accept(case, "deny").target == "complaint_received"
        assert case.state in ("complaint_received", "retraction_requested")
    due = case.deadline()
    assert due is not None and (due[1].transition.event, due[0]) == ("complaint_timed_out", DAY_90)
    steps = case.advance(as_timestamp("2026-12-31T09:00:00Z"))
    assert [(s.event, s.accepted, s.at) for s in steps] == [("complaint_timed_out", True, DAY_90)]


# ------------------------------------------------------------------------------------------ the table


def test_a_removed_listing_accepts_nothing() -> None:
    """listing_removed refuses every event with state.no_transition."""
    case = countered("copyright")
    accept(case, "claimant_sues")
    for event in workflow.load(NAME).event_names:
        assert only(refuse(case, event, **_payload(event)), "state.no_transition")


def test_a_reinstated_listing_can_meet_a_new_complaint() -> None:
    """listing_reinstated is not final: a new complaint takes the listing down again."""
    case = complained()
    accept(case, "resolve_complaint", **DIRECT)
    assert accept(case, "receive_complaint", complaint_type="patent").target == "complaint_received"


def _payload(event: str) -> dict[str, Any]:
    payloads: dict[str, dict[str, Any]] = {
        "receive_complaint": {"complaint_type": "copyright"},
        "resolve_complaint": DIRECT,
        "dispute": {"grounds": "false_claim"},
        "appeal": {"documents": [{"kind": "invoice", "issuer": "rights_owner"}]},
    }
    return payloads.get(event, {})


def test_rules_say_what_they_check() -> None:
    """Each IP rule is a registered guard with a summary and the source RULES.md gives it."""
    for rule_id in RULE_IDS:
        rule = REGISTRY[rule_id]
        assert rule.kind == "guard"
        assert rule.summary.endswith(".")
        assert any(key in rule.source for key in ("SEED0", "N-IP", "A-DMCA"))
