"""Logging in through the sandbox simulators, as the mini-programs do."""

from __future__ import annotations

import itertools
from typing import Any

from tests.support.server import TestServer

VALID_ID = "11010519491231002X"  # GB 11643's own example
OTHER_VALID_ID = "440524188001010014"  # GB 11643's other example
INVALID_ID = "110105194912310021"  # check character should be X
MOBILE = "13812345678"

_attempts = itertools.count()


def sandbox_code(user: str) -> str:
    """A fresh one-time code that logs ``user`` in (the same user is always the same account)."""
    return f"sandbox-{user}.{next(_attempts)}"


async def login(server: TestServer, channel: str, user: str) -> dict[str, Any]:
    response = await server.post(f"/mp/v1/auth/{channel}/login", json={"code": sandbox_code(user)})
    assert response.status == 200, response.body
    return response.json


async def wechat_login(server: TestServer, user: str) -> str:
    return str((await login(server, "wechat", user))["token"])


async def alipay_login(server: TestServer, user: str) -> str:
    return str((await login(server, "alipay", user))["token"])


def real_name(name: str = "张三丰", id_number: str = VALID_ID, mobile: str = MOBILE) -> dict[str, str]:
    return {"name": name, "id_number": id_number, "mobile": mobile}


async def bind(server: TestServer, token: str, **fields: str) -> Any:
    return await server.post("/mp/v1/me/real-name", json=real_name(**fields), token=token)
