"""HTTP face of the payment simulators: WeChat Pay's v3 API, Alipay's bill file, and test controls.

The controls are the sandbox's own (not a provider's): make a trade paid, (re)send its callback —
on time, twice, late (an old timestamp), forged or tampered — and plant a bill entry that the product
never saw, so every path of the payment flow runs offline.
"""

from __future__ import annotations

import json
import secrets
import urllib.parse
from typing import Any

import tornado.httpclient

from server.clock import china_date
from server.http.api import Route
from server.http.base import BaseHandler
from server.payments.alipay import SANDBOX_SELLER_ID
from server.sandbox import payments_repository as repo
from server.sandbox.alipay import REFUND_ANSWERS as ALIPAY_REFUND_ANSWERS
from server.sandbox.alipay import AlipayGatewaySimulator, bill_file, notice_params
from server.sandbox.wechatpay import REFUND_ANSWERS as WECHAT_REFUND_ANSWERS
from server.sandbox.wechatpay import WechatpayRefusal, WechatpaySimulator

_NOTIFY_COUNTS = {"none": 0, "once": 1, "twice": 2}


class _SandboxJsonHandler(BaseHandler):
    def json_body(self) -> dict[str, Any]:
        try:
            data = json.loads(self.raw_body or b"{}")
        except ValueError:
            data = None
        return data if isinstance(data, dict) else {}

    def answer(self, status: int, payload: dict[str, Any] | str, headers: dict[str, str] | None = None) -> None:
        self.set_status(status)
        for name, value in (headers or {}).items():
            self.set_header(name, value)
        if isinstance(payload, str):
            self.finish(payload)
            return
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps(payload, ensure_ascii=False))


class WechatpayApiHandler(_SandboxJsonHandler):
    def initialize(self, wechatpay: WechatpaySimulator) -> None:
        self.wechatpay = wechatpay

    async def get(self, path: str) -> None:
        await self._serve("GET", path)

    async def post(self, path: str) -> None:
        await self._serve("POST", path)

    async def _serve(self, method: str, path: str) -> None:
        sim, clock = self.wechatpay, self.deps.clock
        try:
            await sim.check_request(clock, self.request.headers.get("Authorization", ""), method,
                                    self.request.uri or "", self.raw_body)
            status, payload = await self._dispatch(method, path)
        except WechatpayRefusal as refusal:
            status, payload = refusal.status, refusal.body
        if path.startswith("billdownload") and status == 200:
            self.answer(200, str(payload["text"]), {"Content-Type": "text/plain; charset=utf-8"})
            return
        body = b"" if status == 204 else json.dumps(payload, ensure_ascii=False).encode()
        headers = await sim.signed(clock, body)
        self.set_status(status)
        for name, value in headers.items():
            self.set_header(name, value)
        if not body:
            self.finish()
            return
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(body)

    async def _dispatch(self, method: str, path: str) -> tuple[int, dict[str, Any]]:
        sim, db, clock = self.wechatpay, self.deps.db, self.deps.clock
        parts = path.split("/")
        query = {k: v[0].decode() for k, v in self.request.query_arguments.items()}
        if method == "POST" and path == "v3/pay/transactions/jsapi":
            return 200, await sim.prepay(db, clock, self.json_body())
        if parts[:3] == ["v3", "pay", "transactions"] and len(parts) >= 5 and parts[3] == "out-trade-no":
            trade = await repo.get_trade(db, "wechat", urllib.parse.unquote(parts[4]))
            if trade is None:
                raise WechatpayRefusal(404, "ORDER_NOT_EXIST", "订单不存在")
            if method == "GET" and len(parts) == 5:
                return 200, sim.transaction(trade)
            if method == "POST" and parts[5:] == ["close"]:
                if trade["state"] == "paid":
                    raise WechatpayRefusal(400, "ORDERPAID", "订单已支付")
                await repo.mark_trade(db, "wechat", trade["out_trade_no"], from_state="pending", to_state="closed",
                                      changes={})
                return 204, {}
        if method == "POST" and path == "v3/refund/domestic/refunds":
            return 200, await sim.refund(db, clock, self.json_body())
        if method == "GET" and parts[:4] == ["v3", "refund", "domestic", "refunds"] and len(parts) == 5:
            refund = await repo.get_refund(db, "wechat", urllib.parse.unquote(parts[4]))
            trade = await repo.get_trade(db, "wechat", refund["out_trade_no"]) if refund else None
            if refund is None or trade is None:
                raise WechatpayRefusal(404, "RESOURCE_NOT_EXISTS", "退款单不存在")
            return 200, sim.refund_body(trade, refund)
        if method == "GET" and path == "v3/bill/tradebill":
            day = query.get("bill_date", "")
            url = f"{self.deps.settings.sandbox_url}/wechatpay/billdownload?bill_date={day}"
            return 200, {"hash_type": "SHA1", "hash_value": "", "download_url": url}
        if method == "GET" and path == "billdownload":
            day = query.get("bill_date", "")
            text = sim.bill(await repo.trades_paid_on(db, "wechat", day), await repo.refunds_on(db, "wechat", day),
                            await repo.planted_entries(db, "wechat", day))
            return 200, {"text": text}
        raise WechatpayRefusal(404, "NOT_FOUND", "接口不存在")


