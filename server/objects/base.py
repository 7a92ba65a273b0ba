"""The object-store interface every backend implements (and the contract tests exercise).

Keys are chosen by the product, never by users (a user's file name travels separately, as the
``filename`` of a signed URL), so they are deliberately narrow: ASCII segments separated by ``/``,
each starting with a letter or digit. That rules out ``..``, absolute paths, empty segments and the
dot-files the filesystem backend keeps its metadata and partial uploads in.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import AsyncGenerator, AsyncIterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from server.errors import NotFound, PayloadTooLarge, ServiceUnavailable, Unprocessable, UpstreamError

MAX_KEY_LENGTH = 512
# S3 presigned URLs live at most 7 days; the filesystem backend keeps the same bound.
MAX_SIGNED_URL_SECONDS = 7 * 24 * 3600
DEFAULT_CHUNK_SIZE = 64 * 1024

_SEGMENT = r"[A-Za-z0-9][A-Za-z0-9._\-]*"
_KEY = re.compile(rf"{_SEGMENT}(?:/{_SEGMENT})*")
_PREFIX = re.compile(rf"(?:{_SEGMENT}/)*[A-Za-z0-9._\-]*")
_CONTENT_TYPE = re.compile(r"[A-Za-z0-9!#$&^_.+\-]+/[A-Za-z0-9!#$&^_.+\-]+(?:\s*;\s*[\x20-\x7e]*)?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SEPARATOR = re.compile(r"[/\\]")


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    content_type: str
    sha256: str
    modified: datetime


class ObjectNotFound(NotFound):
    code = "object_not_found"
    default_message = "文件不存在"


class ObjectTooLarge(PayloadTooLarge):
    code = "object_too_large"
    default_message = "文件超过大小上限"


class InvalidObjectKey(Unprocessable):
    code = "invalid_object_key"
    default_message = "文件键无效"


class InvalidContentType(Unprocessable):
    code = "invalid_content_type"
    default_message = "文件类型无效"


class ObjectStoreUnavailable(ServiceUnavailable):
    code = "object_store_unavailable"
    default_message = "文件存储暂时不可用，请稍后再试"


class ObjectStoreError(UpstreamError):
    """The store answered, but with an error retrying will not fix (access denied, bad request...)."""

    code = "object_store_error"
    default_message = "文件存储出错，请稍后再试"


class ObjectStore(Protocol):
    async def put(self, key: str, chunks: AsyncIterable[bytes], *, max_bytes: int,
                  content_type: str = "application/octet-stream") -> ObjectInfo:
        """Store the stream under ``key``; past ``max_bytes`` raise ObjectTooLarge and store nothing.

        If the stream raises, the exception propagates and nothing is stored either; an existing
        object under ``key`` is replaced only by a complete upload.
        """
        ...

    def get(self, key: str, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> AsyncGenerator[bytes, None]:
        """The object's bytes as a stream; ObjectNotFound (on first iteration) if absent.

        Consume it inside ``contextlib.aclosing`` when you may stop early, so the file or
        connection is released at once.
        """
        ...

    async def stat(self, key: str) -> ObjectInfo: ...

    async def delete(self, key: str) -> None:
        """Idempotent: deleting a missing key is not an error."""
        ...

    async def list(self, prefix: str) -> list[ObjectInfo]:
        """Objects whose key starts with ``prefix`` (plain string prefix, nested keys included), by key."""
        ...

    async def signed_url(self, key: str, *, expires_in: int, filename: str | None = None) -> str:
        """A short-lived URL that downloads the object without other credentials.

        With a ``filename`` the download is an attachment under that (possibly Chinese) name.
        """
        ...

    async def ping(self) -> None:
        """Raise ObjectStoreUnavailable if the store cannot be reached."""
        ...

    async def close(self) -> None: ...


def check_key(key: str) -> str:
    if len(key) > MAX_KEY_LENGTH or not _KEY.fullmatch(key):
        raise InvalidObjectKey(key=key[:MAX_KEY_LENGTH])
    return key


def check_prefix(prefix: str) -> str:
    """A listing prefix: a key's beginning (possibly cut mid-segment), or "" for everything."""
    if len(prefix) > MAX_KEY_LENGTH or not _PREFIX.fullmatch(prefix) or prefix.startswith("."):
        raise InvalidObjectKey(key=prefix[:MAX_KEY_LENGTH])
    return prefix


def check_content_type(content_type: str) -> str:
    if len(content_type) > 255 or not _CONTENT_TYPE.fullmatch(content_type):
        raise InvalidContentType(content_type=content_type[:255])
    return content_type


def check_expires_in(expires_in: int) -> int:
    if not 0 < expires_in <= MAX_SIGNED_URL_SECONDS:
        raise ValueError(f"expires_in must be 1..{MAX_SIGNED_URL_SECONDS} seconds, not {expires_in}")
    return expires_in


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the exact UTF-8 name (RFC 6266 / RFC 5987)."""
    cleaned = _SEPARATOR.sub("_", _CONTROL.sub("", filename)).strip() or "download"
    fallback = "".join(c if c.isascii() and c not in '"%' else "_" for c in cleaned)
    encoded = urllib.parse.quote(cleaned, safe="")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"
