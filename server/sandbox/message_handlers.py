"""HTTP face of the message simulators, under ``/_sandbox`` in sandbox mode only.

``/wechat/cgi-bin/message/subscribe/send`` speaks WeChat's format; the Alipay method answers through the
gateway (``server.sandbox.messages`` adds it). ``/messages`` and ``/messages/behaviour`` are the
sandbox's own test controls: what was received, and how the next messages should fail.
"""

from __future__ import annotations

from typing import Any

from server.http.api import Route, array, boolean, endpoint, integer, nullable, obj, string
from server.http.base import BaseHandler
from server.sandbox import messages, messages_repo
from server.sandbox.handlers import PREFIX
from server.sandbox.wechat import WechatSimulator
from server.sandbox.wechat_api import WechatApiHandler
from server.settings import Settings

_CHANNEL = string(enum=["wechat", "alipay"])
_BEHAVIOUR = obj({"channel": _CHANNEL, "mode": string(enum=list(messages.MODES)),
                  "count": integer(minimum=0, maximum=1_000_000, description="How many next messages fail"),
                  "delay_ms": integer(minimum=0, maximum=10_000, description="Added to every message")},
                 required=["channel"])
_RECEIVED = obj({"channel": _CHANNEL, "recipient": string(), "template_id": string(),
                 "data": obj({}, additional=True), "page": nullable(string()), "accepted": boolean(),
                 "received_at": string()}, additional=True)


class WechatSubscribeSendHandler(WechatApiHandler):
    async def answer(self, body: dict[str, Any]) -> dict[str, Any]:
        return await messages.wechat_subscribe_send(self.deps.settings, self.deps.db, self.deps.clock, body)


class BehaviourHandler(BaseHandler):
    @endpoint("Make the next messages of a channel fail, or every message slow", tags=["sandbox"],
              request=_BEHAVIOUR, responses={204: None})
    async def post(self) -> None:
        body = self.body
        await messages_repo.set_behaviour(self.deps.db, body["channel"], body.get("mode", "temporary"),
                                          body.get("count", 0), body.get("delay_ms", 0))
        self.set_status(204)
        self.finish()


class ReceivedHandler(BaseHandler):
    @endpoint("What the simulated providers received (duplicates included)", tags=["sandbox"],
              query={"channel": _CHANNEL, "recipient": string()}, responses={200: obj({"items": array(_RECEIVED)})})
    async def get(self) -> None:
        items = await messages_repo.received(self.deps.db, self.query.get("channel"), self.query.get("recipient"))
        self.write_json({"items": [{**item, "accepted": item["accepted"] == "yes",
                                    "received_at": item["received_at"].isoformat()} for item in items]})


def routes(settings: Settings) -> list[Route]:
    if settings.mode != "sandbox":
        return []
    wechat = {"wechat": WechatSimulator(settings)}
    return [
        Route(f"{PREFIX}/wechat/cgi-bin/message/subscribe/send", WechatSubscribeSendHandler, wechat,
              documented=False),
        Route(f"{PREFIX}/messages/behaviour", BehaviourHandler, documented=False),
        Route(f"{PREFIX}/messages", ReceivedHandler, documented=False),
    ]
