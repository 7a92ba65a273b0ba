"""WeChat Pay APIv3 (JSAPI for the mini-program), signed with ``server.payments.signing`` and sent with
Tornado's client, so nothing blocks the loop. Every response's platform signature is checked before it
is believed; callbacks are checked the same way and their resource decrypted with the APIv3 key.
"""

from __future__ import annotations

import json
import logging
import secrets
import urllib.parse
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

import tornado.httpclient
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

from server.clock import Clock
from server.errors import UpstreamError
from server.payments.gateway import (
    BillLine,
    Notice,
    PrepayRequest,
    RefundOutcome,
    RefundReport,
    TradeOutcome,
    TradeReport,
)
from server.payments.money import yuan_to_fen
from server.payments.signing.errors import PaymentSignatureError
from server.payments.signing.rsa_keys import load_rsa_private_key, load_rsa_public_key
from server.payments.signing.wechatpay_v3 import (
    build_wechatpay_authorization,
    decrypt_wechatpay_resource,
    jsapi_pay_params,
    verify_wechatpay_callback,
)
from server.sandbox.credentials import sandbox_wechat_credentials
from server.sandbox.keys import SandboxKeyStore
from server.settings import Settings

log = logging.getLogger("yiwang.payments.wechatpay")

CHINA_TZ = timezone(timedelta(hours=8))
SANDBOX_MCH_ID = "1900000001"
SANDBOX_MERCHANT_SERIAL = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
SANDBOX_PLATFORM_SERIAL = "PUB_KEY_ID_0119000000012026112400000000000001"
NOTIFY_PATH = "/payments/v1/wechat/notify"
_TIMEOUT_SECONDS = 10
_FREQUENCY_LIMITED = 429
_REFUND_OUTCOMES: dict[str, RefundOutcome] = {
    "SUCCESS": "success", "PROCESSING": "pending", "CLOSED": "failed", "ABNORMAL": "abnormal"}

_TRADE_OUTCOMES: dict[str, TradeOutcome] = {
    "SUCCESS": "paid", "REFUND": "paid", "NOTPAY": "pending", "USERPAYING": "pending", "CLOSED": "closed",
    "REVOKED": "closed", "PAYERROR": "failed"}


class WechatpayUpstreamError(UpstreamError):
    code = "wechatpay_upstream_error"
    default_message = "微信支付服务返回错误，请稍后再试"


class WechatpayUnavailable(UpstreamError):
    code = "wechatpay_unavailable"
    default_message = "暂时无法连接微信支付服务，请稍后再试"


@dataclass(frozen=True)
class WechatpayKeys:
    merchant_private_key: RSAPrivateKey
    merchant_serial: str
    platform_keys: dict[str, RSAPublicKey]
    apiv3_key: bytes


@dataclass(frozen=True)
class _Reply:
    status: int
    data: dict[str, Any]
    text: str


