"""Fee orders: pay, confirm, provider notices, closing, refunds. One rule everywhere: the provider's
verified word (a signed notice or an authenticated query) is what moves an order, and it is applied
to the case document under its version, so a notice racing a query makes exactly one transition.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from server.actor import Actor
from server.cases import repository as cases_repository
from server.cases.citizen_access import case_of_citizen
from server.cases.staff_access import case_of_officer, officer_actor
from server.cases.states import State
from server.cases.workflow import CaseChanged, ReasonRequired, queue_message, record_change
from server.clock import china_date
from server.errors import UpstreamError
from server.identity import repository as identity_repository
from server.identity.sessions import CitizenPrincipal
from server.messages.kinds import MessageKind
from server.payments import orders
from server.payments import repository as payments_repository
from server.payments.errors import (
    FeeAlreadyPaid,
    FeeNotFound,
    FeeNotPayable,
    NoticeForUnknownOrder,
    NoticeMismatch,
    OrderNotRefundable,
    PaymentChannelMismatch,
    PaymentOrderNotFound,
    RefundAbnormal,
    RefundInProgress,
    RefundTooLarge,
    UnknownPaymentProvider,
)
from server.payments.gateway import Notice, Payer, PaymentGateway, PrepayRequest, RefundReport, TradeReport
from server.payments.orders import OrderState
from server.staff.principal import StaffPrincipal

if TYPE_CHECKING:
    from server.deps import Deps

log = logging.getLogger("yiwang.payments")

SYSTEM = Actor.system("payments")
_RETRIES = 8
# A refund the provider says it does not have is sent again with the same number (both providers
# document that as safe), at most this many sends in all, 1, 2, 4, 8 and 16 minutes apart: half an hour.
REFUND_SENDS = 5
REFUND_RESEND_AFTER = timedelta(minutes=1)
REFUND_NOT_FOUND = "refund_not_found"
_UNPAYABLE_CASE_STATES = {State.DRAFT, State.WITHDRAWN, State.NOT_ACCEPTED, State.DENIED, State.ARCHIVED}

# (new order or None for "nothing to change", messages to queue in the same write)
Messages = list[tuple[MessageKind, dict[str, Any]]]
Change = Callable[[dict[str, Any], dict[str, Any]], tuple[dict[str, Any] | None, Messages]]


@dataclass(frozen=True)
class Outcome:
    case: dict[str, Any]
    order: dict[str, Any]
    changed: bool


def gateway(deps: Deps, provider: str) -> PaymentGateway:
    found = deps.payments.get(provider)
    if found is None:
        raise UnknownPaymentProvider(provider=provider)
    return found


async def change_order(deps: Deps, case_id: str, order_id: str, change: Change) -> Outcome:
    """Apply ``change`` to the freshly read order and store it with the case; re-read and retry on a race."""
    for _attempt in range(_RETRIES):
        case = await cases_repository.get_case(deps.db, case_id)
        order = orders.orders_of(case).get(order_id) if case else None
        if case is None or order is None:
            raise PaymentOrderNotFound()
        changed, messages = change(case, order)
        if changed is None:
            return Outcome(case, order, False)
        updated = orders.with_order(case, changed)
        for kind, data in messages:
            queue_message(updated, kind, data, at=deps.clock.now())
        try:
            stored = await record_change(deps, case, updated)
        except CaseChanged:
            continue
        return Outcome(stored, changed, True)
    raise CaseChanged()


# ------------------------------------------------------------------------------------------- citizen
async def pay(deps: Deps, principal: CitizenPrincipal, case_id: str, fee_id: str, provider: str) -> dict[str, Any]:
    """Open (or reuse) the fee's order and prepare the provider's payment: what the mini-program passes on."""
    provider_gateway = gateway(deps, provider)
    case = await case_of_citizen(deps, principal.citizen_id, case_id)
    fee = _fee(case, fee_id)
    if State(case["state"]) in _UNPAYABLE_CASE_STATES or fee["amount_fen"] <= 0:
        raise FeeNotPayable(state=case["state"])
    if orders.is_fee_paid(case, fee_id):
        raise FeeAlreadyPaid()
    payer = await _payer(deps, principal, provider)
    actor = Actor("citizen", principal.citizen_id, "申请人")
    existing = orders.open_order(case, fee_id)
    if existing is not None and existing["provider"] != provider:
        # One open order per fee: the other provider's trade is closed first (or found paid).
        closed = await close_order(deps, case_id, existing["id"], reason="改用其他支付方式")
        if OrderState(closed["state"]) in orders.MONEY_STATES:
            raise FeeAlreadyPaid()
        existing = None
    if existing is None:
        existing = await _create_order(deps, case, fee, provider, actor)
    request = PrepayRequest(out_trade_no=existing["out_trade_no"], description=f"{case['guide']['name']}-{fee['name']}",
                            amount_fen=existing["amount_fen"], payer=payer, expires_at=existing["close_after"])
    reference, client_params = await provider_gateway.prepay(request, reuse=existing.get("provider_ref"))

    def paying(_case: dict[str, Any], order: dict[str, Any]) -> tuple[dict[str, Any] | None, Messages]:
        if order["state"] != OrderState.CREATED.value:
            return None, []
        moved = orders.move(order, OrderState.PAYING, actor, deps.clock.now(), data={"provider_ref": reference})
        moved["provider_ref"] = reference
        return moved, []

    outcome = await change_order(deps, case_id, existing["id"], paying)
    return {"order": order_view(outcome.order), "provider": provider, "params": client_params}


async def confirm(deps: Deps, principal: CitizenPrincipal, case_id: str, fee_id: str) -> dict[str, Any]:
    """The mini-program says it paid: believe only the provider, asked now."""
    case = await case_of_citizen(deps, principal.citizen_id, case_id)
    _fee(case, fee_id)
    candidates = [o for o in orders.orders_of(case).values()
                  if o["fee_id"] == fee_id and OrderState(o["state"]) in orders.OPEN_STATES]
    for order in candidates:
        await query_and_apply(deps, case_id, order)
    fresh = await case_of_citizen(deps, principal.citizen_id, case_id)
    return fee_view(fresh, _fee(fresh, fee_id))


async def fees_of_case(deps: Deps, principal: CitizenPrincipal, case_id: str) -> dict[str, Any]:
    case = await case_of_citizen(deps, principal.citizen_id, case_id)
    return {"items": [fee_view(case, fee) for fee in orders.fee_items(case)]}


async def fees_for_officer(deps: Deps, officer: StaffPrincipal, case_id: str) -> dict[str, Any]:
    """A case's fees as staff see them: every order with its refunds."""
    case = await case_of_officer(deps, officer, case_id)
    return {"items": [fee_view(case, fee, staff_order_view) for fee in orders.fee_items(case)]}


