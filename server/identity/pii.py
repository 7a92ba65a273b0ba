"""Personal numbers at rest: AES-256-GCM ciphertexts to read them back, blind indexes to find them.

A ciphertext is ``v1:<key id>:<base64url(nonce || ciphertext+tag)>``. The key id names the key that
sealed it, so after a key rotation old values still open with the previous key while new ones use the
current key. The field label is the associated data: a ciphertext copied from one field into another
does not open.

A blind index is an HMAC of the normalised value under a key of its own, so equal values can be found
(and made unique) without storing them; it reveals equality and nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_FORMAT = "v1"
_NONCE_BYTES = 12


class PersonalDataUnreadable(Exception):
    """A stored ciphertext does not open with any known key (wrong key, tampering, unknown key id)."""


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"yiwang personal data " + purpose
                ).derive(master)


class PersonalDataCipher:
    """Seals and opens personal numbers; ``previous_keys`` only open values sealed before a rotation."""

    def __init__(self, master_key: bytes, previous_keys: Sequence[bytes] = ()) -> None:
        if len(master_key) != 32:
            raise ValueError("the personal-data master key must be 32 bytes")
        self._current_id, current = self._key_entry(master_key)
        self._keys = {self._current_id: current}
        for old in previous_keys:
            key_id, aead = self._key_entry(old)
            self._keys.setdefault(key_id, aead)
        # The blind-index key stays with the current master key: rotating it means re-indexing.
        self._index_key = _derive(master_key, b"blind-index v1")

    @staticmethod
    def _key_entry(master: bytes) -> tuple[str, AESGCM]:
        key = _derive(master, b"aes-256-gcm v1")
        key_id = hashlib.sha256(b"key-id:" + key).hexdigest()[:8]
        return key_id, AESGCM(key)

    @property
    def key_id(self) -> str:
        return self._current_id

    def seal(self, label: str, value: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._keys[self._current_id].encrypt(nonce, value.encode(), label.encode())
        return f"{_FORMAT}:{self._current_id}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def open(self, label: str, stored: str) -> str:
        try:
            version, key_id, payload = stored.split(":", 2)
            aead = self._keys[key_id] if version == _FORMAT else None
            raw = base64.urlsafe_b64decode(payload.encode())
        except (ValueError, KeyError):
            raise PersonalDataUnreadable("unknown ciphertext format or key id") from None
        if aead is None or len(raw) <= _NONCE_BYTES:
            raise PersonalDataUnreadable("unknown ciphertext format")
        try:
            return aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], label.encode()).decode()
        except InvalidTag:
            raise PersonalDataUnreadable("ciphertext does not open with its key") from None

    def blind_index(self, label: str, value: str) -> str:
        return hmac.new(self._index_key, label.encode() + b"\x00" + value.encode(), hashlib.sha256).hexdigest()
