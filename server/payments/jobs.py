"""Worker jobs of payments: close orders left unpaid, ask providers about silent orders and refunds
(notices come late or never), and reconcile yesterday's bills. All idempotent: every effect goes
through the same version-guarded order changes as the notices."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from server.cases import repository as cases_repository
from server.clock import china_date
from server.errors import AppError
from server.payments import orders
from server.payments import repository as payments_repository
from server.payments.orders import OrderState
from server.payments.reconciliation import reconcile
from server.payments.service import close_order, follow_up_refund, query_and_apply
from server.worker.registry import job

if TYPE_CHECKING:
    from server.deps import Deps

log = logging.getLogger("yiwang.payments.jobs")

# A notice usually arrives within seconds; ask the provider about orders quiet for longer than this.
QUIET_FOR = timedelta(minutes=1)
_PAGE = 100


async def watched_orders(deps: Deps) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """(case id, order) of every order in created, paying or refunding."""
    after = ""
    while True:
        case_ids = await payments_repository.case_ids_with_watched_orders(deps.db, after_id=after, limit=_PAGE)
        if not case_ids:
            return
        for case_id in case_ids:
            case = await cases_repository.get_case(deps.db, case_id)
            for order in orders.orders_of(case or {}).values():
                if OrderState(order["state"]) in orders.WATCHED_STATES:
                    yield case_id, order
        after = case_ids[-1]


async def close_unpaid_orders(deps: Deps) -> dict[str, Any]:
    now = deps.clock.now()
    closed = paid = failed = 0
    async for case_id, order in watched_orders(deps):
        if OrderState(order["state"]) not in orders.OPEN_STATES or order["close_after"] > now:
            continue
        try:
            result = await close_order(deps, case_id, order["id"], reason="超时未支付")
        except AppError as error:
            log.warning("closing %s failed: %s", order["out_trade_no"], error.code)
            failed += 1
            continue
        if OrderState(result["state"]) in orders.MONEY_STATES:
            paid += 1
        else:
            closed += 1
    return {"closed": closed, "found_paid": paid, "failed": failed}


async def poll_quiet_orders(deps: Deps) -> dict[str, Any]:
    quiet_since = deps.clock.now() - QUIET_FOR
    asked = changed = failed = 0
    async for case_id, order in watched_orders(deps):
        state = OrderState(order["state"])
        try:
            if state == OrderState.PAYING and order["created_at"] <= quiet_since:
                asked += 1
                changed += (await query_and_apply(deps, case_id, order)).changed
            elif state == OrderState.REFUNDING:
                for refund in order["refunds"].values():
                    if refund["state"] not in orders.OPEN_REFUND_STATES:
                        continue
                    asked += 1
                    changed += await follow_up_refund(deps, case_id, order, refund["out_refund_no"])
        except AppError as error:
            log.warning("asking about %s failed: %s", order["out_trade_no"], error.code)
            failed += 1
    return {"asked": asked, "changed": changed, "failed": failed}


async def reconcile_yesterday(deps: Deps) -> dict[str, Any]:
    day = china_date(deps.clock.now()) - timedelta(days=1)
    summary: dict[str, Any] = {"date": day.isoformat()}
    for provider in deps.payments:
        report = await reconcile(deps, provider, day)
        summary[provider] = {"open": report["open"], "repaired": report["repaired"]}
    return summary


@job("close_unpaid_fee_orders", every_seconds=60, timeout_seconds=120)
async def close_unpaid_fee_orders(deps: Deps) -> dict[str, Any]:
    """Close fee orders unpaid past PAYMENT_UNPAID_CLOSE_MINUTES with their provider."""
    return await close_unpaid_orders(deps)


@job("poll_quiet_fee_orders", every_seconds=60, timeout_seconds=120)
async def poll_quiet_fee_orders(deps: Deps) -> dict[str, Any]:
    """Ask the provider about paying orders and open refunds; send again refunds it does not have."""
    return await poll_quiet_orders(deps)


@job("reconcile_payments", every_seconds=6 * 3600, timeout_seconds=600)
async def reconcile_payments(deps: Deps) -> dict[str, Any]:
    """Reconcile yesterday's WeChat Pay and Alipay bills with our orders (a rerun replaces the report)."""
    return await reconcile_yesterday(deps)
