"""/mp/v1/departments and /mp/v1/themes: the lists the guide filters offer."""

from __future__ import annotations

from typing import ClassVar

from cms.catalog_lists.delivery import public_list, public_list_schema
from cms.catalog_lists.service import DEPARTMENTS, THEMES, ListKind
from miniprogram_api.caching import if_none_match, write_cached
from server.http.api import Route, endpoint
from server.http.base import BaseHandler
from server.settings import Settings

_TAGS = ["mp-catalog"]


class _PublicListHandler(BaseHandler):
    kind: ClassVar[ListKind]

    async def answer(self) -> None:
        write_cached(self, await public_list(self.deps, self.kind, if_none_match=if_none_match(self)))


class DepartmentsHandler(_PublicListHandler):
    kind = DEPARTMENTS

    @endpoint("Departments", tags=_TAGS, responses={200: public_list_schema(DEPARTMENTS), 304: None})
    async def get(self) -> None:
        await self.answer()


class ThemesHandler(_PublicListHandler):
    kind = THEMES

    @endpoint("Themes", tags=_TAGS, responses={200: public_list_schema(THEMES), 304: None})
    async def get(self) -> None:
        await self.answer()


def routes(settings: Settings) -> list[Route]:
    return [Route("/mp/v1/departments", DepartmentsHandler), Route("/mp/v1/themes", ThemesHandler)]
