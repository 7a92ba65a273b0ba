"""My materials (我的材料) in MongoDB: one record per accepted material of a case, owned by its citizen."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from server.mongo.indexes import IndexSpec, index

Db = AsyncDatabase[dict[str, Any]]

INDEXES: list[IndexSpec] = [
    index("citizen_materials", ("citizen_id", 1), ("accepted_at", -1)),
]


async def insert_material_unless_present(db: Db, material: dict[str, Any]) -> bool:
    """Insert ``material`` (its ``_id`` names the case and slot); False if it was already there."""
    try:
        await db.citizen_materials.insert_one(material)
        return True
    except DuplicateKeyError:
        return False


async def materials_of_citizen(db: Db, citizen_id: str, *, offset: int,
                               limit: int) -> tuple[list[dict[str, Any]], int]:
    query = {"citizen_id": citizen_id}
    total = await db.citizen_materials.count_documents(query)
    cursor = db.citizen_materials.find(query).sort([("accepted_at", -1), ("_id", 1)]).skip(offset).limit(limit)
    return [doc async for doc in cursor], total


async def get_material(db: Db, material_id: str) -> dict[str, Any] | None:
    return await db.citizen_materials.find_one({"_id": material_id})
