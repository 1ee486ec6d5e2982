"""Random payloads: drawn already structured, and the same payload as plain data checks back to exactly that."""

from __future__ import annotations

import functools
import json
import random
from collections import Counter

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import workflow
from workflow.amazon import generate
from workflow.amazon.payloads import Document, EscalationLetter, PlanOfAction
from workflow.core.compiled import compiled
from workflow.core.structure import PAYLOAD_TYPES, to_plain
from workflow.io.load import builtin_names

EVERY_TYPE = """
name: every_type
version: "1"
parameters:
  holidays: []
states:
  open: {initial: true}
  closed: {terminal: true}
events:
  close: {}
  everything:
    payload:
      a_str: {type: str}
      an_int: {type: int}
      a_number: {type: number}
      a_bool: {type: bool}
      a_date: {type: date}
      a_stamp: {type: timestamp}
      some_strs: {type: "list[str]"}
      a_team: {type: team}
      a_choice: {type: str, choices: [x, y, z]}
      some_choices: {type: "list[str]", choices: [p, q, r, s]}
      a_letter: {type: letter, required: true}
      a_poa: {type: poa}
      a_document: {type: document}
      documents: {type: "list[document]"}
  lone_letter:
    payload:
      letter: {type: letter}
transitions:
  - {event: everything, from: open}
  - {event: lone_letter, from: open}
  - {event: close, from: open, to: closed}
"""


@pytest.fixture(scope="module")
def every_type() -> workflow.Definition:
    return workflow.load(text=EVERY_TYPE)


def test_the_test_definition_uses_every_payload_type(every_type: workflow.Definition) -> None:
    """The definition below covers each type of the payload vocabulary, so the round trip covers every drawer."""
    used = {f.type for e in every_type.events for f in e.payload}
    assert used == set(PAYLOAD_TYPES)


def _round_trip(defn: workflow.Definition, seed: int, keep: float) -> int:
    """Checks every event of ``defn`` once from ``seed``; returns how many fields were drawn."""
    comp = compiled(defn)
    fields = 0
    for event in defn.events:
        plain = generate.payload(random.Random(seed), event, defn, keep=keep)
        built = generate.drawer(defn, event, keep=keep)(random.Random(seed))
        assert comp.check_payload(event.name, plain) == built, (event.name, seed)
        assert json.loads(json.dumps(plain)) == plain  # plain data: JSON as it stands
        fields += len(built)
    return fields


@given(seed=st.integers(0, 2**32), keep=st.sampled_from((0.0, 0.5, 0.9, 1.0)))
def test_drawn_payloads_equal_their_plain_form_checked(every_type: workflow.Definition, seed: int, keep: float) -> None:
    """Every type: checking ``payload``'s plain data gives exactly what ``drawer`` built from the same seed."""
    fields = _round_trip(every_type, seed, keep)
    assert fields >= 1  # the required letter at least
    if keep == 1.0:
        assert fields == sum(len(e.payload) for e in every_type.events)


@pytest.mark.parametrize("name", builtin_names())
def test_built_in_definitions_round_trip(name: str) -> None:
    """The built-in definitions' events, over many seeds: plain form checked equals the drawn form."""
    defn = workflow.load(name)
    assert sum(_round_trip(defn, seed, 0.9) for seed in range(150)) > 0


def test_a_drawer_is_made_once_per_definition_and_event(suspension_def: workflow.Definition) -> None:
    """The same drawer comes back for the same definition and event; another ``keep`` applies that same drawer."""
    event = suspension_def.event("submit_poa")
    made = generate.drawer(suspension_def, event)
    assert generate.drawer(suspension_def, event) is made
    other = generate.drawer(suspension_def, event, keep=0.5)
    assert other is not made and isinstance(other, functools.partial) and other.func is made
    assert other(random.Random(4)) == made(random.Random(4), keep=0.5)


def test_many_keep_values_do_not_grow_the_drawer_cache(every_type: workflow.Definition) -> None:
    """Thousands of calls with different ``keep`` values leave one cached drawer per event, and each call still
    keeps its own share of the optional fields (none at 0, all at 1)."""
    event = every_type.event("everything")
    made = generate.drawer(every_type, event)
    rng = random.Random(9)
    for _ in range(2000):
        other = generate.drawer(every_type, event, keep=rng.random())
        assert isinstance(other, functools.partial) and other.func is made  # the one cached drawer, partially applied
        other(rng)
    assert generate.drawer(every_type, event) is made
    required = {f.name for f in event.payload if f.required}
    assert set(generate.drawer(every_type, event, keep=0.0)(rng)) == required
    assert set(generate.drawer(every_type, event, keep=1.0)(rng)) == {f.name for f in event.payload}


