"""Simulated WeChat Pay APIv3: JSAPI prepay, order query, close, refunds, trade bills and signed callbacks.

Requests must carry a valid merchant ``Authorization`` (checked like WeChat does, over the exact path
and body); every answer and every callback is signed with the simulated platform key, and callback
resources are AES-256-GCM encrypted with the APIv3 key, so the product's real verification runs.
"""

from __future__ import annotations

import json
import secrets
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from pymongo.asynchronous.database import AsyncDatabase

from server.clock import Clock, china_date
from server.payments.money import fen_to_yuan
from server.payments.signing.errors import PaymentSignatureError
from server.payments.signing.rsa_keys import generate_rsa_keypair, load_rsa_private_key, load_rsa_public_key
from server.payments.signing.wechatpay_v3 import (
    build_wechatpay_signature_headers,
    encrypt_wechatpay_resource,
    verify_wechatpay_authorization,
)
from server.payments.wechatpay import SANDBOX_MCH_ID, SANDBOX_MERCHANT_SERIAL, SANDBOX_PLATFORM_SERIAL
from server.sandbox import payments_repository as repo
from server.sandbox.credentials import sandbox_wechat_credentials
from server.sandbox.keys import SandboxKeyStore
from server.settings import Settings

PROVIDER = "wechat"
CHINA_TZ = timezone(timedelta(hours=8))
_STATES = {"pending": "NOTPAY", "paid": "SUCCESS", "closed": "CLOSED"}
_REFUND_STATUSES = {"success": "SUCCESS", "processing": "PROCESSING", "abnormal": "ABNORMAL", "closed": "CLOSED"}
# How the sandbox's test controls may script the next refund requests of a trade (see payment_handlers).
REFUND_ANSWERS = frozenset({"system_error", "answer_lost", "refuse", "processing", "abnormal"})
BILL_HEADER = ("交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,"
               "货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,"
               "商户数据包,手续费,费率,订单金额,申请退款金额,费率备注")