# -------------------------------------------------------------------------------- provider reports
async def handle_notice(deps: Deps, provider: str, headers: Mapping[str, str], body: bytes) -> Outcome:
    """A callback: verified, matched against the order, applied once. Raises an AppError when refused."""
    provider_gateway = gateway(deps, provider)
    notice: Notice = await provider_gateway.parse_notice(headers, body)
    case_id = await payments_repository.case_id_of_trade(deps.db, notice.out_trade_no)
    if case_id is None:
        raise NoticeForUnknownOrder(out_trade_no=notice.out_trade_no)
    app_id, merchant_id = provider_gateway.expected_app_and_merchant()
    if notice.refund is not None:
        if notice.refund.merchant_id != merchant_id:
            raise NoticeMismatch("退款通知的商户与订单不符")
        return await apply_refund_report(deps, case_id, notice.refund)
    assert notice.trade is not None
    if notice.trade.app_id != app_id or notice.trade.merchant_id != merchant_id:
        log.warning("%s notice for %s names another app or merchant", provider, notice.out_trade_no)
        raise NoticeMismatch("支付通知的应用或商户与订单不符")
    return await apply_trade_report(deps, case_id, notice.trade, source="notice")


async def query_and_apply(deps: Deps, case_id: str, order: dict[str, Any]) -> Outcome:
    report = await gateway(deps, order["provider"]).query(order["out_trade_no"])
    return await apply_trade_report(deps, case_id, report, source="query")


