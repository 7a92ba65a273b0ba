"""Simulated Alipay open-platform gateway (``gateway.do``): checks RSA2 request signatures, signs answers.

Common-parameter and signature problems answer ``error_response`` with Alipay's codes and sub-codes;
every answer is signed with the simulated gateway's key over the exact text of its node, as Alipay does.
Methods are looked up in ``METHODS``; later features add theirs (payments) next to ``oauth_token``.
"""

from __future__ import annotations

import asyncio
import io
import json
import secrets
import zipfile
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from pymongo.asynchronous.database import AsyncDatabase

from server.clock import Clock, china_date
from server.payments.money import fen_to_yuan, yuan_to_fen
from server.payments.signing.alipay import (
    ERROR_RESPONSE_NODE,
    RSA2,
    alipay_response_node_name,
    alipay_sign_content,
    sign_alipay_notify,
)
from server.payments.signing.rsa_keys import (
    generate_rsa_keypair,
    load_rsa_private_key,
    load_rsa_public_key,
    sha256_rsa_sign,
    sha256_rsa_verify,
)
from server.sandbox import login_codes, payments_repository
from server.sandbox.credentials import sandbox_alipay_app_id, sandbox_secret
from server.sandbox.keys import SandboxKeyStore
from server.settings import Settings

CHINA_TZ = timezone(timedelta(hours=8))
ACCESS_TOKEN_SECONDS = 3600
REFRESH_TOKEN_SECONDS = 30 * 24 * 3600


_ERROR_MESSAGES = {"20000": "Service Currently Unavailable", "40001": "Missing Required Arguments",
                   "40002": "Invalid Arguments", "40004": "Business Failed"}


class GatewayRefusal(Exception):
    """An Alipay error answer: ``code``/``msg`` classify it, ``sub_code``/``sub_msg`` say what exactly."""

    def __init__(self, code: str, sub_code: str, sub_msg: str) -> None:
        super().__init__(sub_code)
        self.node = {"code": code, "msg": _ERROR_MESSAGES.get(code, "Invalid Arguments"), "sub_code": sub_code,
                     "sub_msg": sub_msg}


@dataclass
class GatewayContext:
    settings: Settings
    db: AsyncDatabase[dict[str, Any]]
    clock: Clock
    app_id: str


Method = Callable[[GatewayContext, Mapping[str, str]], Awaitable[dict[str, Any]]]


async def oauth_token(context: GatewayContext, params: Mapping[str, str]) -> dict[str, Any]:
    if params.get("grant_type") != "authorization_code":
        raise GatewayRefusal("40002", "isv.grant-type-invalid", "grant_type参数不正确")
    code = params.get("code", "")
    if not code:
        raise GatewayRefusal("40001", "isv.missing-code", "缺少授权码code")
    user = await login_codes.redeem(context.db, "alipay", context.app_id, code, context.clock.now())
    if user is None:
        raise GatewayRefusal("40002", "isv.code-invalid", "授权码code无效")
    ids = sandbox_secret(context.settings, "alipay ids")
    user_number = int.from_bytes(login_codes.stable_id(ids, "user_id", user)[:8], "big") % 10**12
    token = login_codes.stable_id(ids, "access_token", code).hex()[:32]
    return {
        "user_id": f"2088{user_number:012d}",
        "open_id": "0" + login_codes.stable_id(ids, "open_id", context.app_id, user).hex()[:44],
        "access_token": f"authusrB{token}",
        "expires_in": str(ACCESS_TOKEN_SECONDS),
        "refresh_token": f"authusrB{login_codes.stable_id(ids, 'refresh_token', code).hex()[:32]}",
        "re_expires_in": str(REFRESH_TOKEN_SECONDS),
        "auth_start": context.clock.now().astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S"),
    }


METHODS: dict[str, Method] = {"alipay.system.oauth.token": oauth_token}


