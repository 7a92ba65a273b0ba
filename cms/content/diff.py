"""Field-level differences between two content snapshots.

Paths read like ``materials[id=m3].name`` (list items that carry a stable ``id`` are matched by it, so
inserting a material does not show every later one as changed), ``process_steps[1].description`` (other
lists of objects, by position) or ``themes`` (lists of plain values compare as a whole).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

ChangeKind = Literal["added", "removed", "changed", "reordered"]


@dataclass(frozen=True)
class Change:
    path: str
    field: str
    change: ChangeKind
    before: Any
    after: Any

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "field": self.field, "change": self.change, "before": self.before,
                "after": self.after}


def diff(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    changes: list[Change] = []
    for key in _keys(before, after):
        _compare(before.get(key), after.get(key), key, key in before, key in after, key, changes)
    return changes


def _keys(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [*before, *(key for key in after if key not in before)]


def _compare(old: Any, new: Any, path: str, had: bool, has: bool, field: str, out: list[Change]) -> None:
    if not had and not has:
        return
    if had and not has:
        out.append(Change(path, field, "removed", old, None))
        return
    if has and not had:
        out.append(Change(path, field, "added", None, new))
        return
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in _keys(old, new):
            _compare(old.get(key), new.get(key), f"{path}.{key}", key in old, key in new, field, out)
    elif isinstance(old, list) and isinstance(new, list) and _all_objects(old) and _all_objects(new):
        if _all_have_ids(old + new):
            _compare_by_id(old, new, path, field, out)
        else:
            for index in range(max(len(old), len(new))):
                _compare(old[index] if index < len(old) else None, new[index] if index < len(new) else None,
                         f"{path}[{index}]", index < len(old), index < len(new), field, out)
    else:
        out.append(Change(path, field, "changed", old, new))


def _compare_by_id(old: list[dict[str, Any]], new: list[dict[str, Any]], path: str, field: str,
                   out: list[Change]) -> None:
    old_by_id = {item["id"]: item for item in old}
    new_by_id = {item["id"]: item for item in new}
    for item_id in [*old_by_id, *(i for i in new_by_id if i not in old_by_id)]:
        _compare(old_by_id.get(item_id), new_by_id.get(item_id), f"{path}[id={item_id}]",
                 item_id in old_by_id, item_id in new_by_id, field, out)
    kept_old = [i for i in old_by_id if i in new_by_id]
    kept_new = [i for i in new_by_id if i in old_by_id]
    if kept_old != kept_new:
        out.append(Change(path, field, "reordered", kept_old, kept_new))


def _all_objects(items: list[Any]) -> bool:
    return all(isinstance(item, dict) for item in items)


def _all_have_ids(items: list[dict[str, Any]]) -> bool:
    return bool(items) and all(isinstance(item.get("id"), str) for item in items)