class WechatpayRefusal(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(code)
        self.status, self.body = status, {"code": code, "message": message}


class WechatpaySimulator:
    def __init__(self, settings: Settings, key_store: SandboxKeyStore) -> None:
        self.settings = settings
        self.app_id = sandbox_wechat_credentials(settings).app_id
        self.mch_id = settings.wechatpay_mch_id or SANDBOX_MCH_ID
        self._key_store = key_store
        self._keys: tuple[RSAPublicKey, RSAPrivateKey, bytes] | None = None

    async def keys(self) -> tuple[RSAPublicKey, RSAPrivateKey, bytes]:
        if self._keys is None:
            stored = await self._key_store.wechatpay()
            settings = self.settings
            merchant_public = (load_rsa_private_key(settings.wechatpay_private_key).public_key()
                               if settings.wechatpay_private_key else load_rsa_public_key(stored.merchant_public_pem))
            self._keys = (merchant_public, load_rsa_private_key(stored.platform_private_pem),
                          (settings.wechatpay_apiv3_key or stored.apiv3_key).encode())
        return self._keys

    async def check_request(self, clock: Clock, authorization: str, method: str, uri: str, body: bytes) -> None:
        merchant_public, _, _ = await self.keys()
        serial = self.settings.wechatpay_cert_serial or SANDBOX_MERCHANT_SERIAL
        try:
            parsed = verify_wechatpay_authorization(authorization, method, uri, body, {serial: merchant_public},
                                                    clock.now().timestamp)
        except PaymentSignatureError:
            raise WechatpayRefusal(401, "SIGN_ERROR", "签名错误") from None
        if parsed.mchid != self.mch_id:
            raise WechatpayRefusal(400, "MCH_NOT_EXISTS", "商户号不存在")

    async def signed(self, clock: Clock, body: bytes) -> dict[str, str]:
        _, platform_private, _ = await self.keys()
        return build_wechatpay_signature_headers(platform_private, SANDBOX_PLATFORM_SERIAL, body,
                                                 int(clock.now().timestamp()), secrets.token_hex(16))

    # ---------------------------------------------------------------------------------- the API
    async def prepay(self, db: AsyncDatabase[dict[str, Any]], clock: Clock, data: dict[str, Any]) -> dict[str, Any]:
        try:
            amount = int(data["amount"]["total"])
            out_trade_no, openid = str(data["out_trade_no"]), str(data["payer"]["openid"])
            notify_url = str(data["notify_url"])
        except (KeyError, TypeError, ValueError):
            raise WechatpayRefusal(400, "PARAM_ERROR", "参数错误") from None
        if data.get("appid") != self.app_id or data.get("mchid") != self.mch_id:
            raise WechatpayRefusal(400, "APPID_MCHID_NOT_MATCH", "appid和mch_id不匹配")
        if amount <= 0:
            raise WechatpayRefusal(400, "PARAM_ERROR", "订单金额必须大于0")
        now = clock.now()
        trade = await repo.create_trade_once(db, {
            "provider": PROVIDER, "out_trade_no": out_trade_no, "amount_fen": amount, "state": "pending",
            "trade_no": "4200" + china_date(now).strftime("%Y%m%d") + secrets.token_hex(7),
            "prepay_id": "wx" + secrets.token_hex(15), "notify_url": notify_url, "payer": openid,
            "description": str(data.get("description", "")), "created_at": now, "paid_at": None, "paid_on": None,
            "refunded_fen": 0})
        if trade["amount_fen"] != amount or trade["payer"] != openid:
            raise WechatpayRefusal(400, "OUT_TRADE_NO_USED", "商户订单号重复")
        return {"prepay_id": trade["prepay_id"]}

    def transaction(self, trade: dict[str, Any]) -> dict[str, Any]:
        state = "REFUND" if trade["state"] == "paid" and trade.get("refunded_fen") else _STATES[trade["state"]]
        body: dict[str, Any] = {
            "appid": self.app_id, "mchid": self.mch_id, "out_trade_no": trade["out_trade_no"],
            "trade_type": "JSAPI", "trade_state": state, "trade_state_desc": state,
            "payer": {"openid": trade["payer"]},
            "amount": {"total": trade["amount_fen"], "payer_total": trade["amount_fen"], "currency": "CNY",
                       "payer_currency": "CNY"}}
        if trade["state"] == "paid":
            body.update(transaction_id=trade["trade_no"], bank_type="OTHERS",
                        success_time=trade["paid_at"].astimezone(CHINA_TZ).isoformat(timespec="seconds"))
        return body

    def refund_body(self, trade: dict[str, Any], refund: dict[str, Any], status: str | None = None) -> dict[str, Any]:
        status = status or _REFUND_STATUSES[refund.get("status", "success")]
        body = {"refund_id": refund["refund_id"], "out_refund_no": refund["out_refund_no"],
                "transaction_id": trade["trade_no"], "out_trade_no": trade["out_trade_no"], "channel": "ORIGINAL",
                "status": status, "refund_status": status, "mchid": self.mch_id,
                "create_time": refund["created_at"].astimezone(CHINA_TZ).isoformat(timespec="seconds"),
                "amount": {"total": trade["amount_fen"], "refund": refund["amount_fen"],
                           "payer_total": trade["amount_fen"], "payer_refund": refund["amount_fen"], "currency": "CNY"}}
        if status == "SUCCESS" and refund.get("settled_at") is not None:
            body["success_time"] = refund["settled_at"].astimezone(CHINA_TZ).isoformat(timespec="seconds")
        return body

    async def refund(self, db: AsyncDatabase[dict[str, Any]], clock: Clock, data: dict[str, Any]) -> dict[str, Any]:
        try:
            out_trade_no, out_refund_no = str(data["out_trade_no"]), str(data["out_refund_no"])
            amount, total = int(data["amount"]["refund"]), int(data["amount"]["total"])
        except (KeyError, TypeError, ValueError):
            raise WechatpayRefusal(400, "PARAM_ERROR", "参数错误") from None
        trade = await repo.get_trade(db, PROVIDER, out_trade_no)
        if trade is None:
            raise WechatpayRefusal(404, "RESOURCE_NOT_EXISTS", "订单不存在")
        if trade["state"] != "paid" or total != trade["amount_fen"] or amount <= 0:
            raise WechatpayRefusal(400, "INVALID_REQUEST", "订单状态或金额不正确")
        existing = await repo.get_refund(db, PROVIDER, out_refund_no)
        if existing is not None:
            # A repeat of a refund number is answered with that refund as it is now, never refunded twice.
            return self.refund_body(trade, existing)
        answer = await repo.next_refund_answer(db, PROVIDER, out_trade_no)
        if answer == "system_error":
            raise WechatpayRefusal(500, "SYSTEM_ERROR", "系统超时，请使用相同参数稍后重新调用")
        if answer == "refuse":
            raise WechatpayRefusal(403, "NOT_ENOUGH", "基本账户余额不足，请充值后重新发起")
        now = clock.now()
        status = {"abnormal": "abnormal", "processing": "processing"}.get(answer or "", "success")
        settled = status == "success"
        refund = await repo.add_refund_once(db, {
            "provider": PROVIDER, "out_trade_no": out_trade_no, "out_refund_no": out_refund_no,
            "refund_id": "5030" + secrets.token_hex(12), "trade_no": trade["trade_no"], "amount_fen": amount,
            "created_at": now, "created_on": china_date(now).isoformat(), "status": status,
            "settled_at": now if settled else None, "settled_on": china_date(now).isoformat() if settled else None,
            "notify_url": str(data.get("notify_url") or trade["notify_url"])}, refundable_up_to=trade["amount_fen"])
        if refund is None:
            raise WechatpayRefusal(403, "NOT_ENOUGH", "退款金额超过订单可退金额")
        if answer == "answer_lost":
            # Made, but the answer never arrives: only a query tells the merchant.
            raise WechatpayRefusal(500, "SYSTEM_ERROR", "系统超时，请使用相同参数稍后重新调用")
        # As WeChat does: the money moves later, and a notice (or a query) says when.
        return self.refund_body(trade, refund, "PROCESSING")

    def bill(self, trades: list[dict[str, Any]], refunds: list[dict[str, Any]], planted: list[dict[str, Any]]) -> str:
        rows = [BILL_HEADER]
        total = 0
        for trade in trades:
            amount = fen_to_yuan(trade["amount_fen"])
            rows.append(self._row(trade["paid_at"], trade["trade_no"], trade["out_trade_no"], trade["payer"],
                                  "SUCCESS", amount, "", "", "0.00", amount))
            total += trade["amount_fen"]
        for entry in planted:
            amount = fen_to_yuan(entry["amount_fen"])
            rows.append(self._row(datetime.fromisoformat(entry["date"] + "T12:00:00+08:00"), entry["trade_no"],
                                  entry["out_trade_no"], "oSandboxPlanted", "SUCCESS", amount, "", "", "0.00", amount))
        for refund in refunds:
            rows.append(self._row(refund.get("settled_at") or refund["created_at"], refund["trade_no"],
                                  refund["out_trade_no"], "", "REFUND", "0.00", refund["refund_id"],
                                  refund["out_refund_no"], fen_to_yuan(refund["amount_fen"]), "0.00"))
        rows.append("总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额")
        refunded = sum(r["amount_fen"] for r in refunds)
        rows.append(f"`{len(trades)},`{fen_to_yuan(total)},`{fen_to_yuan(refunded)},`0.00,`0.00,"
                    f"`{fen_to_yuan(total)},`{fen_to_yuan(refunded)}")
        return "\r\n".join(rows) + "\r\n"

    def _row(self, at: datetime, trade_no: str, out_trade_no: str, payer: str, state: str, amount: str,
             refund_id: str, out_refund_no: str, refund: str, order_amount: str) -> str:
        fields = [at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S"), self.app_id, self.mch_id, "0", "",
                  trade_no, out_trade_no, payer, "JSAPI", state, "OTHERS", "CNY", amount, "0.00", refund_id,
                  out_refund_no, refund, "0.00", "ORIGINAL" if refund_id else "", "SUCCESS" if refund_id else "",
                  "规费", "", "0.00", "0.00%", order_amount, refund, ""]
        return ",".join(f"`{value}" for value in fields)

    # ---------------------------------------------------------------------------------- callbacks
    async def notice(self, clock: Clock, trade: dict[str, Any], refund: dict[str, Any] | None, *,
                     timestamp_offset: int = 0, forge: bool = False,
                     tamper: bool = False) -> tuple[dict[str, str], bytes]:
        _, platform_private, apiv3_key = await self.keys()
        if refund is None:
            event, original, plain = "TRANSACTION.SUCCESS", "transaction", self.transaction(trade)
        else:
            plain = self.refund_body(trade, refund)
            event, original = f"REFUND.{plain['status']}", "refund"
        nonce = secrets.token_hex(6)
        now = clock.now()
        envelope = {
            "id": str(uuid.uuid4()), "create_time": now.astimezone(CHINA_TZ).isoformat(timespec="seconds"),
            "resource_type": "encrypt-resource", "event_type": event, "summary": "支付成功",
            "resource": {"original_type": original, "algorithm": "AEAD_AES_256_GCM", "associated_data": original,
                         "nonce": nonce, "ciphertext": encrypt_wechatpay_resource(
                             apiv3_key, nonce, original, json.dumps(plain, ensure_ascii=False).encode())}}
        body = json.dumps(envelope, ensure_ascii=False).encode()
        key = load_rsa_private_key(generate_rsa_keypair()[0]) if forge else platform_private
        headers = build_wechatpay_signature_headers(key, SANDBOX_PLATFORM_SERIAL, body,
                                                    int(now.timestamp()) + timestamp_offset, secrets.token_hex(16))
        if tamper:
            body = body.replace(b'"summary": "', b'"summary": "X', 1)
        return {**headers, "Content-Type": "application/json"}, body
