"""JSON schemas of the payment API (citizen and staff share the order and fee shapes)."""

from __future__ import annotations

from server.http.api import DATETIME, array, integer, nullable, obj, string

PROVIDERS = ["wechat", "alipay"]

TRANSITION = obj({"at": DATETIME, "from": nullable(string()), "to": string(), "reason": nullable(string())},
                 required=["at", "from", "to"])
_ORDER_FIELDS = {
    "id": string(), "fee_id": string(), "fee_name": string(), "amount_fen": integer(minimum=0),
    "provider": string(enum=PROVIDERS), "out_trade_no": string(),
    "state": string(enum=["created", "paying", "paid", "closed", "failed", "refunding", "refunded"]),
    "refunded_fen": integer(minimum=0), "created_at": DATETIME, "paid_at": nullable(DATETIME),
    "transitions": array(TRANSITION),
}
_ORDER_REQUIRED = ["id", "fee_id", "amount_fen", "provider", "state", "refunded_fen", "transitions"]
ORDER = obj(_ORDER_FIELDS, required=_ORDER_REQUIRED)
REFUND = obj({
    "out_refund_no": string(), "amount_fen": integer(minimum=1), "reason": string(),
    "state": string(enum=["pending", "abnormal", "success", "failed"],
                    description="abnormal: WeChat could not pay it back (e.g. a frozen card); settle it in the "
                                "merchant platform. No new refund of the order until it ends."),
    "requested_at": DATETIME, "settled_at": nullable(DATETIME),
    "sends": integer(minimum=0, description="How often it was sent to the provider (same number each time)."),
    "last_error": nullable(string(description="Why the last send got no answer; the worker asks again.")),
    "failure": nullable(string(description="Why it failed: the provider's refusal (e.g. NOT_ENOUGH, "
                                           "ACQ.SELLER_BALANCE_NOT_ENOUGH) or refund_not_found.")),
}, required=["out_refund_no", "amount_fen", "state", "requested_at", "sends", "failure"])
STAFF_ORDER = obj({**_ORDER_FIELDS, "refunds": array(REFUND)}, required=[*_ORDER_REQUIRED, "refunds"])
FEE = obj({"fee_id": string(), "name": string(), "amount_fen": integer(minimum=0), "paid": {"type": "boolean"},
           "orders": array(ORDER)}, required=["fee_id", "name", "amount_fen", "paid", "orders"])
FEES = obj({"items": array(FEE)}, required=["items"])
STAFF_FEES = obj({"items": array(obj({**FEE["properties"], "orders": array(STAFF_ORDER)}, required=FEE["required"]))},
                 required=["items"])
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