class AlipayGatewaySimulator:
    """One per application: it caches the parsed keys. The database and clock come with each request."""

    def __init__(self, settings: Settings, key_store: SandboxKeyStore) -> None:
        self._settings = settings
        self._app_id = sandbox_alipay_app_id(settings)
        self._key_store = key_store
        self._keys: tuple[RSAPublicKey, RSAPrivateKey] | None = None

    async def _load_keys(self) -> tuple[RSAPublicKey, RSAPrivateKey]:
        if self._keys is None:
            stored = await self._key_store.alipay()
            settings = self._settings
            # An app key set in the settings is the one the app signs with: check against its public half.
            app_public = (load_rsa_private_key(settings.alipay_app_private_key).public_key()
                          if settings.alipay_app_private_key else load_rsa_public_key(stored.app_public_pem))
            self._keys = app_public, load_rsa_private_key(stored.gateway_private_pem)
        return self._keys

    @property
    def app_id(self) -> str:
        return self._app_id

    async def sign_notice(self, params: dict[str, str]) -> dict[str, str]:
        """``params`` with the ``sign`` the simulated Alipay puts on an async notice."""
        _, gateway_private = await self._load_keys()
        return {**params, "sign": sign_alipay_notify(params, gateway_private)}

    async def forged_sign(self, params: dict[str, str]) -> dict[str, str]:
        """The same notice signed with a key that is not Alipay's (what a forger can do)."""
        forger = await asyncio.to_thread(lambda: load_rsa_private_key(generate_rsa_keypair()[0]))
        return {**params, "sign": sign_alipay_notify(params, forger)}

    async def handle(self, db: AsyncDatabase[dict[str, Any]], clock: Clock, params: Mapping[str, str]) -> str:
        """The gateway's answer (signed JSON text) to one request's form parameters."""
        app_public, gateway_private = await self._load_keys()
        context = GatewayContext(self._settings, db, clock, self._app_id)
        method = params.get("method", "")
        try:
            self._check_common(params, app_public)
            implementation = METHODS.get(method)
            if implementation is None:
                raise GatewayRefusal("40002", "isv.invalid-method", "不存在的方法名")
            node_name, node = alipay_response_node_name(method), await implementation(context, params)
        except GatewayRefusal as refusal:
            node_name, node = ERROR_RESPONSE_NODE, refusal.node
        node_json = json.dumps(node, ensure_ascii=False, separators=(",", ":"))
        sign = sha256_rsa_sign(gateway_private, node_json.encode())
        return f'{{"{node_name}":{node_json},"sign":{json.dumps(sign)}}}'

    def _check_common(self, params: Mapping[str, str], app_public: RSAPublicKey) -> None:
        for name in ("app_id", "method", "sign_type", "sign", "timestamp", "version"):
            if not params.get(name):
                raise GatewayRefusal("40001", f"isv.missing-{name.replace('_', '-')}", f"缺少{name}参数")
        if params["app_id"] != self._app_id:
            raise GatewayRefusal("40002", "isv.invalid-app-id", "无效的AppID参数")
        if params.get("charset", "utf-8").lower() != "utf-8":
            raise GatewayRefusal("40002", "isv.invalid-charset", "字符集错误")
        if params["sign_type"] != RSA2:
            raise GatewayRefusal("40002", "isv.invalid-signature-type", "无效的签名类型")
        content = alipay_sign_content(params, drop_sign_type=False)
        if not sha256_rsa_verify(app_public, content.encode(), params["sign"]):
            raise GatewayRefusal("40002", "isv.invalid-signature",
                                 "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配")


# ------------------------------------------------------------------------------------------ trades
# The payment methods of the mini-program (JSAPI_PAY): trades live in server.sandbox.payments_repository.
PAY_PROVIDER = "alipay"
# How the sandbox's test controls may script the next refund requests of a trade (see payment_handlers).
REFUND_ANSWERS = frozenset({"system_error", "answer_lost", "refuse", "processing"})
_TRADE_STATUS = {"pending": "WAIT_BUYER_PAY", "paid": "TRADE_SUCCESS", "closed": "TRADE_CLOSED"}
BILL_HEADER = ("支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,"
               "订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,"
               "券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注")


def _biz(params: Mapping[str, str]) -> dict[str, Any]:
    try:
        content = json.loads(params.get("biz_content") or "{}")
    except ValueError:
        raise GatewayRefusal("40002", "isv.invalid-biz-content", "biz_content格式错误") from None
    if not isinstance(content, dict):
        raise GatewayRefusal("40002", "isv.invalid-biz-content", "biz_content格式错误")
    return content


def _fen(text: Any) -> int:
    try:
        return yuan_to_fen(str(text))
    except ValueError:
        raise GatewayRefusal("40002", "isv.invalid-amount", "金额格式错误") from None


async def _trade_of(context: GatewayContext, content: Mapping[str, Any]) -> dict[str, Any]:
    trade = await payments_repository.get_trade(context.db, PAY_PROVIDER, str(content.get("out_trade_no", "")))
    if trade is None:
        raise GatewayRefusal("40004", "ACQ.TRADE_NOT_EXIST", "交易不存在")
    return trade