class AlipayBillHandler(_SandboxJsonHandler):
    async def get(self) -> None:
        day = self.get_query_argument("date", "")
        db = self.deps.db
        data = bill_file(await repo.trades_paid_on(db, "alipay", day), await repo.refunds_on(db, "alipay", day),
                         await repo.planted_entries(db, "alipay", day), day)
        self.set_header("Content-Type", "application/zip")
        self.finish(data)


class TradeControlHandler(_SandboxJsonHandler):
    """POST .../trades/{out_trade_no}/pay {"notify": none|once|twice} and .../notify {"refund": out_refund_no,
    "timestamp_offset_seconds": n, "forge": bool, "tamper": bool}: answers what the product replied.

    .../refund-answers {"answers": [...]} scripts the trade's next refund requests, one answer each:
    system_error (nothing made, a 5xx / 20000 answer), answer_lost (made, then that answer), refuse (WeChat
    NOT_ENOUGH, Alipay ACQ.SELLER_BALANCE_NOT_ENOUGH), processing (made, money not moved yet: WeChat
    PROCESSING, Alipay fund_change N) and, WeChat only, abnormal (made, status ABNORMAL).
    .../settle-refund {"refund": out_refund_no, "status": success|abnormal|closed} ends an open refund the
    way the provider (or staff at the merchant platform, for an abnormal one) would."""

    def initialize(self, wechatpay: WechatpaySimulator, alipay: AlipayGatewaySimulator) -> None:
        self.wechatpay, self.alipay = wechatpay, alipay

    async def post(self, provider: str, out_trade_no: str, action: str) -> None:
        options, db, clock = self.json_body(), self.deps.db, self.deps.clock
        trade = await repo.get_trade(db, provider, out_trade_no)
        if trade is None or action not in ("pay", "notify", "refund-answers", "settle-refund"):
            self.answer(404, {"error": "no such trade or action"})
            return
        if action == "refund-answers":
            await self._script_refunds(provider, out_trade_no, options)
            return
        if action == "settle-refund":
            await self._settle_refund(provider, options)
            return
        sends = 1
        if action == "pay":
            now = clock.now()
            paid = await repo.mark_trade(db, provider, out_trade_no, from_state="pending", to_state="paid",
                                         changes={"paid_at": now, "paid_on": china_date(now).isoformat()})
            if paid is None:
                self.answer(409, {"error": f"trade is {trade['state']}"})
                return
            trade = paid
            sends = _NOTIFY_COUNTS.get(str(options.get("notify", "once")), 1)
        refund = await repo.get_refund(db, provider, str(options["refund"])) if options.get("refund") else None
        replies = [await self._send(provider, trade, refund, options) for _ in range(sends)]
        self.answer(200, {"state": trade["state"], "notices": replies})

    async def _script_refunds(self, provider: str, out_trade_no: str, options: dict[str, Any]) -> None:
        answers = options.get("answers")
        known = WECHAT_REFUND_ANSWERS if provider == "wechat" else ALIPAY_REFUND_ANSWERS
        if not isinstance(answers, list) or not all(answer in known for answer in answers):
            self.answer(400, {"error": f"answers must be a list of {sorted(known)}"})
            return
        await repo.script_refund_answers(self.deps.db, provider, out_trade_no, [str(a) for a in answers])
        self.answer(200, {"queued": answers})

    async def _settle_refund(self, provider: str, options: dict[str, Any]) -> None:
        status = str(options.get("status", ""))
        if status not in ("success", "abnormal", "closed"):
            self.answer(400, {"error": "status must be success, abnormal or closed"})
            return
        now = self.deps.clock.now()
        refund = await repo.settle_refund(self.deps.db, provider, str(options.get("refund", "")), status=status,
                                          settled_at=now, settled_on=china_date(now).isoformat())
        if refund is None:
            self.answer(409, {"error": "no such open refund"})
            return
        self.answer(200, {"refund": refund["out_refund_no"], "status": refund["status"]})

    async def _send(self, provider: str, trade: dict[str, Any], refund: dict[str, Any] | None,
                    options: dict[str, Any]) -> dict[str, Any]:
        clock = self.deps.clock
        if provider == "wechat":
            headers, body = await self.wechatpay.notice(
                clock, trade, refund, timestamp_offset=int(options.get("timestamp_offset_seconds", 0)),
                forge=bool(options.get("forge")), tamper=bool(options.get("tamper")))
        else:
            params = notice_params(self.alipay.app_id, self.deps.settings.alipay_seller_id or SANDBOX_SELLER_ID,
                                   trade, refund, clock.now())
            sign = self.alipay.forged_sign if options.get("forge") else self.alipay.sign_notice
            signed = await sign(params)
            if options.get("tamper"):
                signed["total_amount"] = "0.01"
            headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
            body = urllib.parse.urlencode(signed).encode()
        url = (refund or {}).get("notify_url") or trade["notify_url"]
        response = await tornado.httpclient.AsyncHTTPClient().fetch(
            url, method="POST", body=body, headers=headers, raise_error=False, request_timeout=30)
        return {"status": response.code, "body": (response.body or b"").decode("utf-8", "replace")}


