from __future__ import annotations

import base64
import dataclasses
import subprocess
import sys

import pytest

from server.settings import Settings, SettingsError

_LIVE = {
    "YIWANG_MODE": "live",
    "YIWANG_SECRET_KEY": "k" * 40,
    "YIWANG_ENCRYPTION_KEY": base64.b64encode(b"e" * 32).decode(),
    "WECHAT_APP_ID": "wx1234567890abcdef",
    "WECHAT_APP_SECRET": "0123456789abcdef0123456789abcdef",
    "ALIPAY_APP_ID": "2021000000000000",
    "ALIPAY_APP_PRIVATE_KEY": "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
    "ALIPAY_PUBLIC_KEY": "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A",
    "ALIPAY_SELLER_ID": "2088000000000000",
    "WECHATPAY_MCH_ID": "1900000000",
    "WECHATPAY_PRIVATE_KEY": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----",
    "WECHATPAY_CERT_SERIAL": "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
    "WECHATPAY_APIV3_KEY": "0123456789abcdef0123456789abcdef",
    "WECHATPAY_PLATFORM_PUBLIC_KEY": "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A",
    "WECHATPAY_PLATFORM_SERIAL": "PUB_KEY_ID_0000000000000000000000000000000001",
}


def test_defaults_serve_local_use_without_any_environment() -> None:
    settings = Settings.from_env({})
    assert settings.mode == "sandbox"
    assert settings.port == 8000
    assert settings.mongo_url == ""
    assert len(settings.encryption_key_bytes) == 32
    assert settings.sandbox_url == "http://127.0.0.1:8000/_sandbox"


def test_environment_values_are_parsed_by_type() -> None:
    settings = Settings.from_env({"PORT": "9001", "EMBEDDED_MONGO_RESTART": "no", "WORKER_POLL_SECONDS": "0.5"})
    assert (settings.port, settings.embedded_mongo_restart, settings.worker_poll_seconds) == (9001, False, 0.5)


@pytest.mark.parametrize(("env", "named"), [
    ({"PORT": "eighty"}, "PORT"),
    ({"EMBEDDED_MONGO_RESTART": "maybe"}, "EMBEDDED_MONGO_RESTART"),
    ({"YIWANG_ENCRYPTION_KEY": base64.b64encode(b"short").decode()}, "YIWANG_ENCRYPTION_KEY"),
    ({"YIWANG_MODE": "production"}, "YIWANG_MODE"),
    ({"WORKER_LEASE_SECONDS": "0"}, "WORKER_LEASE_SECONDS"),
    ({"WORKER_POLL_SECONDS": "-1"}, "WORKER_POLL_SECONDS"),
    ({"MAX_OPEN_DRAFTS": "0"}, "MAX_OPEN_DRAFTS"),
    ({"DRAFT_KEPT_DAYS": "0"}, "DRAFT_KEPT_DAYS"),
])
def test_bad_values_name_their_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        Settings.from_env(env)


def test_live_mode_starts_with_every_secret_set() -> None:
    assert Settings.from_env(_LIVE).is_live


@pytest.mark.parametrize("missing", ["YIWANG_SECRET_KEY", "YIWANG_ENCRYPTION_KEY", "WECHAT_APP_SECRET",
                                     "ALIPAY_APP_PRIVATE_KEY", "WECHAT_APP_ID"])
def test_live_mode_refuses_a_missing_secret_and_names_it(missing: str) -> None:
    env = {k: v for k, v in _LIVE.items() if k != missing}
    with pytest.raises(SettingsError, match=missing):
        Settings.from_env(env)


@pytest.mark.parametrize("placeholder", ["changeme", "xxx", "  TODO "])
def test_live_mode_refuses_placeholders(placeholder: str) -> None:
    with pytest.raises(SettingsError, match="WECHAT_APP_SECRET"):
        Settings.from_env({**_LIVE, "WECHAT_APP_SECRET": placeholder})


def test_live_mode_refuses_minio_without_keys() -> None:
    with pytest.raises(SettingsError, match="MINIO_ACCESS_KEY"):
        Settings.from_env({**_LIVE, "MINIO_ENDPOINT": "minio:9000"})


def test_help_lists_every_setting() -> None:
    result = subprocess.run([sys.executable, "-m", "server", "--help"], capture_output=True, text=True,
                            check=True, timeout=60)
    for field in dataclasses.fields(Settings):
        assert field.metadata["env"] in result.stdout
        assert field.metadata["help"][:30] in result.stdout


def test_settings_command_never_prints_secrets() -> None:
    env = {"PATH": "/usr/bin:/bin", "YIWANG_SECRET_KEY": "super-secret-value-that-must-not-show"}
    result = subprocess.run([sys.executable, "-m", "server", "settings"], capture_output=True, text=True,
                            check=True, timeout=60, env=env)
    assert "super-secret-value" not in result.stdout
    assert "YIWANG_SECRET_KEY=(set)" in result.stdout
