"""The mode switch: live mode points every provider client (mini-program login, Alipay, both payment gateways)
at the providers with the configured credentials and never at the simulators or their key store; sandbox
mode points them at the simulators. Construction and key loading only: nothing is called."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from server.clock import SystemClock
from server.payments.alipay import AlipayGateway
from server.payments.wechatpay import WechatPayGateway
from server.payments.wiring import make_payment_gateways
from server.providers.alipay import make_alipay
from server.providers.wechat import make_wechat
from server.sandbox.keys import sandbox_key_store
from server.settings import Settings


def private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def public_base64(key: rsa.RSAPrivateKey) -> str:
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()


KEYS = {name: rsa.generate_private_key(public_exponent=65537, key_size=2048)
        for name in ("alipay_app", "alipay", "wechatpay", "wechatpay_platform")}


def live_settings(var_dir: Path) -> Settings:
    return Settings.from_env({
        "YIWANG_MODE": "live", "YIWANG_SECRET_KEY": "k" * 40,
        "YIWANG_ENCRYPTION_KEY": base64.b64encode(b"e" * 32).decode(),
        "PUBLIC_BASE_URL": "https://yiwang.gov.example",
        "WECHAT_APP_ID": "wx1234567890abcdef", "WECHAT_APP_SECRET": "0123456789abcdef0123456789abcdef",
        "ALIPAY_APP_ID": "2021000000000000", "ALIPAY_APP_PRIVATE_KEY": private_pem(KEYS["alipay_app"]),
        "ALIPAY_PUBLIC_KEY": public_base64(KEYS["alipay"]), "ALIPAY_SELLER_ID": "2088000000000000",
        "WECHATPAY_MCH_ID": "1900000000", "WECHATPAY_PRIVATE_KEY": private_pem(KEYS["wechatpay"]),
        "WECHATPAY_CERT_SERIAL": "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
        "WECHATPAY_APIV3_KEY": "0123456789abcdef0123456789abcdef",
        "WECHATPAY_PLATFORM_PUBLIC_KEY": public_base64(KEYS["wechatpay_platform"]),
        "WECHATPAY_PLATFORM_SERIAL": "PUB_KEY_ID_0000000000000000000000000000000001",
    }, var_dir=var_dir)


@pytest.mark.asyncio
async def test_live_mode_points_every_client_at_the_providers_with_the_configured_keys(tmp_path: Path) -> None:
    settings = live_settings(tmp_path)
    assert settings.is_live
    wechat = make_wechat(settings)
    assert (wechat.app_id, wechat.api_base) == ("wx1234567890abcdef", "https://api.weixin.qq.com")
    key_store = sandbox_key_store(settings.var_dir)
    alipay = make_alipay(settings, SystemClock(), key_store)
    assert (alipay.app_id, alipay.gateway) == ("2021000000000000", "https://openapi.alipay.com/gateway.do")
    assert (await alipay.gateway_public_key()).public_numbers() == KEYS["alipay"].public_key().public_numbers()

    gateways = make_payment_gateways(settings, SystemClock(), key_store, alipay)
    wechatpay, alipay_pay = gateways["wechat"], gateways["alipay"]
    assert wechatpay.expected_app_and_merchant() == ("wx1234567890abcdef", "1900000000")
    assert alipay_pay.expected_app_and_merchant() == ("2021000000000000", "2088000000000000")
    assert isinstance(wechatpay, WechatPayGateway)
    assert isinstance(alipay_pay, AlipayGateway)
    assert wechatpay.api_base == "https://api.mch.weixin.qq.com"
    for notify_url in (wechatpay.notify_url, alipay_pay.notify_url):
        assert notify_url.startswith("https://yiwang.gov.example/")
    # The simulators' key store is never opened in live mode.
    assert not (tmp_path / "sandbox").exists()


@pytest.mark.asyncio
async def test_sandbox_mode_points_every_client_at_the_simulators(tmp_path: Path) -> None:
    settings = Settings.from_env({}, var_dir=tmp_path, port=8123)
    assert not settings.is_live
    simulators = "http://127.0.0.1:8123/_sandbox"
    assert make_wechat(settings).api_base == f"{simulators}/wechat"
    key_store = sandbox_key_store(settings.var_dir)
    alipay = make_alipay(settings, SystemClock(), key_store)
    assert alipay.gateway == f"{simulators}/alipay/gateway.do"
    await alipay.gateway_public_key()  # the simulator's own key, made on first use
    gateways = make_payment_gateways(settings, SystemClock(), key_store, alipay)
    wechatpay = gateways["wechat"]
    assert isinstance(wechatpay, WechatPayGateway)
    assert wechatpay.api_base.startswith(simulators)
    assert (tmp_path / "sandbox").exists()