async def trade_create(context: GatewayContext, params: Mapping[str, str]) -> dict[str, Any]:
    content = _biz(params)
    out_trade_no = str(content.get("out_trade_no") or "")
    buyer = str(content.get("buyer_id") or content.get("buyer_open_id") or "")
    if not out_trade_no or not buyer or content.get("product_code") != "JSAPI_PAY":
        raise GatewayRefusal("40002", "isv.missing-parameters", "缺少必选参数")
    amount = _fen(content.get("total_amount"))
    now = context.clock.now()
    trade = await payments_repository.create_trade_once(context.db, {
        "provider": PAY_PROVIDER, "out_trade_no": out_trade_no, "amount_fen": amount, "state": "pending",
        "trade_no": china_date(now).strftime("%Y%m%d") + "22" + secrets.token_hex(8), "prepay_id": None,
        "notify_url": params.get("notify_url", ""), "payer": buyer, "description": str(content.get("subject", "")),
        "created_at": now, "paid_at": None, "paid_on": None, "refunded_fen": 0})
    if trade["amount_fen"] != amount:
        raise GatewayRefusal("40004", "ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改")
    return {"code": "10000", "msg": "Success", "out_trade_no": out_trade_no, "trade_no": trade["trade_no"]}


def trade_node(trade: Mapping[str, Any]) -> dict[str, Any]:
    node = {"code": "10000", "msg": "Success", "out_trade_no": trade["out_trade_no"], "trade_no": trade["trade_no"],
            "trade_status": _TRADE_STATUS[trade["state"]], "total_amount": fen_to_yuan(trade["amount_fen"]),
            "buyer_user_id": trade["payer"]}
    if trade["paid_at"] is not None:
        node["send_pay_date"] = trade["paid_at"].astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S")
    return node


async def trade_query(context: GatewayContext, params: Mapping[str, str]) -> dict[str, Any]:
    return trade_node(await _trade_of(context, _biz(params)))


