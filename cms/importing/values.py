"""Turning the text of one spreadsheet cell into a guide field value.

Catalogues are typed by hand: codes and names are both used ("01" and "行政许可", "1" and "即办件"),
lists are separated by whatever punctuation the author liked, and time limits read "20个工作日（不含公示）".
Every parser takes the raw cell and returns the field's value or raises ``InvalidCell`` with a message
that tells the editor what was wrong.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from cms.guides.model import (
    HANDLING_FORMS,
    HANDLING_MODES,
    HANDLING_TYPES,
    ITEM_TYPES,
    LEVELS,
    MAX_FEE_FEN,
    SERVICE_OBJECTS,
)
from cms.importing.errors import InvalidCell

_LIST_SEPARATORS = re.compile(r"[、,，;；|\n\r]+")
_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "[", "】": "]", "：": ":"})
_FULL_TO_HALF_WIDTH = {code_point: code_point - 0xFEE0 for code_point in range(0xFF01, 0xFF5F)}

_CHINESE_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
                   "八": 8, "九": 9}
_CHINESE_UNITS = {"十": 10, "百": 100}
_NUMBER = r"(\d+|[零〇一二两三四五六七八九十百]+)"

_TRUE = {"是", "有", "支持", "收费", "需要", "y", "yes", "true", "1", "√"}
_FALSE = {"否", "无", "不支持", "不收费", "免费", "不需要", "n", "no", "false", "0", "×"}


def clean_text(value: Any) -> str:
    """A cell as trimmed text: numbers from spreadsheets lose a float's ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def normalise_label(value: str) -> str:
    """Compare labels without width, bracket style, spaces or a required-field star."""
    text = value.translate(_FULL_TO_HALF_WIDTH).translate(_BRACKETS)
    return re.sub(r"[\s*]", "", text).lower()


def split_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [clean_text(item) for item in value if clean_text(item)]
    return [part.strip() for part in _LIST_SEPARATORS.split(clean_text(value)) if part.strip()]


