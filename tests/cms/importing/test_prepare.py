from __future__ import annotations

from pathlib import Path
from typing import Any

from cms.importing.prepare import Department, Directory, prepare
from cms.importing.sources import Source, SourceRow, read_source
from tests.cms.importing.factories import BROKEN_CSV_BAD_LINES, write_broken_csv


def _source(*rows: dict[str, Any]) -> Source:
    return Source(format="jsonl", rows=[SourceRow(line, cells) for line, cells in enumerate(rows, start=1)])


def test_every_bad_row_of_a_broken_file_is_reported_and_the_good_rows_go_on(tmp_path: Path) -> None:
    prepared = prepare(read_source(write_broken_csv(tmp_path / "broken.csv")), Directory())
    assert {problem.line: problem.field for problem in prepared.problems} == BROKEN_CSV_BAD_LINES
    assert [guide.line for guide in prepared.guides] == [2, 4, 9]
    duplicate = next(problem for problem in prepared.problems if problem.line == 8)
    assert "第 2 行" in duplicate.message
    assert prepared.departments == [Department(id="11511301008778298W", name="区民政局",
                                                       credit_code="11511301008778298W", region_code=None)]


def test_schema_problems_name_the_nested_field() -> None:
    prepared = prepare(_source({"name": "x", "implementation_code": "c", "item_type": "20", "department_id": "d",
                                "department": "区民政局", "materials": [{"name": "身份证", "copies": -1}],
                                "online_depth": 9}), Directory())
    assert sorted((p.field, p.message) for p in prepared.problems) == [("materials/0/copies", "不能小于 0"),
                                                                       ("online_depth", "不能大于 4")]


def test_a_department_named_without_a_code_is_found_in_the_file_or_the_managed_list() -> None:
    base = {"item_type": "20"}
    prepared = prepare(_source({**base, "name": "a", "implementation_code": "A", "department": "区民政局",
                                "department_code": "MZ"},
                               {**base, "name": "b", "implementation_code": "B", "department": "区民政局"},
                               {**base, "name": "c", "implementation_code": "C", "department": "区残联"},
                               {**base, "name": "d", "implementation_code": "D", "department": "区税务局"},
                               {**base, "name": "e", "implementation_code": "E", "department_id": "unknown"}),
                       Directory(departments={"CL": Department("CL", "区残联")}))
    assert [(g.guide["name"], g.guide["department_id"]) for g in prepared.guides] == [("a", "MZ"), ("b", "MZ"),
                                                                                       ("c", "CL")]
    assert [(p.line, p.field) for p in prepared.problems] == [(4, "department_id"), (5, "department_id")]
    # Only a department new to the managed list is ensured; a known one named by name alone is left alone.
    assert [d.id for d in prepared.departments] == ["MZ"]


def test_an_import_fills_in_missing_department_codes_but_never_renames() -> None:
    directory = Directory(departments={"MZ": Department("MZ", "广安区民政局"),
                                       "CL": Department("CL", "区残联", "11511301452259996U", "511602000000")})
    prepared = prepare(_source(
        {"name": "a", "implementation_code": "A", "item_type": "20", "department": "区民政局", "department_code": "MZ",
         "department_credit_code": "11511301008778298W", "region_code": "511602000000"},
        {"name": "b", "implementation_code": "B", "item_type": "20", "department": "残联", "department_code": "CL",
         "department_credit_code": "11511301008778298W"}), directory)
    assert prepared.problems == []
    assert prepared.departments == [Department("MZ", "广安区民政局", "11511301008778298W", "511602000000")]


def test_themes_are_resolved_by_id_or_name_and_unknown_ones_reported() -> None:
    directory = Directory(departments={"MZ": Department("MZ", "区民政局")},
                          themes={"social_assistance": "社会救助", "birth": "生育收养"})
    prepared = prepare(_source(
        {"name": "a", "implementation_code": "A", "item_type": "20", "department_id": "MZ",
         "themes": "社会救助、birth、社会救助"},
        {"name": "b", "implementation_code": "B", "item_type": "20", "department_id": "MZ", "themes": ["火星移民"]}),
        directory)
    assert prepared.guides[0].guide["themes"] == ["social_assistance", "birth"]
    assert [(p.line, p.field) for p in prepared.problems] == [(2, "themes")]
    assert "火星移民" in prepared.problems[0].message


def test_department_codes_must_suit_the_department_list() -> None:
    base = {"item_type": "20", "department": "区民政局"}
    prepared = prepare(_source({**base, "name": "a", "implementation_code": "A", "department_code": "民政 01"},
                               {**base, "name": "b", "implementation_code": "B", "department_code": "MZ",
                                "department_credit_code": "11511301008778298A"},
                               {**base, "name": "c", "implementation_code": "C", "department_code": "MZ"},
                               {"name": "d", "implementation_code": "D", "item_type": "20", "department_id": "MZ"}),
                       Directory())
    assert [(p.line, p.field) for p in prepared.problems] == [(1, "department_id"), (2, "department_id")]
    # Row 4 names no department, but row 3 of the same file describes MZ.
    assert [g.line for g in prepared.guides] == [3, 4]
