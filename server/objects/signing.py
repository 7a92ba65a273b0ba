"""Signed download links of the filesystem backend: what the store hands out and the app verifies.

The signature covers the key, the expiry and the download name, so changing any of them breaks it.
The message starts with a purpose label so this HMAC can never be replayed as another of the
product's signatures made with the same secret.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import urllib.parse

from server.errors import Forbidden, Gone

_PURPOSE = b"yiwang-object-download-v1\n"
_EXPIRES = re.compile(r"[0-9]{1,12}")


class SignedUrlInvalid(Forbidden):
    code = "signed_url_invalid"
    default_message = "下载链接无效"


class SignedUrlExpired(Gone):
    code = "signed_url_expired"
    default_message = "下载链接已过期，请重新获取"


class UrlSigner:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def signature(self, key: str, expires: int, filename: str | None) -> str:
        message = _PURPOSE + f"{key}\n{expires}\n{filename or ''}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def verify(self, key: str, expires: int, filename: str | None, signature: str) -> bool:
        # Bytes, because compare_digest refuses non-ASCII str and a tampered link may carry any.
        return hmac.compare_digest(self.signature(key, expires, filename).encode(), signature.encode())

    def check(self, key: str, *, expires: str | None, filename: str | None, signature: str | None,
              now: float) -> int:
        """Seconds the link has left; SignedUrlInvalid if any part was altered, SignedUrlExpired after."""
        if expires is None or signature is None or not _EXPIRES.fullmatch(expires):
            raise SignedUrlInvalid()
        # The signature first: until it checks out, the expiry in the link is just a claim.
        if not self.verify(key, int(expires), filename, signature):
            raise SignedUrlInvalid()
        remaining = int(expires) - int(now)
        if remaining <= 0:
            raise SignedUrlExpired()
        return remaining

    def url(self, base_url: str, key: str, expires: int, filename: str | None) -> str:
        params = {"expires": str(expires)}
        if filename:
            params["filename"] = filename
        params["signature"] = self.signature(key, expires, filename)
        return f"{base_url.rstrip('/')}/objects/{urllib.parse.quote(key)}?{urllib.parse.urlencode(params)}"
