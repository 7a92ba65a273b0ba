"""Refunds that do not simply succeed, through HTTP and the sandbox's scripted refund answers: a send that
never reached the provider, an answer that was lost, a refusal, a crash after the refunding write, an
Alipay refund without fund change and a WeChat refund gone ABNORMAL. None may leave an order refunding
for good, refund twice, or count money as given back before the provider says it is."""

from __future__ import annotations

from typing import Any

import pytest

from server.clock import FrozenClock
from server.payments.jobs import poll_quiet_orders
from server.sandbox import payments_repository as sandbox_payments
from tests.cms.factories import OTHER_DEPARTMENT_ID
from tests.conftest import StartServer
from tests.server.payments.factories import (
    LONG_SESSIONS,
    officer,
    order_of,
    paid_order,
    refund_path,
    sandbox,
    staff_order,
    stored_case,
)
from tests.support.server import Response, TestServer
from tests.support.staff import StaffBrowser

REFUSALS = {"wechat": "NOT_ENOUGH", "alipay": "ACQ.SELLER_BALANCE_NOT_ENOUGH"}
UPSTREAM_ERRORS = {"wechat": "wechatpay_upstream_error", "alipay": "alipay_upstream_error"}
NOTHING = {"asked": 0, "changed": 0, "failed": 0}


async def frozen_server(start_server: StartServer) -> TestServer:
    return await start_server(clock=FrozenClock(), **LONG_SESSIONS)


def advance(server: TestServer, **delta: float) -> None:
    clock = server.clock
    assert isinstance(clock, FrozenClock)
    clock.advance(**delta)


async def script(server: TestServer, provider: str, out_trade_no: str, *answers: str) -> None:
    scripted = await sandbox(server, provider, out_trade_no, "refund-answers", answers=list(answers))
    assert scripted.status == 200, scripted.body


async def scripted_refund(start_server: StartServer, provider: str, *answers: str, amount_fen: int = 500
                          ) -> tuple[TestServer, StaffBrowser, str, str, Response]:
    """A paid order whose provider answers the next refund requests as scripted, and an officer's refund of
    ``amount_fen``: (server, officer, case id, out_trade_no, the refund's answer)."""
    server = await frozen_server(start_server)
    case_id, out_trade_no = await paid_order(server, provider)
    staff = await officer(server)
    await script(server, provider, out_trade_no, *answers)
    answer = await staff.post(refund_path(case_id, out_trade_no), json={"amount_fen": amount_fen, "reason": "多收"})
    return server, staff, case_id, out_trade_no, answer


async def order_now(server: TestServer, case_id: str, out_trade_no: str) -> dict[str, Any]:
    return order_of(await stored_case(server, case_id), out_trade_no)


async def provider_refunded_fen(server: TestServer, provider: str, out_trade_no: str) -> int:
    trade = await sandbox_payments.get_trade(server.deps.db, provider, out_trade_no)
    assert trade is not None
    return int(trade["refunded_fen"])


@pytest.mark.asyncio
@pytest.mark.parametrize("provider", ["wechat", "alipay"])
async def test_a_refund_the_provider_never_got_is_sent_again_with_the_same_number(start_server: StartServer,
                                                                                  provider: str) -> None:
    server, staff, case_id, out_trade_no, first = await scripted_refund(start_server, provider, "system_error")
    assert first.status == 200, first.body
    [entry] = first.json["refunds"]
    assert (first.json["state"], first.json["refunded_fen"]) == ("refunding", 0)
    assert (entry["state"], entry["sends"], entry["last_error"]) == ("pending", 1, UPSTREAM_ERRORS[provider])
    blocked = await staff.post(refund_path(case_id, out_trade_no), json={"amount_fen": 100, "reason": "多收"})
    assert (blocked.status, blocked.error_code) == (409, "refund_in_progress")

    # The provider has no such refund, but a send may still be on its way: it is not sent again at once.
    assert await poll_quiet_orders(server.deps) == {"asked": 1, "changed": 0, "failed": 0}
    advance(server, minutes=1)
    assert await poll_quiet_orders(server.deps) == {"asked": 1, "changed": 1, "failed": 0}
    if provider == "wechat":  # WeChat answers PROCESSING; the next poll finds it done.
        assert (await order_now(server, case_id, out_trade_no))["state"] == "refunding"
        assert await poll_quiet_orders(server.deps) == {"asked": 1, "changed": 1, "failed": 0}
    order = await order_now(server, case_id, out_trade_no)
    assert (order["state"], order["refunded_fen"]) == ("refunded", 500)
    assert order["refunds"][f"{out_trade_no}R1"]["sends"] == 2
    assert await poll_quiet_orders(server.deps) == NOTHING
    # One refund at the provider, under the first number.
    assert await provider_refunded_fen(server, provider, out_trade_no) == 500
    assert await sandbox_payments.get_refund(server.deps.db, provider, f"{out_trade_no}R2") is None