class WechatPayGateway:
    name = "wechat"

    def __init__(self, *, app_id: str, mch_id: str, api_base: str, notify_url: str,
                 keys: Callable[[], Awaitable[WechatpayKeys]], clock: Clock, window_seconds: int) -> None:
        self.app_id = app_id
        self.mch_id = mch_id
        self.api_base = api_base.rstrip("/")
        self.notify_url = notify_url
        self._keys = keys
        self._clock = clock
        self._window = window_seconds

    def expected_app_and_merchant(self) -> tuple[str, str]:
        return self.app_id, self.mch_id

    async def prepay(self, request: PrepayRequest, *, reuse: str | None) -> tuple[str, dict[str, Any]]:
        prepay_id = reuse
        if prepay_id is None:
            reply = await self._call("POST", "/v3/pay/transactions/jsapi", {
                "appid": self.app_id, "mchid": self.mch_id, "description": request.description[:127],
                "out_trade_no": request.out_trade_no, "notify_url": self.notify_url,
                "time_expire": request.expires_at.astimezone(CHINA_TZ).isoformat(timespec="seconds"),
                "amount": {"total": request.amount_fen, "currency": "CNY"},
                "payer": {"openid": request.payer.subject}})
            prepay_id = str(reply.data.get("prepay_id") or "")
            if reply.status != 200 or not prepay_id:
                raise WechatpayUpstreamError(wechatpay_code=str(reply.data.get("code", reply.status)))
        keys = await self._keys()
        params = jsapi_pay_params(self.app_id, prepay_id, keys.merchant_private_key,
                                  int(self._clock.now().timestamp()), secrets.token_hex(16))
        return prepay_id, params

    async def query(self, out_trade_no: str) -> TradeReport:
        path = f"/v3/pay/transactions/out-trade-no/{urllib.parse.quote(out_trade_no)}?mchid={self.mch_id}"
        reply = await self._call("GET", path, None)
        if reply.status == 404:
            return TradeReport(out_trade_no, "missing")
        if reply.status != 200:
            raise WechatpayUpstreamError(wechatpay_code=str(reply.data.get("code", reply.status)))
        return _trade_report(reply.data)

    async def close(self, out_trade_no: str) -> TradeReport:
        reply = await self._call("POST", f"/v3/pay/transactions/out-trade-no/{urllib.parse.quote(out_trade_no)}"
                                 "/close", {"mchid": self.mch_id})
        # ORDERPAID / ORDERCLOSED: the payer (or an earlier close) got there first; the query says which.
        finished = reply.status == 400 and reply.data.get("code") in ("ORDERPAID", "ORDERCLOSED")
        if reply.status not in (200, 204, 404) and not finished:
            raise WechatpayUpstreamError(wechatpay_code=str(reply.data.get("code", reply.status)))
        return await self.query(out_trade_no)

    async def refund(self, out_trade_no: str, out_refund_no: str, amount_fen: int, total_fen: int,
                     reason: str) -> RefundReport:
        reply = await self._call("POST", "/v3/refund/domestic/refunds", {
            "out_trade_no": out_trade_no, "out_refund_no": out_refund_no, "reason": reason[:80],
            "notify_url": self.notify_url,
            "amount": {"refund": amount_fen, "total": total_fen, "currency": "CNY"}})
        code = str(reply.data.get("code", reply.status))
        if reply.status == 200:
            return _refund_report(reply.data)
        if 400 <= reply.status < 500 and reply.status != _FREQUENCY_LIMITED:
            # A signed 4xx (NOT_ENOUGH, INVALID_REQUEST, ...): WeChat refused and made no refund. 5xx
            # (SYSTEM_ERROR) and 429 leave it unknown; WeChat says to send it again with the same number.
            log.warning("WeChat Pay refused refund %s: %s", out_refund_no, code)
            return RefundReport(out_trade_no, out_refund_no, "failed", failure=code)
        raise WechatpayUpstreamError(wechatpay_code=code)

    async def query_refund(self, out_trade_no: str, out_refund_no: str) -> RefundReport:
        reply = await self._call("GET", f"/v3/refund/domestic/refunds/{urllib.parse.quote(out_refund_no)}", None)
        if reply.status == 404:
            return RefundReport(out_trade_no, out_refund_no, "missing")
        if reply.status != 200:
            raise WechatpayUpstreamError(wechatpay_code=str(reply.data.get("code", reply.status)))
        return _refund_report(reply.data)

    async def bill(self, day: date) -> list[BillLine]:
        reply = await self._call("GET", f"/v3/bill/tradebill?bill_date={day.isoformat()}&bill_type=ALL", None)
        if reply.status == 400 and reply.data.get("code") == "NO_STATEMENT_EXIST":
            return []
        download_url = str(reply.data.get("download_url") or "")
        if reply.status != 200 or not download_url:
            raise WechatpayUpstreamError(wechatpay_code=str(reply.data.get("code", reply.status)))
        parsed = urllib.parse.urlsplit(download_url)
        path = parsed.path + (f"?{parsed.query}" if parsed.query else "")
        # The download is not signed by the platform (it is a file); the request to it is.
        text = await self._fetch("GET", download_url, path, None, verify=False)
        return parse_trade_bill(text.text)

    async def parse_notice(self, headers: Mapping[str, str], body: bytes) -> Notice:
        keys = await self._keys()
        verify_wechatpay_callback(headers, body, keys.platform_keys, self._clock.now().timestamp, self._window)
        try:
            envelope = json.loads(body)
            resource = envelope["resource"]
            plain = decrypt_wechatpay_resource(keys.apiv3_key, resource["nonce"],
                                               resource.get("associated_data", ""), resource["ciphertext"])
            data = json.loads(plain)
            event_type = str(envelope.get("event_type", ""))
        except (ValueError, KeyError, TypeError):
            raise PaymentSignatureError("微信支付通知格式错误") from None
        if not isinstance(data, dict):
            raise PaymentSignatureError("微信支付通知格式错误")
        if event_type.startswith("REFUND."):
            return Notice(refund=_refund_report(data))
        return Notice(trade=_trade_report(data))

    async def _call(self, method: str, path: str, payload: dict[str, Any] | None) -> _Reply:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")) if payload is not None else ""
        full_path = urllib.parse.urlsplit(self.api_base).path + path
        return await self._fetch(method, self.api_base + path, full_path, body, verify=True)

    async def _fetch(self, method: str, url: str, signed_path: str, body: str | None, *, verify: bool) -> _Reply:
        keys = await self._keys()
        authorization = build_wechatpay_authorization(
            self.mch_id, keys.merchant_serial, keys.merchant_private_key, method, signed_path, body or "",
            int(self._clock.now().timestamp()), secrets.token_hex(16))
        request = tornado.httpclient.HTTPRequest(
            url, method=method, body=body if method == "POST" else None, request_timeout=_TIMEOUT_SECONDS,
            headers={"Authorization": authorization, "Accept": "application/json",
                     "Content-Type": "application/json", "User-Agent": "yiwang"})
        try:
            response = await tornado.httpclient.AsyncHTTPClient().fetch(request, raise_error=False)
        except OSError as exc:
            log.warning("WeChat Pay unreachable: %s", type(exc).__name__)
            raise WechatpayUnavailable() from None
        if response.code == 599:
            log.warning("WeChat Pay unreachable: %s", type(response.error).__name__)
            raise WechatpayUnavailable()
        raw = response.body or b""
        if verify and response.code < 500:
            try:
                verify_wechatpay_callback(dict(response.headers.get_all()), raw, keys.platform_keys,
                                          self._clock.now().timestamp, self._window)
            except PaymentSignatureError:
                log.warning("WeChat Pay %s %s: response signature does not verify", method, signed_path)
                raise WechatpayUpstreamError("微信支付响应签名验证失败") from None
        text = raw.decode("utf-8", "replace")
        try:
            data = json.loads(text) if text.strip().startswith("{") else {}
        except ValueError:
            data = {}
        return _Reply(response.code, data if isinstance(data, dict) else {}, text)


