"""Strict JSON reading: a key given twice or a NUL character is named by its place, never quietly resolved."""

from __future__ import annotations

import pytest

from carehub.core import jsonbody


def test_a_repeated_key_is_named_by_its_path_at_any_depth():
    body = '{"a": 1, "survivor": {"given_name": "x", "given_name": "y"}, "a": 2, "list": [{"k": 1, "k": 2}]}'
    fields = [(p.field, p.message) for p in jsonbody.problems_in(jsonbody.parse(body))]
    assert fields == [
        ("a", "is given more than once"),
        ("list.0.k", "is given more than once"),
        ("survivor.given_name", "is given more than once"),
    ]


def test_nul_characters_in_values_and_keys_are_named():
    body = '{"survivor": {"phone": "07\\u0000"}, "tags": ["ok", "b\\u0000d"], "we\\u0000ird": 1}'
    fields = [p.field for p in jsonbody.problems_in(jsonbody.parse(body))]
    assert fields == ["survivor.phone", "tags.1", "weird"]


def test_a_clean_body_has_no_problems_and_reads_as_plain_values():
    value = jsonbody.loads_strict(b'{"a": [1, {"b": "c"}], "d": null}')
    assert value == {"a": [1, {"b": "c"}], "d": None}


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe", b"[" * 100_000 + b"]" * 100_000, b""])
def test_what_is_not_json_is_invalid_json(body):
    with pytest.raises(jsonbody.InvalidJson):
        jsonbody.parse(body)


def test_loads_strict_refuses_a_repeated_key():
    with pytest.raises(jsonbody.BodyProblems, match="perpetrator_police is given more than once"):
        jsonbody.loads_strict('{"perpetrator_police": "serving", "perpetrator_police": "no"}')


def test_a_deeply_nested_body_is_walked_without_recursion():
    depth = 500  # deep enough that a recursive walk would be a risk next to the JSON reader's own frames
    body = '{"a": ' * depth + '"\\u0000"' + "}" * depth
    [found] = jsonbody.problems_in(jsonbody.parse(body))
    assert found.field == ".".join(["a"] * depth)