@pytest.mark.asyncio
@pytest.mark.parametrize("provider", ["wechat", "alipay"])
async def test_a_refund_whose_answer_was_lost_is_settled_by_the_query_not_made_twice(start_server: StartServer,
                                                                                     provider: str) -> None:
    server, _, case_id, out_trade_no, first = await scripted_refund(start_server, provider, "answer_lost")
    assert (first.status, first.json["state"]) == (200, "refunding")
    assert first.json["refunds"][0]["last_error"] == UPSTREAM_ERRORS[provider]
    assert await poll_quiet_orders(server.deps) == {"asked": 1, "changed": 1, "failed": 0}
    order = await order_now(server, case_id, out_trade_no)
    assert (order["state"], order["refunded_fen"]) == ("refunded", 500)
    assert order["refunds"][f"{out_trade_no}R1"]["sends"] == 1
    assert await provider_refunded_fen(server, provider, out_trade_no) == 500


@pytest.mark.asyncio
@pytest.mark.parametrize("provider", ["wechat", "alipay"])
async def test_a_refused_refund_fails_visibly_and_the_order_returns_to_its_state(start_server: StartServer,
                                                                                 provider: str) -> None:
    server, staff, case_id, out_trade_no, refused = await scripted_refund(start_server, provider, "refuse")
    assert refused.status == 200, refused.body
    assert (refused.json["state"], refused.json["refunded_fen"]) == ("paid", 0)
    assert refused.json["transitions"][-1]["reason"] == f"refund failed: {REFUSALS[provider]}"
    seen = await staff_order(staff, case_id, out_trade_no)
    [entry] = seen["refunds"]
    assert (entry["out_refund_no"], entry["state"], entry["failure"]) == (f"{out_trade_no}R1", "failed",
                                                                         REFUSALS[provider])
    stranger = await officer(server, "stranger", OTHER_DEPARTMENT_ID)
    hidden = await stranger.get(f"/staff/v1/cases/{case_id}/fees")
    assert (hidden.status, hidden.error_code) == (404, "case_not_found")
    assert (await stored_case(server, case_id))["fees_watch"] == 0

    # Staff refund again; it succeeds under a new number. A refusal then leaves the order refunded.
    again = await staff.post(refund_path(case_id, out_trade_no), json={"amount_fen": 500, "reason": "多收"})
    assert again.status == 200, again.body
    await poll_quiet_orders(server.deps)
    order = await order_now(server, case_id, out_trade_no)
    assert (order["state"], order["refunded_fen"]) == ("refunded", 500)
    await script(server, provider, out_trade_no, "refuse")
    second = await staff.post(refund_path(case_id, out_trade_no), json={"amount_fen": 100, "reason": "多收"})
    assert (second.json["state"], second.json["refunded_fen"]) == ("refunded", 500)
    assert [r["state"] for r in second.json["refunds"]] == ["failed", "success", "failed"]
    assert await provider_refunded_fen(server, provider, out_trade_no) == 500


