"""What the order logic needs from a payment provider, in provider-neutral terms.

WeChat Pay and Alipay each implement ``PaymentGateway``; the service never sees their formats. Trade
and refund states are reduced to the few outcomes the order state machine acts on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, Protocol

TradeOutcome = Literal["paid", "pending", "closed", "failed", "missing"]
# "abnormal": WeChat's ABNORMAL, a refund stuck (e.g. a frozen card) that is settled by hand, not a failure.
RefundOutcome = Literal["success", "pending", "abnormal", "failed", "missing"]


@dataclass(frozen=True)
class TradeReport:
    out_trade_no: str
    outcome: TradeOutcome
    amount_fen: int | None = None
    provider_trade_no: str | None = None
    app_id: str | None = None
    merchant_id: str | None = None
    # When the provider took the money (its clock, not ours): what the daily bill is dated by.
    paid_at: datetime | None = None


@dataclass(frozen=True)
class RefundReport:
    out_trade_no: str
    out_refund_no: str
    outcome: RefundOutcome
    amount_fen: int | None = None
    merchant_id: str | None = None
    # The provider's reason when it refused or closed the refund (WeChat NOT_ENOUGH, Alipay ACQ.*).
    failure: str | None = None
    # When the money went back, by the provider's clock: what the daily bill is dated by.
    succeeded_at: datetime | None = None


@dataclass(frozen=True)
class Notice:
    """A verified callback: exactly one of ``trade`` and ``refund`` is set."""

    trade: TradeReport | None = None
    refund: RefundReport | None = None

    @property
    def out_trade_no(self) -> str:
        report = self.trade or self.refund
        assert report is not None
        return report.out_trade_no


@dataclass(frozen=True)
class BillLine:
    out_trade_no: str
    provider_trade_no: str
    kind: Literal["payment", "refund"]
    amount_fen: int


@dataclass(frozen=True)
class Payer:
    """Who pays: the provider's id of the citizen in our mini-program (WeChat openid, Alipay user/open id)."""

    subject: str


@dataclass(frozen=True)
class PrepayRequest:
    out_trade_no: str
    description: str
    amount_fen: int
    payer: Payer
    expires_at: datetime


class PaymentGateway(Protocol):
    name: str

    async def prepay(self, request: PrepayRequest, *, reuse: str | None) -> tuple[str, dict[str, Any]]:
        """(provider reference to keep, what the mini-program passes to its pay call). ``reuse`` is a kept
        reference of the same order, when the provider lets the order be paid again with it."""
        ...

    async def query(self, out_trade_no: str) -> TradeReport: ...

    async def close(self, out_trade_no: str) -> TradeReport:
        """Close an unpaid trade; answers what the trade is now (paid, if the payer was faster)."""
        ...

    async def refund(self, out_trade_no: str, out_refund_no: str, amount_fen: int, total_fen: int,
                     reason: str) -> RefundReport:
        """Send a refund (again: the same ``out_refund_no`` is never refunded twice). "failed" only when the
        provider definitely refused it; raises an ``UpstreamError`` when it is unknown whether it got it."""
        ...

    async def query_refund(self, out_trade_no: str, out_refund_no: str) -> RefundReport: ...

    async def bill(self, day: date) -> list[BillLine]: ...

    async def parse_notice(self, headers: Mapping[str, str], body: bytes) -> Notice:
        """Verify and decode a callback; raises ``PaymentSignatureError`` (or a subclass) when it does not verify."""
        ...

    def expected_app_and_merchant(self) -> tuple[str, str]: ...