def _trade_report(data: Mapping[str, Any]) -> TradeReport:
    amount = data.get("amount") if isinstance(data.get("amount"), dict) else {}
    total = amount.get("total") if isinstance(amount, dict) else None
    return TradeReport(
        out_trade_no=str(data.get("out_trade_no", "")),
        outcome=_TRADE_OUTCOMES.get(str(data.get("trade_state", "")), "pending"),
        amount_fen=total if isinstance(total, int) else None,
        provider_trade_no=str(data["transaction_id"]) if data.get("transaction_id") else None,
        app_id=str(data.get("appid", "")) or None, merchant_id=str(data.get("mchid", "")) or None,
        paid_at=_time_or_none(data.get("success_time")))


def _refund_report(data: Mapping[str, Any]) -> RefundReport:
    amount = data.get("amount") if isinstance(data.get("amount"), dict) else {}
    refund = amount.get("refund") if isinstance(amount, dict) else None
    status = str(data.get("status") or data.get("refund_status") or "")
    outcome = _REFUND_OUTCOMES.get(status, "pending")
    return RefundReport(str(data.get("out_trade_no", "")), str(data.get("out_refund_no", "")),
                        outcome, refund if isinstance(refund, int) else None,
                        merchant_id=str(data.get("mchid", "")) or None,
                        failure=status if outcome == "failed" else None,
                        succeeded_at=_time_or_none(data.get("success_time")) if outcome == "success" else None)


