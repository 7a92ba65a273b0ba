"""Daily reconciliation against the sandbox's bills: planted mismatches are found, repaired or reported."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from server.clock import FrozenClock, china_date
from server.payments.cli import reconcile_days
from server.payments.jobs import poll_quiet_orders
from server.staff.roles import Role
from tests.cms.factories import DEPARTMENT_ID
from tests.conftest import StartServer
from tests.server.payments.factories import (
    FEE_FEN,
    LONG_SESSIONS,
    alipay_citizen_case,
    officer,
    order_of,
    paid_messages,
    pay,
    refund_path,
    sandbox,
    stored_case,
    wechat_citizen_case,
)
from tests.support.server import TestServer
from tests.support.staff import signed_in_staff


async def mark_paid_here_only(server: TestServer, case_id: str, out_trade_no: str) -> None:
    """A planted 单边账 on our side: the order says paid, the provider never got the money."""
    case = await stored_case(server, case_id)
    order = case["fees"]["orders"][out_trade_no]
    order.update(state="paid", paid_at=server.deps.clock.now())
    await server.deps.db.cases.replace_one({"_id": case_id}, case)


@pytest.mark.asyncio
async def test_wechat_reconciliation_repairs_what_it_can_and_lists_the_rest(server: TestServer,
                                                                            mongo_url: str) -> None:
    day = china_date(server.deps.clock.now()).isoformat()
    token, case_id = await wechat_citizen_case(server)
    matched = (await pay(server, token, case_id, "wechat"))["order"]["out_trade_no"]
    await sandbox(server, "wechat", matched, "pay")
    silent = (await pay(server, token, case_id, "wechat", fee_id="f2"))["order"]["out_trade_no"]
    await sandbox(server, "wechat", silent, "pay", notify="none")
    _other_token, other_case = await wechat_citizen_case(server)
    ours_only = (await pay(server, _other_token, other_case, "wechat"))["order"]["out_trade_no"]
    await mark_paid_here_only(server, other_case, ours_only)
    planted = await server.post("/_sandbox/payments/wechat/bill-entries",
                                json={"date": day, "out_trade_no": "FOREIGN0001", "amount_fen": 999})
    assert planted.status == 201

    settings = server.settings.replace(mongo_url=mongo_url)
    [report] = await reconcile_days(settings, ["wechat"], china_date(server.deps.clock.now()))
    kinds = {(m["kind"], m["out_trade_no"], m["resolution"]) for m in report["mismatches"]}
    assert kinds == {("paid_there_not_here", silent, "repaired"), ("unknown_order", "FOREIGN0001", "open"),
                     ("paid_here_not_there", ours_only, "open")}
    assert (report["bill_lines"], report["matched"], report["repaired"], report["open"]) == (3, 1, 1, 2)
    case = await stored_case(server, case_id)
    assert order_of(case, silent)["state"] == "paid"
    assert len(paid_messages(case)) == 2

    officer = await signed_in_staff(server, "officer", roles=[Role.OFFICER.value], departments=[DEPARTMENT_ID])
    listed = await officer.get(f"/staff/v1/payments/reconciliation?date={day}")
    assert listed.status == 200, listed.body
    [shown] = listed.json["items"]
    assert shown["provider"] == "wechat"
    assert shown["open"] == 2
    unknown = next(m for m in shown["mismatches"] if m["kind"] == "unknown_order")
    assert unknown["provider_amount_fen"] == 999
    # A rerun finds the repaired order matched now and replaces the day's report.
    [rerun] = await reconcile_days(settings, ["wechat"], china_date(server.deps.clock.now()))
    assert (rerun["matched"], rerun["repaired"], rerun["open"]) == (2, 0, 2)
    again = await officer.get(f"/staff/v1/payments/reconciliation?date={day}")
    assert len(again.json["items"]) == 1
    bad = await officer.get("/staff/v1/payments/reconciliation?date=2026-13-45")
    assert (bad.status, bad.error_code) == (400, "invalid_reconciliation_date")


@pytest.mark.asyncio
async def test_alipay_bill_is_read_and_matched(server: TestServer) -> None:
    from server.payments.reconciliation import reconcile

    token, case_id = await alipay_citizen_case(server)
    paid = (await pay(server, token, case_id, "alipay"))["order"]["out_trade_no"]
    await sandbox(server, "alipay", paid, "pay", notify="none")
    officer = await signed_in_staff(server, "officer", roles=[Role.OFFICER.value], departments=[DEPARTMENT_ID])
    await server.post(f"/mp/v1/cases/{case_id}/fees/f1/paid", token=token)
    refund = await officer.post(f"/staff/v1/cases/{case_id}/fees/{paid}/refund", json={"amount_fen": 100,
                                                                                       "reason": "多收"})
    assert refund.status == 200
    report = await reconcile(server.deps, "alipay", china_date(server.deps.clock.now()))
    assert (report["bill_lines"], report["matched"], report["open"], report["mismatches"]) == (2, 1, 0, [])
    assert order_of(await stored_case(server, case_id), paid)["amount_fen"] == FEE_FEN


def test_the_cli_takes_a_date_and_an_optional_provider() -> None:
    from server.__main__ import build_parser
    from server.payments.cli import run

    args = build_parser().parse_args(["reconcile", "--date", "2026-11-23", "--provider", "alipay"])
    assert (args.handler, args.date.isoformat(), args.provider) == (run, "2026-11-23", "alipay")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["reconcile", "--date", "yesterday"])


@pytest.mark.asyncio
async def test_money_moved_before_midnight_and_learned_after_belongs_to_the_providers_day(
        start_server: StartServer) -> None:
    from server.payments.reconciliation import reconcile

    # 23:58 in China on 23 November 2026.
    server = await start_server(clock=FrozenClock(datetime(2026, 11, 23, 15, 58, tzinfo=UTC)), **LONG_SESSIONS)
    clock = server.clock
    assert isinstance(clock, FrozenClock)
    token, case_id = await wechat_citizen_case(server)
    out_trade_no = (await pay(server, token, case_id, "wechat"))["order"]["out_trade_no"]
    clock.advance(seconds=90)
    await sandbox(server, "wechat", out_trade_no, "pay", notify="none")  # paid 23:59:30, the notice lost
    clock.advance(seconds=60)
    confirmed = await server.post(f"/mp/v1/cases/{case_id}/fees/f1/paid", token=token)
    assert confirmed.status == 200, confirmed.body
    assert order_of(await stored_case(server, case_id), out_trade_no)["state"] == "paid"

    # The next night a refund the provider makes at 23:59:50 is settled by the poll after midnight.
    clock.set(datetime(2026, 11, 24, 15, 59, 50, tzinfo=UTC))
    staff = await officer(server)
    taken = await staff.post(refund_path(case_id, out_trade_no), json={"amount_fen": 500, "reason": "多收"})
    assert taken.json["state"] == "refunding"
    clock.advance(seconds=40)
    assert await poll_quiet_orders(server.deps) == {"asked": 1, "changed": 1, "failed": 0}

    reports = {day: await reconcile(server.deps, "wechat", date(2026, 11, day)) for day in (23, 24, 25)}
    assert [(r["matched"], r["open"], r["mismatches"]) for r in reports.values()] == [(1, 0, []), (0, 0, []),
                                                                                      (0, 0, [])]
    assert reports[24]["bill_lines"] == 1  # the refund
