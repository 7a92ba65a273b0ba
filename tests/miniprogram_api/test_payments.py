"""Paying fees through HTTP against the sandbox: WeChat Pay and Alipay, notices good and bad."""

from __future__ import annotations

import pytest

from server.payments.signing.rsa_keys import load_rsa_public_key, sha256_rsa_verify
from server.payments.signing.wechatpay_v3 import signed_message
from server.sandbox.keys import sandbox_key_store
from tests.server.payments.factories import (
    FEE_FEN,
    alipay_citizen_case,
    fees,
    order_of,
    paid_messages,
    pay,
    sandbox,
    stored_case,
    wechat_citizen_case,
)
from tests.support.server import TestServer


@pytest.mark.asyncio
async def test_pay_with_wechat_and_every_kind_of_notice(server: TestServer) -> None:
    token, case_id = await wechat_citizen_case(server)
    before = await fees(server, token, case_id)
    assert (before["f1"]["amount_fen"], before["f1"]["paid"], before["f1"]["orders"]) == (FEE_FEN, False, [])
    started = await pay(server, token, case_id, "wechat")
    params, order = started["params"], started["order"]
    assert (order["state"], order["amount_fen"]) == ("paying", FEE_FEN)
    assert params["package"].startswith("prepay_id=")
    assert params["signType"] == "RSA"
    merchant_public = load_rsa_public_key((await sandbox_key_store(server.settings.var_dir).wechatpay())
                                          .merchant_public_pem)
    app_id = server.deps.payments["wechat"].app_id
    assert sha256_rsa_verify(merchant_public, signed_message(app_id, params["timeStamp"], params["nonceStr"],
                                                             params["package"]), params["paySign"])
    again = await pay(server, token, case_id, "wechat")
    assert again["order"]["id"] == order["id"]
    assert again["params"]["package"] == params["package"]
    out_trade_no = order["out_trade_no"]

    for bad in ({"forge": True}, {"tamper": True}, {"timestamp_offset_seconds": -600}):
        refused = await sandbox(server, "wechat", out_trade_no, "notify", **bad)
        assert refused.json["notices"][0]["status"] == 400, bad
        assert '"FAIL"' in refused.json["notices"][0]["body"]
    assert order_of(await stored_case(server, case_id), out_trade_no)["state"] == "paying"

    paid = await sandbox(server, "wechat", out_trade_no, "pay", notify="twice")
    assert [n["status"] for n in paid.json["notices"]] == [200, 200]
    assert all('"SUCCESS"' in n["body"] for n in paid.json["notices"])
    late = await sandbox(server, "wechat", out_trade_no, "notify", timestamp_offset_seconds=-120)
    assert late.json["notices"][0]["status"] == 200
    case = await stored_case(server, case_id)
    stored = order_of(case, out_trade_no)
    assert stored["state"] == "paid"
    assert stored["provider_trade_no"]
    assert [(t["from"], t["to"]) for t in stored["transitions"]] == [(None, "created"), ("created", "paying"),
                                                                     ("paying", "paid")]
    assert len(paid_messages(case)) == 1
    assert bool(case["fees"]["paid"]["f1"])
    assert not bool(case["fees"]["paid"]["f2"])
    after = await fees(server, token, case_id)
    assert after["f1"]["paid"]
    assert after["f1"]["orders"][0]["state"] == "paid"
    refused = await server.post(f"/mp/v1/cases/{case_id}/fees/f1/pay", json={"provider": "wechat"}, token=token)
    assert (refused.status, refused.error_code) == (409, "fee_already_paid")


@pytest.mark.asyncio
async def test_pay_with_alipay_and_every_kind_of_notice(server: TestServer) -> None:
    token, case_id = await alipay_citizen_case(server)
    started = await pay(server, token, case_id, "alipay")
    trade_no, out_trade_no = started["params"]["tradeNO"], started["order"]["out_trade_no"]
    assert trade_no
    assert started["order"]["state"] == "paying"
    wrong_channel = await server.post(f"/mp/v1/cases/{case_id}/fees/f2/pay", json={"provider": "wechat"},
                                      token=token)
    assert (wrong_channel.status, wrong_channel.error_code) == (422, "payment_channel_mismatch")
    for bad in ({"forge": True}, {"tamper": True}):
        refused = await sandbox(server, "alipay", out_trade_no, "notify", **bad)
        assert refused.json["notices"][0] == {"status": 200, "body": "failure"}, bad
    paid = await sandbox(server, "alipay", out_trade_no, "pay", notify="twice")
    assert paid.json["notices"] == [{"status": 200, "body": "success"}] * 2
    case = await stored_case(server, case_id)
    assert order_of(case, out_trade_no)["state"] == "paid"
    assert order_of(case, out_trade_no)["provider_trade_no"] == trade_no
    assert len(paid_messages(case)) == 1


@pytest.mark.asyncio
async def test_unsigned_or_unknown_notices_are_refused(server: TestServer) -> None:
    unsigned = await server.post("/payments/v1/wechat/notify", json={"resource": {}})
    assert unsigned.status == 400
    assert unsigned.json["code"] == "FAIL"
    garbage = await server.post("/payments/v1/alipay/notify", body=b"out_trade_no=P1&sign=abc",
                                headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert (garbage.status, garbage.body) == (200, b"failure")