def _time_or_none(value: Any) -> datetime | None:
    """WeChat's RFC 3339 times (2026-11-23T23:59:30+08:00); anything else is no time."""
    try:
        moment = datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


def parse_trade_bill(text: str) -> list[BillLine]:
    """WeChat's trade bill: a header row, rows whose fields start with a backtick, then summary rows.

    Columns are found by name: 微信订单号, 商户订单号, 交易状态, 应结订单金额 and 退款金额 (yuan).
    """
    rows = [line for line in text.lstrip("\ufeff").splitlines() if line.strip()]
    if not rows:
        return []
    header = [name.strip() for name in rows[0].split(",")]
    try:
        trade_no, out_no, state = header.index("微信订单号"), header.index("商户订单号"), header.index("交易状态")
        amount, refund = header.index("应结订单金额"), header.index("退款金额")
    except ValueError:
        raise WechatpayUpstreamError("微信支付账单格式无法识别") from None
    lines: list[BillLine] = []
    for row in rows[1:]:
        fields = [field.strip().lstrip("`") for field in row.split(",")]
        if len(fields) < len(header) or not row.startswith("`"):
            break  # the summary section
        if fields[state] == "REFUND":
            lines.append(BillLine(fields[out_no], fields[trade_no], "refund", yuan_to_fen(fields[refund])))
        elif fields[state] == "SUCCESS":
            lines.append(BillLine(fields[out_no], fields[trade_no], "payment", yuan_to_fen(fields[amount])))
    return lines


def live_wechatpay(settings: Settings, clock: Clock) -> WechatPayGateway:
    platform_key = load_rsa_public_key(settings.wechatpay_platform_public_key)
    keys = WechatpayKeys(load_rsa_private_key(settings.wechatpay_private_key), settings.wechatpay_cert_serial,
                         {settings.wechatpay_platform_serial: platform_key}, settings.wechatpay_apiv3_key.encode())

    async def fixed() -> WechatpayKeys:
        return keys

    return WechatPayGateway(app_id=settings.wechat_app_id, mch_id=settings.wechatpay_mch_id,
                            api_base=settings.wechatpay_api_base, notify_url=settings.base_url + NOTIFY_PATH,
                            keys=fixed, clock=clock, window_seconds=settings.payment_notify_window_seconds)


def sandbox_wechatpay_keys(settings: Settings, key_store: SandboxKeyStore) -> Callable[[], Awaitable[WechatpayKeys]]:
    loaded: list[WechatpayKeys] = []

    async def keys() -> WechatpayKeys:
        if not loaded:
            stored = await key_store.wechatpay()
            loaded.append(WechatpayKeys(
                load_rsa_private_key(settings.wechatpay_private_key or stored.merchant_private_pem),
                settings.wechatpay_cert_serial or SANDBOX_MERCHANT_SERIAL,
                {settings.wechatpay_platform_serial or SANDBOX_PLATFORM_SERIAL: load_rsa_public_key(
                    settings.wechatpay_platform_public_key or stored.platform_public_pem)},
                (settings.wechatpay_apiv3_key or stored.apiv3_key).encode()))
        return loaded[0]

    return keys


def sandbox_wechatpay(settings: Settings, clock: Clock, key_store: SandboxKeyStore) -> WechatPayGateway:
    return WechatPayGateway(app_id=sandbox_wechat_credentials(settings).app_id,
                            mch_id=settings.wechatpay_mch_id or SANDBOX_MCH_ID,
                            api_base=f"{settings.sandbox_url}/wechatpay", notify_url=settings.base_url + NOTIFY_PATH,
                            keys=sandbox_wechatpay_keys(settings, key_store), clock=clock,
                            window_seconds=settings.payment_notify_window_seconds)


def make_wechatpay(settings: Settings, clock: Clock, key_store: SandboxKeyStore) -> WechatPayGateway:
    return live_wechatpay(settings, clock) if settings.is_live else sandbox_wechatpay(settings, clock, key_store)