def test_records_are_built_in_their_field_order() -> None:
    """The generator builds documents, plans and letters positionally: their fields come in this order."""
    assert [f.name for f in attrs.fields(Document)] == [
        "kind",
        "genuine",
        "legible",
        "matches_registration",
        "screenshot",
        "issued",
        "issuer",
    ]
    plan_fields = ["root_causes", "corrective_actions", "preventive_measures", "documents"]
    assert [f.name for f in attrs.fields(PlanOfAction)][:4] == plan_fields
    assert [f.name for f in attrs.fields(EscalationLetter)][:2] == ["asks_for", "key_actions"]


def test_a_letter_quotes_the_plan_drawn_with_it(suspension_def: workflow.Definition) -> None:
    """Most escalation letters restate actions of the plan drawn in the same payload (so letter rules pass)."""
    draw = generate.drawer(suspension_def, suspension_def.event("escalate"), keep=1.0)
    rng = random.Random(5)
    quoting = 0
    for _ in range(400):
        drawn = draw(rng)
        plan, letter = drawn["poa"], drawn["letter"]
        assert isinstance(plan, PlanOfAction) and isinstance(letter, EscalationLetter)
        quoting += bool(plan.actions()) and set(letter.key_actions) <= set(plan.actions())
    assert 250 < quoting < 400


def test_plans_vary_the_way_the_rules_tell_apart() -> None:
    """Over many plans: 1-3 root causes, a part left empty about one time in seven, fabricated documents."""
    rng = random.Random(11)
    plans = [generate.poa(rng) for _ in range(3000)]
    causes = Counter(len(p.get("root_causes", ())) for p in plans)
    assert set(causes) == {0, 1, 2, 3}
    empty = sum(any(not p.get(k) for k in ("root_causes", "corrective_actions", "preventive_measures")) for p in plans)
    assert 0.10 < empty / len(plans) < 0.20
    docs = [d for p in plans for d in p.get("documents", ())]
    assert 0.8 < len(docs) / len(plans) < 1.2  # 0, 1 or 2 each, evenly
    fabricated = sum(d.get("genuine") is False for d in docs)
    assert 0.10 < fabricated / len(docs) < 0.20
    for p in plans:
        issues = [c["issue"] for c in p.get("root_causes", ())]
        assert len(set(issues)) == len(issues) and set(issues) <= set(generate.ISSUES)
        assert set(p.get("corrective_actions", ())) <= set(generate.ACTIONS[:3])
        assert set(p.get("preventive_measures", ())) <= set(generate.ACTIONS[3:])


def test_documents_vary_in_every_field() -> None:
    """Each document field takes both its default and other values; an issue date is a 2025 date."""
    rng = random.Random(3)
    docs = [generate.document(rng) for _ in range(2000)]
    assert {d["kind"] for d in docs} == set(generate.DOC_KINDS)
    for name in ("genuine", "legible", "matches_registration", "screenshot", "issued", "issuer"):
        share = sum(name in d for d in docs) / len(docs)  # present only when not at the default
        assert 0.05 < share < 0.6, name
    assert all(d["issued"].startswith("2025-") for d in docs if "issued" in d)
    built = generate.document_record(random.Random(3).random)
    assert isinstance(built, Document) and to_plain(built) == docs[0]


def test_samples_are_distinct_and_cover_the_pool() -> None:
    """The partial shuffle gives k distinct items, and every item turns up in every position."""
    r = random.Random(1).random
    pool = ("a", "b", "c", "d", "e")
    seen: set[tuple[int, str]] = set()
    for k in range(1, 6):
        for _ in range(200):
            got = generate.sample(r, pool, k)
            assert len(got) == k and len(set(got)) == k and set(got) <= set(pool)
            seen.update(enumerate(got))
    assert seen == {(i, x) for i in range(5) for x in pool}


def test_an_unknown_type_is_a_key_error(suspension_def: workflow.Definition) -> None:
    """``value`` refuses a type it does not know (the payload-class catalog relies on that)."""
    field = suspension_def.event("warn").payload[0]
    with pytest.raises(KeyError):
        generate.value(random.Random(0), attrs.evolve(field, type="blob"), (), {})
