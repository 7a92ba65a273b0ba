"""The fee order state machine and the fee fields derived from it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.actor import Actor
from server.payments import orders
from server.payments.orders import IllegalOrderTransition, OrderState

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SYSTEM = Actor.system("test")


def case_with_fees() -> dict:
    return {"_id": "c1", "guide": {"fees": {"charged": True, "items": [{"name": "工本费", "amount_fen": 1500},
                                                                       {"name": "证书费", "amount_fen": 0}]}}}


def an_order(case: dict) -> dict:
    fee = orders.fee_items(case)[0]
    return orders.new_order(fee=fee, provider="wechat", out_trade_no=orders.new_out_trade_no(NOW), actor=SYSTEM,
                            now=NOW, close_after=NOW + timedelta(minutes=30))


def test_fee_ids_follow_the_snapshot_and_amounts_are_fen() -> None:
    assert orders.fee_items(case_with_fees()) == [{"fee_id": "f1", "name": "工本费", "amount_fen": 1500},
                                                  {"fee_id": "f2", "name": "证书费", "amount_fen": 0}]
    assert orders.fee_items({"guide": {}}) == []


def test_out_trade_numbers_fit_both_providers() -> None:
    numbers = {orders.new_out_trade_no(NOW) for _ in range(100)}
    assert len(numbers) == 100
    assert all(len(n) <= 32 and n.isalnum() and n.startswith("P20261123") for n in numbers)


def test_moves_are_recorded_and_illegal_ones_refused() -> None:
    case = case_with_fees()
    order = an_order(case)
    paying = orders.move(order, OrderState.PAYING, SYSTEM, NOW)
    assert order["state"] == "created"  # the original is left alone
    paid = orders.move(paying, OrderState.PAID, SYSTEM, NOW, reason="provider notice")
    assert [(t["from"], t["to"]) for t in paid["transitions"]] == [(None, "created"), ("created", "paying"),
                                                                   ("paying", "paid")]
    assert paid["transitions"][-1]["reason"] == "provider notice"
    with pytest.raises(IllegalOrderTransition):
        orders.move(paid, OrderState.CLOSED, SYSTEM, NOW)
    with pytest.raises(IllegalOrderTransition):
        orders.move(order, OrderState.REFUNDING, SYSTEM, NOW)
    # Money the provider took after we gave up on the order still counts.
    closed = orders.move(paying, OrderState.CLOSED, SYSTEM, NOW)
    assert orders.move(closed, OrderState.PAID, SYSTEM, NOW)["state"] == "paid"


def test_the_case_knows_which_fees_are_paid_and_how_many_orders_to_watch() -> None:
    case = case_with_fees()
    order = an_order(case)
    with_open = orders.with_order(case, order)
    assert "fees" not in case  # with_order copies
    assert with_open["fees"]["paid"] == {"f1": False, "f2": False}
    assert with_open["fees_watch"] == 1
    opened = orders.open_order(with_open, "f1")
    assert opened is not None
    assert opened["id"] == order["id"]
    paid = orders.with_order(with_open, orders.move(orders.move(order, OrderState.PAYING, SYSTEM, NOW),
                                                    OrderState.PAID, SYSTEM, NOW))
    assert orders.is_fee_paid(paid, "f1")
    assert not orders.is_fee_paid(paid, "f2")
    assert (paid["fees_watch"], orders.open_order(paid, "f1")) == (0, None)
    assert orders.refundable_fen(paid["fees"]["orders"][order["id"]]) == 1500
