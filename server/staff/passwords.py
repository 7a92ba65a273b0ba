"""Password hashing (argon2id, off the event loop) and the password policy.

Passwords are NFKC-normalised before hashing and checking: Chinese input methods switch between
full-width and half-width characters, and "ａｂｃ１２３" typed in full-width mode should be the same
password as "abc123". Hashing takes tens to hundreds of milliseconds of CPU by design, so it always
runs in a worker thread.

Each hash also takes ``PASSWORD_MEMORY_KIB`` (64 MiB by default), and anyone can ask for one by posting a
login. So a process computes at most ``PASSWORD_CHECKS_AT_ONCE`` at a time; a request waits at most
``PASSWORD_CHECK_WAIT_SECONDS`` for a free slot and is then refused (503 password_checks_busy), so a burst
can neither exhaust memory nor pile up behind the slots without end.
"""

from __future__ import annotations

import asyncio
import os
import unicodedata
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from server.errors import ServiceUnavailable, Unprocessable
from server.settings import Settings

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
DEFAULT_WAIT_SECONDS = 3.0

# The hashing slots of this process. One set per event loop, because an asyncio primitive belongs to the
# loop it first waits on (a process serves from one loop; the tests start one per test).
_SLOTS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, asyncio.Semaphore]] = (
    weakref.WeakKeyDictionary())


class PasswordChecksBusy(ServiceUnavailable):
    code = "password_checks_busy"
    default_message = "登录的人较多，请稍后再试"

    def __init__(self, *, retry_after: int = 1) -> None:
        super().__init__(retry_after=retry_after)
        self.headers["Retry-After"] = str(retry_after)


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


def default_checks_at_once() -> int:
    # Hashing is CPU-bound: two per core keeps the cores busy while a thread is being scheduled.
    return 2 * (os.cpu_count() or 1)


@dataclass(frozen=True)
class Passwords:
    time_cost: int
    memory_kib: int
    max_at_once: int = field(default_factory=default_checks_at_once)
    wait_seconds: float = DEFAULT_WAIT_SECONDS
    _hasher: PasswordHasher = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hasher", PasswordHasher(
            time_cost=self.time_cost, memory_cost=self.memory_kib, type=Type.ID))

    @classmethod
    def from_settings(cls, settings: Settings) -> Passwords:
        return cls(time_cost=settings.password_time_cost, memory_kib=settings.password_memory_kib,
                   max_at_once=settings.password_checks_at_once or default_checks_at_once(),
                   wait_seconds=settings.password_check_wait_seconds)

    async def hash(self, password: str) -> str:
        async with self._slot():
            return await asyncio.to_thread(self._hasher.hash, normalise_password(password))

    async def verify(self, encoded: str, password: str, *,
                     reserve: Callable[[], Awaitable[None]] | None = None) -> bool:
        """Whether ``password`` matches ``encoded``; 503 password_checks_busy when no slot frees up in time.

        ``reserve`` runs once a slot is held, before the hash; whatever it raises ends the check. A login
        counts its attempt there, so an attempt refused for load is never counted against the account.
        """
        async with self._slot():
            if reserve is not None:
                await reserve()
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

    @asynccontextmanager
    async def _slot(self) -> AsyncIterator[None]:
        of_loop = _SLOTS.setdefault(asyncio.get_running_loop(), {})
        slots = of_loop.get(self.max_at_once)
        if slots is None:
            slots = of_loop[self.max_at_once] = asyncio.Semaphore(self.max_at_once)
        try:
            async with asyncio.timeout(self.wait_seconds):
                await slots.acquire()
        except TimeoutError:
            raise PasswordChecksBusy() from None
        try:
            yield
        finally:
            slots.release()