async def apply_trade_report(deps: Deps, case_id: str, report: TradeReport, *, source: str) -> Outcome:
    def apply(_case: dict[str, Any], order: dict[str, Any]) -> tuple[dict[str, Any] | None, Messages]:
        if report.amount_fen is not None and report.amount_fen != order["amount_fen"]:
            log.warning("%s for %s reports %s fen, order is %s fen", source, order["out_trade_no"],
                        report.amount_fen, order["amount_fen"])
            raise NoticeMismatch("支付金额与订单不符", expected_fen=order["amount_fen"], reported_fen=report.amount_fen)
        state = OrderState(order["state"])
        now = deps.clock.now()
        if report.outcome == "paid" and state not in orders.MONEY_STATES:
            if report.amount_fen is None:
                raise NoticeMismatch("支付结果缺少金额")
            moved = orders.move(order, OrderState.PAID, SYSTEM, now, reason=f"provider {source}",
                                data={"provider_trade_no": report.provider_trade_no})
            moved["paid_at"] = now
            # The bill dates the payment by the provider's clock; we may learn of it much later.
            moved["provider_paid_at"] = report.paid_at
            moved["provider_trade_no"] = report.provider_trade_no
            return moved, [(MessageKind.PAID, {"fee": order["fee_name"], "amount_fen": order["amount_fen"]})]
        if report.outcome in ("closed", "failed") and state in orders.OPEN_STATES:
            target = OrderState.CLOSED if report.outcome == "closed" else OrderState.FAILED
            return orders.move(order, target, SYSTEM, now, reason=f"provider {source}"), []
        return None, []

    return await change_order(deps, case_id, report.out_trade_no, apply)


async def close_order(deps: Deps, case_id: str, order_id: str, *, reason: str) -> dict[str, Any]:
    """Close an unpaid order with its provider; if the payer was faster, it ends up paid instead."""
    case = await cases_repository.get_case(deps.db, case_id)
    order = orders.orders_of(case or {}).get(order_id)
    if case is None or order is None:
        raise PaymentOrderNotFound()
    report = await gateway(deps, order["provider"]).close(order["out_trade_no"])
    if report.outcome in ("paid", "closed", "failed"):
        return (await apply_trade_report(deps, case_id, report, source="close")).order

    def closed(_case: dict[str, Any], current: dict[str, Any]) -> tuple[dict[str, Any] | None, Messages]:
        if OrderState(current["state"]) not in orders.OPEN_STATES:
            return None, []
        return orders.move(current, OrderState.CLOSED, SYSTEM, deps.clock.now(), reason=reason), []

    # "missing": the provider never saw the trade (prepay failed or never sent), so nothing can be paid.
    return (await change_order(deps, case_id, order_id, closed)).order


# ------------------------------------------------------------------------------------------ refunds
async def refund(deps: Deps, officer: StaffPrincipal, case_id: str, order_id: str, amount_fen: int,
                 reason: str) -> dict[str, Any]:
    case = await case_of_officer(deps, officer, case_id)
    reason = reason.strip()
    if not reason:
        raise ReasonRequired(action="refund")
    if order_id not in orders.orders_of(case):
        raise PaymentOrderNotFound()
    actor = officer_actor(officer)
    refund_no: list[str] = []

    def start(_case: dict[str, Any], order: dict[str, Any]) -> tuple[dict[str, Any] | None, Messages]:
        state = OrderState(order["state"])
        if state == OrderState.REFUNDING:
            if any(entry["state"] == "abnormal" for entry in order["refunds"].values()):
                raise RefundAbnormal()
            raise RefundInProgress()
        if state not in (OrderState.PAID, OrderState.REFUNDED):
            raise OrderNotRefundable(state=state.value)
        if amount_fen > orders.refundable_fen(order):
            raise RefundTooLarge(refundable_fen=orders.refundable_fen(order))
        now = deps.clock.now()
        number = f"{order['out_trade_no']}R{len(order['refunds']) + 1}"
        moved = orders.move(order, OrderState.REFUNDING, actor, now, reason=reason,
                            data={"out_refund_no": number, "amount_fen": amount_fen})
        # The send about to happen is counted before it happens: a crash right after this write still
        # leaves a pending entry that the poll job finds, asks about and sends again (same number).
        moved["refunds"][number] = {"out_refund_no": number, "amount_fen": amount_fen, "reason": reason,
                                    "state": "pending", "requested_by": actor.to_doc(), "requested_at": now,
                                    "settled_at": None, "before": state.value, "sends": 1, "last_sent_at": now,
                                    "last_error": None, "failure": None, "provider_settled_at": None}
        refund_no[:] = [number]
        return moved, []

    started = await change_order(deps, case_id, order_id, start)
    return staff_order_view((await _send_refund(deps, case_id, started.order, refund_no[0])).order)


