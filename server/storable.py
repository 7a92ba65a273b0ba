"""Free-form JSON from outside (a citizen's application form) checked before it goes into MongoDB.

A request schema can say "an object, anything inside", but not everything JSON can say is a value
MongoDB stores or queries safely: BSON cannot encode a key with a NUL byte or an integer outside int64
(the driver raises, which became a 500), keys starting with ``$`` or containing ``.`` are operators and
paths to any later query or update, and orjson cannot encode a document nested past 255 levels again.
The walk is iterative, and it stops descending at ``MAX_DEPTH``, so no input can exhaust the stack.
"""

from __future__ import annotations

import math
from typing import Any, NoReturn

from server.errors import Unprocessable

MAX_DEPTH = 20
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# A key can be as long as the body; the path in the answer only has to let the caller find it.
_SHOWN_PATH_CHARS = 200


class NotStorable(Unprocessable):
    # The code and ``fields`` shape of a body that fails its schema: clients already handle that answer.
    code = "validation_failed"
    default_message = "内容中有无法保存的键或值"


def check_storable(value: Any, *, at: str = "", max_depth: int = MAX_DEPTH) -> None:
    """Refuse (422) the first key or value of ``value`` that MongoDB could not store as it is.

    ``at`` is the JSON pointer of ``value`` in the request body, so the answer names the path the
    caller sent (``/form/a.b``).
    """
    pending: list[tuple[Any, str, int]] = [(value, at, 1)]
    while pending:
        item, path, depth = pending.pop()
        if isinstance(item, dict | list) and depth > max_depth:
            _refuse(path, f"嵌套超过 {max_depth} 层")
        if isinstance(item, dict):
            for key, child in item.items():
                child_path = f"{path}/{_pointer_token(key)}"
                problem = _key_problem(key)
                if problem:
                    _refuse(child_path, problem)
                pending.append((child, child_path, depth + 1))
        elif isinstance(item, list):
            pending.extend((child, f"{path}/{index}", depth + 1) for index, child in enumerate(item))
        elif isinstance(item, bool):
            continue
        elif isinstance(item, int):
            if not INT64_MIN <= item <= INT64_MAX:
                _refuse(path, "整数超出可保存的范围（64 位）")
        elif isinstance(item, float):
            if not math.isfinite(item):
                _refuse(path, "数值必须是有限数")
        elif item is not None and not isinstance(item, str):
            _refuse(path, "不是 JSON 值")


def _key_problem(key: object) -> str | None:
    if not isinstance(key, str):
        return "键必须是字符串"
    if "\x00" in key:
        return "键不能包含空字符（\\u0000）"
    if key.startswith("$"):
        return "键不能以 $ 开头"
    if "." in key:
        return "键不能包含句点（.）"
    return None


def _pointer_token(key: object) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


def _refuse(path: str, problem: str) -> NoReturn:
    shown = path if len(path) <= _SHOWN_PATH_CHARS else path[:_SHOWN_PATH_CHARS] + "…"
    raise NotStorable(f"内容校验未通过: {shown or '/'} {problem}", fields=[{"path": shown or "/", "message": problem}])
