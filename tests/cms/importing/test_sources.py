from __future__ import annotations

from pathlib import Path

import pytest

from cms.importing.errors import ImportFileUnreadable, UnsupportedImportFormat
from cms.importing.sources import detect_format, read_source
from tests.cms.importing.factories import write_csv, write_xlsx

HEADER = ["事项名称", "实施编码", "事项类型"]


def test_jsonl_rows_keep_their_line_numbers_and_bad_lines_are_problems(tmp_path: Path) -> None:
    path = tmp_path / "guides.jsonl"
    path.write_text('{"name": "a"}\n\n{"name": "b"\n["not", "an", "object"]\n{"name": "c"}\n', encoding="utf-8")
    source = read_source(path)
    assert [(row.line, row.cells["name"]) for row in source.rows] == [(1, "a"), (5, "c")]
    assert [problem.line for problem in source.problems] == [3, 4]


def test_a_json_array_file_gives_each_object_the_line_it_starts_on(tmp_path: Path) -> None:
    path = tmp_path / "guides.json"
    path.write_text('[\n  {"name": "a",\n   "x": [1, 2]},\n  {"name": "b"},\n  "oops"\n]\n', encoding="utf-8")
    source = read_source(path)
    assert [(row.line, row.cells["name"]) for row in source.rows] == [(2, "a"), (4, "b")]
    assert [problem.line for problem in source.problems] == [5]
    path.write_text('[{"name": "a"}\n {"name": "b"}]', encoding="utf-8")
    with pytest.raises(ImportFileUnreadable) as caught:
        read_source(path)
    assert "第 2 行" in caught.value.message


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_utf8_with_or_without_bom_and_in_gbk(tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / "guides.csv", [HEADER, ["个体工商户设立登记", "X-1", "行政许可"],
                                               ["最低生活保障", "X-2", "公共服务"]], encoding=encoding)
    source = read_source(path)
    assert source.encoding == ("gb18030" if encoding == "gb18030" else "utf-8-sig")
    assert [(row.line, row.cells) for row in source.rows] == [
        (2, {"事项名称": "个体工商户设立登记", "实施编码": "X-1", "事项类型": "行政许可"}),
        (3, {"事项名称": "最低生活保障", "实施编码": "X-2", "事项类型": "公共服务"})]


def test_csv_row_numbers_count_spreadsheet_rows_past_a_title_and_multiline_cells(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "guides.csv", [["广安区政务服务事项目录"], HEADER,
                                               ["甲", "X-1", "许可"], ["", "", ""], ["乙\n第二行", "X-2", "确认"],
                                               ["丙", "X-3", "给付"]])
    source = read_source(path)
    assert [(row.line, row.cells["实施编码"]) for row in source.rows] == [(3, "X-1"), (5, "X-2"), (6, "X-3")]


def test_xlsx_read_only_with_row_numbers(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "guides.xlsx", [[*HEADER, "到现场次数"], ["甲", "X-1", "01", 0], [None, None, None],
                                                 ["乙", "X-2", "07", 1.0]])
    source = read_source(path)
    assert source.format == "xlsx"
    assert [(row.line, row.cells["实施编码"], row.cells["到现场次数"]) for row in source.rows] == \
        [(2, "X-1", 0), (4, "X-2", 1.0)]


def test_files_that_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedImportFormat):
        detect_format(tmp_path / "guides.pdf")
    assert detect_format(tmp_path / "guides.dat", "csv") == "csv"
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"this is not a zip file")
    with pytest.raises(ImportFileUnreadable):
        read_source(broken)
    no_header = write_csv(tmp_path / "plain.csv", [["a", "b"], ["1", "2"]])
    with pytest.raises(ImportFileUnreadable):
        read_source(no_header)
    with pytest.raises(ImportFileUnreadable):
        read_source(tmp_path / "missing.csv")
