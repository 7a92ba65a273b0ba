from __future__ import annotations

from cms.importing.columns import DepartmentRef, column_for, map_row


def test_chinese_and_english_headers_map_to_the_same_field() -> None:
    for header in ("事项名称", "事项名称*", " 事项 名称 ", "name", "NAME"):
        column = column_for(header)
        assert column is not None, header
        assert column.target == "name", header
    assert column_for("实施编码").target == "implementation_code"  # type: ignore[union-attr]
    assert column_for("法定办结时限（工作日）").target == "legal_time_limit"  # type: ignore[union-attr]
    assert column_for("备注") is None


def test_a_full_spreadsheet_row_becomes_a_guide() -> None:
    row = map_row({
        "事项名称": "普通护照签发", "实施编码": "X-1", "基本编码": "511A0116400001", "事项类型": "行政许可",
        "行使层级": "县级", "实施主体": "区公安分局", "实施主体编码": "1151130000877869M",
        "服务对象": "自然人", "法定办结时限": "15日", "承诺办结时限": "7个工作日", "办件类型": "承诺件",
        "是否收费": "是", "收费标准": "普通护照工本费:120元", "收费依据": "发改价格〔2019〕914号",
        "是否支持网上支付": "是", "到现场次数": "1", "网上办理深度": "Ⅲ级", "办理地点": "出入境大厅",
        "咨询电话": "12367", "别名": "护照、办护照", "结果名称": "普通护照",
        "材料": '[{"name": "居民身份证", "originals": 1}]', "备注": "ignored",
    })
    assert row.problems == []
    assert row.ignored == ["备注"]
    assert row.department == DepartmentRef(id="1151130000877869M", name="区公安分局", credit_code=None)
    assert row.guide == {
        "name": "普通护照签发", "implementation_code": "X-1", "basic_code": "511A0116400001", "item_type": "01",
        "level": "4", "department_id": "1151130000877869M", "service_objects": ["1"],
        "legal_time_limit": {"value": 15, "unit": "natural_days"},
        "promised_time_limit": {"value": 7, "unit": "working_days"}, "handling_type": "2",
        "fees": {"charged": True, "items": [{"name": "普通护照工本费", "amount_fen": 12000}],
                 "basis": "发改价格〔2019〕914号"},
        "payment_online": True, "visits_required": 1, "online_depth": 3, "place": "出入境大厅",
        "consult_phone": "12367", "aliases": ["护照", "办护照"], "result": {"name": "普通护照"},
        "materials": [{"name": "居民身份证", "originals": 1}],
    }


def test_every_bad_cell_of_a_row_is_reported_with_its_column() -> None:
    row = map_row({"事项名称": "x", "事项类型": "许可证", "法定办结时限": "二十天左右", "材料": '[{"name": '})
    assert [(p.field, p.column) for p in row.problems] == [("item_type", "事项类型"),
                                                            ("legal_time_limit", "法定办结时限"),
                                                            ("materials", "材料")]
    assert "item_type" not in row.guide


def test_empty_cells_are_left_out_and_a_credit_code_can_stand_for_the_department() -> None:
    row = map_row({"事项名称": "x", "办理地点": "  ", "统一社会信用代码": "11511301008778298W", "是否收费": "否"})
    assert row.guide == {"name": "x", "department_id": "11511301008778298W",
                         "fees": {"charged": False}}
    assert row.department.credit_code == "11511301008778298W"


def test_plain_text_materials_become_named_slots() -> None:
    row = map_row({"材料": "居民身份证、居民户口簿"})
    assert row.guide["materials"] == [{"name": "居民身份证"}, {"name": "居民户口簿"}]
