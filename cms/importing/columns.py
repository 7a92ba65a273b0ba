"""From a row of named cells (a spreadsheet row under its header, or one JSON object) to a guide.

Headers are matched after ``values.normalise_label`` (width, brackets, spaces and a required-field star
do not matter), in Chinese as catalogues write them or as the guide's own field names. Nested fields
(materials, process steps, FAQ, fee items) are JSON text in a cell, or already JSON in a JSON-lines row.
The implementing body comes as a name, a department code and/or a credit code; which department the
guide belongs to is decided by the importer, which knows the managed department list.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cms.guides.model import GUIDE_FIELDS
from cms.importing.errors import InvalidCell
from cms.importing.values import (
    clean_text,
    normalise_label,
    parse_bool,
    parse_fee_items,
    parse_handling_forms,
    parse_handling_mode,
    parse_handling_type,
    parse_item_type,
    parse_json,
    parse_level,
    parse_named_list,
    parse_online_depth,
    parse_service_objects,
    parse_time_limit,
    parse_visits,
    split_list,
)

# Targets that are not guide fields themselves.
DEPARTMENT_NAME = "department"
DEPARTMENT_CODE = "department_code"
DEPARTMENT_CREDIT_CODE = "department_credit_code"
FEES_CHARGED = "fees.charged"
FEE_ITEMS = "fees.items"
FEES_BASIS = "fees.basis"
RESULT_NAME = "result.name"


def _text(value: Any) -> str:
    return clean_text(value)


def _materials(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, list):
        return value
    text = clean_text(value)
    if text.startswith(("[", "{")):
        parsed = parse_json(text, expect=list)
        return parsed if isinstance(parsed, list) else []
    return [{"name": name} for name in split_list(text)]


def _json_object(value: Any) -> Any:
    return parse_json(value, expect=dict)


def _json_list(value: Any) -> Any:
    return parse_json(value, expect=list)


@dataclass(frozen=True)
class Column:
    target: str
    parse: Callable[[Any], Any]
    headers: tuple[str, ...]


COLUMNS: tuple[Column, ...] = (
    Column("name", _text, ("事项名称", "实施清单名称", "办理项名称", "名称", "item_name")),
    Column("aliases", split_list, ("别名", "俗称", "常用名称", "关键词", "通俗名称")),
    Column("basic_code", _text, ("基本编码", "事项基本编码", "基本目录编码")),
    Column("implementation_code", _text, ("实施编码", "事项实施编码", "实施清单编码", "事项编码", "item_code")),
    Column("item_type", parse_item_type, ("事项类型", "权力类型", "事项类别", "task_type")),
    Column("level", parse_level, ("行使层级", "层级", "实施层级")),
    Column("region_code", _text, ("行政区划代码", "区划代码", "区划编码", "行政区划编码")),
    Column("department_id", _text, ("部门id", "部门标识")),
    Column(DEPARTMENT_NAME, _text, ("实施主体", "实施主体名称", "实施机构", "部门", "部门名称", "办理部门",
                                    "department_name")),
    Column(DEPARTMENT_CODE, _text, ("部门编码", "部门代码", "实施主体编码", "实施机构编码")),
    Column(DEPARTMENT_CREDIT_CODE, _text, ("实施主体统一社会信用代码", "统一社会信用代码", "实施主体代码",
                                           "实施机构统一社会信用代码", "credit_code")),
    Column("service_objects", parse_service_objects, ("服务对象", "办理对象")),
    Column("themes", split_list, ("主题", "主题分类", "服务主题", "事项主题")),
    Column("summary", _text, ("事项简介", "简介", "概述", "说明")),
    Column("conditions", _text, ("受理条件", "申请条件", "办理条件")),
    Column("process_steps", lambda value: parse_named_list(value, "name"),
           ("办理流程", "流程", "办事流程", "process")),
    Column("legal_basis", _text, ("设定依据", "法律依据", "实施依据", "依据")),
    Column("legal_time_limit", parse_time_limit, ("法定办结时限", "法定时限", "法定期限")),
    Column("promised_time_limit", parse_time_limit, ("承诺办结时限", "承诺时限", "承诺期限")),
    Column("handling_type", parse_handling_type, ("办件类型",)),
    Column("handling_mode", parse_handling_mode, ("网办模式", "网上办理模式", "核验方式")),
    Column("handling_forms", parse_handling_forms, ("办理形式", "办理方式")),
    Column("online_depth", parse_online_depth, ("网上办理深度", "网办深度", "办理深度")),
    Column("visits_required", parse_visits, ("到现场次数", "到办事现场次数", "跑动次数", "最多跑动次数")),
    Column("fees", _json_object, ("收费信息",)),
    Column(FEES_CHARGED, parse_bool, ("是否收费", "收费", "charged")),
    Column(FEE_ITEMS, parse_fee_items, ("收费项目", "收费标准", "收费明细", "fee_items")),
    Column(FEES_BASIS, _text, ("收费依据", "fee_basis")),
    Column("payment_online", parse_bool, ("是否支持网上支付", "网上支付", "支持网上支付")),
    Column("express_delivery", parse_bool, ("是否支持物流快递", "物流快递", "支持物流快递", "是否支持快递")),
    Column("appointment", parse_bool, ("是否支持预约", "预约办理", "支持预约")),
    Column("place", _text, ("办理地点", "受理地点", "办公地点")),
    Column("hours", _text, ("办理时间", "受理时间", "办公时间")),
    Column("consult_phone", _text, ("咨询电话", "咨询方式")),
    Column("complaint_phone", _text, ("监督电话", "投诉电话", "监督投诉电话", "投诉方式")),
    Column("faq", _json_list, ("常见问题", "问答")),
    Column("result", _json_object, ("结果信息",)),
    Column(RESULT_NAME, _text, ("结果名称", "办理结果", "审批结果", "结果证照名称", "result_name")),
    Column("materials", _materials, ("材料", "申请材料", "申请材料清单", "材料清单", "所需材料")),
)

_BY_HEADER: dict[str, Column] = {}
for _column in COLUMNS:
    for _header in (*_column.headers, _column.target):
        _BY_HEADER[normalise_label(_header)] = _column
# A field added to the model later imports by its own name before it gets a column entry here.
for _field in GUIDE_FIELDS:
    _BY_HEADER.setdefault(normalise_label(_field), Column(_field, lambda value: value, ()))


def column_for(header: str) -> Column | None:
    key = normalise_label(header)
    # "法定办结时限（工作日）", "事项名称*": the part before a bracket names the column.
    return _BY_HEADER.get(key) or _BY_HEADER.get(key.split("(")[0])


@dataclass(frozen=True)
class DepartmentRef:
    """The implementing body as the row names it; any part may be missing."""

    id: str | None = None
    name: str | None = None
    credit_code: str | None = None


@dataclass(frozen=True)
class CellProblem:
    field: str
    column: str | None
    message: str


@dataclass
class MappedRow:
    guide: dict[str, Any] = field(default_factory=dict)
    department: DepartmentRef = field(default_factory=DepartmentRef)
    problems: list[CellProblem] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def map_row(cells: Mapping[str, Any]) -> MappedRow:
    """Parse every known cell; unparseable cells become problems, unknown headers are listed as ignored."""
    row = MappedRow()
    values: dict[str, Any] = {}
    for header, raw in cells.items():
        column = column_for(header)
        if column is None:
            row.ignored.append(header)
            continue
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        try:
            values[column.target] = column.parse(raw)
        except InvalidCell as exc:
            row.problems.append(CellProblem(field=column.target.split(".")[0], column=header, message=exc.message))
    _assemble(values, row)
    return row


def _assemble(values: dict[str, Any], row: MappedRow) -> None:
    fees = values.pop("fees", None)
    charged = values.pop(FEES_CHARGED, None)
    items = values.pop(FEE_ITEMS, None)
    basis = values.pop(FEES_BASIS, None)
    if fees is not None or charged is not None or items is not None or basis:
        fees = dict(fees or {})
        if items is not None:
            fees["items"] = items
        if basis:
            fees["basis"] = basis
        if charged is not None:
            fees["charged"] = charged
        fees.setdefault("charged", bool(fees.get("items")))
        values["fees"] = fees
    result_name = values.pop(RESULT_NAME, None)
    if result_name:
        values["result"] = {**(values.get("result") or {}), "name": result_name}
    name = values.pop(DEPARTMENT_NAME, None)
    code = values.pop(DEPARTMENT_CODE, None)
    credit_code = values.pop(DEPARTMENT_CREDIT_CODE, None)
    department_id = values.get("department_id") or code or credit_code
    row.department = DepartmentRef(id=department_id or None, name=name or None, credit_code=credit_code or None)
    if department_id:
        values["department_id"] = department_id
    row.guide = values
