"""Why a payment request is refused."""

from __future__ import annotations

from server.errors import BadRequest, Conflict, NotFound, Unprocessable


class FeeNotFound(NotFound):
    code = "fee_not_found"
    default_message = "该办件没有此项费用"


class PaymentOrderNotFound(NotFound):
    code = "payment_order_not_found"
    default_message = "缴费订单不存在"


class FeeAlreadyPaid(Conflict):
    code = "fee_already_paid"
    default_message = "该费用已缴纳"


class FeeNotPayable(Conflict):
    code = "fee_not_payable"
    default_message = "办件当前状态不能缴费"


class PaymentChannelMismatch(Unprocessable):
    code = "payment_channel_mismatch"
    default_message = "请在与支付方式相同的小程序中缴费"


class UnknownPaymentProvider(Unprocessable):
    code = "unknown_payment_provider"
    default_message = "不支持的支付方式"


class RefundTooLarge(Unprocessable):
    code = "refund_exceeds_paid"
    default_message = "退款金额超过可退金额"


class OrderNotRefundable(Conflict):
    code = "order_not_refundable"
    default_message = "订单未支付，不能退款"


class NoticeMismatch(BadRequest):
    """A verified notice that does not match our order (app id, merchant or amount): nothing is applied."""

    code = "payment_notice_mismatch"
    default_message = "支付通知与订单不符"


class InvalidReconciliationDate(BadRequest):
    code = "invalid_reconciliation_date"
    default_message = "日期格式应为 YYYY-MM-DD"


class NoticeForUnknownOrder(BadRequest):
    code = "payment_notice_unknown_order"
    default_message = "支付通知对应的订单不存在"


class RefundInProgress(Conflict):
    code = "refund_in_progress"
    default_message = "上一笔退款尚未完成，请稍后再试"


class RefundAbnormal(Conflict):
    """WeChat reported the last refund ABNORMAL: it is settled by hand first, or the money goes back twice."""

    code = "refund_abnormal"
    default_message = "上一笔退款异常（如收款银行卡已冻结），请先在微信支付商户平台处理该笔退款"
