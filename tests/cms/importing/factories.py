"""Import files written by the tests: a deliberately broken CSV and small good files in every format."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import openpyxl

HEADER = ["事项名称", "实施编码", "事项类型", "实施主体", "实施主体统一社会信用代码", "服务对象", "法定办结时限",
          "承诺办结时限", "是否收费", "到现场次数", "材料"]
_MATERIALS = json.dumps([{"name": "居民身份证", "originals": 1, "copies": 1, "accepts_e_licence": True}],
                        ensure_ascii=False)
_DEPT = ["区民政局", "11511301008778298W"]

# Spreadsheet row -> the field its problem is reported under.
BROKEN_CSV_BAD_LINES = {3: "name", 5: "item_type", 6: "materials", 7: "legal_time_limit", 8: "implementation_code"}


def write_broken_csv(path: Path) -> Path:
    rows = [
        HEADER,
        ["最低生活保障", "MZ-001", "公共服务", *_DEPT, "自然人", "30个工作日", "20个工作日", "否", "1", _MATERIALS],
        ["", "MZ-002", "公共服务", *_DEPT, "自然人", "", "", "否", "0", ""],                       # 3: no name
        ["临时救助", "MZ-003", "行政给付", *_DEPT, "自然人", "即办", "即办", "否", "1", ""],
        ["特困人员认定", "MZ-004", "许可证", *_DEPT, "自然人", "", "", "否", "1", ""],              # 5: item type
        ["残疾人两项补贴", "MZ-005", "公共服务", *_DEPT, "自然人", "", "", "否", "1", '[{"name": '],  # 6: JSON
        ["孤儿认定", "MZ-006", "行政确认", *_DEPT, "自然人", "二十天左右", "", "否", "1", ""],      # 7: time limit
        ["最低生活保障（重复）", "MZ-001", "公共服务", *_DEPT, "自然人", "", "", "否", "1", ""],     # 8: duplicate
        ["结婚登记预约", "MZ-007", "20", *_DEPT, "个人", "", "", "否", "0", ""],
    ]
    return write_csv(path, rows)


def write_csv(path: Path, rows: list[list[str]], *, encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[Any]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path
