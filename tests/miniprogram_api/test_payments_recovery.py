"""When notices are missing, late or racing: queries, the worker's close and poll jobs."""

from __future__ import annotations

import asyncio

import pytest

from server.payments.jobs import close_unpaid_orders, poll_quiet_orders
from server.sandbox import payments_repository
from tests.conftest import StartServer
from tests.server.payments.factories import (
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
async def test_a_missing_notice_is_repaired_by_the_query_when_the_mini_program_says_paid(server: TestServer) -> None:
    token, case_id = await wechat_citizen_case(server)
    out_trade_no = (await pay(server, token, case_id, "wechat"))["order"]["out_trade_no"]
    not_yet = await server.post(f"/mp/v1/cases/{case_id}/fees/f1/paid", token=token)
    assert not_yet.status == 200
    assert not not_yet.json["paid"]
    assert (await sandbox(server, "wechat", out_trade_no, "pay", notify="none")).json["notices"] == []
    confirmed = await server.post(f"/mp/v1/cases/{case_id}/fees/f1/paid", token=token)
    assert confirmed.status == 200, confirmed.body
    assert confirmed.json["paid"]
    assert confirmed.json["orders"][0]["state"] == "paid"
    late = await sandbox(server, "wechat", out_trade_no, "notify")
    assert late.json["notices"][0]["status"] == 200
    assert len(paid_messages(await stored_case(server, case_id))) == 1


@pytest.mark.asyncio
async def test_a_notice_racing_a_query_makes_one_transition(server: TestServer) -> None:
    token, case_id = await wechat_citizen_case(server)
    out_trade_no = (await pay(server, token, case_id, "wechat"))["order"]["out_trade_no"]
    await sandbox(server, "wechat", out_trade_no, "pay", notify="none")
    results = await asyncio.gather(
        server.post(f"/mp/v1/cases/{case_id}/fees/f1/paid", token=token),
        sandbox(server, "wechat", out_trade_no, "notify"),
        server.post(f"/mp/v1/cases/{case_id}/fees/f1/paid", token=token),
        sandbox(server, "wechat", out_trade_no, "notify"))
    assert [r.status for r in results] == [200] * 4
    assert [r.json["notices"][0]["status"] for r in results[1::2]] == [200, 200]
    case = await stored_case(server, case_id)
    transitions = order_of(case, out_trade_no)["transitions"]
    assert [t["to"] for t in transitions].count("paid") == 1
    assert len(paid_messages(case)) == 1


@pytest.mark.asyncio
async def test_the_worker_asks_about_quiet_orders(server: TestServer) -> None:
    token, case_id = await wechat_citizen_case(server)
    out_trade_no = (await pay(server, token, case_id, "wechat"))["order"]["out_trade_no"]
    await sandbox(server, "wechat", out_trade_no, "pay", notify="none")
    # Too fresh to ask about: the notice may still be on its way.
    assert (await poll_quiet_orders(server.deps))["asked"] == 0
    case = await stored_case(server, case_id)
    aged = dict(case)
    aged["fees"]["orders"][out_trade_no]["created_at"] = server.deps.clock.now().replace(year=2025)
    await server.deps.db.cases.replace_one({"_id": case_id}, aged)
    assert await poll_quiet_orders(server.deps) == {"asked": 1, "changed": 1, "failed": 0}
    assert order_of(await stored_case(server, case_id), out_trade_no)["state"] == "paid"
    assert (await poll_quiet_orders(server.deps))["asked"] == 0


@pytest.mark.asyncio
async def test_unpaid_orders_are_closed_with_the_provider(start_server: StartServer) -> None:
    server = await start_server(payment_unpaid_close_minutes=0)
    token, case_id = await wechat_citizen_case(server)
    unpaid = (await pay(server, token, case_id, "wechat"))["order"]["out_trade_no"]
    paid_meanwhile = (await pay(server, token, case_id, "wechat", fee_id="f2"))["order"]["out_trade_no"]
    await sandbox(server, "wechat", paid_meanwhile, "pay", notify="none")
    assert await close_unpaid_orders(server.deps) == {"closed": 1, "found_paid": 1, "failed": 0}
    case = await stored_case(server, case_id)
    assert order_of(case, unpaid)["state"] == "closed"
    assert order_of(case, paid_meanwhile)["state"] == "paid"
    trade = await payments_repository.get_trade(server.deps.db, "wechat", unpaid)
    assert trade is not None
    assert trade["state"] == "closed"
    assert (await sandbox(server, "wechat", unpaid, "pay")).status == 409
    assert await close_unpaid_orders(server.deps) == {"closed": 0, "found_paid": 0, "failed": 0}
    # Paying again opens a new order: the closed one stays closed.
    again = await pay(server, token, case_id, "wechat")
    assert again["order"]["out_trade_no"] != unpaid
    listed = await fees(server, token, case_id)
    assert [o["state"] for o in listed["f1"]["orders"]] == ["closed", "paying"]
