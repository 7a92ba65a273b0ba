from __future__ import annotations

import pytest
from argon2 import Type, extract_parameters

from server.settings import Settings
from server.staff.passwords import (
    PasswordAllDigits,
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
