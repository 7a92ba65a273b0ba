from __future__ import annotations

from cms.importing.catalogue import is_catalogue_row, level_of_region, map_catalogue_row, split_item_code


def _row(**overrides: str) -> dict[str, str]:
    row = {"name": "适龄儿童、少年因身体状况需要延缓入学或者休学审批", "department": "区教科体局", "group": "未分类",
           "item_code": "511A0138000000-511602000000-000-115113010833722043-1-00", "region_code": "511602000000",
           "department_code": "083372204", "task_type": "1", "guide_url": "http://example.invalid/"}
    row.update(overrides)
    return row


def test_a_catalogue_row_becomes_a_guide_with_its_department() -> None:
    row = map_catalogue_row(_row())
    assert row.problems == []
    assert row.guide == {"name": "适龄儿童、少年因身体状况需要延缓入学或者休学审批",
                         "implementation_code": "511A0138000000-511602000000-000-115113010833722043-1-00",
                         "item_type": "01", "basic_code": "511A0138000000", "region_code": "511602000000",
                         "level": "4", "department_id": "083372204"}
    assert row.department.name == "区教科体局"
    assert row.department.credit_code == "115113010833722043"


def test_item_code_shapes_seen_in_the_catalogue() -> None:
    assert split_item_code("G-000007-001-511602000000-000-115113010833722043-1-00", "511602000000") == \
        ("G-000007-001", "115113010833722043")
    # An organisation code (with its own dash) where the credit code would be: no credit code.
    assert split_item_code("512C0107400001-511602000000-000-00877868-5-1-00", "511602000000") == \
        ("512C0107400001", None)
    # A check character that does not verify is not a credit code.
    assert split_item_code("511Z07001006-511602000000-000-11511301008778183A-1-00", "511602000000") == \
        ("511Z07001006", None)
    # No region code in it: nothing can be read, and that is fine (the code stays opaque).
    assert split_item_code("E-000004-001-11511301008778386B", "511602000000") == (None, None)


def test_unknown_task_type_is_a_problem_of_that_row() -> None:
    row = map_catalogue_row(_row(task_type="99"))
    assert [p.field for p in row.problems] == ["item_type"]


def test_levels_from_region_codes() -> None:
    assert [level_of_region(code) for code in ("510000000000", "511600000000", "511602000000", "511602001000",
                                                "511602001002", "511602", "x")] == ["2", "3", "4", "5", "6", "4", None]


def test_catalogue_rows_are_recognised_by_their_keys() -> None:
    assert is_catalogue_row(_row())
    assert not is_catalogue_row({"name": "x", "implementation_code": "y"})
