"""The signature of an open-API request and of a webhook delivery (HMAC-SHA256, hex).

Request: the signed text is the method, the path, the query sorted by name then value (each part
percent-encoded as RFC 3986 unreserved), the body's SHA-256 (hex, of the empty string for no body), the
timestamp (Unix seconds) and the nonce, joined by newlines. Webhook: ``<timestamp>.<body>``.
"""

from __future__ import annotations

import hashlib
import hmac
import urllib.parse
from collections.abc import Iterable


def canonical_query(pairs: Iterable[tuple[str, str]]) -> str:
    return "&".join(f"{urllib.parse.quote(name, safe='-_.~')}={urllib.parse.quote(value, safe='-_.~')}"
                    for name, value in sorted(pairs))


def string_to_sign(method: str, path: str, query: Iterable[tuple[str, str]], body: bytes, timestamp: str,
                   nonce: str) -> str:
    return "\n".join([method.upper(), path, canonical_query(query), hashlib.sha256(body).hexdigest(), timestamp,
                      nonce])


def sign(secret: str, text: str | bytes) -> str:
    data = text.encode() if isinstance(text, str) else text
    return hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()


def signature_matches(secret: str, text: str, signature: str) -> bool:
    # As bytes: compare_digest refuses a str with characters outside ASCII, which anyone can send.
    return hmac.compare_digest(sign(secret, text).encode(), signature.strip().lower().encode("utf-8", "replace"))


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    return sign(secret, timestamp.encode() + b"." + body)
