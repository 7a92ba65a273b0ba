from __future__ import annotations

from typing import Any

import pytest

from cms.importing.errors import InvalidCell
from cms.importing.values import (
    parse_bool,
    parse_fee_items,
    parse_fen,
    parse_handling_forms,
    parse_handling_type,
    parse_item_type,
    parse_json,
    parse_level,
    parse_named_list,
    parse_number,
    parse_online_depth,
    parse_service_objects,
    parse_time_limit,
    parse_visits,
    split_list,
)


@pytest.mark.parametrize(("cell", "code"), [("01", "01"), ("1", "01"), (1, "01"), ("行政许可", "01"), ("许可", "01"),
                                             ("公共服务", "20"), ("20", "20"), ("行政确认", "07"),
                                             ("其他行政权力", "10"), ("行政权力", "00")])
def test_item_type_accepts_codes_without_leading_zero_and_names(cell: Any, code: str) -> None:
    assert parse_item_type(cell) == code


def test_unknown_item_type_names_the_allowed_values() -> None:
    with pytest.raises(InvalidCell) as caught:
        parse_item_type("许可证")
    assert "许可证" in caught.value.message
    assert "01 行政许可" in caught.value.message


@pytest.mark.parametrize(("cell", "code"), [("4", "4"), ("县级", "4"), ("县（市、区）级", "4"), ("省级", "2"),
                                             ("镇（乡、街道）级", "5"), ("村（社区）级", "6"), ("分级管理", "7")])
def test_level(cell: str, code: str) -> None:
    assert parse_level(cell) == code


def test_service_objects_split_on_any_list_punctuation_and_expand_legal_persons() -> None:
    assert parse_service_objects("自然人、企业法人") == ["1", "2"]
    assert parse_service_objects("个人;企业，自然人") == ["1", "2"]
    assert parse_service_objects("法人") == ["2", "3", "4"]
    assert parse_service_objects(["1", "3"]) == ["1", "3"]
    with pytest.raises(InvalidCell):
        parse_service_objects("自然人、外星人")


@pytest.mark.parametrize(("cell", "limit"), [
    ("20个工作日", {"value": 20, "unit": "working_days"}),
    ("20 工作日", {"value": 20, "unit": "working_days"}),
    ("60日", {"value": 60, "unit": "natural_days"}),
    ("15天内", {"value": 15, "unit": "natural_days"}),
    ("2小时", {"value": 2, "unit": "hours"}),
    ("十五个工作日", {"value": 15, "unit": "working_days"}),
    ("30个工作日（不含公示时间）", {"value": 30, "unit": "working_days", "note": "不含公示时间"}),
    ("5", {"value": 5, "unit": "working_days"}),
    ("即办", {"value": 0, "unit": "working_days", "note": "即办"}),
    ('{"value": 3, "unit": "hours"}', {"value": 3, "unit": "hours"}),
])
def test_time_limit_text(cell: str, limit: dict[str, Any]) -> None:
    assert parse_time_limit(cell) == limit


@pytest.mark.parametrize("cell", ["二十天左右", "3个月", "尽快", "20个工作日以上"])
def test_time_limit_that_cannot_be_read_is_an_error(cell: str) -> None:
    with pytest.raises(InvalidCell) as caught:
        parse_time_limit(cell)
    assert cell in caught.value.message


def test_chinese_numbers() -> None:
    assert [parse_number(text) for text in ("0", "十", "十二", "二十", "两", "一百二十", "三百零五")] == \
        [0, 10, 12, 20, 2, 120, 305]


def test_money_is_fen_from_yuan_text_and_never_a_float() -> None:
    assert parse_fen("120元") == 12000
    assert parse_fen("¥20.5") == 2050
    assert parse_fen("0.01") == 1
    for bad in ("0.001", "-1", "一百"):
        with pytest.raises(InvalidCell):
            parse_fen(bad)


def test_money_above_one_hundred_million_yuan_is_a_typo_not_a_fee() -> None:
    assert parse_fen("100000000元") == 10**10
    for bad in ("100000000.01元", "100000000000000000元", "1e400", "NaN", "Infinity"):
        with pytest.raises(InvalidCell):
            parse_fen(bad)


def test_fee_items_from_text_or_json() -> None:
    assert parse_fee_items("工本费:20元；加注费：20元") == [{"name": "工本费", "amount_fen": 2000},
                                                        {"name": "加注费", "amount_fen": 2000}]
    assert parse_fee_items('[{"name": "工本费", "amount_fen": 12000}]') == [{"name": "工本费", "amount_fen": 12000}]
    with pytest.raises(InvalidCell):
        parse_fee_items("工本费二十元")


def test_booleans_visits_depth_and_forms() -> None:
    assert [parse_bool(text) for text in ("是", "否", "收费", "不收费", "Y", "0", True)] == \
        [True, False, True, False, True, False, True]
    with pytest.raises(InvalidCell):
        parse_bool("也许")
    assert [parse_visits(text) for text in ("0", "1次", "最多跑一次", "零次", 2)] == [0, 1, 1, 0, 2]
    assert [parse_online_depth(text) for text in ("4", "Ⅳ级", "III", "二级", "全程网办", 3)] == [4, 4, 3, 2, 4, 3]
    assert parse_handling_forms("窗口办理、网上办理、快递") == ["1", "2", "4"]
    assert parse_handling_type("即办件") == "1"
    assert parse_handling_type("承诺件") == "2"


def test_lists_and_json() -> None:
    assert split_list("低保、低保申请;  城乡低保\n") == ["低保", "低保申请", "城乡低保"]
    assert parse_named_list("申请→受理→审查→决定", "name") == [{"name": "申请"}, {"name": "受理"}, {"name": "审查"},
                                                            {"name": "决定"}]
    assert parse_named_list("1. 申请\n2. 受理", "name") == [{"name": "申请"}, {"name": "受理"}]
    with pytest.raises(InvalidCell) as caught:
        parse_json('[{"name": "身份证"', expect=list)
    assert "JSON" in caught.value.message
    with pytest.raises(InvalidCell):
        parse_json('{"name": "身份证"}', expect=list)
