"""Alipay for the mini-program: ``alipay.trade.create`` (JSAPI_PAY) for ``my.tradePay``, query, close,
refund, refund query and the trade bill, each an SDK request model sent through ``deps.alipay`` (RSA2
signed, response signature verified). Async notices are verified with ``verify_alipay_notify``.
"""

from __future__ import annotations

import io
import logging
import urllib.parse
import zipfile
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import tornado.httpclient
from alipay.aop.api.request.AlipayDataDataserviceBillDownloadurlQueryRequest import (
    AlipayDataDataserviceBillDownloadurlQueryRequest,
)
from alipay.aop.api.request.AlipayTradeCloseRequest import AlipayTradeCloseRequest
from alipay.aop.api.request.AlipayTradeCreateRequest import AlipayTradeCreateRequest
from alipay.aop.api.request.AlipayTradeFastpayRefundQueryRequest import AlipayTradeFastpayRefundQueryRequest
from alipay.aop.api.request.AlipayTradeQueryRequest import AlipayTradeQueryRequest
from alipay.aop.api.request.AlipayTradeRefundRequest import AlipayTradeRefundRequest

from server.payments.gateway import BillLine, Notice, PrepayRequest, RefundReport, TradeOutcome, TradeReport
from server.payments.money import fen_to_yuan, yuan_to_fen
from server.payments.signing.alipay import verify_alipay_notify
from server.payments.signing.errors import PaymentSignatureError
from server.providers.alipay import CHINA_TZ, AlipayApi, AlipayUnavailable, AlipayUpstreamError
from server.settings import Settings

log = logging.getLogger("yiwang.payments.alipay")

SANDBOX_SELLER_ID = "2088000000000001"
NOTIFY_PATH = "/payments/v1/alipay/notify"
_TRADE_OUTCOMES: dict[str, TradeOutcome] = {
    "TRADE_SUCCESS": "paid", "TRADE_FINISHED": "paid", "WAIT_BUYER_PAY": "pending", "TRADE_CLOSED": "closed"}
_NOT_EXIST = {"ACQ.TRADE_NOT_EXIST"}
# Answers that refuse a request outright (missing or invalid arguments, business refusals such as
# ACQ.SELLER_BALANCE_NOT_ENOUGH, no permission): nothing was done. 20000 and ACQ.SYSTEM_ERROR leave it
# unknown, and Alipay says to send the same request again.
_REFUSED_CODES = {"40001", "40002", "40004", "40006"}
_RETRY_SUB_CODES = {"ACQ.SYSTEM_ERROR"}
_TIMEOUT_SECONDS = 10


