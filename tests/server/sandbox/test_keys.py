from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import pytest

from server.payments.signing.rsa_keys import (
    load_rsa_private_key,
    load_rsa_public_key,
    sha256_rsa_sign,
    sha256_rsa_verify,
)
from server.sandbox.keys import SandboxKeyStore


@pytest.mark.asyncio
async def test_keys_are_made_once_and_shared_by_every_store_on_the_folder(tmp_path: Path) -> None:
    stores = [SandboxKeyStore(tmp_path / "sandbox") for _ in range(3)]
    keys = await asyncio.gather(*(store.alipay() for store in stores))
    assert keys[0] == keys[1] == keys[2]
    assert keys[0] == await SandboxKeyStore(tmp_path / "sandbox").alipay()
    files = list((tmp_path / "sandbox").iterdir())
    assert [f.name for f in files] == ["alipay-keys.json"]
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600


@pytest.mark.asyncio
async def test_the_app_and_gateway_pairs_match_and_differ(tmp_path: Path) -> None:
    keys = await SandboxKeyStore(tmp_path).alipay()
    signature = sha256_rsa_sign(load_rsa_private_key(keys.app_private_pem), b"data")
    assert sha256_rsa_verify(load_rsa_public_key(keys.app_public_pem), b"data", signature)
    assert not sha256_rsa_verify(load_rsa_public_key(keys.gateway_public_pem), b"data", signature)
