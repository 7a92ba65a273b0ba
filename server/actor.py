"""Who did something: recorded on every transition, revision and audit entry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

ActorKind = Literal["staff", "citizen", "system", "app"]


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    id: str
    name: str

    def to_doc(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "name": self.name}

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Actor:
        return cls(kind=doc["kind"], id=doc["id"], name=doc["name"])

    @classmethod
    def system(cls, job: str) -> Actor:
        return cls(kind="system", id=job, name=job)
