import pytest

from cms.search.field_values import FieldValues


def test_guides_get_their_best_matching_value_at_the_field_weight():
    values = FieldValues({"materials": 0.5, "department": 0.3})
    values.add(0, [("materials", "居民身份证"), ("department", "区公安分局")])
    values.add(1, [("materials", "户口簿")])
    scores = values.scores(["身份", "份证"], [1.0, 1.0], 2.0, size=3)
    assert scores is not None
    assert scores.tolist() == pytest.approx([0.5, 0.0, 0.0])
    values.remove(0, [("materials", "居民身份证")])
    assert values.scores(["身份", "份证"], [1.0, 1.0], 2.0, size=3) is None


def test_a_value_matching_under_half_of_the_query_does_not_count():
    values = FieldValues({"materials": 0.5})
    values.add(0, [("materials", "居民户口簿")])
    assert values.scores(["居民", "身份"], [1.0, 3.0], 4.0, size=1) is None


def test_a_word_in_many_values_gives_each_guide_its_best_value():
    values = FieldValues({"materials": 0.5, "department": 0.3})
    for slot in range(24):  # more values than are looked up one by one
        values.add(slot, [("department", f"第{slot}区民政局")])
    values.add(3, [("materials", "民政局证明")])
    values.add(30, [("materials", "民政局证明"), ("department", "区公安分局")])
    scores = values.scores(["民政", "政局"], [1.0, 1.0], 2.0, size=32)
    assert scores is not None
    expected = [0.3] * 24 + [0.0] * 8
    expected[3] = expected[30] = 0.5  # the better of its two values
    assert scores.tolist() == pytest.approx(expected)
