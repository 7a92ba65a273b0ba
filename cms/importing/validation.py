"""Checking an imported guide against GUIDE_SCHEMA before anything is written, in words an editor reads.

The content engine checks again when it saves; checking here too lets ``--dry-run`` report every bad row
without a database, and names the row's fields in the editor's terms (``materials/2/name``).
"""

from __future__ import annotations

from typing import Any

from jsonschema.exceptions import ValidationError

from cms.guides.model import GUIDE_SCHEMA
from server.http.api import RequestValidator

_VALIDATOR = RequestValidator(GUIDE_SCHEMA)  # 500.0 is not an integer here either


def schema_problems(guide: dict[str, Any]) -> list[tuple[str, str]]:
    """(field path, message) for every way the guide breaks the schema, in document order."""
    errors = sorted(_VALIDATOR.iter_errors(guide), key=lambda error: [str(part) for part in error.absolute_path])
    return [(_path(error), _message(error)) for error in errors]


def _path(error: ValidationError) -> str:
    parts = [str(part) for part in error.absolute_path]
    if error.validator == "required" and isinstance(error.validator_value, list):
        missing = _missing_property(error)
        if missing:
            parts.append(missing)
    return "/".join(parts) or "(row)"


def _missing_property(error: ValidationError) -> str | None:
    instance = error.instance if isinstance(error.instance, dict) else {}
    for name in error.validator_value:
        if name not in instance:
            return str(name)
    return None


def _message(error: ValidationError) -> str:
    rule, limit = error.validator, error.validator_value
    if rule == "required":
        return "必填"
    if rule == "enum":
        return f"“{error.instance}”不是允许的值（{'、'.join(str(value) for value in limit)}）"
    if rule == "type":
        return f"类型应为 {limit}"
    if rule == "maxLength":
        return f"超过 {limit} 个字符"
    if rule == "minLength":
        return "不能为空"
    if rule == "pattern":
        return f"“{error.instance}”格式不正确"
    if rule == "minimum":
        return f"不能小于 {limit}"
    if rule == "maximum":
        return f"不能大于 {limit}"
    if rule == "maxItems":
        return f"最多 {limit} 项"
    if rule == "uniqueItems":
        return "有重复项"
    if rule == "additionalProperties":
        return f"不认识的字段: {error.message.split('(')[-1].rstrip(')')}"
    return str(error.message)
