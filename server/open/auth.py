"""The ``open`` authenticator: an HMAC-SHA256 signature over the request, checked after the body arrives.

Headers: ``X-App-Id``, ``X-Timestamp`` (Unix seconds), ``X-Nonce`` (8-64 characters), ``X-Signature``
(hex; see ``server.open.signing``). Checks in this order, each refusal with its own code: the headers,
the app, the timestamp (within 5 minutes), the signature, the nonce (used once; only recorded for a good
signature, so forgeries cannot burn an app's nonces), the scope (the operation's ``roles`` name the scopes
it needs), and the rate limit.

Rate limit: one counter document per app per minute, incremented atomically, so every web process
counts against the same limit; a window's counter vanishes by TTL.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from server.errors import Forbidden, TooManyRequests, Unauthorized
from server.open import repository
from server.open.apps import app_secret
from server.open.signing import signature_matches, string_to_sign

if TYPE_CHECKING:
    from server.http.api import Operation
    from server.http.base import BaseHandler

TIMESTAMP_WINDOW_SECONDS = 300
# A nonce must be remembered at least as long as a timestamp is accepted on either side of now.
NONCE_MEMORY = timedelta(seconds=2 * TIMESTAMP_WINDOW_SECONDS + 60)
RATE_WINDOW_SECONDS = 60
_NONCE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class SignatureMissing(Unauthorized):
    code = "open_signature_missing"
    default_message = "缺少签名请求头"


class AppUnknown(Unauthorized):
    code = "open_app_unknown"
    default_message = "应用不存在或已停用"


class TimestampExpired(Unauthorized):
    code = "open_timestamp_expired"
    default_message = "请求时间戳超出5分钟有效期"


class SignatureInvalid(Unauthorized):
    code = "open_signature_invalid"
    default_message = "签名无效"


class NonceReused(Unauthorized):
    code = "open_nonce_reused"
    default_message = "nonce 已被使用"


class ScopeMissing(Forbidden):
    code = "open_scope_missing"
    default_message = "应用无权调用此接口"


class RateLimited(TooManyRequests):
    code = "open_rate_limited"


@dataclass(frozen=True)
class OpenPrincipal:
    app_id: str
    scopes: tuple[str, ...]


class OpenAuthenticator:
    needs_body = True  # the signature covers the body

    async def authenticate(self, handler: BaseHandler, op: Operation) -> OpenPrincipal:
        deps, headers = handler.deps, handler.request.headers
        app_id, timestamp = headers.get("X-App-Id", ""), headers.get("X-Timestamp", "")
        nonce, signature = headers.get("X-Nonce", ""), headers.get("X-Signature", "")
        if not (app_id and timestamp and nonce and signature):
            raise SignatureMissing()
        app = await repository.get_app(deps.db, app_id)
        if app is None or app.get("status") != "active":
            raise AppUnknown()
        now = deps.clock.now()
        # isdigit() alone lets through digits int() refuses (²).
        if not (timestamp.isascii() and timestamp.isdigit()) or (
                abs(int(timestamp) - now.timestamp()) > TIMESTAMP_WINDOW_SECONDS):
            raise TimestampExpired()
        query = [(name, value.decode("utf-8", "replace")) for name, values in handler.request.query_arguments.items()
                 for value in values]
        text = string_to_sign(handler.request.method or "GET", handler.request.path, query, handler.raw_body,
                              timestamp, nonce)
        if not _NONCE.match(nonce) or not signature_matches(app_secret(deps, app), text, signature):
            raise SignatureInvalid()
        if not await repository.use_nonce_once(deps.db, app_id, nonce, now, now + NONCE_MEMORY):
            raise NonceReused()
        if not set(op.roles) <= set(app["scopes"]):
            raise ScopeMissing(required=list(op.roles))
        window = int(now.timestamp()) // RATE_WINDOW_SECONDS
        window_end = (window + 1) * RATE_WINDOW_SECONDS
        count = await repository.count_request(deps.db, app_id, window,
                                               now + timedelta(seconds=2 * RATE_WINDOW_SECONDS))
        if count > int(app["rate_limit_per_minute"]):
            raise RateLimited(retry_after=max(1, math.ceil(window_end - now.timestamp())))
        return OpenPrincipal(app_id=app_id, scopes=tuple(app["scopes"]))
