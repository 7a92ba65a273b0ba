"""JSON schemas of the payment API (citizen and staff share the order and fee shapes)."""

from __future__ import annotations

from server.http.api import DATETIME, array, integer, nullable, obj, string

PROVIDERS = ["wechat", "alipay"]

TRANSITION = obj({"at": DATETIME, "from": nullable(string()), "to": string(), "reason": nullable(string())},
                 required=["at", "from", "to"])
ORDER = obj({
    "id": string(), "fee_id": string(), "fee_name": string(), "amount_fen": integer(minimum=0),
    "provider": string(enum=PROVIDERS), "out_trade_no": string(),
    "state": string(enum=["created", "paying", "paid", "closed", "failed", "refunding", "refunded"]),
    "refunded_fen": integer(minimum=0), "created_at": DATETIME, "paid_at": nullable(DATETIME),
    "transitions": array(TRANSITION),
}, required=["id", "fee_id", "amount_fen", "provider", "state", "refunded_fen", "transitions"])
FEE = obj({"fee_id": string(), "name": string(), "amount_fen": integer(minimum=0), "paid": {"type": "boolean"},
           "orders": array(ORDER)}, required=["fee_id", "name", "amount_fen", "paid", "orders"])
FEES = obj({"items": array(FEE)}, required=["items"])
PAY_REQUEST = obj({"provider": string(enum=PROVIDERS)}, required=["provider"])
PAY_RESPONSE = obj({
    "order": ORDER, "provider": string(enum=PROVIDERS),
    "params": obj({}, additional=True, description="WeChat: the arguments of wx.requestPayment (timeStamp, "
                  "nonceStr, package, signType, paySign). Alipay: {tradeNO} for my.tradePay."),
}, required=["order", "provider", "params"])
REFUND_REQUEST = obj({"amount_fen": integer(minimum=1), "reason": string(minLength=1, maxLength=200)},
                     required=["amount_fen", "reason"])
MISMATCH = obj({"kind": string(enum=["paid_there_not_here", "paid_here_not_there", "amount_differs",
                                     "unknown_order", "refund_differs"]),
                "out_trade_no": string(), "provider_amount_fen": nullable(integer()),
                "our_amount_fen": nullable(integer()), "case_id": nullable(string()),
                "resolution": string(enum=["repaired", "open"]), "note": nullable(string())},
               required=["kind", "out_trade_no", "resolution"])
RECONCILIATION = obj({"provider": string(enum=PROVIDERS), "date": string(format="date"), "run_at": DATETIME,
                      "bill_lines": integer(minimum=0), "matched": integer(minimum=0),
                      "repaired": integer(minimum=0), "open": integer(minimum=0), "mismatches": array(MISMATCH)},
                     required=["provider", "date", "run_at", "mismatches", "open", "repaired"])
RECONCILIATIONS = obj({"date": string(format="date"), "items": array(RECONCILIATION)}, required=["date", "items"])
WECHAT_ANSWER = obj({"code": string(enum=["SUCCESS", "FAIL"]), "message": string()}, required=["code"])
