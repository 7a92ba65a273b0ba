from __future__ import annotations

import asyncio
import os

import pytest
from argon2 import Type, extract_parameters

from server.settings import Settings
from server.staff.passwords import (
    PasswordAllDigits,
    PasswordChecksBusy,
    PasswordMatchesUsername,
    Passwords,
    PasswordTooLong,
    PasswordTooShort,
    check_password_policy,
)

CHEAP = Passwords(time_cost=1, memory_kib=8 * 1024)


@pytest.mark.asyncio
async def test_production_defaults_hash_with_argon2id_and_at_least_64_mib() -> None:
    encoded = await Passwords.from_settings(Settings()).hash("a-real-password")
    parameters = extract_parameters(encoded)
    assert encoded.startswith("$argon2id$")
    assert parameters.type is Type.ID
    assert parameters.memory_cost >= 64 * 1024
    assert parameters.time_cost >= 2


@pytest.mark.asyncio
async def test_hash_verifies_only_the_same_password() -> None:
    encoded = await CHEAP.hash("river-stone-88")
    assert await CHEAP.verify(encoded, "river-stone-88")
    assert not await CHEAP.verify(encoded, "river-stone-89")
    assert not await CHEAP.verify("not a hash", "river-stone-88")
    assert encoded != await CHEAP.hash("river-stone-88")  # salted


@pytest.mark.asyncio
async def test_full_width_input_matches_the_half_width_password() -> None:
    encoded = await CHEAP.hash("abc-12345-XY")
    assert await CHEAP.verify(encoded, "ａｂｃ－１２３４５－ＸＹ")


@pytest.mark.asyncio
async def test_rehash_is_needed_when_parameters_change() -> None:
    encoded = await CHEAP.hash("river-stone-88")
    assert not CHEAP.needs_rehash(encoded)
    assert Passwords(time_cost=2, memory_kib=8 * 1024).needs_rehash(encoded)
    assert CHEAP.needs_rehash("garbage")


@pytest.mark.parametrize(("password", "error"), [
    ("abcdefghi", PasswordTooShort),
    ("1234567890123", PasswordAllDigits),
    ("Li.Ming.2026", PasswordMatchesUsername),
    ("x" * 257, PasswordTooLong),
])
def test_policy_refusals(password: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        check_password_policy(password, "li.ming.2026")


def test_policy_accepts_ten_characters_with_a_letter() -> None:
    check_password_policy("123456789a", "li.ming")
    check_password_policy("长城长城长城长城长城", "li.ming")


async def hold_slots(passwords: Passwords, encoded: str, count: int) -> tuple[asyncio.Event, list[asyncio.Task[bool]]]:
    """``count`` checks that each hold a hashing slot until the returned event is set."""
    release, holding = asyncio.Event(), asyncio.Semaphore(0)

    async def hold() -> None:
        holding.release()
        await release.wait()

    tasks = [asyncio.create_task(passwords.verify(encoded, "river-stone-88", reserve=hold)) for _ in range(count)]
    for _ in range(count):
        await holding.acquire()
    return release, tasks


@pytest.mark.asyncio
async def test_checks_beyond_the_slots_are_refused_once_the_wait_runs_out() -> None:
    passwords = Passwords(time_cost=1, memory_kib=8 * 1024, max_at_once=2, wait_seconds=0.05)
    encoded = await passwords.hash("river-stone-88")
    release, held = await hold_slots(passwords, encoded, 2)

    with pytest.raises(PasswordChecksBusy) as busy:
        await passwords.verify(encoded, "river-stone-88")
    assert (busy.value.status, busy.value.code, busy.value.headers) == (503, "password_checks_busy",
                                                                        {"Retry-After": "1"})
    with pytest.raises(PasswordChecksBusy):
        await passwords.burn("an-unknown-users-guess")  # unknown usernames hash too: the same slots

    waiting = asyncio.create_task(Passwords(time_cost=1, memory_kib=8 * 1024, max_at_once=2,
                                            wait_seconds=10).verify(encoded, "river-stone-88"))
    await asyncio.sleep(0.1)
    assert not waiting.done()
    release.set()
    assert await asyncio.gather(*held) == [True, True]
    assert await waiting  # a check that waits within its time gets the freed slot


@pytest.mark.asyncio
async def test_a_slot_is_given_back_when_the_reservation_refuses() -> None:
    passwords = Passwords(time_cost=1, memory_kib=8 * 1024, max_at_once=1, wait_seconds=0)
    encoded = await passwords.hash("river-stone-88")

    async def refuse() -> None:
        raise PasswordTooShort()

    for _ in range(3):
        with pytest.raises(PasswordTooShort):
            await passwords.verify(encoded, "river-stone-88", reserve=refuse)
    assert await passwords.verify(encoded, "river-stone-88")


def test_slots_default_to_two_per_core_and_follow_the_settings() -> None:
    assert Passwords.from_settings(Settings()).max_at_once == 2 * (os.cpu_count() or 1)
    configured = Passwords.from_settings(Settings(password_checks_at_once=3, password_check_wait_seconds=0.5))
    assert (configured.max_at_once, configured.wait_seconds) == (3, 0.5)
