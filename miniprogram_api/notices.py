"""/mp/v1/notices: published notices for the mini-program."""

from __future__ import annotations

from cms.notices.delivery import FILTER_QUERY, NOTICE_DETAIL, NOTICE_SUMMARY, notice_detail, notice_list
from miniprogram_api.caching import if_none_match, write_cached
from server.http.api import PAGE_QUERY, Route, endpoint, page_of
from server.http.base import BaseHandler
from server.settings import Settings

_TAGS = ["mp-notices"]


class NoticeListHandler(BaseHandler):
    @endpoint("Published notices, pinned first, newest first", tags=_TAGS, query={**FILTER_QUERY, **PAGE_QUERY},
              responses={200: page_of(NOTICE_SUMMARY), 304: None})
    async def get(self) -> None:
        write_cached(self, await notice_list(self.deps, category=self.query.get("category"),
                                             offset=self.query["offset"], limit=self.query["limit"],
                                             if_none_match=if_none_match(self)))


class NoticeHandler(BaseHandler):
    @endpoint("A published notice", tags=_TAGS, responses={200: NOTICE_DETAIL, 304: None}, errors=(404,))
    async def get(self, notice_id: str) -> None:
        write_cached(self, await notice_detail(self.deps, notice_id, if_none_match=if_none_match(self)))


def routes(settings: Settings) -> list[Route]:
    return [Route("/mp/v1/notices", NoticeListHandler), Route("/mp/v1/notices/{notice_id}", NoticeHandler)]
