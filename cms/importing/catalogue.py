"""Rows of a provincial portal's item list, as crawled into ``catalog_guangan.jsonl``.

Such a row has the name, the implementing department (name and the portal's department code), the item
code, the region code and the item type code (``task_type``, without its leading zero). The item code is
the implementation code and stays opaque; two facts are read out of it at import time only, because the
list has no other source for them: the basic code (the segments before the region code, e.g.
``511A0138000000`` or ``G-000007-001``) and the implementing body's unified social credit code (the
segment after ``<region>-000``, kept only when its GB 32100 check character is right).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cms.importing.columns import CellProblem, DepartmentRef, MappedRow
from cms.importing.errors import InvalidCell
from cms.importing.values import clean_text, parse_item_type
from server.errors import AppError
from server.identity.codes import validate_credit_code

CATALOGUE_KEYS = frozenset({"item_code", "task_type", "department_code"})


def is_catalogue_row(cells: Mapping[str, Any]) -> bool:
    return cells.keys() >= CATALOGUE_KEYS


def level_of_region(region_code: str) -> str | None:
    """GB/T 2260 + town/village digits: 51 0000 -> 省级, 5116 00 -> 市级, 511602 -> 县级, deeper -> 镇/村."""
    if len(region_code) not in (6, 12) or not region_code.isdigit():
        return None
    code = region_code.ljust(12, "0")
    if code[2:] == "0" * 10:
        return "2"
    if code[4:] == "0" * 8:
        return "3"
    if code[6:] == "0" * 6:
        return "4"
    if code[9:] == "000":
        return "5"
    return "6"


def split_item_code(item_code: str, region_code: str) -> tuple[str | None, str | None]:
    """(basic code, credit code) found around the region code in an item code; None where absent."""
    segments = item_code.split("-")
    if region_code not in segments:
        return None, None
    at = segments.index(region_code)
    basic_code = "-".join(segments[:at]) or None
    credit_code = None
    if at + 2 < len(segments) and len(segments[at + 2]) == 18:
        try:
            credit_code = validate_credit_code(segments[at + 2])
        except AppError:
            credit_code = None
    return basic_code, credit_code


def map_catalogue_row(cells: Mapping[str, Any]) -> MappedRow:
    row = MappedRow()
    name = clean_text(cells.get("name"))
    item_code = clean_text(cells.get("item_code"))
    region_code = clean_text(cells.get("region_code"))
    department_code = clean_text(cells.get("department_code"))
    guide: dict[str, Any] = {"name": name, "implementation_code": item_code}
    try:
        guide["item_type"] = parse_item_type(cells.get("task_type"))
    except InvalidCell as exc:
        row.problems.append(CellProblem(field="item_type", column="task_type", message=exc.message))
    basic_code, credit_code = split_item_code(item_code, region_code)
    if basic_code:
        guide["basic_code"] = basic_code
    if region_code:
        guide["region_code"] = region_code
        level = level_of_region(region_code)
        if level:
            guide["level"] = level
    if department_code:
        guide["department_id"] = department_code
    row.guide = guide
    row.department = DepartmentRef(id=department_code or None, name=clean_text(cells.get("department")) or None,
                                   credit_code=credit_code)
    return row
