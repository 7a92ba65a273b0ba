"""What every simulated WeChat server API shares: the access_token in the query, a JSON body, and errors
answered as ``errcode`` with HTTP 200, as WeChat does."""

from __future__ import annotations

from typing import Any

from server import jsonutil
from server.http.base import BaseHandler
from server.sandbox.wechat import WechatSimulator


class WechatApiHandler(BaseHandler):
    def initialize(self, wechat: WechatSimulator) -> None:
        self.wechat = wechat

    async def answer(self, body: dict[str, Any]) -> dict[str, Any]:
        """The API's own answer to a well-formed request."""
        raise NotImplementedError

    async def post(self) -> None:
        if not self.wechat.access_token_valid(self.deps.clock, self.get_query_argument("access_token", "")):
            answer = {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}
        else:
            try:
                body = jsonutil.loads(self.raw_body)
            except ValueError:
                body = None
            answer = await self.answer(body) if isinstance(body, dict) else {"errcode": 47001,
                                                                             "errmsg": "data format error"}
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(jsonutil.dumps(answer))
