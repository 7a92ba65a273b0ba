"""The app credentials both sides of the sandbox agree on when the settings leave them empty.

The provider clients (``server.providers``) and the simulators (``server.sandbox``) each derive them from
the same settings, so a sandbox runs without any WeChat or Alipay configuration. Values set in the
settings win, which lets a test point one server at another server's simulators.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from server.settings import Settings

SANDBOX_WECHAT_APP_ID = "wx00000000sandbox"
SANDBOX_ALIPAY_APP_ID = "9021000000000001"


@dataclass(frozen=True)
class WechatCredentials:
    app_id: str
    app_secret: str


def sandbox_wechat_credentials(settings: Settings) -> WechatCredentials:
    derived = hmac.new(settings.secret_key_bytes, b"sandbox wechat app secret", hashlib.sha256).hexdigest()[:32]
    return WechatCredentials(app_id=settings.wechat_app_id or SANDBOX_WECHAT_APP_ID,
                             app_secret=settings.wechat_app_secret or derived)


def sandbox_alipay_app_id(settings: Settings) -> str:
    return settings.alipay_app_id or SANDBOX_ALIPAY_APP_ID


def sandbox_secret(settings: Settings, purpose: str) -> bytes:
    """A key for the simulators' own stateless tokens and ids (stable per installation)."""
    return hmac.new(settings.secret_key_bytes, b"sandbox " + purpose.encode(), hashlib.sha256).digest()
