"""The payment gateways of a process, by provider name, live or sandbox like every provider client."""

from __future__ import annotations

from server.clock import Clock
from server.payments.alipay import make_alipay_gateway
from server.payments.gateway import PaymentGateway
from server.payments.wechatpay import make_wechatpay
from server.providers.alipay import AlipayApi
from server.sandbox.keys import SandboxKeyStore
from server.settings import Settings


def make_payment_gateways(settings: Settings, clock: Clock, key_store: SandboxKeyStore,
                          alipay: AlipayApi) -> dict[str, PaymentGateway]:
    return {"wechat": make_wechatpay(settings, clock, key_store), "alipay": make_alipay_gateway(settings, alipay)}
