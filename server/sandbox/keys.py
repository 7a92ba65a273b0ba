"""Sandbox key material: generated once per installation, kept under ``$YIWANG_VAR_DIR/sandbox``.

Two RSA key pairs: the app's (the app signs gateway requests, the simulated gateway checks them) and
the simulated Alipay gateway's (it signs responses, the app checks them). Keys are made on first use,
not at start-up, so servers that never touch Alipay pay nothing. Several processes may start at once:
each writes a complete file under a temporary name and links it into place, and the first link wins.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from server.payments.signing.rsa_keys import generate_rsa_keypair

_ALIPAY_FILE = "alipay-keys.json"
_WECHATPAY_FILE = "wechatpay-keys.json"


@dataclass(frozen=True)
class SandboxAlipayKeys:
    app_private_pem: str
    app_public_pem: str
    gateway_private_pem: str
    gateway_public_pem: str


@dataclass(frozen=True)
class SandboxWechatpayKeys:
    """The merchant's API key pair (requests) and the simulated platform's (callbacks, responses)."""

    merchant_private_pem: str
    merchant_public_pem: str
    platform_private_pem: str
    platform_public_pem: str
    apiv3_key: str


class SandboxKeyStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._alipay: SandboxAlipayKeys | None = None
        self._wechatpay: SandboxWechatpayKeys | None = None
        self._lock = asyncio.Lock()

    async def wechatpay(self) -> SandboxWechatpayKeys:
        if self._wechatpay is None:
            async with self._lock:
                if self._wechatpay is None:
                    self._wechatpay = await asyncio.to_thread(self._load_or_create_wechatpay)
        return self._wechatpay

    def _load_or_create_wechatpay(self) -> SandboxWechatpayKeys:
        path = self.directory / _WECHATPAY_FILE
        if not path.exists():
            merchant_private, merchant_public = generate_rsa_keypair()
            platform_private, platform_public = generate_rsa_keypair()
            fresh = SandboxWechatpayKeys(merchant_private, merchant_public, platform_private, platform_public,
                                         secrets.token_hex(16))
            _create_once(path, json.dumps(asdict(fresh)))
        return SandboxWechatpayKeys(**json.loads(path.read_text()))

    async def alipay(self) -> SandboxAlipayKeys:
        if self._alipay is None:
            async with self._lock:
                if self._alipay is None:
                    self._alipay = await asyncio.to_thread(self._load_or_create_alipay)
        return self._alipay

    def _load_or_create_alipay(self) -> SandboxAlipayKeys:
        path = self.directory / _ALIPAY_FILE
        if not path.exists():
            app_private, app_public = generate_rsa_keypair()
            gateway_private, gateway_public = generate_rsa_keypair()
            fresh = SandboxAlipayKeys(app_private, app_public, gateway_private, gateway_public)
            _create_once(path, json.dumps(asdict(fresh)))
        return SandboxAlipayKeys(**json.loads(path.read_text()))


def _create_once(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process was first; its keys are the ones everybody uses
    finally:
        os.unlink(temporary)


def sandbox_key_store(settings_var_dir: Path) -> SandboxKeyStore:
    return SandboxKeyStore(settings_var_dir / "sandbox")
