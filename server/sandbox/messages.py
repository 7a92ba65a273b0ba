"""Simulated message APIs: WeChat ``subscribeMessage.send`` and Alipay ``templatemessage.send``.

Both record every message they are given (``accepted`` says whether the provider took it), so a test sees
what a phone would see, duplicates included. A test can make the next N messages of a channel fail with
a temporary or permanent error, and slow every message down, through ``/_sandbox/messages/behaviour``.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Mapping
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from server.clock import Clock
from server.sandbox import messages_repo
from server.sandbox.alipay import METHODS, GatewayContext, GatewayRefusal
from server.settings import Settings

MODES = ("temporary", "refused", "invalid_template", "rejected")

WECHAT_ERRORS: dict[str, tuple[int, str]] = {
    "temporary": (-1, "system error"),
    "refused": (43101, "user refuse to accept the msg"),
    "invalid_template": (40037, "invalid template_id"),
    "rejected": (40003, "invalid openid"),
}
ALIPAY_ERRORS: dict[str, tuple[str, str, str]] = {
    "temporary": ("20000", "isp.unknow-error", "服务暂不可用"),
    "refused": ("40004", "USER_UNSUBSCRIBED", "用户未订阅该消息"),
    "invalid_template": ("40004", "USER_TEMPLATE_ILLEGAL", "模板不合法"),
    "rejected": ("40004", "DATA_ILLEGAL", "模板数据不合法"),
}


async def _behave(db: AsyncDatabase[dict[str, Any]], channel: str) -> str | None:
    settings = await messages_repo.behaviour(db, channel)
    if not settings:
        return None
    if settings.get("delay_ms"):
        await asyncio.sleep(int(settings["delay_ms"]) / 1000)
    # Counting a failure down must be atomic (several workers send at once); most messages skip it.
    return await messages_repo.take_failure(db, channel) if int(settings.get("remaining", 0)) > 0 else None


async def _record(db: AsyncDatabase[dict[str, Any]], clock: Clock, channel: str, recipient: str, template_id: str,
                  data: Any, page: Any, accepted: bool) -> None:
    await messages_repo.record_received(db, {
        "channel": channel, "recipient": recipient, "template_id": template_id, "data": data, "page": page,
        "accepted": "yes" if accepted else "no", "received_at": clock.now()})


async def wechat_subscribe_send(settings: Settings, db: AsyncDatabase[dict[str, Any]], clock: Clock,
                                body: Mapping[str, Any]) -> dict[str, Any]:
    recipient, template_id = str(body.get("touser") or ""), str(body.get("template_id") or "")
    if not recipient:
        return {"errcode": 40003, "errmsg": "invalid openid"}
    failure = await _behave(db, "wechat")
    if failure is None and template_id != settings.wechat_progress_template_id:
        failure = "invalid_template"
    await _record(db, clock, "wechat", recipient, template_id, body.get("data"), body.get("page"), failure is None)
    if failure is not None:
        errcode, errmsg = WECHAT_ERRORS[failure]
        return {"errcode": errcode, "errmsg": errmsg}
    return {"errcode": 0, "errmsg": "ok", "msgid": secrets.randbits(62)}


async def alipay_template_send(context: GatewayContext, params: Mapping[str, str]) -> dict[str, Any]:
    try:
        content = json.loads(params.get("biz_content") or "{}")
    except json.JSONDecodeError:
        raise GatewayRefusal("40002", "isv.invalid-biz-content", "biz_content格式错误") from None
    recipient = str(content.get("to_user_id") or (f"open:{content['to_open_id']}" if content.get("to_open_id")
                                                  else ""))
    if not recipient:
        raise GatewayRefusal("40001", "isv.missing-to-user-id", "缺少接收用户")
    template_id = str(content.get("user_template_id") or "")
    failure = await _behave(context.db, "alipay")
    if failure is None and template_id != context.settings.alipay_progress_template_id:
        failure = "invalid_template"
    data = json.loads(content["data"]) if isinstance(content.get("data"), str) else content.get("data")
    await _record(context.db, context.clock, "alipay", recipient, template_id, data, content.get("page"),
                  failure is None)
    if failure is not None:
        raise GatewayRefusal(*ALIPAY_ERRORS[failure])
    return {"code": "10000", "msg": "Success"}


# The gateway simulator looks methods up in its table; this module adds the message method to it.
METHODS["alipay.open.app.mini.templatemessage.send"] = alipay_template_send
