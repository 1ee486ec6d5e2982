"""Event forms built from payload schemas, and posted forms read back into payloads."""

from __future__ import annotations

import pytest

import workflow
from workflow.errors import RequestError
from workflow.web import forms
from workflow.web.schema import payload_schema


def tree(definition: str, event: str) -> tuple[forms.Field, ...]:
    return forms.fields(payload_schema(workflow.load(definition), event))


def test_fields_follow_the_schema() -> None:
    """A plan of action is a group of groups: lists of records get record slots, lists of text get text slots."""
    by_name = {f.name: f for f in forms.leaves(tree("account_suspension", "submit_poa"))}
    assert by_name["p.poa.root_causes.0.issue"].required  # required inside its record
    assert by_name["p.poa.documents.1.genuine"].kind == "bool"
    assert by_name["p.poa.documents.0.issued"].kind == "date"
    assert by_name["p.channel"].kind == "choice" and "email" in by_name["p.channel"].choices
    assert sum(1 for n in by_name if n.startswith("p.poa.corrective_actions.")) == forms.SCALAR_SLOTS
    assert sum(1 for n in by_name if n.startswith("p.poa.root_causes.") and n.endswith(".issue")) == forms.RECORD_SLOTS


def test_read_builds_the_payload_and_drops_empty_slots() -> None:
    """Filled fields land at their paths; empty fields and slots are left out; yes/no become booleans."""
    form = {
        "p.poa.root_causes.0.issue": "order_defect_rate",
        "p.poa.root_causes.1.issue": " ",
        "p.poa.corrective_actions.0": "",
        "p.poa.corrective_actions.1": "moved carriers",
        "p.poa.documents.0.kind": "invoice",
        "p.poa.documents.0.genuine": "false",
        "p.channel": "email",
    }
    assert forms.read(tree("account_suspension", "submit_poa"), form) == {
        "poa": {
            "root_causes": [{"issue": "order_defect_rate"}],
            "corrective_actions": ["moved carriers"],
            "documents": [{"kind": "invoice", "genuine": False}],
        },
        "channel": "email",
    }
    assert forms.read(tree("account_suspension", "submit_poa"), {}) == {}


def test_numbers_are_read_as_numbers_or_refused_with_their_path() -> None:
    """A number field gives a float; text that is no number is a 422 naming the field."""
    fields = tree("account_suspension", "warn")
    assert forms.read(fields, {"p.value": "0.012"}) == {"value": 0.012}
    with pytest.raises(RequestError) as e:
        forms.read(fields, {"p.value": "lots"})
    assert (e.value.status, e.value.path) == (422, "payload.value")
