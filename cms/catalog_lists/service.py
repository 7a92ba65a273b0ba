"""Managing the department, theme and domain lists; every change is audited and bumps the catalog
counter (delivery ETags include it, because department and theme names appear in delivered guides).

Domains (领域: 商事登记, 投资建设...) are what joint guides and comprehensive-window officers are grouped
by; the list starts with the four the seed cities use, created the first time the list is read."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cms.catalog_lists import repository as repo
from cms.content import audit, counters_repo
from cms.content.caller import Caller
from cms.content.validation import raise_if_any, schema_problems
from server.deps import Deps
from server.errors import Conflict, NotFound
from server.http.api import Schema, boolean, integer, nullable, obj, string

DEPARTMENT_ID_PATTERN = r"^[0-9A-Za-z][0-9A-Za-z_-]{0,39}$"
THEME_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,39}$"
CREDIT_CODE_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"
REGION_CODE_PATTERN = r"^\d{6}(\d{6})?$"

_IMPORT_CALLER_JOB = "catalog_import"


class DepartmentNotFound(NotFound):
    code = "department_not_found"
    default_message = "部门不存在"


class ThemeNotFound(NotFound):
    code = "theme_not_found"
    default_message = "主题不存在"


class DomainNotFound(NotFound):
    code = "domain_not_found"
    default_message = "领域不存在"


class DomainExists(Conflict):
    code = "domain_exists"
    default_message = "领域编码已存在"


class DepartmentExists(Conflict):
    code = "department_exists"
    default_message = "部门编码已存在"


class ThemeExists(Conflict):
    code = "theme_exists"
    default_message = "主题编码已存在"


@dataclass(frozen=True, eq=False)  # hashed by identity (route cache)
class ListKind:
    """One managed list: where it is stored, what its entries hold, its errors."""

    name: str  # audit object kind
    collection: str
    id_pattern: str
    fields: dict[str, Schema]  # editable fields besides id
    not_found: type[NotFound]
    exists: type[Conflict]
    # (id, name) of entries the list starts with: created when the list is first read and found empty.
    initial: tuple[tuple[str, str], ...] = ()


DEPARTMENTS = ListKind(
    "department", repo.DEPARTMENTS, DEPARTMENT_ID_PATTERN,
    {"name": string(minLength=1, maxLength=100), "credit_code": nullable(string(pattern=CREDIT_CODE_PATTERN)),
     "region_code": nullable(string(pattern=REGION_CODE_PATTERN)), "sort": integer(minimum=0, maximum=100000),
     "active": boolean()},
    DepartmentNotFound, DepartmentExists)

THEMES = ListKind(
    "theme", repo.THEMES, THEME_ID_PATTERN,
    {"name": string(minLength=1, maxLength=50), "description": string(maxLength=500),
     "sort": integer(minimum=0, maximum=100000), "active": boolean()},
    ThemeNotFound, ThemeExists)

DOMAIN_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,39}$"
DOMAINS = ListKind(
    "domain", repo.DOMAINS, DOMAIN_ID_PATTERN,
    {"name": string(minLength=1, maxLength=50), "sort": integer(minimum=0, maximum=100000), "active": boolean()},
    DomainNotFound, DomainExists,
    initial=(("business_registration", "商事登记"), ("investment_construction", "投资建设"),
             ("industrial_products", "工业产品生产"), ("livelihood", "民生服务")))
_INITIAL_CALLER_JOB = "catalog_initial_entries"

_DEFAULTS: dict[str, Any] = {"credit_code": None, "region_code": None, "description": "", "sort": 1000,
                             "active": True}


def entry_json(kind: ListKind, doc: dict[str, Any]) -> dict[str, Any]:
    entry = {"id": doc["_id"]}
    for field in kind.fields:
        value = doc.get(field, _DEFAULTS.get(field))
        entry[field] = bool(value) if field == "active" else value
    return entry


async def _with_initial_entries(deps: Deps, kind: ListKind) -> None:
    if not kind.initial or await repo.has_entries(deps.db, kind.collection):
        return
    for sort, (entry_id, name) in enumerate(kind.initial, 1):
        # Two processes may start the list at once: the entry the other created is just as good.
        with contextlib.suppress(Conflict):
            await create_entry(deps, Caller.system(_INITIAL_CALLER_JOB), kind, entry_id,
                               {"name": name, "sort": sort * 10})


async def list_entries(deps: Deps, kind: ListKind, *, active_only: bool) -> list[dict[str, Any]]:
    await _with_initial_entries(deps, kind)
    return [entry_json(kind, doc) for doc in await repo.list_entries(deps.db, kind.collection,
                                                                       active_only=active_only)]


async def create_entry(deps: Deps, caller: Caller, kind: ListKind, entry_id: str,
                       values: dict[str, Any]) -> dict[str, Any]:
    doc = {"_id": entry_id, **{f: values.get(f, _DEFAULTS.get(f)) for f in kind.fields},
           "created_at": deps.clock.now(), "updated_at": deps.clock.now()}
    if not await repo.insert_entry(deps.db, kind.collection, doc):
        raise kind.exists(id=entry_id)
    await _changed(deps, caller, kind, "create", doc, values)
    return entry_json(kind, doc)


async def update_entry(deps: Deps, caller: Caller, kind: ListKind, entry_id: str,
                       changes: dict[str, Any]) -> dict[str, Any]:
    known = {f: v for f, v in changes.items() if f in kind.fields}
    doc = await repo.update_entry(deps.db, kind.collection, entry_id, {**known, "updated_at": deps.clock.now()})
    if doc is None:
        raise kind.not_found(id=entry_id)
    await _changed(deps, caller, kind, "update", doc, known)
    return entry_json(kind, doc)


async def _changed(deps: Deps, caller: Caller, kind: ListKind, action: str, doc: dict[str, Any],
                   values: dict[str, Any]) -> None:
    await counters_repo.increment(deps.db, counters_repo.CATALOG_COUNTER)
    await audit.record(deps, caller, f"{kind.name}.{action}", object_kind=kind.name, object_id=doc["_id"],
                       object_title=str(doc.get("name", "")), details=dict(values))


def entry_schema(kind: ListKind, *, with_id: bool, required: tuple[str, ...] = ()) -> Schema:
    id_field = {"id": string(pattern=kind.id_pattern)} if with_id else {}
    return obj({**id_field, **kind.fields}, required=[*(["id"] if with_id else []), *required])


async def _ensure(deps: Deps, kind: ListKind, entry_id: str, values: dict[str, Any]) -> None:
    raise_if_any(schema_problems(entry_schema(kind, with_id=True), {"id": entry_id, **values}))
    caller = Caller.system(_IMPORT_CALLER_JOB)
    existing = await repo.find_entry(deps.db, kind.collection, entry_id)
    if existing is None:
        try:
            await create_entry(deps, caller, kind, entry_id, values)
            return
        except Conflict:  # created meanwhile by another importer: compare with theirs
            existing = await repo.find_entry(deps.db, kind.collection, entry_id)
            assert existing is not None
    changed = {f: v for f, v in values.items() if existing.get(f) != v}
    if changed:
        await update_entry(deps, caller, kind, entry_id, changed)


# ------------------------------------------------------------------------------ public API
async def ensure_department(deps: Deps, *, id: str, name: str, credit_code: str | None,
                            region_code: str | None) -> None:
    """Create the department, or bring its name and codes up to date; nothing is written if equal."""
    await _ensure(deps, DEPARTMENTS, id, {"name": name, "credit_code": credit_code, "region_code": region_code})


async def ensure_theme(deps: Deps, *, id: str, name: str) -> None:
    await _ensure(deps, THEMES, id, {"name": name})


async def unknown_departments(deps: Deps, ids: Iterable[str]) -> set[str]:
    wanted = set(ids)
    return wanted - set(await repo.entries_by_id(deps.db, repo.DEPARTMENTS, wanted))


async def unknown_themes(deps: Deps, ids: Iterable[str]) -> set[str]:
    wanted = set(ids)
    return wanted - set(await repo.entries_by_id(deps.db, repo.THEMES, wanted))


async def unknown_domains(deps: Deps, ids: Iterable[str]) -> set[str]:
    await _with_initial_entries(deps, DOMAINS)
    wanted = set(ids)
    return wanted - set(await repo.entries_by_id(deps.db, repo.DOMAINS, wanted))


async def names(deps: Deps, kind: ListKind, ids: Iterable[str]) -> dict[str, str]:
    await _with_initial_entries(deps, kind)
    return {entry_id: doc.get("name", "") for entry_id, doc in
            (await repo.entries_by_id(deps.db, kind.collection, ids)).items()}
