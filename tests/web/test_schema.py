"""JSON Schema from the code's types: records, lists, choices, nullable fields; payloads and facts of definitions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import workflow
from workflow.web.bodies import NewEvent
from workflow.web.schema import facts_schema, payload_schema, type_schema


def test_records_become_objects_with_their_required_fields() -> None:
    """A record's fields without defaults are required; unknown fields are refused; lists and nullables follow."""
    poa = type_schema(workflow.PlanOfAction)
    assert poa["additionalProperties"] is False and "required" not in poa
    document = poa["properties"]["documents"]["items"]
    assert document["required"] == ["kind"]
    assert document["properties"]["issued"] == {"type": ["string", "null"], "format": "date"}
    assert document["properties"]["kind"]["minLength"] == 1


def test_records_go_to_components_when_asked() -> None:
    """With a components table, a record is a $ref and its schema is kept there once."""
    refs: dict[str, Any] = {}
    assert type_schema(NewEvent, refs) == {"$ref": "#/components/schemas/NewEvent"}
    assert refs["NewEvent"]["required"] == ["event"]
    version = refs["NewEvent"]["properties"]["expected_version"]
    assert version["anyOf"] == [{"type": "integer", "minimum": 0}, {"type": "null"}]
    assert "409" in version["description"]


@pytest.mark.parametrize("name", workflow.builtin_names())
def test_payload_schemas_match_the_declared_fields(name: str) -> None:
    """Each event's payload schema names exactly its declared fields, the required ones required, choices as enums."""
    defn = workflow.load(name)
    for event in defn.events:
        schema = payload_schema(defn, event.name)
        assert list(schema["properties"]) == [f.name for f in event.payload]
        assert schema.get("required", []) == [f.name for f in event.payload if f.required]
        for f in event.payload:
            if f.choices and f.type == "str":
                assert schema["properties"][f.name]["enum"] == list(f.choices)


def test_facts_schema() -> None:
    """A definition's facts are typed as declared and none is required."""
    facts = facts_schema(workflow.load("account_suspension"))
    assert facts["properties"]["rejections"]["type"] == "integer"
    assert facts["properties"]["esr_reviewed"]["type"] == "boolean"
    assert "required" not in facts


def test_a_type_without_schema_is_refused() -> None:
    """A type the generator does not know is an error, not an empty schema."""
    with pytest.raises(TypeError):
        type_schema(dt.timedelta)