class AlipayGateway:
    name = "alipay"

    def __init__(self, api: AlipayApi, *, seller_id: str, notify_url: str) -> None:
        self._api = api
        self.seller_id = seller_id
        self.notify_url = notify_url

    def expected_app_and_merchant(self) -> tuple[str, str]:
        return self._api.app_id, self.seller_id

    async def prepay(self, request: PrepayRequest, *, reuse: str | None) -> tuple[str, dict[str, Any]]:
        if reuse is not None:
            return reuse, {"tradeNO": reuse}
        model = AlipayTradeCreateRequest()
        subject = request.payer.subject
        buyer = {"buyer_open_id": subject[5:]} if subject.startswith("open:") else {"buyer_id": subject}
        model.biz_content = {
            "out_trade_no": request.out_trade_no, "total_amount": fen_to_yuan(request.amount_fen),
            "subject": request.description[:256], "product_code": "JSAPI_PAY", "op_app_id": self._api.app_id,
            "time_expire": request.expires_at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S"), **buyer}
        model.notify_url = self.notify_url
        node = await self._api.execute(model)
        trade_no = str(node.get("trade_no") or "")
        if not trade_no:
            raise AlipayUpstreamError("支付宝下单返回内容缺少交易号")
        return trade_no, {"tradeNO": trade_no}

    async def query(self, out_trade_no: str) -> TradeReport:
        model = AlipayTradeQueryRequest()
        model.biz_content = {"out_trade_no": out_trade_no}
        node = await self._execute_or_missing(model)
        if node is None:
            return TradeReport(out_trade_no, "missing")
        return _trade_report(node, app_id=self._api.app_id, seller_id=None)

    async def close(self, out_trade_no: str) -> TradeReport:
        model = AlipayTradeCloseRequest()
        model.biz_content = {"out_trade_no": out_trade_no}
        try:
            await self._execute_or_missing(model)
        except AlipayUpstreamError as error:
            # ACQ.TRADE_STATUS_ERROR: already paid or closed; the query below says which.
            if error.details.get("alipay_sub_code") != "ACQ.TRADE_STATUS_ERROR":
                raise
        return await self.query(out_trade_no)

    async def refund(self, out_trade_no: str, out_refund_no: str, amount_fen: int, total_fen: int,
                     reason: str) -> RefundReport:
        model = AlipayTradeRefundRequest()
        model.biz_content = {"out_trade_no": out_trade_no, "out_request_no": out_refund_no,
                             "refund_amount": fen_to_yuan(amount_fen), "refund_reason": reason[:256]}
        try:
            node = await self._api.execute(model)
        except AlipayUpstreamError as error:
            code = str(error.details.get("alipay_code") or "")
            sub_code = str(error.details.get("alipay_sub_code") or "")
            if code in _REFUSED_CODES and sub_code not in _RETRY_SUB_CODES:
                log.warning("Alipay refused refund %s: %s %s", out_refund_no, code, sub_code)
                return RefundReport(out_trade_no, out_refund_no, "failed", failure=sub_code or code)
            raise
        # Code 10000 only says the request was taken: the money moved when fund_change is "Y". "N" (a refund
        # still being processed, or a repeat of one) is settled by the refund query, as Alipay advises.
        if node.get("fund_change") != "Y":
            return RefundReport(out_trade_no, out_refund_no, "pending")
        return RefundReport(out_trade_no, out_refund_no, "success", amount_fen,
                            succeeded_at=_time_or_none(node.get("gmt_refund_pay")))

    async def query_refund(self, out_trade_no: str, out_refund_no: str) -> RefundReport:
        model = AlipayTradeFastpayRefundQueryRequest()
        model.biz_content = {"out_trade_no": out_trade_no, "out_request_no": out_refund_no,
                             "query_options": ["gmt_refund_pay"]}
        node = await self._execute_or_missing(model)
        # Only REFUND_SUCCESS is a refund done. Without it Alipay did not get the request or the refund
        # failed; its documented next step is to send the refund again with the same out_request_no.
        if node is None or node.get("refund_status") != "REFUND_SUCCESS" or not node.get("refund_amount"):
            return RefundReport(out_trade_no, out_refund_no, "missing")
        return RefundReport(out_trade_no, out_refund_no, "success", yuan_to_fen(str(node["refund_amount"])),
                            succeeded_at=_time_or_none(node.get("gmt_refund_pay")))

    async def bill(self, day: date) -> list[BillLine]:
        model = AlipayDataDataserviceBillDownloadurlQueryRequest()
        model.biz_content = {"bill_type": "trade", "bill_date": day.isoformat()}
        try:
            node = await self._api.execute(model)
        except AlipayUpstreamError as error:
            if error.details.get("alipay_sub_code") == "isp.bill_not_exist":
                return []
            raise
        url = str(node.get("bill_download_url") or "")
        if not url:
            raise AlipayUpstreamError("支付宝账单地址缺失")
        try:
            response = await tornado.httpclient.AsyncHTTPClient().fetch(url, request_timeout=_TIMEOUT_SECONDS,
                                                                        raise_error=False)
        except OSError:
            raise AlipayUnavailable() from None
        if response.code != 200:
            raise AlipayUpstreamError("支付宝账单下载失败")
        return parse_trade_bill(bytes(response.body or b""))

    async def parse_notice(self, headers: Mapping[str, str], body: bytes) -> Notice:
        params = dict(urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        verify_alipay_notify(params, await self._api.gateway_public_key())
        if not params.get("out_trade_no"):
            raise PaymentSignatureError("支付宝通知缺少商户订单号")
        if params.get("out_biz_no") and params.get("refund_fee"):
            return Notice(refund=RefundReport(params["out_trade_no"], params["out_biz_no"], "success",
                                              _fen_or_none(params.get("refund_fee")),
                                              merchant_id=params.get("seller_id"),
                                              succeeded_at=_time_or_none(params.get("gmt_refund"))))
        return Notice(trade=_trade_report(params, app_id=params.get("app_id"), seller_id=params.get("seller_id")))

    async def _execute_or_missing(self, model: Any) -> dict[str, Any] | None:
        try:
            return await self._api.execute(model)
        except AlipayUpstreamError as error:
            if error.details.get("alipay_sub_code") in _NOT_EXIST:
                return None
            raise


def _fen_or_none(value: str | None) -> int | None:
    try:
        return yuan_to_fen(value) if value else None
    except ValueError:
        return None


def _time_or_none(value: Any) -> datetime | None:
    """Alipay's times are China time without a zone: 2026-11-23 23:59:30 (notices add .000 to gmt_refund)."""
    try:
        moment = datetime.strptime(str(value)[:19], "%Y-%m-%d %H:%M:%S") if value else None
    except ValueError:
        return None
    return moment.replace(tzinfo=CHINA_TZ) if moment is not None else None


def _trade_report(node: Mapping[str, Any], *, app_id: str | None, seller_id: str | None) -> TradeReport:
    return TradeReport(
        out_trade_no=str(node.get("out_trade_no", "")),
        outcome=_TRADE_OUTCOMES.get(str(node.get("trade_status", "")), "pending"),
        amount_fen=_fen_or_none(str(node.get("total_amount") or "")),
        provider_trade_no=str(node["trade_no"]) if node.get("trade_no") else None,
        app_id=app_id, merchant_id=seller_id,
        # The query says send_pay_date, the notice gmt_payment.
        paid_at=_time_or_none(node.get("send_pay_date") or node.get("gmt_payment")))


def parse_trade_bill(data: bytes) -> list[BillLine]:
    """The trade detail bill (业务明细): a zip of GBK CSV files, or the CSV itself; '#' lines are comments.

    Columns are found by name: 支付宝交易号, 商户订单号, 业务类型 (交易 / 退款), 订单金额（元）.
    """
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [n for n in archive.namelist() if "汇总" not in n] or archive.namelist()
            data = archive.read(names[0])
    try:
        text = data.decode("gbk")
    except UnicodeDecodeError:
        text = data.decode("utf-8", "replace")
    rows = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    if not rows:
        return []
    header = [name.strip() for name in rows[0].split(",")]
    try:
        trade_no, out_no = header.index("支付宝交易号"), header.index("商户订单号")
        kind, amount = header.index("业务类型"), header.index("订单金额（元）")
    except ValueError:
        raise AlipayUpstreamError("支付宝账单格式无法识别") from None
    lines: list[BillLine] = []
    for row in rows[1:]:
        fields = [field.strip().strip("\t") for field in row.split(",")]
        if len(fields) < len(header):
            continue
        if fields[kind] == "交易":
            lines.append(BillLine(fields[out_no], fields[trade_no], "payment", yuan_to_fen(fields[amount])))
        elif fields[kind] == "退款":
            lines.append(BillLine(fields[out_no], fields[trade_no], "refund", abs(yuan_to_fen(fields[amount]))))
    return lines


def make_alipay_gateway(settings: Settings, api: AlipayApi) -> AlipayGateway:
    return AlipayGateway(api, seller_id=settings.alipay_seller_id or SANDBOX_SELLER_ID,
                         notify_url=settings.base_url + NOTIFY_PATH)

