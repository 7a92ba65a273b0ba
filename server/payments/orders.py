"""Fee orders as they live inside the case document (``case["fees"]``): shape and state machine, pure.

An order never leaves its case, so marking it paid, marking the case's fee paid and queueing the
citizen's message are one replace of one document. Every state change is appended to the order's own
``transitions`` (who, when, from, to, why), as case transitions are to the case history.
"""

from __future__ import annotations

import copy
import secrets
from datetime import datetime
from enum import StrEnum
from typing import Any

from server.actor import Actor
from server.clock import china_date
from server.errors import Conflict


class OrderState(StrEnum):
    CREATED = "created"
    PAYING = "paying"
    PAID = "paid"
    CLOSED = "closed"
    FAILED = "failed"
    REFUNDING = "refunding"
    REFUNDED = "refunded"


OPEN_STATES = frozenset({OrderState.CREATED, OrderState.PAYING})
# Orders the worker keeps an eye on: unpaid ones (close, late notices) and refunds in flight.
WATCHED_STATES = frozenset({OrderState.CREATED, OrderState.PAYING, OrderState.REFUNDING})
MONEY_STATES = frozenset({OrderState.PAID, OrderState.REFUNDING, OrderState.REFUNDED})
# Refund entries (``order["refunds"]``) not settled yet: the order stays refunding while one exists.
# "abnormal" (WeChat ABNORMAL) waits for staff to have it paid out by hand; it may still succeed.
OPEN_REFUND_STATES = frozenset({"pending", "abnormal"})

_ALLOWED: dict[OrderState, frozenset[OrderState]] = {
    OrderState.CREATED: frozenset({OrderState.PAYING, OrderState.PAID, OrderState.CLOSED, OrderState.FAILED}),
    OrderState.PAYING: frozenset({OrderState.PAID, OrderState.CLOSED, OrderState.FAILED}),
    # The provider is the judge of money: a trade paid after we gave up on it is still paid.
    OrderState.CLOSED: frozenset({OrderState.PAID}),
    OrderState.FAILED: frozenset({OrderState.PAID}),
    OrderState.PAID: frozenset({OrderState.REFUNDING}),
    OrderState.REFUNDING: frozenset({OrderState.REFUNDED, OrderState.PAID}),
    OrderState.REFUNDED: frozenset({OrderState.REFUNDING}),
}


class IllegalOrderTransition(Conflict):
    code = "illegal_order_transition"
    default_message = "缴费订单当前状态不允许此操作"


def fee_items(case: dict[str, Any]) -> list[dict[str, Any]]:
    """The fees of the case's guide snapshot, each with a stable id (its position: the snapshot never changes)."""
    items = (case.get("guide", {}).get("fees") or {}).get("items") or []
    return [{"fee_id": f"f{number}", "name": str(item["name"]), "amount_fen": int(item["amount_fen"])}
            for number, item in enumerate(items, start=1)]


def fees_of(case: dict[str, Any]) -> dict[str, Any]:
    fees = case.get("fees") or {}
    return {"orders": dict(fees.get("orders") or {}), "paid": dict(fees.get("paid") or {})}


def orders_of(case: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return fees_of(case)["orders"]


def is_fee_paid(case: dict[str, Any], fee_id: str) -> bool:
    return bool(fees_of(case)["paid"].get(fee_id))


def open_order(case: dict[str, Any], fee_id: str) -> dict[str, Any] | None:
    for order in orders_of(case).values():
        if order["fee_id"] == fee_id and OrderState(order["state"]) in OPEN_STATES:
            return order
    return None


def new_out_trade_no(now: datetime) -> str:
    # 29 characters of [0-9A-Za-z]: within WeChat's 32 and Alipay's 64.
    return f"P{china_date(now).strftime('%Y%m%d')}{secrets.token_hex(10)}"


def new_order(*, fee: dict[str, Any], provider: str, out_trade_no: str, actor: Actor, now: datetime,
              close_after: datetime) -> dict[str, Any]:
    return {
        "id": out_trade_no, "fee_id": fee["fee_id"], "fee_name": fee["name"], "amount_fen": fee["amount_fen"],
        "provider": provider, "out_trade_no": out_trade_no, "state": OrderState.CREATED.value,
        "provider_ref": None, "provider_trade_no": None, "created_at": now, "close_after": close_after,
        "paid_at": None, "refunded_fen": 0, "refunds": {},
        "transitions": [{"at": now, "from": None, "to": OrderState.CREATED.value, "by": actor.to_doc(),
                         "reason": None, "data": {}}],
    }


def with_order(case: dict[str, Any], order: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of ``case`` holding ``order`` (added or replaced), with the derived fee fields."""
    updated = copy.deepcopy(case)
    fees = fees_of(updated)
    fees["orders"][order["id"]] = order
    updated["fees"] = fees
    refresh_fee_fields(updated)
    return updated


def move(order: dict[str, Any], target: OrderState, actor: Actor, now: datetime, *, reason: str | None = None,
         data: dict[str, Any] | None = None) -> dict[str, Any]:
    """A copy of ``order`` in ``target``, the transition recorded."""
    current = OrderState(order["state"])
    if target not in _ALLOWED[current]:
        raise IllegalOrderTransition(state=current.value, target=target.value)
    moved = copy.deepcopy(order)
    moved["state"] = target.value
    moved["transitions"] = [*order["transitions"], {"at": now, "from": current.value, "to": target.value,
                                                    "by": actor.to_doc(), "reason": reason, "data": dict(data or {})}]
    return moved


def refresh_fee_fields(case: dict[str, Any]) -> None:
    """What queries and views read without walking orders: which fees are paid, how many orders need watching."""
    fees = fees_of(case)
    paid = {order["fee_id"] for order in fees["orders"].values() if OrderState(order["state"]) in MONEY_STATES}
    fees["paid"] = {fee["fee_id"]: fee["fee_id"] in paid for fee in fee_items(case)}
    case["fees"] = fees
    case["fees_watch"] = sum(1 for order in fees["orders"].values() if OrderState(order["state"]) in WATCHED_STATES)


def refundable_fen(order: dict[str, Any]) -> int:
    return int(order["amount_fen"]) - int(order["refunded_fen"])


def with_refund(order: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``order`` holding the refund ``entry`` (replaced by its out_refund_no)."""
    updated = copy.deepcopy(order)
    updated["refunds"] = {**order["refunds"], entry["out_refund_no"]: copy.deepcopy(entry)}
    return updated