async def follow_up_refund(deps: Deps, case_id: str, order: dict[str, Any], out_refund_no: str) -> bool:
    """Ask the provider about an open refund (the poll job). One it says it does not have is sent again
    with the same number, waiting longer after each send; after ``REFUND_SENDS`` sends it is given up:
    the entry fails and the order returns to where it was, so staff can refund again. Answers whether
    anything changed."""
    report = await gateway(deps, order["provider"]).query_refund(order["out_trade_no"], out_refund_no)
    if report.outcome != "missing":
        return (await apply_refund_report(deps, case_id, report)).changed
    now = deps.clock.now()
    resend: list[bool] = []

    def decide(_case: dict[str, Any], current: dict[str, Any]) -> tuple[dict[str, Any] | None, Messages]:
        resend.clear()
        entry = current["refunds"].get(out_refund_no)
        if entry is None or entry["state"] != "pending" or not _resend_due(entry, now):
            return None, []
        sends = int(entry.get("sends", 1))
        if sends >= REFUND_SENDS:
            log.warning("refund %s: the provider still has no such refund after %s sends; given up",
                        out_refund_no, sends)
            return _refund_ended(current, entry, "failed", now, failure=REFUND_NOT_FOUND), []
        resend.append(True)
        return orders.with_refund(current, {**entry, "sends": sends + 1, "last_sent_at": now}), []

    outcome = await change_order(deps, case_id, order["id"], decide)
    if resend:
        await _send_refund(deps, case_id, outcome.order, out_refund_no)
    return outcome.changed


async def apply_refund_report(deps: Deps, case_id: str, report: RefundReport) -> Outcome:
    def apply(_case: dict[str, Any], order: dict[str, Any]) -> tuple[dict[str, Any] | None, Messages]:
        entry = order["refunds"].get(report.out_refund_no)
        if entry is None:
            raise NoticeMismatch("退款通知对应的退款不存在")
        if (entry["state"] not in orders.OPEN_REFUND_STATES or report.outcome == "missing"
                or report.outcome == entry["state"]):
            return None, []
        if report.amount_fen is not None and report.amount_fen != entry["amount_fen"]:
            raise NoticeMismatch("退款金额与申请不符")
        if report.outcome in ("pending", "abnormal"):
            if report.outcome == "abnormal":
                log.warning("refund %s is ABNORMAL: staff must have it paid out by hand", report.out_refund_no)
            # Still open either way: the order stays refunding, so no second refund can overtake this one.
            return orders.with_refund(order, {**entry, "state": report.outcome}), []
        return _refund_ended(order, entry, report.outcome, deps.clock.now(), failure=report.failure,
                             provider_settled_at=report.succeeded_at), []

    return await change_order(deps, case_id, report.out_trade_no, apply)


async def _send_refund(deps: Deps, case_id: str, order: dict[str, Any], out_refund_no: str) -> Outcome:
    entry = order["refunds"][out_refund_no]
    try:
        report = await gateway(deps, order["provider"]).refund(
            order["out_trade_no"], out_refund_no, int(entry["amount_fen"]), int(order["amount_fen"]),
            str(entry["reason"]))
    except UpstreamError as error:
        # Whether the provider got it is unknown: the entry stays pending and the poll job asks.
        log.warning("refund %s: provider call failed: %s", out_refund_no, error.code)
        failed_with = error.code
    else:
        return await apply_refund_report(deps, case_id, report)

    def noted(_case: dict[str, Any], current: dict[str, Any]) -> tuple[dict[str, Any] | None, Messages]:
        found = current["refunds"].get(out_refund_no)
        if found is None or found["state"] != "pending":
            return None, []
        return orders.with_refund(current, {**found, "last_error": failed_with}), []

    return await change_order(deps, case_id, order["id"], noted)


def _refund_ended(order: dict[str, Any], entry: dict[str, Any], outcome: str, now: datetime, *,
                  failure: str | None = None, provider_settled_at: datetime | None = None) -> dict[str, Any]:
    """The order once its one open refund succeeded (money counted) or failed (back where it was)."""
    succeeded = outcome == "success"
    refunded = int(order["refunded_fen"]) + (int(entry["amount_fen"]) if succeeded else 0)
    if succeeded:
        target = OrderState.REFUNDED
    else:
        target = OrderState(entry.get("before") or (OrderState.REFUNDED if refunded > 0 else OrderState.PAID))
    reason = "refund " + outcome + (f": {failure}" if failure else "")
    moved = orders.move(order, target, SYSTEM, now, reason=reason,
                        data={"out_refund_no": entry["out_refund_no"], "failure": failure})
    moved = orders.with_refund(moved, {**entry, "state": outcome, "settled_at": now, "failure": failure,
                                       "provider_settled_at": provider_settled_at})
    moved["refunded_fen"] = refunded
    return moved