async def trade_close(context: GatewayContext, params: Mapping[str, str]) -> dict[str, Any]:
    trade = await _trade_of(context, _biz(params))
    closed = await payments_repository.mark_trade(context.db, PAY_PROVIDER, trade["out_trade_no"],
                                                  from_state="pending", to_state="closed", changes={})
    if closed is None and trade["state"] != "closed":
        raise GatewayRefusal("40004", "ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
    return {"code": "10000", "msg": "Success", "out_trade_no": trade["out_trade_no"], "trade_no": trade["trade_no"]}


def _at(moment: datetime) -> str:
    return moment.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S")


async def trade_refund(context: GatewayContext, params: Mapping[str, str]) -> dict[str, Any]:
    content = _biz(params)
    trade = await _trade_of(context, content)
    if trade["state"] != "paid":
        raise GatewayRefusal("40004", "ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
    now = context.clock.now()
    amount = _fen(content.get("refund_amount"))
    out_request_no = str(content.get("out_request_no") or trade["out_trade_no"])
    node = {"code": "10000", "msg": "Success", "out_trade_no": trade["out_trade_no"], "trade_no": trade["trade_no"],
            "buyer_user_id": trade["payer"]}
    existing = await payments_repository.get_refund(context.db, PAY_PROVIDER, out_request_no)
    if existing is not None:
        # A repeat moves no money: fund_change "N", whatever became of the first request.
        return {**node, "refund_fee": fen_to_yuan(existing["amount_fen"]), "fund_change": "N"}
    answer = await payments_repository.next_refund_answer(context.db, PAY_PROVIDER, trade["out_trade_no"])
    if answer == "system_error":
        raise GatewayRefusal("20000", "isp.unknow-error", "系统繁忙")
    if answer == "refuse":
        raise GatewayRefusal("40004", "ACQ.SELLER_BALANCE_NOT_ENOUGH", "卖家余额不足")
    settled = answer != "processing"
    refund = await payments_repository.add_refund_once(context.db, {
        "provider": PAY_PROVIDER, "out_trade_no": trade["out_trade_no"], "out_refund_no": out_request_no,
        "refund_id": None, "trade_no": trade["trade_no"], "amount_fen": amount, "created_at": now,
        "created_on": china_date(now).isoformat(), "status": "success" if settled else "processing",
        "settled_at": now if settled else None, "settled_on": china_date(now).isoformat() if settled else None,
        "notify_url": trade["notify_url"]}, refundable_up_to=trade["amount_fen"])
    if refund is None or amount <= 0:
        raise GatewayRefusal("40004", "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限")
    if answer == "answer_lost":
        # Made, but the answer never arrives: only the refund query tells the merchant.
        raise GatewayRefusal("20000", "isp.unknow-error", "系统繁忙")
    if not settled:
        # Accepted, money not moved yet: the refund query says when it has.
        return {**node, "refund_fee": "0.00", "fund_change": "N"}
    return {**node, "refund_fee": fen_to_yuan(refund["amount_fen"]), "fund_change": "Y", "gmt_refund_pay": _at(now)}


async def refund_query(context: GatewayContext, params: Mapping[str, str]) -> dict[str, Any]:
    content = _biz(params)
    refund = await payments_repository.get_refund(context.db, PAY_PROVIDER, str(content.get("out_request_no", "")))
    if refund is None:
        # What Alipay does: a success code without refund fields.
        return {"code": "10000", "msg": "Success"}
    node = {"code": "10000", "msg": "Success", "out_trade_no": refund["out_trade_no"], "trade_no": refund["trade_no"],
            "out_request_no": refund["out_refund_no"], "refund_amount": fen_to_yuan(refund["amount_fen"])}
    # Alipay names refund_status only once the money is back; until then the field is absent.
    if refund.get("status", "success") == "success":
        node["refund_status"] = "REFUND_SUCCESS"
        options = content.get("query_options") or []
        if "gmt_refund_pay" in options and refund.get("settled_at") is not None:
            node["gmt_refund_pay"] = _at(refund["settled_at"])
    return node


async def bill_download_url(context: GatewayContext, params: Mapping[str, str]) -> dict[str, Any]:
    content = _biz(params)
    day = str(content.get("bill_date", ""))
    return {"code": "10000", "msg": "Success",
            "bill_download_url": f"{context.settings.sandbox_url}/alipay/bill?date={day}"}


def bill_file(trades: list[dict[str, Any]], refunds: list[dict[str, Any]], planted: list[dict[str, Any]],
              day: str) -> bytes:
    """The trade detail bill as Alipay ships it: a zip holding GBK CSV files (detail and summary)."""
    rows = ["#支付宝业务明细查询", f"#账务日期：[{day} 00:00:00]至[{day} 23:59:59]", BILL_HEADER]

    def row(trade_no: str, out_no: str, kind: str, at: str, amount: str, request_no: str = "") -> str:
        return ",".join([trade_no, out_no, kind, "规费", at, at, "", "", "", "", "", amount, amount, "0.00", "0.00",
                         "0.00", "0.00", "0.00", "", "0.00", "0.00", request_no, "0.00", "0.00", ""])

    def at(moment: datetime) -> str:
        return moment.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S")

    rows += [row(t["trade_no"], t["out_trade_no"], "交易", at(t["paid_at"]), fen_to_yuan(t["amount_fen"]))
             for t in trades]
    rows += [row(e["trade_no"], e["out_trade_no"], "交易", f"{day} 12:00:00", fen_to_yuan(e["amount_fen"]))
             for e in planted]
    rows += [row(r["trade_no"], r["out_trade_no"], "退款", at(r.get("settled_at") or r["created_at"]),
                 "-" + fen_to_yuan(r["amount_fen"]),
                 r["out_refund_no"]) for r in refunds]
    rows.append("#-----------------------------------------业务明细列表结束------------------------------------")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"20880000_{day.replace('-', '')}_业务明细.csv", "\r\n".join(rows).encode("gbk"))
        archive.writestr(f"20880000_{day.replace('-', '')}_业务明细(汇总).csv", "#汇总\r\n".encode("gbk"))
    return buffer.getvalue()


def notice_params(app_id: str, seller_id: str, trade: Mapping[str, Any], refund: Mapping[str, Any] | None,
                  now: datetime) -> dict[str, str]:
    """An async trade notice (trade_status_sync), unsigned; a refund adds out_biz_no and refund_fee."""
    params = {"notify_time": now.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S"),
              "notify_type": "trade_status_sync", "notify_id": secrets.token_hex(16), "app_id": app_id,
              "charset": "utf-8", "version": "1.0", "sign_type": RSA2, "trade_no": trade["trade_no"],
              "out_trade_no": trade["out_trade_no"], "trade_status": _TRADE_STATUS[trade["state"]],
              "total_amount": fen_to_yuan(trade["amount_fen"]), "receipt_amount": fen_to_yuan(trade["amount_fen"]),
              "seller_id": seller_id, "buyer_id": trade["payer"]}
    if trade["paid_at"] is not None:
        params["gmt_payment"] = trade["paid_at"].astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S")
    if refund is not None:
        refunded_at = refund.get("settled_at") or refund["created_at"]
        params.update(out_biz_no=refund["out_refund_no"], refund_fee=fen_to_yuan(refund["amount_fen"]),
                      gmt_refund=refunded_at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S.000"))
    return params


METHODS.update({
    "alipay.trade.create": trade_create,
    "alipay.trade.query": trade_query,
    "alipay.trade.close": trade_close,
    "alipay.trade.refund": trade_refund,
    "alipay.trade.fastpay.refund.query": refund_query,
    "alipay.data.dataservice.bill.downloadurl.query": bill_download_url,
})
