"""/staff/v1/departments, /staff/v1/themes and /staff/v1/domains: managing the lists (administrators and
editors)."""

from __future__ import annotations

import functools
from typing import ClassVar

from cms.catalog_lists import service
from cms.catalog_lists.service import DEPARTMENTS, DOMAINS, THEMES, ListKind, entry_schema
from cms.content.caller import Caller
from server.http.api import Route, Schema, array, endpoint, obj
from server.http.base import BaseHandler
from server.settings import Settings
from server.staff.roles import Role

MANAGERS = (Role.ADMIN.value, Role.EDITOR.value)


def entry_out(kind: ListKind) -> Schema:
    schema = entry_schema(kind, with_id=True)
    return {**schema, "required": list(schema["properties"])}


class ListHandler(BaseHandler):
    kind: ClassVar[ListKind]
    id_param: ClassVar[str]

    @property
    def caller(self) -> Caller:
        return Caller.staff(self.principal)


@functools.cache
def list_routes(kind: ListKind, *, base: str, id_param: str, label: str) -> tuple[Route, ...]:
    tags = [f"staff-{kind.name}s"]
    out = entry_out(kind)

    class Bound(ListHandler):
        pass

    Bound.kind = kind
    Bound.id_param = id_param

    class CollectionHandler(Bound):
        @endpoint(f"All {kind.name}s, inactive ones included", tags=tags, auth="staff",
                  responses={200: obj({"items": array(out)}, required=["items"])})
        async def get(self) -> None:
            self.write_json({"items": await service.list_entries(self.deps, self.kind, active_only=False)})

        @endpoint(f"Add a {kind.name}", tags=tags, auth="staff", roles=MANAGERS,
                  request=entry_schema(kind, with_id=True, required=("name",)), responses={201: out},
                  errors=(409,))
        async def post(self) -> None:
            values = {k: v for k, v in self.body.items() if k != "id"}
            entry = await service.create_entry(self.deps, self.caller, self.kind, self.body["id"], values)
            self.set_header("Location", f"{base}/{entry['id']}")
            self.write_json(entry, 201)

    class EntryHandler(Bound):
        @endpoint(f"Change a {kind.name} (name, codes, order, active)", tags=tags, auth="staff", roles=MANAGERS,
                  request=entry_schema(kind, with_id=False), responses={200: out}, errors=(404,))
        async def patch(self, **path: str) -> None:
            self.write_json(await service.update_entry(self.deps, self.caller, self.kind, path[self.id_param],
                                                       self.body))

    for handler in (CollectionHandler, EntryHandler):
        handler.__name__ = handler.__qualname__ = f"{label}{handler.__name__}"
    return Route(base, CollectionHandler), Route(f"{base}/{{{id_param}}}", EntryHandler)


def routes(settings: Settings) -> list[Route]:
    return [*list_routes(DEPARTMENTS, base="/staff/v1/departments", id_param="department_id", label="Department"),
            *list_routes(THEMES, base="/staff/v1/themes", id_param="theme_id", label="Theme"),
            *list_routes(DOMAINS, base="/staff/v1/domains", id_param="domain_id", label="Domain")]
