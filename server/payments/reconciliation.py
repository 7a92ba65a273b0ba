"""Daily reconciliation (对账): the provider's bill of a day against our orders.

Every difference is recorded: paid there but not here (单边账 on our side), paid here but not in the bill,
amounts that differ, and bill trades we never issued. What a provider query can confirm is repaired
through the same path as a notice (so the case's fee is marked paid and the citizen told); the rest stays
open in the report for staff. A rerun for the same day replaces that day's report.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from server.cases import repository as cases_repository
from server.clock import china_date
from server.payments import orders
from server.payments import repository as payments_repository
from server.payments.errors import InvalidReconciliationDate
from server.payments.gateway import BillLine
from server.payments.orders import OrderState
from server.payments.service import gateway, query_and_apply

if TYPE_CHECKING:
    from server.deps import Deps


async def reconcile(deps: Deps, provider: str, day: date) -> dict[str, Any]:
    provider_gateway = gateway(deps, provider)
    lines = await provider_gateway.bill(day)
    billed: dict[str, BillLine] = {line.out_trade_no: line for line in lines if line.kind == "payment"}
    mismatches: list[dict[str, Any]] = []
    matched = 0
    for out_trade_no, line in billed.items():
        found = await _order(deps, out_trade_no)
        if found is None:
            mismatches.append(_mismatch("unknown_order", out_trade_no, line.amount_fen, None, None, "open",
                                        "账单中的交易不是本系统的订单"))
            continue
        case_id, order = found
        if order["amount_fen"] != line.amount_fen:
            mismatches.append(_mismatch("amount_differs", out_trade_no, line.amount_fen, order["amount_fen"],
                                        case_id, "open", None))
        elif OrderState(order["state"]) not in orders.MONEY_STATES:
            repaired = (await query_and_apply(deps, case_id, order)).order
            fixed = OrderState(repaired["state"]) in orders.MONEY_STATES
            mismatches.append(_mismatch("paid_there_not_here", out_trade_no, line.amount_fen, order["amount_fen"],
                                        case_id, "repaired" if fixed else "open",
                                        "查询确认已支付，已补记" if fixed else "查询未确认支付"))
        else:
            matched += 1
    mismatches += await _refund_mismatches(deps, day, lines)
    days = [(day - timedelta(days=1)).isoformat(), day.isoformat()]
    for entry in await payments_repository.trades_created_on(deps.db, provider, days):
        out_trade_no = str(entry["_id"])
        if out_trade_no in billed:
            continue
        found = await _order(deps, out_trade_no)
        if found is None:
            continue
        case_id, order = found
        paid_at = _provider_time(order, "provider_paid_at", "paid_at")
        if OrderState(order["state"]) not in orders.MONEY_STATES or paid_at is None or china_date(paid_at) != day:
            continue
        report = await provider_gateway.query(out_trade_no)
        confirmed = report.outcome == "paid"
        mismatches.append(_mismatch("paid_here_not_there", out_trade_no, None, order["amount_fen"], case_id, "open",
                                    "查询确认已支付，账单缺少此笔" if confirmed else "支付平台查询未支付，请人工核实"))
    report_doc = {
        "_id": f"{provider}:{day.isoformat()}", "provider": provider, "date": day.isoformat(),
        "run_at": deps.clock.now(), "bill_lines": len(lines), "matched": matched,
        "repaired": sum(1 for m in mismatches if m["resolution"] == "repaired"),
        "open": sum(1 for m in mismatches if m["resolution"] == "open"), "mismatches": mismatches,
    }
    await payments_repository.save_reconciliation(deps.db, report_doc)
    return report_doc


async def reports_of(deps: Deps, day_text: str) -> dict[str, Any]:
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        raise InvalidReconciliationDate(date=day_text) from None
    found = await payments_repository.reconciliations_on(deps.db, day.isoformat())
    return {"date": day.isoformat(), "items": [report_view(doc) for doc in found]}


def report_view(doc: dict[str, Any]) -> dict[str, Any]:
    view = {key: value for key, value in doc.items() if key != "_id"}
    view["run_at"] = doc["run_at"].isoformat()
    return view


async def _refund_mismatches(deps: Deps, day: date, lines: list[BillLine]) -> list[dict[str, Any]]:
    """Refunds in the bill against the refunds we saw succeed that day, summed per order."""
    billed: dict[str, int] = {}
    for line in lines:
        if line.kind == "refund":
            billed[line.out_trade_no] = billed.get(line.out_trade_no, 0) + line.amount_fen
    found: list[dict[str, Any]] = []
    for out_trade_no, amount in billed.items():
        located = await _order(deps, out_trade_no)
        if located is None:
            found.append(_mismatch("unknown_order", out_trade_no, amount, None, None, "open",
                                   "账单中的退款不属于本系统订单"))
            continue
        case_id, order = located
        ours = 0
        for refund in order["refunds"].values():
            settled_at = _provider_time(refund, "provider_settled_at", "settled_at")
            if refund["state"] == "success" and settled_at is not None and china_date(settled_at) == day:
                ours += int(refund["amount_fen"])
        if ours != amount:
            found.append(_mismatch("refund_differs", out_trade_no, amount, ours, case_id, "open", None))
    return found


def _provider_time(record: dict[str, Any], provider_field: str, our_field: str) -> datetime | None:
    """When the provider moved the money (what its bill is dated by), else when we learned of it: a
    payment confirmed or a refund settled after midnight still belongs to the provider's day."""
    moment = record.get(provider_field) or record.get(our_field)
    return moment if isinstance(moment, datetime) else None


async def _order(deps: Deps, out_trade_no: str) -> tuple[str, dict[str, Any]] | None:
    case_id = await payments_repository.case_id_of_trade(deps.db, out_trade_no)
    case = await cases_repository.get_case(deps.db, case_id) if case_id else None
    order = orders.orders_of(case).get(out_trade_no) if case else None
    return (case_id, order) if case_id and order else None


def _mismatch(kind: str, out_trade_no: str, provider_fen: int | None, our_fen: int | None, case_id: str | None,
              resolution: str, note: str | None) -> dict[str, Any]:
    return {"kind": kind, "out_trade_no": out_trade_no, "provider_amount_fen": provider_fen,
            "our_amount_fen": our_fen, "case_id": case_id, "resolution": resolution, "note": note}
