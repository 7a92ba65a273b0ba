"""Why a provider's message was refused. Every class is a 400: the sender, not us, got something wrong."""

from __future__ import annotations

from server.errors import BadRequest


class PaymentSignatureError(BadRequest):
    """Base of every refusal here, so a callback handler can answer the provider in one place."""

    code = "payment_signature_invalid"
    default_message = "支付消息签名验证失败"


class WechatpaySignatureMissing(PaymentSignatureError):
    code = "wechatpay_signature_missing"
    default_message = "缺少微信支付签名信息"


class WechatpayUnknownSerial(PaymentSignatureError):
    code = "wechatpay_unknown_serial"
    default_message = "微信支付平台证书序列号未知"


class WechatpayTimestampOutOfWindow(PaymentSignatureError):
    code = "wechatpay_timestamp_out_of_window"
    default_message = "微信支付消息时间戳超出允许范围"


class WechatpayBadSignature(PaymentSignatureError):
    code = "wechatpay_bad_signature"
    default_message = "微信支付签名验证失败"


class WechatpayDecryptFailed(PaymentSignatureError):
    code = "wechatpay_decrypt_failed"
    default_message = "微信支付通知解密失败"


class WechatpayV2BadSignature(PaymentSignatureError):
    code = "wechatpay_v2_bad_signature"
    default_message = "微信支付签名验证失败"


class AlipayBadSignature(PaymentSignatureError):
    code = "alipay_bad_signature"
    default_message = "支付宝签名验证失败"


class AlipayUnsupportedSignType(AlipayBadSignature):
    """Only RSA2 is accepted: RSA (SHA-1) signatures are refused even when they would verify."""

    code = "alipay_unsupported_sign_type"
    default_message = "不支持的支付宝签名类型"