def parse_number(text: str) -> int:
    """``12`` or Chinese numerals up to 999 (``十五``, ``两``, ``一百二十``)."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    total, digit = 0, None
    for char in text:
        if char in _CHINESE_DIGITS:
            digit = _CHINESE_DIGITS[char]
        elif char in _CHINESE_UNITS:
            total += (1 if digit is None else digit) * _CHINESE_UNITS[char]
            digit = None
        else:
            raise InvalidCell(f"无法识别数字“{text}”")
    return total + (digit or 0)


def _code_from(value: Any, labels: Mapping[str, str], synonyms: Mapping[str, str], what: str) -> str:
    text = clean_text(value)
    if text in labels:
        return text
    # Spreadsheets drop leading zeros: "1" for item type "01".
    if text.isdigit() and text.zfill(2) in labels:
        return text.zfill(2)
    key = normalise_label(text)
    for code, label in labels.items():
        if normalise_label(label) == key:
            return code
    if key in synonyms:
        return synonyms[key]
    allowed = "、".join(f"{code} {label}" for code, label in labels.items())
    raise InvalidCell(f"无法识别的{what}“{text}”，应为 {allowed}")


_ITEM_TYPE_SYNONYMS = {normalise_label(label.removeprefix("行政")): code for code, label in ITEM_TYPES.items()
                       if label.startswith("行政") and code != "00"}
_ITEM_TYPE_SYNONYMS.update({"行政权力": "00", "其他": "10", "其他权力": "10", "其他类": "10"})

_LEVEL_SYNONYMS = {"国家": "1", "中央": "1", "省": "2", "省级": "2", "市": "3", "市级": "3", "地市级": "3",
                   "设区的市级": "3", "县": "4", "县级": "4", "区县级": "4", "县(市、区)级": "4", "县(区)级": "4",
                   "镇": "5", "乡": "5", "街道": "5", "乡镇": "5", "乡镇(街道)级": "5", "乡镇级": "5", "街道级": "5",
                   "村": "6", "社区": "6", "村级": "6", "社区级": "6", "村(居)级": "6", "分级": "7"}

_SERVICE_OBJECT_SYNONYMS = {"个人": ["1"], "自然人": ["1"], "公民": ["1"], "企业": ["2"], "事业单位": ["3"],
                            "社会组织": ["4"], "非法人组织": ["5", "6"],
                            # 法人 in catalogues means every kind of legal person we code.
                            "法人": ["2", "3", "4"]}

_HANDLING_TYPE_SYNONYMS = {"即办": "1", "即时办结": "1", "承诺": "2", "承诺办结": "2"}
_HANDLING_FORM_SYNONYMS = {"窗口": "1", "现场": "1", "线下": "1", "网上": "2", "网办": "2", "pc": "2", "pc端": "2",
                           "在线": "2", "移动端": "3", "手机": "3", "小程序": "3", "app": "3", "快递": "4",
                           "邮寄": "4", "物流快递": "4"}
_HANDLING_MODE_SYNONYMS = {"前置核验": "front_verification", "后置核验": "back_verification"}
_ONLINE_DEPTH_SYNONYMS = {"i": 1, "ⅰ": 1, "一": 1, "一级": 1, "ii": 2, "ⅱ": 2, "二": 2, "二级": 2, "iii": 3, "ⅲ": 3,
                          "三": 3, "三级": 3, "iv": 4, "ⅳ": 4, "四": 4, "四级": 4, "全程网办": 4, "信息公开": 1,
                          "在线申请": 2, "网上预审": 3}


def parse_item_type(value: Any) -> str:
    return _code_from(value, ITEM_TYPES, _ITEM_TYPE_SYNONYMS, "事项类型")


def parse_level(value: Any) -> str:
    return _code_from(value, LEVELS, _LEVEL_SYNONYMS, "行使层级")


def parse_handling_type(value: Any) -> str:
    return _code_from(value, HANDLING_TYPES, _HANDLING_TYPE_SYNONYMS, "办件类型")


def parse_handling_mode(value: Any) -> str:
    return _code_from(value, HANDLING_MODES, _HANDLING_MODE_SYNONYMS, "网办模式")


def parse_service_objects(value: Any) -> list[str]:
    codes: list[str] = []
    for part in split_list(value):
        key = normalise_label(part)
        found = _SERVICE_OBJECT_SYNONYMS.get(key)
        if found is None:
            found = [_code_from(part, SERVICE_OBJECTS, {}, "服务对象")]
        codes.extend(code for code in found if code not in codes)
    return codes


def parse_handling_forms(value: Any) -> list[str]:
    codes: list[str] = []
    for part in split_list(value):
        code = _code_from(part, HANDLING_FORMS, _HANDLING_FORM_SYNONYMS, "办理形式")
        if code not in codes:
            codes.append(code)
    return codes


def parse_online_depth(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = normalise_label(clean_text(value)).removeprefix("第").removesuffix("深度")
    if text.isdigit():
        return int(text)
    depth = _ONLINE_DEPTH_SYNONYMS.get(text) or _ONLINE_DEPTH_SYNONYMS.get(text.removesuffix("级"))
    if depth is None:
        raise InvalidCell(f"无法识别的网上办理深度“{clean_text(value)}”，应为 1–4 或 Ⅰ–Ⅳ级")
    return depth


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = normalise_label(clean_text(value))
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InvalidCell(f"无法识别“{clean_text(value)}”，应为 是 或 否")


def parse_visits(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = normalise_label(clean_text(value))
    match = re.fullmatch(r"(?:最多)?(?:跑)?" + _NUMBER + r"次?", text)
    if match is None:
        raise InvalidCell(f"无法识别到现场次数“{clean_text(value)}”，应为 0、1、2 …")
    return parse_number(match.group(1))


_TIME_UNITS = {"工作日": "working_days", "个工作日": "working_days", "日": "natural_days", "天": "natural_days",
               "自然日": "natural_days", "个自然日": "natural_days", "小时": "hours", "个小时": "hours",
               "h": "hours"}
_TIME_LIMIT = re.compile(r"^" + _NUMBER + r"\s*(个工作日|工作日|个自然日|自然日|个小时|小时|日|天|h)?"
                         r"\s*内?\s*(?:\((.*)\))?$")
_ON_THE_SPOT = {"即办", "即时办结", "当场办结", "立即办结", "当场", "当日办结", "当天办结"}


def parse_time_limit(value: Any) -> dict[str, Any] | None:
    """``20个工作日``, ``60日``, ``2小时（不含邮寄）``, ``即办``; a bare number counts working days."""
    if isinstance(value, dict):
        return value
    raw = clean_text(value)
    if not raw:
        return None
    if raw.startswith("{"):
        parsed = parse_json(raw, expect=dict)
        return parsed if isinstance(parsed, dict) else None
    text = raw.translate(_FULL_TO_HALF_WIDTH).translate(_BRACKETS).strip()
    if text.replace(" ", "") in _ON_THE_SPOT:
        return {"value": 0, "unit": "working_days", "note": raw}
    match = _TIME_LIMIT.match(text)
    if match is None:
        raise InvalidCell(f"无法识别办结时限“{raw}”，应写作“20个工作日”“60日”“2小时”或“即办”")
    limit: dict[str, Any] = {"value": parse_number(match.group(1)),
                             "unit": _TIME_UNITS[match.group(2)] if match.group(2) else "working_days"}
    if match.group(3):
        limit["note"] = match.group(3).strip()
    return limit


def parse_fen(text: str) -> int:
    """``120元``, ``120.50``, ``¥20`` -> fen; money is never a float."""
    cleaned = normalise_label(text).removeprefix("¥").removeprefix("￥").removesuffix("元").removesuffix("人民币")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise InvalidCell(f"无法识别金额“{text}”，应写作“120元”") from None
    fen = amount * 100
    if not amount.is_finite() or amount < 0 or fen != fen.to_integral_value():
        raise InvalidCell(f"金额“{text}”无效：应为非负数，最多两位小数")
    if fen > MAX_FEE_FEN:
        raise InvalidCell(f"金额“{text}”超过上限 {MAX_FEE_FEN // 100:,} 元，请检查是否多写了零")
    return int(fen)


def parse_fee_items(value: Any) -> list[dict[str, Any]]:
    """A JSON list, or ``工本费:20元; 加急费:40元`` (name and amount in yuan)."""
    if isinstance(value, list):
        return value
    text = clean_text(value)
    if text.startswith("["):
        parsed = parse_json(text, expect=list)
        return parsed if isinstance(parsed, list) else []
    items = []
    for part in split_list(text):
        name, separator, amount = part.translate(_BRACKETS).rpartition(":")
        if not separator:
            raise InvalidCell(f"无法识别收费项目“{part}”，应写作“名称:金额元”或 JSON 数组")
        items.append({"name": name.strip(), "amount_fen": parse_fen(amount)})
    return items


def parse_json(value: Any, *, expect: type[list[Any]] | type[dict[str, Any]]) -> Any:
    if isinstance(value, expect):
        return value
    text = clean_text(value)
    try:
        parsed = json.loads(text)
    except ValueError as exc:
        raise InvalidCell(f"JSON 格式错误（第 {getattr(exc, 'colno', '?')} 个字符附近）: {text[:60]}") from None
    if not isinstance(parsed, expect):
        raise InvalidCell("应为 JSON " + ("数组 [...]" if expect is list else "对象 {...}"))
    return parsed


def parse_named_list(value: Any, key: str) -> list[dict[str, Any]]:
    """A JSON array of objects, or plain text with one entry per line/separator (``受理→审查→决定``)."""
    if isinstance(value, list):
        return value
    text = clean_text(value)
    if text.startswith(("[", "{")):
        parsed = parse_json(text, expect=list)
        return parsed if isinstance(parsed, list) else []
    parts = re.split(r"\s*(?:→|->|=>|\n|\r|；|;)\s*", text)
    return [{key: re.sub(r"^\d+[.、)）]\s*", "", part)} for part in parts if part.strip()]
