"""Every setting of the product, read from the environment here and nowhere else.

Each field carries its environment variable, help text and whether it is a secret that live mode
requires. ``python -m server --help`` prints them all from these declarations, so the help can never
drift from what the code reads.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import os
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

Mode = Literal["sandbox", "live"]

# Values that mean "somebody copied the example and never filled it in".
_PLACEHOLDERS = {"", "changeme", "change-me", "xxx", "todo", "secret", "placeholder", "your-secret-here"}
_SANDBOX_MARK = "sandbox-only"


class SettingsError(Exception):
    """A setting is missing or invalid; the message names the environment variable."""


def _env_of(name: str) -> str:
    return str(Settings.__dataclass_fields__[name].metadata["env"])


def setting(env: str, default: Any, help: str, *, group: str, secret: bool = False,
            live_required: bool = False) -> Any:
    return field(default=default, metadata={
        "env": env, "help": help, "group": group, "secret": secret, "live_required": live_required,
    })


@dataclass(frozen=True)
class Settings:
    # --- runtime
    mode: Mode = setting("YIWANG_MODE", "sandbox", "sandbox: WeChat and Alipay are local simulators; "
                         "live: real providers, every secret must be set.", group="runtime")
    host: str = setting("HOST", "127.0.0.1", "Address the web process binds.", group="runtime")
    port: int = setting("PORT", 8000, "Port the web process listens on.", group="runtime")
    public_base_url: str = setting("PUBLIC_BASE_URL", "", "External base URL of this server, used in "
                                   "signed download links and provider callbacks (default "
                                   "http://127.0.0.1:$PORT).", group="runtime")
    var_dir: Path = setting("YIWANG_VAR_DIR", Path("var"), "Local data folder (embedded MongoDB, objects, "
                            "sandbox keys).", group="runtime")
    log_level: str = setting("LOG_LEVEL", "INFO", "Log level.", group="runtime")
    log_json: bool = setting("LOG_JSON", False, "Write log lines as JSON objects.", group="runtime")
    load_demo_data: bool = setting("YIWANG_DEMO", False, "Load demo users and the demo catalogue at start "
                                   "(idempotent).", group="runtime")
    web_processes: int = setting("WEB_PROCESSES", 1, "Web processes to fork (0 = one per core).",
                                 group="runtime")

    # --- MongoDB
    mongo_url: str = setting("MONGO_URL", "", "MongoDB connection string; unset starts the embedded "
                             "nx-27017 with data under $YIWANG_VAR_DIR/mongo.", group="mongodb")
    mongo_db: str = setting("MONGO_DB", "yiwang", "Database name.", group="mongodb")
    mongo_timeout_ms: int = setting("MONGO_TIMEOUT_MS", 2000, "Server selection and connect timeout; "
                                    "past it requests answer 503.", group="mongodb")
    embedded_mongo_restart: bool = setting("EMBEDDED_MONGO_RESTART", True, "Restart the embedded MongoDB "
                                           "when it dies.", group="mongodb")
    expired_records_kept_seconds: int = setting(
        "EXPIRED_RECORDS_KEPT_SECONDS", 0, "How long MongoDB keeps a record that expired (sessions, idempotency "
        "keys, open-API nonces and rate windows) before its TTL index deletes it. The server treats an expired "
        "record as gone either way; keeping it helps an investigation.", group="mongodb")

    # --- object store
    minio_endpoint: str = setting("MINIO_ENDPOINT", "", "MinIO/S3 host:port; unset uses the filesystem "
                                  "under $YIWANG_VAR_DIR/objects.", group="objects")
    minio_access_key: str = setting("MINIO_ACCESS_KEY", "", "MinIO access key.", group="objects",
                                    secret=True)
    minio_secret_key: str = setting("MINIO_SECRET_KEY", "", "MinIO secret key.", group="objects",
                                    secret=True)
    minio_bucket: str = setting("MINIO_BUCKET", "yiwang", "Bucket (created at start if missing).",
                                group="objects")
    minio_secure: bool = setting("MINIO_SECURE", False, "Use HTTPS to reach MinIO.", group="objects")
    minio_region: str = setting("MINIO_REGION", "us-east-1", "Bucket region.", group="objects")
    signed_url_ttl_seconds: int = setting("SIGNED_URL_TTL_SECONDS", 300, "Lifetime of signed download "
                                          "links.", group="objects")

    # --- secrets
    secret_key: str = setting("YIWANG_SECRET_KEY", "", "Signs session tokens, CSRF tokens and filesystem "
                              "download links (32+ random characters).", group="secrets", secret=True,
                              live_required=True)
    encryption_key: str = setting("YIWANG_ENCRYPTION_KEY", "", "Encrypts ID and phone numbers at rest: 32 "
                                  "bytes, base64.", group="secrets", secret=True, live_required=True)

    # --- WeChat mini-program
    wechat_app_id: str = setting("WECHAT_APP_ID", "", "Mini-program AppID.", group="wechat",
                                 live_required=True)
    wechat_app_secret: str = setting("WECHAT_APP_SECRET", "", "Mini-program AppSecret.", group="wechat",
                                     secret=True, live_required=True)
    wechat_api_base: str = setting("WECHAT_API_BASE", "https://api.weixin.qq.com", "WeChat API base "
                                   "(live mode).", group="wechat")

    # --- Alipay mini-program
    alipay_app_id: str = setting("ALIPAY_APP_ID", "", "Alipay mini-program app id.", group="alipay",
                                 live_required=True)
    alipay_app_private_key: str = setting("ALIPAY_APP_PRIVATE_KEY", "", "App RSA2 private key (PEM or "
                                          "bare base64, PKCS#1 or PKCS#8).", group="alipay", secret=True,
                                          live_required=True)
    alipay_public_key: str = setting("ALIPAY_PUBLIC_KEY", "", "Alipay's RSA2 public key.", group="alipay",
                                     live_required=True)
    alipay_gateway: str = setting("ALIPAY_GATEWAY", "https://openapi.alipay.com/gateway.do",
                                  "Alipay gateway (live mode).", group="alipay")

    # --- payments (统一公共支付)
    wechatpay_mch_id: str = setting("WECHATPAY_MCH_ID", "", "WeChat Pay merchant id (mchid).", group="payments",
                                    live_required=True)
    wechatpay_private_key: str = setting("WECHATPAY_PRIVATE_KEY", "", "Merchant API private key (PEM, "
                                         "apiclient_key.pem).", group="payments", secret=True,
                                         live_required=True)
    wechatpay_cert_serial: str = setting("WECHATPAY_CERT_SERIAL", "", "Serial number of the merchant API "
                                         "certificate.", group="payments", live_required=True)
    wechatpay_apiv3_key: str = setting("WECHATPAY_APIV3_KEY", "", "APIv3 key (32 characters): decrypts "
                                       "callbacks.", group="payments", secret=True, live_required=True)
    wechatpay_platform_public_key: str = setting("WECHATPAY_PLATFORM_PUBLIC_KEY", "", "WeChat Pay platform "
                                                 "public key (PEM) or platform certificate.", group="payments",
                                                 live_required=True)
    wechatpay_platform_serial: str = setting("WECHATPAY_PLATFORM_SERIAL", "", "Its id (PUB_KEY_ID_... or the "
                                             "certificate serial) as sent in Wechatpay-Serial.",
                                             group="payments", live_required=True)
    wechatpay_api_base: str = setting("WECHATPAY_API_BASE", "https://api.mch.weixin.qq.com", "WeChat Pay API "
                                      "base (live mode).", group="payments")
    alipay_seller_id: str = setting("ALIPAY_SELLER_ID", "", "Alipay merchant PID (2088...) that notices must "
                                    "name as seller_id.", group="payments", live_required=True)
    payment_unpaid_close_minutes: int = setting("PAYMENT_UNPAID_CLOSE_MINUTES", 30, "Fee orders still unpaid "
                                                "this long after creation are closed with the provider.",
                                                group="payments")
    payment_notify_window_seconds: int = setting("PAYMENT_NOTIFY_WINDOW_SECONDS", 300, "WeChat Pay "
                                                 "callbacks whose timestamp is further than this from now "
                                                 "are refused (replays).", group="payments")

    # --- progress messages
    wechat_progress_template_id: str = setting("WECHAT_PROGRESS_TEMPLATE_ID", "wx-tpl-case-progress", "WeChat "
                                               "subscribe-message template for case progress.", group="messages")
    alipay_progress_template_id: str = setting("ALIPAY_PROGRESS_TEMPLATE_ID", "ali-tpl-case-progress", "Alipay "
                                               "template message for case progress.", group="messages")
    message_long_term_template_ids: str = setting("MESSAGE_LONG_TERM_TEMPLATE_IDS", "", "Comma-separated "
                                                  "template ids with long-term subscription (government and "
                                                  "public-service mini-programs): consents to them are not "
                                                  "spent.", group="messages")
    message_retry_base_seconds: float = setting("MESSAGE_RETRY_BASE_SECONDS", 30.0, "First retry delay after "
                                                "a temporary failure; doubles with each attempt.", group="messages")
    message_retry_max_seconds: float = setting("MESSAGE_RETRY_MAX_SECONDS", 3600.0, "Longest retry delay.",
                                               group="messages")
    message_max_attempts: int = setting("MESSAGE_MAX_ATTEMPTS", 8, "Attempts before a message ends failed.",
                                        group="messages")
    message_lease_seconds: float = setting("MESSAGE_LEASE_SECONDS", 60.0, "How long a worker holds a message "
                                           "it is sending; a crashed worker's messages are retaken after it.",
                                           group="messages")
    webhook_private_addresses: bool = setting(
        "WEBHOOK_PRIVATE_ADDRESSES", False, "Let open-API apps send webhooks to loopback, private and link-local "
        "addresses (a platform inside the same network); otherwise such URLs are refused, so an app cannot make "
        "the worker post into this network.", group="messages")

    # --- sandbox
    sandbox_base_url: str = setting("SANDBOX_BASE_URL", "", "Where the provider simulators answer "
                                    "(default: this server's /_sandbox).", group="sandbox")

    # --- limits
    max_json_body_bytes: int = setting("MAX_JSON_BODY_BYTES", 1024 * 1024, "Largest JSON request body.",
                                       group="limits")
    max_upload_bytes: int = setting("MAX_UPLOAD_BYTES", 20 * 1024 * 1024, "Largest uploaded file.",
                                    group="limits")
    max_case_upload_bytes: int = setting("MAX_CASE_UPLOAD_BYTES", 200 * 1024 * 1024, "Total of all "
                                         "files of one case.", group="limits")
    max_open_drafts: int = setting("MAX_OPEN_DRAFTS", 10, "Drafts one citizen may hold at a time; one more is "
                                   "refused until one is submitted or withdrawn (each draft may hold "
                                   "MAX_CASE_UPLOAD_BYTES of pages).", group="limits")
    draft_kept_days: int = setting("DRAFT_KEPT_DAYS", 90, "A draft not changed for this many days is withdrawn "
                                   "by the worker and its uploaded pages deleted.", group="limits")
    citizen_token_ttl_seconds: int = setting("CITIZEN_TOKEN_TTL_SECONDS", 7 * 24 * 3600, "Lifetime of a "
                                             "mini-program session token.", group="limits")
    real_name_verifications_per_day: int = setting(
        "REAL_NAME_VERIFICATIONS_PER_DAY", 5, "Real-name verifications (face checks, each a paid provider call) one "
        "citizen may start per day (China time); one more is refused with 429.", group="limits")
    real_name_verification_seconds: int = setting(
        "REAL_NAME_VERIFICATION_SECONDS", 30 * 60, "How long a started real-name verification, and the face "
        "check done for it, stays good for binding.", group="limits")
    staff_session_idle_seconds: int = setting("STAFF_SESSION_IDLE_SECONDS", 30 * 60, "Console session "
                                              "ends after this much inactivity.", group="limits")
    staff_session_max_seconds: int = setting("STAFF_SESSION_MAX_SECONDS", 12 * 3600, "Console session "
                                             "ends this long after login regardless.", group="limits")
    staff_login_max_failures: int = setting("STAFF_LOGIN_MAX_FAILURES", 5, "Failed logins before an "
                                            "account is locked.", group="limits")
    staff_lockout_seconds: int = setting("STAFF_LOCKOUT_SECONDS", 15 * 60, "How long a locked account "
                                         "stays locked.", group="limits")
    case_claim_seconds: int = setting("CASE_CLAIM_SECONDS", 15 * 60, "How long an officer's claim on a "
                                      "case (the pre-review lock) lasts; claiming again extends it.",
                                      group="limits")
    pre_review_limit_working_days: int = setting(
        "PRE_REVIEW_LIMIT_WORKING_DAYS", 5, "Working days to pre-review an application and give one notice of "
        "everything to supplement (Administrative Licensing Law art. 32(4): 5 days); a pass after them counts "
        "the completion clock from the day the materials arrived. Applies to cases created after a change.",
        group="limits")
    case_warn_working_days: int = setting(
        "CASE_WARN_WORKING_DAYS", 2, "Working days left before a deadline at which a case turns 预警 (warning), "
        "whatever unit its limit counts in.", group="limits")
    password_time_cost: int = setting("PASSWORD_TIME_COST", 3, "Argon2id iterations.", group="limits")
    password_memory_kib: int = setting("PASSWORD_MEMORY_KIB", 64 * 1024, "Argon2id memory in KiB.",
                                       group="limits")
    search_refresh_seconds: float = setting("SEARCH_REFRESH_SECONDS", 0.5, "How often each web process looks "
                                            "for published or withdrawn guides to (un)index.", group="limits")
    worker_poll_seconds: float = setting("WORKER_POLL_SECONDS", 5.0, "How often the worker looks for "
                                         "due jobs.", group="limits")
    worker_lease_seconds: float = setting("WORKER_LEASE_SECONDS", 30.0, "How long a running job's lease "
                                          "outlives its worker's last renewal (every third of it): a worker "
                                          "that died frees its job this long after.", group="limits")
    delivery_max_age_seconds: int = setting("DELIVERY_MAX_AGE_SECONDS", 0, "max-age of published content "
                                            "(guides, notices) for browsers and proxies; 0 makes them "
                                            "revalidate (cheap 304) so a publish shows on the next request.",
                                            group="limits")
    password_checks_at_once: int = setting(
        "PASSWORD_CHECKS_AT_ONCE", 0, "Password hashes (each PASSWORD_MEMORY_KIB of memory) one web process "
        "computes at the same time; 0 = two per core.", group="limits")
    password_check_wait_seconds: float = setting(
        "PASSWORD_CHECK_WAIT_SECONDS", 3.0, "How long a login waits for one of those before it is refused with "
        "503 password_checks_busy.", group="limits")

    # --- material uploads (sizes are under limits: MAX_UPLOAD_BYTES, MAX_CASE_UPLOAD_BYTES)
    upload_workers: int = setting("UPLOAD_WORKERS", 2, "Photos decoded at the same time per web process "
                                  "(CPU and memory bound: about one per core).", group="uploads")
    upload_max_side: int = setting("UPLOAD_MAX_SIDE", 2560, "Photos are downscaled to at most this many "
                                   "pixels on their longest side.", group="uploads")
    upload_max_pixels: int = setting("UPLOAD_MAX_PIXELS", 50_000_000, "Photos with more pixels are refused "
                                     "before decoding (decompression bombs).", group="uploads")
    upload_max_pdf_pages: int = setting("UPLOAD_MAX_PDF_PAGES", 50, "Largest PDF accepted, in pages.",
                                        group="uploads")
    upload_timeout_seconds: float = setting("UPLOAD_TIMEOUT_SECONDS", 30.0, "Time allowed to check and "
                                            "normalise one file.", group="uploads")
    quality_blur_min_variance: float = setting("QUALITY_BLUR_MIN_VARIANCE", 90.0, "Sharpness (Laplacian "
                                               "variance at 512 px) under which a photo is too blurry.",
                                               group="uploads")
    quality_dark_max_mean: float = setting("QUALITY_DARK_MAX_MEAN", 45.0, "Mean luminance (0-255) under "
                                           "which a photo is too dark.", group="uploads")
    quality_bright_max_share: float = setting("QUALITY_BRIGHT_MAX_SHARE", 0.5, "Share of blown-out pixels "
                                              "above which a light photo is too bright.", group="uploads")
    quality_min_short_side: int = setting("QUALITY_MIN_SHORT_SIDE", 600, "Shortest side in pixels under "
                                          "which a photo is too small to read.", group="uploads")

    # ------------------------------------------------------------------ derived values
    @property
    def is_live(self) -> bool:
        return self.mode == "live"

    @property
    def base_url(self) -> str:
        return (self.public_base_url or f"http://127.0.0.1:{self.port}").rstrip("/")

    @property
    def sandbox_url(self) -> str:
        return (self.sandbox_base_url or f"{self.base_url}/_sandbox").rstrip("/")

    @property
    def mongo_dir(self) -> Path:
        return self.var_dir / "mongo"

    @property
    def objects_dir(self) -> Path:
        return self.var_dir / "objects"

    @property
    def secret_key_bytes(self) -> bytes:
        return hashlib.sha256(("yiwang:" + self.effective_secret_key).encode()).digest()

    @property
    def effective_secret_key(self) -> str:
        # Sandbox runs without configuration; the derived key is marked so live mode can never use it.
        return self.secret_key or f"{_SANDBOX_MARK}:{self.var_dir.resolve()}"

    @property
    def encryption_key_bytes(self) -> bytes:
        if self.encryption_key:
            return base64.b64decode(self.encryption_key)
        return hashlib.sha256(f"{_SANDBOX_MARK}:enc:{self.var_dir.resolve()}".encode()).digest()

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        environ = os.environ if environ is None else environ
        hints = get_type_hints(cls)
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            env = f.metadata["env"]
            if env in environ:
                values[f.name] = _parse(env, environ[env], hints[f.name])
        values.update(overrides)
        settings = cls(**values)
        settings.validate()
        return settings

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    def validate(self) -> None:
        problems = []
        if self.mode not in ("sandbox", "live"):
            problems.append(f"YIWANG_MODE must be sandbox or live, not {self.mode!r}")
        if not 0 <= self.port <= 65535:
            problems.append("PORT must be 0..65535")
        for interval in ("worker_poll_seconds", "worker_lease_seconds", "message_lease_seconds",
                         "search_refresh_seconds"):
            if not getattr(self, interval) > 0:
                problems.append(f"{_env_of(interval)} must be more than 0")
        if self.pre_review_limit_working_days < 1:
            problems.append("PRE_REVIEW_LIMIT_WORKING_DAYS must be at least 1")
        for at_least_one in ("max_open_drafts", "draft_kept_days"):
            if getattr(self, at_least_one) < 1:
                problems.append(f"{_env_of(at_least_one)} must be at least 1")
        if self.real_name_verifications_per_day < 1 or self.real_name_verification_seconds < 60:
            problems.append("REAL_NAME_VERIFICATIONS_PER_DAY must be at least 1 and "
                            "REAL_NAME_VERIFICATION_SECONDS at least 60")
        if self.case_warn_working_days < 0:
            problems.append("CASE_WARN_WORKING_DAYS must not be negative")
        if self.password_checks_at_once < 0 or not self.password_check_wait_seconds >= 0:
            problems.append("PASSWORD_CHECKS_AT_ONCE and PASSWORD_CHECK_WAIT_SECONDS must not be negative")
        if self.staff_login_max_failures < 1:  # each login attempt takes one of them before its check
            problems.append("STAFF_LOGIN_MAX_FAILURES must be at least 1")
        if self.encryption_key:
            try:
                if len(base64.b64decode(self.encryption_key, validate=True)) != 32:
                    problems.append("YIWANG_ENCRYPTION_KEY must decode to exactly 32 bytes")
            except ValueError:
                problems.append("YIWANG_ENCRYPTION_KEY must be base64")
        if self.is_live:
            for f in dataclasses.fields(self):
                if f.metadata["live_required"] and _is_placeholder(str(getattr(self, f.name))):
                    problems.append(f"{f.metadata['env']} is missing or a placeholder (required in live mode)")
            if self.secret_key and len(self.secret_key) < 32:
                problems.append("YIWANG_SECRET_KEY must be at least 32 characters in live mode")
            if self.minio_endpoint and (_is_placeholder(self.minio_access_key)
                                        or _is_placeholder(self.minio_secret_key)):
                problems.append("MINIO_ACCESS_KEY and MINIO_SECRET_KEY are required with MINIO_ENDPOINT")
        if problems:
            raise SettingsError("invalid settings:\n  - " + "\n  - ".join(problems))

    def describe(self) -> list[tuple[str, str, str]]:
        """(env, current value for display, help) for every setting; secrets are never shown."""
        rows = []
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            shown = ("(set)" if value else "(unset)") if f.metadata["secret"] else str(value)
            rows.append((f.metadata["env"], shown, f.metadata["help"]))
        return rows


def _is_placeholder(value: str) -> bool:
    return value.strip().lower() in _PLACEHOLDERS or _SANDBOX_MARK in value


def _parse(env: str, raw: str, kind: Any) -> Any:
    origin = get_origin(kind)
    if origin is Literal:
        return raw.strip()
    if origin in (Union, types.UnionType):
        kind = next(a for a in get_args(kind) if a is not type(None))
    try:
        if kind is bool:
            lowered = raw.strip().lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off", ""):
                return False
            raise ValueError(raw)
        if kind is int:
            return int(raw)
        if kind is float:
            return float(raw)
        if kind is Path:
            return Path(raw)
        return raw
    except ValueError:
        raise SettingsError(f"{env}={raw!r} is not a valid {getattr(kind, '__name__', kind)}") from None


def help_text() -> str:
    lines = ["Settings (environment variables):"]
    current_group = None
    for f in dataclasses.fields(Settings):
        group = f.metadata["group"]
        if group != current_group:
            lines.append(f"\n  [{group}]")
            current_group = group
        flags = []
        if f.metadata["secret"]:
            flags.append("secret")
        if f.metadata["live_required"]:
            flags.append("required in live mode")
        default = f.default if f.default not in ("", None) else "(unset)"
        extra = f" [{', '.join(flags)}]" if flags else ""
        lines.append(f"  {f.metadata['env']:<28} default {default}{extra}")
        lines.append(f"      {f.metadata['help']}")
    return "\n".join(lines)
