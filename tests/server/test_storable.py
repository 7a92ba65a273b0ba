"""What free-form JSON may hold before it is stored: keys and values BSON and MongoDB take as they are."""

from __future__ import annotations

from typing import Any

import pytest

from server.storable import MAX_DEPTH, NotStorable, check_storable


def nested(levels: int) -> Any:
    value: Any = "x"
    for _ in range(levels):
        value = {"a": value}
    return value


@pytest.mark.parametrize(("value", "path"), [
    ({"a\x00b": 1}, "/form/a\x00b"),
    ({"$where": "1"}, "/form/$where"),
    ({"x": {"$gt": 1}}, "/form/x/$gt"),
    ({"a.b": 1}, "/form/a.b"),
    ({"list": [1, {"p/q~r.s": 1}]}, "/form/list/1/p~1q~0r.s"),
    ({"n": 2**63}, "/form/n"),
    ({"n": [-(2**63) - 1]}, "/form/n/0"),
    ({"n": float("nan")}, "/form/n"),
    ({"n": float("-inf")}, "/form/n"),
    ({"when": object()}, "/form/when"),
    ({1: "x"}, "/form/1"),
])
def test_refuses_what_mongodb_cannot_store_as_it_is_and_names_the_path(value: Any, path: str) -> None:
    with pytest.raises(NotStorable) as refused:
        check_storable(value, at="/form")
    assert (refused.value.status, refused.value.code) == (422, "validation_failed")
    assert refused.value.details["fields"][0]["path"] == path
    assert path in refused.value.message


def test_accepts_what_a_form_holds() -> None:
    check_storable({"name": "张三丰", "children": 2, "income": 1234.5, "agree": True, "note": None,
                    "tags": ["a", "b"], "address": {"city": "北京", "line": "东城区 1 号 $5 a.b"},
                    "big": 2**63 - 1, "small": -(2**63), "empty": {}, "weird": "a\x00b"}, at="/form")


def test_nesting_is_limited_however_deep_the_input() -> None:
    check_storable(nested(MAX_DEPTH))
    with pytest.raises(NotStorable) as refused:
        check_storable(nested(MAX_DEPTH + 1), at="/form")
    assert refused.value.details["fields"][0]["path"] == "/form" + "/a" * MAX_DEPTH
    for levels in (300, 100_000):  # far past the interpreter's recursion limit
        with pytest.raises(NotStorable):
            check_storable(nested(levels))
    deep_list: Any = []
    for _ in range(MAX_DEPTH):
        deep_list = [deep_list]
    with pytest.raises(NotStorable):
        check_storable(deep_list)


def test_a_long_path_is_shortened_in_the_answer() -> None:
    with pytest.raises(NotStorable) as refused:
        check_storable({"k" * 10_000 + ".": 1})
    assert len(refused.value.details["fields"][0]["path"]) < 300
