"""/mp/v1/guides: published service guides for the mini-program."""

from __future__ import annotations

from cms.guides.delivery import FILTER_QUERY, GUIDE_DETAIL, GUIDE_SUMMARY, GuideFilters, guide_detail, guide_list
from miniprogram_api.caching import if_none_match, write_cached
from server.http.api import PAGE_QUERY, Route, endpoint, page_of
from server.http.base import BaseHandler
from server.settings import Settings

_TAGS = ["mp-guides"]


class GuideListHandler(BaseHandler):
    @endpoint("Published guides, filtered", tags=_TAGS, query={**FILTER_QUERY, **PAGE_QUERY},
              responses={200: page_of(GUIDE_SUMMARY), 304: None},
              description="400 invalid_parameter / unknown_parameter name the parameter. Send the ETag back "
                          "as If-None-Match for a 304.")
    async def get(self) -> None:
        write_cached(self, await guide_list(self.deps, GuideFilters.from_query(self.query),
                                            offset=self.query["offset"], limit=self.query["limit"],
                                            if_none_match=if_none_match(self)))


class GuideHandler(BaseHandler):
    @endpoint("A published guide", tags=_TAGS, responses={200: GUIDE_DETAIL, 304: None}, errors=(404,),
              description="Text fields are sanitised HTML; files carry short-lived signed links. 404 "
                          "guide_not_live for unknown and unpublished guides alike.")
    async def get(self, guide_id: str) -> None:
        write_cached(self, await guide_detail(self.deps, guide_id, if_none_match=if_none_match(self)))


def routes(settings: Settings) -> list[Route]:
    return [Route("/mp/v1/guides", GuideListHandler), Route("/mp/v1/guides/{guide_id}", GuideHandler)]