def _resend_due(entry: dict[str, Any], now: datetime) -> bool:
    """A send gets REFUND_RESEND_AFTER, doubled after each send, before "no such refund" is believed."""
    last = entry.get("last_sent_at") or entry["requested_at"]
    return bool(now - last >= REFUND_RESEND_AFTER * 2 ** (int(entry.get("sends", 1)) - 1))


# ------------------------------------------------------------------------------------------ views
def refund_view(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "out_refund_no": entry["out_refund_no"], "amount_fen": entry["amount_fen"], "reason": entry["reason"],
        "state": entry["state"], "requested_at": _iso(entry["requested_at"]), "settled_at": _iso(entry["settled_at"]),
        "sends": int(entry.get("sends", 1)), "last_error": entry.get("last_error"), "failure": entry.get("failure"),
    }


def staff_order_view(order: dict[str, Any]) -> dict[str, Any]:
    """The order with its refunds: what staff need to see a refund that failed, is stuck or is retried."""
    # Numbers end R1, R2, ... R10: by time, then by that count (one clock tick can hold several).
    refunds = sorted(order["refunds"].values(),
                     key=lambda entry: (entry["requested_at"], len(entry["out_refund_no"]), entry["out_refund_no"]))
    return {**order_view(order), "refunds": [refund_view(entry) for entry in refunds]}


def order_view(order: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": order["id"], "fee_id": order["fee_id"], "fee_name": order["fee_name"],
        "amount_fen": order["amount_fen"], "provider": order["provider"], "out_trade_no": order["out_trade_no"],
        "state": order["state"], "refunded_fen": order["refunded_fen"],
        "created_at": _iso(order["created_at"]), "paid_at": _iso(order.get("paid_at")),
        "transitions": [{"at": _iso(t["at"]), "from": t["from"], "to": t["to"], "reason": t.get("reason")}
                        for t in order["transitions"]],
    }


def fee_view(case: dict[str, Any], fee: dict[str, Any],
             view: Callable[[dict[str, Any]], dict[str, Any]] = order_view) -> dict[str, Any]:
    related = [o for o in orders.orders_of(case).values() if o["fee_id"] == fee["fee_id"]]
    related.sort(key=lambda o: o["created_at"])
    return {**fee, "paid": orders.is_fee_paid(case, fee["fee_id"]), "orders": [view(o) for o in related]}


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _fee(case: dict[str, Any], fee_id: str) -> dict[str, Any]:
    for fee in orders.fee_items(case):
        if fee["fee_id"] == fee_id:
            return fee
    raise FeeNotFound(fee_id=fee_id)


async def _payer(deps: Deps, principal: CitizenPrincipal, provider: str) -> Payer:
    identity = await identity_repository.get_identity(deps.db, principal.identity_id)
    if identity is None or identity.channel.value != provider:
        raise PaymentChannelMismatch(provider=provider)
    return Payer(identity.subject)


async def _create_order(deps: Deps, case: dict[str, Any], fee: dict[str, Any], provider: str,
                        actor: Actor) -> dict[str, Any]:
    now = deps.clock.now()
    out_trade_no = orders.new_out_trade_no(now)
    close_after = now + timedelta(minutes=deps.settings.payment_unpaid_close_minutes)
    # The index entry first: a notice can only be matched once it exists, and an orphan entry is harmless.
    await payments_repository.insert_order_index(deps.db, out_trade_no=out_trade_no, case_id=case["_id"],
                                                 provider=provider, amount_fen=fee["amount_fen"], created_at=now,
                                                 created_on=china_date(now).isoformat())
    order = orders.new_order(fee=fee, provider=provider, out_trade_no=out_trade_no, actor=actor, now=now,
                             close_after=close_after)
    for _attempt in range(_RETRIES):
        current = await cases_repository.get_case(deps.db, case["_id"])
        assert current is not None
        if orders.is_fee_paid(current, fee["fee_id"]):
            raise FeeAlreadyPaid()
        reused = orders.open_order(current, fee["fee_id"])
        if reused is not None and reused["provider"] == provider:
            return reused  # a concurrent pay request opened it first
        try:
            await record_change(deps, current, orders.with_order(current, order))
        except CaseChanged:
            continue
        return order
    raise CaseChanged()