@pytest.mark.asyncio
async def test_a_crash_after_the_refunding_write_is_recovered_by_the_poll(start_server: StartServer,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    server = await frozen_server(start_server)
    case_id, out_trade_no = await paid_order(server, "alipay")
    staff = await officer(server)
    alipay = server.deps.payments["alipay"]

    async def killed(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("worker killed before the refund request left")

    with monkeypatch.context() as patched:
        patched.setattr(alipay, "refund", killed)
        server.check_schemas = False  # a crash answers an undocumented 500
        crashed = await staff.post(refund_path(case_id, out_trade_no), json={"amount_fen": 500, "reason": "多收"})
        server.check_schemas = True
    assert crashed.status == 500
    order = await order_now(server, case_id, out_trade_no)
    assert (order["state"], order["refunds"][f"{out_trade_no}R1"]["state"]) == ("refunding", "pending")
    assert await sandbox_payments.get_refund(server.deps.db, "alipay", f"{out_trade_no}R1") is None

    advance(server, minutes=1)
    assert await poll_quiet_orders(server.deps) == {"asked": 1, "changed": 1, "failed": 0}
    order = await order_now(server, case_id, out_trade_no)
    assert (order["state"], order["refunded_fen"]) == ("refunded", 500)
    assert await provider_refunded_fen(server, "alipay", out_trade_no) == 500


@pytest.mark.asyncio
async def test_a_refund_the_provider_never_gets_is_given_up_after_five_sends(start_server: StartServer) -> None:
    server, staff, case_id, out_trade_no, first = await scripted_refund(start_server, "wechat", *["system_error"] * 5)
    assert first.json["refunds"][0]["sends"] == 1
    # Each send waits twice as long as the one before it before the provider's "no such refund" counts.
    for wait, sends in ((1, 2), (2, 3), (4, 4), (8, 5)):
        advance(server, minutes=wait - 0.5)
        assert await poll_quiet_orders(server.deps) == {"asked": 1, "changed": 0, "failed": 0}
        advance(server, minutes=0.5)
        assert await poll_quiet_orders(server.deps) == {"asked": 1, "changed": 1, "failed": 0}
        entry = (await staff_order(staff, case_id, out_trade_no))["refunds"][0]
        assert (entry["state"], entry["sends"], entry["last_error"]) == ("pending", sends, "wechatpay_upstream_error")
    advance(server, minutes=16)
    assert await poll_quiet_orders(server.deps) == {"asked": 1, "changed": 1, "failed": 0}
    seen = await staff_order(staff, case_id, out_trade_no)
    assert (seen["state"], seen["refunded_fen"]) == ("paid", 0)
    assert (seen["refunds"][0]["state"], seen["refunds"][0]["failure"]) == ("failed", "refund_not_found")
    assert await poll_quiet_orders(server.deps) == NOTHING
    assert await sandbox_payments.get_refund(server.deps.db, "wechat", f"{out_trade_no}R1") is None
    # Nothing was refunded, so staff can refund the whole amount again.
    again = await staff.post(refund_path(case_id, out_trade_no), json={"amount_fen": 1500, "reason": "多收"})
    assert (again.status, again.json["state"]) == (200, "refunding")


@pytest.mark.asyncio
async def test_an_alipay_refund_without_fund_change_waits_for_the_refund_query(start_server: StartServer) -> None:
    server, _, case_id, out_trade_no, taken = await scripted_refund(start_server, "alipay", "processing",
                                                                    amount_fen=300)
    assert taken.status == 200, taken.body
    assert (taken.json["state"], taken.json["refunded_fen"]) == ("refunding", 0)
    assert taken.json["refunds"][0]["state"] == "pending"
    # The refund query does not say REFUND_SUCCESS yet. Sent again with the same number, Alipay answers
    # fund_change N: it already has the request, and no more money moves.
    assert await poll_quiet_orders(server.deps) == {"asked": 1, "changed": 0, "failed": 0}
    advance(server, minutes=1)
    assert await poll_quiet_orders(server.deps) == {"asked": 1, "changed": 1, "failed": 0}
    order = await order_now(server, case_id, out_trade_no)
    assert (order["state"], order["refunded_fen"], order["refunds"][f"{out_trade_no}R1"]["sends"]) == (
        "refunding", 0, 2)
    assert await provider_refunded_fen(server, "alipay", out_trade_no) == 300

    settled = await sandbox(server, "alipay", out_trade_no, "settle-refund", refund=f"{out_trade_no}R1",
                            status="success")
    assert settled.status == 200, settled.body
    assert await poll_quiet_orders(server.deps) == {"asked": 1, "changed": 1, "failed": 0}
    order = await order_now(server, case_id, out_trade_no)
    assert (order["state"], order["refunded_fen"]) == ("refunded", 300)
    assert order["refunds"][f"{out_trade_no}R1"]["state"] == "success"


@pytest.mark.asyncio
@pytest.mark.parametrize(("ending", "state", "refunded_fen"), [("success", "refunded", 500), ("closed", "paid", 0)])
async def test_an_abnormal_wechat_refund_stays_open_and_blocks_a_new_refund(start_server: StartServer, ending: str,
                                                                            state: str, refunded_fen: int) -> None:
    server, staff, case_id, out_trade_no, taken = await scripted_refund(start_server, "wechat", "abnormal")
    assert (taken.status, taken.json["state"]) == (200, "refunding")
    notice = await sandbox(server, "wechat", out_trade_no, "notify", refund=f"{out_trade_no}R1")
    assert notice.json["notices"][0]["status"] == 200
    seen = await staff_order(staff, case_id, out_trade_no)
    assert (seen["state"], seen["refunded_fen"], seen["refunds"][0]["state"]) == ("refunding", 0, "abnormal")
    blocked = await staff.post(refund_path(case_id, out_trade_no), json={"amount_fen": 500, "reason": "再退"})
    assert (blocked.status, blocked.error_code) == (409, "refund_abnormal")
    advance(server, hours=1)
    assert await poll_quiet_orders(server.deps) == {"asked": 1, "changed": 0, "failed": 0}

    # Staff settle it at the merchant platform (paid to the card, or closed): the poll picks that up.
    settled = await sandbox(server, "wechat", out_trade_no, "settle-refund", refund=f"{out_trade_no}R1",
                            status=ending)
    assert settled.status == 200, settled.body
    assert await poll_quiet_orders(server.deps) == {"asked": 1, "changed": 1, "failed": 0}
    seen = await staff_order(staff, case_id, out_trade_no)
    assert (seen["state"], seen["refunded_fen"]) == (state, refunded_fen)
    assert seen["refunds"][0]["state"] == ("success" if ending == "success" else "failed")
    assert await provider_refunded_fen(server, "wechat", out_trade_no) == refunded_fen
