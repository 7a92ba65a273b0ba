"""Staff refunds through HTTP against the sandbox: partial, never past what was paid, confirmed."""

from __future__ import annotations

import pytest

from server.payments.jobs import poll_quiet_orders
from server.sandbox import payments_repository as sandbox_payments
from server.staff.roles import Role
from tests.cms.factories import DEPARTMENT_ID, OTHER_DEPARTMENT_ID
from tests.server.payments.factories import (
    FEE_FEN,
    alipay_citizen_case,
    officer,
    order_of,
    paid_order,
    pay,
    refund_path,
    sandbox,
    stored_case,
    wechat_citizen_case,
)
from tests.support.server import TestServer
from tests.support.staff import signed_in_staff


@pytest.mark.asyncio
async def test_a_partial_wechat_refund_is_confirmed_by_notice_and_query(server: TestServer) -> None:
    token, case_id = await wechat_citizen_case(server)
    out_trade_no = (await pay(server, token, case_id, "wechat"))["order"]["out_trade_no"]
    officer = await signed_in_staff(server, "officer", roles=[Role.OFFICER.value], departments=[DEPARTMENT_ID])
    stranger = await signed_in_staff(server, "stranger", roles=[Role.OFFICER.value], departments=[OTHER_DEPARTMENT_ID])
    unpaid = await officer.post(refund_path(case_id, out_trade_no), json={"amount_fen": 100, "reason": "多收"})
    assert (unpaid.status, unpaid.error_code) == (409, "order_not_refundable")
    await sandbox(server, "wechat", out_trade_no, "pay")
    hidden = await stranger.post(refund_path(case_id, out_trade_no), json={"amount_fen": 100, "reason": "多收"})
    assert (hidden.status, hidden.error_code) == (404, "case_not_found")
    no_reason = await officer.post(refund_path(case_id, out_trade_no), json={"amount_fen": 100})
    assert no_reason.status == 422
    blank = await officer.post(refund_path(case_id, out_trade_no), json={"amount_fen": 100, "reason": "  "})
    assert (blank.status, blank.error_code) == (422, "reason_required")
    too_much = await officer.post(refund_path(case_id, out_trade_no),
                                  json={"amount_fen": FEE_FEN + 1, "reason": "多收"})
    assert (too_much.status, too_much.error_code) == (422, "refund_exceeds_paid")

    first = await officer.post(refund_path(case_id, out_trade_no), json={"amount_fen": 500, "reason": "多收"})
    assert first.status == 200, first.body
    assert (first.json["state"], first.json["refunded_fen"]) == ("refunding", 0)
    in_flight = await officer.post(refund_path(case_id, out_trade_no), json={"amount_fen": 100, "reason": "多收"})
    assert (in_flight.status, in_flight.error_code) == (409, "refund_in_progress")
    refund_no = f"{out_trade_no}R1"
    notice = await sandbox(server, "wechat", out_trade_no, "notify", refund=refund_no)
    assert notice.json["notices"][0]["status"] == 200
    order = order_of(await stored_case(server, case_id), out_trade_no)
    assert (order["state"], order["refunded_fen"]) == ("refunded", 500)
    assert order["refunds"][refund_no]["state"] == "success"
    again = await sandbox(server, "wechat", out_trade_no, "notify", refund=refund_no)
    assert again.json["notices"][0]["status"] == 200
    # An old payment notice arriving after the refund changes nothing.
    stale = await sandbox(server, "wechat", out_trade_no, "notify")
    assert stale.json["notices"][0]["status"] == 200
    assert order_of(await stored_case(server, case_id), out_trade_no)["refunded_fen"] == 500

    over = await officer.post(refund_path(case_id, out_trade_no), json={"amount_fen": 1001, "reason": "多收"})
    assert over.error_code == "refund_exceeds_paid"
    rest = await officer.post(refund_path(case_id, out_trade_no), json={"amount_fen": 1000, "reason": "办件撤回"})
    assert rest.json["state"] == "refunding"
    assert await poll_quiet_orders(server.deps) == {"asked": 1, "changed": 1, "failed": 0}
    order = order_of(await stored_case(server, case_id), out_trade_no)
    assert (order["state"], order["refunded_fen"]) == ("refunded", FEE_FEN)
    assert [t["to"] for t in order["transitions"]] == ["created", "paying", "paid", "refunding", "refunded",
                                                        "refunding", "refunded"]
    assert order["transitions"][3]["reason"] == "多收"
    assert order["transitions"][3]["by"]["kind"] == "staff"
    none_left = await officer.post(refund_path(case_id, out_trade_no), json={"amount_fen": 1, "reason": "多收"})
    assert none_left.error_code == "refund_exceeds_paid"


@pytest.mark.asyncio
async def test_an_alipay_refund_settles_at_once(server: TestServer) -> None:
    token, case_id = await alipay_citizen_case(server)
    out_trade_no = (await pay(server, token, case_id, "alipay"))["order"]["out_trade_no"]
    await sandbox(server, "alipay", out_trade_no, "pay")
    officer = await signed_in_staff(server, "officer", roles=[Role.OFFICER.value], departments=[DEPARTMENT_ID])
    refunded = await officer.post(refund_path(case_id, out_trade_no), json={"amount_fen": 300, "reason": "多收"})
    assert refunded.status == 200, refunded.body
    assert (refunded.json["state"], refunded.json["refunded_fen"]) == ("refunded", 300)
    notice = await sandbox(server, "alipay", out_trade_no, "notify", refund=f"{out_trade_no}R1")
    assert notice.json["notices"] == [{"status": 200, "body": "success"}]
    assert order_of(await stored_case(server, case_id), out_trade_no)["refunded_fen"] == 300


@pytest.mark.asyncio
@pytest.mark.parametrize("amount", [500.0, 100.0, True, "500", None, [500]])
async def test_a_refund_amount_that_is_not_a_json_integer_is_refused_and_changes_nothing(server: TestServer,
                                                                                         amount: object) -> None:
    case_id, out_trade_no = await paid_order(server, "alipay")
    before = order_of(await stored_case(server, case_id), out_trade_no)
    staff = await officer(server)
    refused = await staff.post(refund_path(case_id, out_trade_no), json={"amount_fen": amount, "reason": "多收"})
    assert (refused.status, refused.error_code) == (422, "validation_failed"), refused.body
    assert [field["path"] for field in refused.json["error"]["fields"]] == ["/amount_fen"]
    assert order_of(await stored_case(server, case_id), out_trade_no) == before
    assert await sandbox_payments.get_refund(server.deps.db, "alipay", f"{out_trade_no}R1") is None
    # The same refund as an integer goes through.
    done = await staff.post(refund_path(case_id, out_trade_no), json={"amount_fen": 500, "reason": "多收"})
    assert (done.status, done.json["state"], done.json["refunded_fen"]) == (200, "refunded", 500)