class BillEntryHandler(_SandboxJsonHandler):
    """POST {"date", "out_trade_no", "amount_fen"}: a paid trade in the bill that the product never saw."""

    async def post(self, provider: str) -> None:
        options = self.json_body()
        entry = {"provider": provider, "date": str(options["date"]), "out_trade_no": str(options["out_trade_no"]),
                 "amount_fen": int(options["amount_fen"]), "trade_no": "PLANTED" + secrets.token_hex(8)}
        await repo.plant_bill_entry(self.deps.db, entry)
        self.answer(201, {"trade_no": entry["trade_no"]})


def payment_routes(prefix: str, wechatpay: WechatpaySimulator, alipay: AlipayGatewaySimulator) -> list[Route]:
    both = {"wechatpay": wechatpay, "alipay": alipay}
    return [
        Route(f"{prefix}/wechatpay/{{path:path}}", WechatpayApiHandler, {"wechatpay": wechatpay}, documented=False),
        Route(f"{prefix}/alipay/bill", AlipayBillHandler, documented=False),
        Route(f"{prefix}/payments/{{provider}}/trades/{{out_trade_no}}/{{action}}", TradeControlHandler, both,
              documented=False),
        Route(f"{prefix}/payments/{{provider}}/bill-entries", BillEntryHandler, documented=False),
    ]
