"""Password hashing (argon2id, off the event loop) and the password policy.

Passwords are NFKC-normalised before hashing and checking: Chinese input methods switch between
full-width and half-width characters, and "ａｂｃ１２３" typed in full-width mode should be the same
password as "abc123". Hashing takes tens to hundreds of milliseconds of CPU by design, so it always
runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import unicodedata
from dataclasses import dataclass, field

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from server.errors import Unprocessable
from server.settings import Settings

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256


class PasswordTooShort(Unprocessable):
    code = "password_too_short"
    default_message = f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符"


class PasswordTooLong(Unprocessable):
    code = "password_too_long"
    default_message = f"密码不能超过 {MAX_PASSWORD_LENGTH} 个字符"


class PasswordAllDigits(Unprocessable):
    code = "password_all_digits"
    default_message = "密码不能全是数字"


class PasswordMatchesUsername(Unprocessable):
    code = "password_matches_username"
    default_message = "密码不能与用户名相同"


def normalise_password(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def check_password_policy(password: str, username: str) -> None:
    normalised = normalise_password(password)
    if len(normalised) < MIN_PASSWORD_LENGTH:
        raise PasswordTooShort(min_length=MIN_PASSWORD_LENGTH)
    if len(normalised) > MAX_PASSWORD_LENGTH:
        raise PasswordTooLong(max_length=MAX_PASSWORD_LENGTH)
    if normalised.isdigit():
        raise PasswordAllDigits()
    if normalised.casefold() == normalise_password(username).casefold():
        raise PasswordMatchesUsername()


@dataclass(frozen=True)
class Passwords:
    time_cost: int
    memory_kib: int
    _hasher: PasswordHasher = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hasher", PasswordHasher(
            time_cost=self.time_cost, memory_cost=self.memory_kib, type=Type.ID))

    @classmethod
    def from_settings(cls, settings: Settings) -> Passwords:
        return cls(time_cost=settings.password_time_cost, memory_kib=settings.password_memory_kib)

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, normalise_password(password))

    async def verify(self, encoded: str, password: str) -> bool:
        return await asyncio.to_thread(self._verify, encoded, normalise_password(password))

    async def burn(self, password: str) -> None:
        """Spend what a verification costs, so an unknown username answers as slowly as a known one."""
        await self.hash(password)

    def needs_rehash(self, encoded: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(encoded)
        except InvalidHashError:
            return True

    def _verify(self, encoded: str, password: str) -> bool:
        try:
            return self._hasher.verify(encoded, password)
        except (VerificationError, InvalidHashError):
            return False
