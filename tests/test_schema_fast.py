"""``Schema.fast`` answers as ``check`` does: the same value when there is no fault, INVALID when there is one."""

from __future__ import annotations

import random
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

import workflow
from workflow.core.compiled import compiled
from workflow.io import schema as s
from workflow.run import generate

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.floats(allow_nan=True) | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)


def _same(schema: s.Schema, value: Any) -> None:
    checked, faults = s.run(schema, value)
    fast = s.fast_of(schema)(value)
    if faults:
        assert fast is s.INVALID
    else:
        assert fast is not s.INVALID and fast == checked
    assert s.run_fast(schema, value) == (checked, faults)
    compiled_fast = s.compile_fast(schema)(value)
    assert compiled_fast is s.INVALID if faults else compiled_fast == checked


def _mutate(rng: random.Random, value: Any, json: Any) -> Any:
    """``value`` with one part replaced by ``json`` (or dropped), somewhere inside it."""
    if isinstance(value, dict) and value:
        key = rng.choice(sorted(value))
        out = dict(value)
        roll = rng.random()
        if roll < 0.2:
            del out[key]
        elif roll < 0.6:
            out[key] = _mutate(rng, value[key], json)
        else:
            out[key] = json
        return out
    if isinstance(value, list) and value:
        i = rng.randrange(len(value))
        return [*value[:i], _mutate(rng, value[i], json), *value[i + 1 :]]
    return json


@given(seed=st.integers(0, 10_000), json=json_values)
def test_fast_agrees_with_check_on_payloads(suspension_def: workflow.Definition, seed: int, json: Any) -> None:
    """Generated payloads, each also with one part replaced by arbitrary JSON: fast and check agree."""
    rng = random.Random(seed)
    event = rng.choice(suspension_def.events)
    spec = compiled(suspension_def).payloads[event.name]
    valid = generate.payload(rng, event, suspension_def)
    _same(spec, valid)
    _same(spec, _mutate(rng, valid, json))
    _same(spec, json)


@given(json=json_values)
def test_fast_agrees_with_check_on_every_kind(json: Any) -> None:
    """Each schema kind, on arbitrary JSON values."""
    kinds: list[s.Schema] = [
        s.Str(),
        s.Str(choices=("a", "b"), nonempty=True),
        s.Int(minimum=0),
        s.Number(minimum=0),
        s.Bool(),
        s.Scalar(),
        s.Timestamp(),
        s.Date(),
        s.ListOf(s.Int(), min_len=1),
        s.ListOf(s.Str(), single_ok=True),
        s.MapOf(s.Scalar(), min_len=1),
        s.Optional(s.ListOf(s.Str()), ()),
        s.Optional(s.Int()),
        s.AnyOf((s.Int(), s.Str(nonempty=True))),
        s.record("r", a=s.Field(s.Int(), required=True), b=s.Field(s.Str(), default="x")),
    ]
    for schema in kinds:
        _same(schema, json)


def test_a_faulty_payload_still_gets_every_fault(suspension_def: workflow.Definition) -> None:
    """run_fast falls back to check: two faults in one payload are both reported, with their paths."""
    spec = compiled(suspension_def).payloads["submit_poa"]
    _, faults = s.run_fast(spec, {"to": 3, "poa": {"root_causes": [{"text": "x"}]}, "extra": 1})
    paths = sorted(str(p) for p, _ in faults)
    assert len(faults) == 3, faults
    assert any("extra" in p for p in paths) and any("root_causes" in p for p in paths)


def _unsimple_classes() -> list[type]:
    """Record classes whose ``__init__`` does more than store its arguments, one reason each."""
    import attrs

    @attrs.frozen
    class Validated:
        n: int = attrs.field(validator=attrs.validators.gt(0))

    @attrs.frozen
    class Converted:
        n: int = attrs.field(converter=abs)

    @attrs.frozen
    class Factoried:
        n: tuple[int, ...] = attrs.field(factory=tuple)

    @attrs.frozen
    class PostInit:
        n: int

        def __attrs_post_init__(self) -> None:
            if self.n < 0:
                raise ValueError("negative")

    @attrs.frozen
    class Private:
        _n: int

    @attrs.frozen
    class NotInInit:
        n: int = attrs.field(init=False, default=0)

    @attrs.frozen(cache_hash=True)
    class CachedHash:
        n: int

    @attrs.frozen(slots=False)
    class NoSlots:
        n: int

    return [Validated, Converted, Factoried, PostInit, Private, NotInInit, CachedHash, NoSlots]


def test_records_built_by_their_init_when_it_does_more_than_store() -> None:
    """A record class whose ``__init__`` validates, converts, defaults, renames or caches is built through it."""
    for cls in _unsimple_classes():
        assert not s.RecordBuilder(cls).simple, cls.__name__


def test_a_validated_record_is_checked_by_its_class_on_the_fast_path() -> None:
    """The fast check of a record with a validator builds through ``__init__``: the validator runs."""
    import attrs
    import pytest

    @attrs.frozen
    class Positive:
        n: int = attrs.field(validator=attrs.validators.gt(0))
        label: str = ""

    schema = s.record(
        "a positive", s.RecordBuilder(Positive), n=s.Field(s.Int(), required=True), label=s.Field(s.Str(), default="")
    )
    fast = s.compile_fast(schema)
    assert fast({"n": 2}) == Positive(2) == s.run(schema, {"n": 2})[0]
    with pytest.raises(ValueError):
        fast({"n": -1})
    assert fast({"n": 2, "other": 1}) is s.INVALID and fast({"label": "x"}) is s.INVALID


def test_choice_and_string_list_fast_checks_agree_with_check() -> None:
    """Strings with choices and lists of strings: the compiled checks answer as ``check`` does, str subclasses too."""

    class Name(str):
        pass

    choice = s.Str(choices=("email", "phone"))
    strs = s.ListOf(s.Str())
    values: list[object] = ["email", Name("phone"), "fax", "", 3, None, b"email", ["email"]]
    for value in values:
        for schema in (choice, strs):
            checked, faults = s.run(schema, value)
            fast = s.compile_fast(schema)(value)
            assert (fast is s.INVALID) == bool(faults), (schema, value)
            if not faults:
                assert fast == checked
    for items in (["a", Name("b")], ("a",), [], ["a", 1], "ab", [None]):
        checked, faults = s.run(strs, items)
        fast = s.compile_fast(strs)(items)
        assert (fast is s.INVALID) == bool(faults) and (faults or fast == checked), items


def test_payload_records_checked_fast_match_the_slow_check() -> None:
    """The fast check of a payload record sets defaults, refuses unknown and missing keys, as ``check`` does."""
    from workflow.amazon.payloads import Document

    schema = compiled(workflow.load("account_suspension")).payloads["provide_info"].fields["documents"].schema
    fast = s.compile_fast(schema)
    for docs in ([{"kind": "invoice"}], [{"kind": "id", "genuine": False, "issued": "2025-01-02"}], []):
        assert fast(docs) == s.run(schema, docs)[0]
    assert fast([{"kind": "invoice"}])[0] == Document(kind="invoice")
    for bad in (
        [{"kind": "invoice", "colour": "red"}],
        [{"genuine": True}],
        [{"kind": ""}],
        [{"kind": "x", "genuine": 1}],
    ):
        assert fast(bad) is s.INVALID and s.run(schema, bad)[1]
