"""Field problems with JSON-pointer paths, from the content schema and from the type's own rules."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cms.content.errors import ContentInvalid
from server.http.api import RequestValidator, Schema

_MAX_REPORTED = 50


@dataclass(frozen=True)
class Problem:
    path: str  # JSON pointer into the content, e.g. /materials/2/id
    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "code": self.code, "message": self.message}


def pointer(*parts: str | int) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def schema_problems(schema: Schema, data: Any) -> list[Problem]:
    # RequestValidator: an integer field takes a JSON integer only (500.0 is refused: fees are integer fen).
    errors = sorted(RequestValidator(schema).iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    return [Problem(pointer(*e.absolute_path), "schema", e.message) for e in errors[:_MAX_REPORTED]]


def raise_if_any(problems: Iterable[Problem]) -> None:
    found = list(problems)
    if found:
        raise ContentInvalid([p.to_dict() for p in found[:_MAX_REPORTED]])


def missing_fields(content: dict[str, Any], required: Iterable[str]) -> list[str]:
    """Required fields that are absent or empty (empty string, list or object count as missing)."""
    return [name for name in required if content.get(name) in (None, "", [], {})]
