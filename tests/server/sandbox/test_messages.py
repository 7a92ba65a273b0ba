"""The WeChat message simulator refuses what WeChat refuses: values outside their field's rules."""

from __future__ import annotations

from typing import Any

import pytest

from server.sandbox import messages_repo
from server.sandbox.messages import wechat_data_problem
from tests.server.sandbox.test_wechat import token
from tests.support.server import TestServer

GOOD = {"character_string1": "YW2026112300042", "thing2": "企业投资项目备案（县级行使）",
        "phrase3": "已受理", "thing4": "点击查看办件详情", "time5": "2026-11-23 09:30"}


async def send(server: TestServer, **values: str) -> dict[str, Any]:
    access_token = (await token(server))["access_token"]
    body = {"touser": "o-alice", "template_id": server.settings.wechat_progress_template_id, "page": "pages/case",
            "data": {key: {"value": value} for key, value in {**GOOD, **values}.items()}}
    response = await server.post(f"/_sandbox/wechat/cgi-bin/message/subscribe/send?access_token={access_token}",
                                 json=body)
    assert response.status == 200
    return response.json


@pytest.mark.asyncio
async def test_values_within_their_rules_are_taken(server: TestServer) -> None:
    assert (await send(server))["errcode"] == 0
    assert (await send(server, time5="2026年11月23日 09:30", phrase3="结果已送达"))["errcode"] == 0


@pytest.mark.asyncio
@pytest.mark.parametrize(("field", "value"), [
    ("phrase3", "已提交，等待预审"),  # more than five characters, and punctuation
    ("phrase3", "OK"),  # not Chinese
    ("thing4", "营业执照照片模糊不清，请重新拍摄并上传原件彩色照片"),  # 25 characters
    ("thing2", ""),
    ("character_string1", "办件YW1"),
    ("time5", "yesterday"),
])
async def test_a_value_outside_its_rule_gets_the_message_refused(server: TestServer, field: str,
                                                                 value: str) -> None:
    answer = await send(server, **{field: value})
    assert answer == {"errcode": 47003, "errmsg": f"argument invalid! data.{field}.value invalid"}
    [received] = await messages_repo.received(server.deps.db, "wechat")
    assert received["accepted"] == "no"


def test_unknown_field_kinds_and_malformed_data_are_refused() -> None:
    assert wechat_data_problem({"keyword1": {"value": "x"}}) == "keyword1"
    assert wechat_data_problem({"thing1": "x"}) == "thing1"
    assert wechat_data_problem({}) == "data"
    assert wechat_data_problem({"number1": {"value": "12.50"}, "amount2": {"value": "¥120.50"}}) is None
