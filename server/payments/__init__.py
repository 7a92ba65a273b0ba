"""Payments (统一公共支付): WeChat Pay and Alipay orders in integer fen, callbacks, reconciliation."""
