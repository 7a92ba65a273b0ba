"""Simulated WeChat server API: ``/cgi-bin/token`` and ``/sns/jscode2session``, with WeChat's answers.

WeChat answers HTTP 200 for errors too, with ``{"errcode": ..., "errmsg": ...}``; the simulator does the
same, with the codes the real API uses, so the client's error handling is what gets tested.
"""

from __future__ import annotations

import base64
import hmac
import secrets
import uuid
from collections.abc import Mapping
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from server.clock import Clock
from server.sandbox import login_codes
from server.sandbox.credentials import sandbox_secret, sandbox_wechat_credentials
from server.settings import Settings

ACCESS_TOKEN_SECONDS = 7200


def _error(errcode: int, errmsg: str) -> dict[str, Any]:
    return {"errcode": errcode, "errmsg": f"{errmsg}, rid: {uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:8]}"}


class WechatSimulator:
    """One per application. The database and clock come with each request."""

    def __init__(self, settings: Settings) -> None:
        self._credentials = sandbox_wechat_credentials(settings)
        self._ids = sandbox_secret(settings, "wechat ids")
        self._tokens = sandbox_secret(settings, "wechat access tokens")

    def _check_app(self, args: Mapping[str, str], bad_secret: tuple[int, str]) -> dict[str, Any] | None:
        if not args.get("appid"):
            return _error(41002, "appid missing")
        if args["appid"] != self._credentials.app_id:
            return _error(40013, "invalid appid")
        if not args.get("secret"):
            return _error(41004, "appsecret missing")
        if not hmac.compare_digest(args["secret"], self._credentials.app_secret):
            return _error(*bad_secret)
        return None

    def access_token(self, clock: Clock, args: Mapping[str, str]) -> dict[str, Any]:
        if args.get("grant_type") != "client_credential":
            return _error(40002, "invalid grant_type")
        refused = self._check_app(args, (40001, "invalid credential, access_token is invalid or not latest"))
        if refused:
            return refused
        expires = int(clock.timestamp()) + ACCESS_TOKEN_SECONDS
        return {"access_token": self._sign_access_token(expires), "expires_in": ACCESS_TOKEN_SECONDS}

    def _sign_access_token(self, expires: int) -> str:
        mac = hmac.new(self._tokens, str(expires).encode(), "sha256").hexdigest()[:40]
        return f"{expires}.{mac}"

    def access_token_valid(self, clock: Clock, token: str) -> bool:
        """Whether the simulator issued ``token`` and it has not expired (for message endpoints)."""
        expires, _, mac = token.partition(".")
        return (expires.isdigit() and int(expires) > clock.timestamp()
                and hmac.compare_digest(token, self._sign_access_token(int(expires))) and bool(mac))

    async def code_to_session(self, db: AsyncDatabase[dict[str, Any]], clock: Clock,
                              args: Mapping[str, str]) -> dict[str, Any]:
        refused = self._check_app(args, (40125, "invalid appsecret"))
        if refused:
            return refused
        if args.get("grant_type") != "authorization_code":
            return _error(40002, "invalid grant_type")
        code = args.get("js_code", "")
        if not code:
            return _error(41008, "missing code")
        if login_codes.user_of(code) is None:
            return _error(40029, "invalid code")
        user = await login_codes.redeem(db, "wechat", self._credentials.app_id, code, clock.now())
        if user is None:
            return _error(40163, "code been used")
        return {"session_key": base64.b64encode(secrets.token_bytes(16)).decode(),
                "openid": self.openid_of(user), "unionid": self.unionid_of(user)}

    def openid_of(self, user: str) -> str:
        """The openid a sandbox user has in this app (28 characters, like WeChat's)."""
        digest = login_codes.stable_id(self._ids, "openid", self._credentials.app_id, user)
        return "o" + base64.urlsafe_b64encode(digest).decode()[:27]

    def unionid_of(self, user: str) -> str:
        digest = login_codes.stable_id(self._ids, "unionid", user)
        return "o" + base64.urlsafe_b64encode(digest).decode()[:27]
