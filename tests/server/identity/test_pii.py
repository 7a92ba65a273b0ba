from __future__ import annotations

import base64
import os

import pytest

from server.identity.pii import PersonalDataCipher, PersonalDataUnreadable

ID_NUMBER = "11010519491231002X"


def test_sealed_values_open_again_and_differ_each_time() -> None:
    cipher = PersonalDataCipher(os.urandom(32))
    first, second = cipher.seal("citizen.id_number", ID_NUMBER), cipher.seal("citizen.id_number", ID_NUMBER)
    assert first != second
    assert ID_NUMBER not in first
    assert first.startswith(f"v1:{cipher.key_id}:")
    assert cipher.open("citizen.id_number", first) == cipher.open("citizen.id_number", second) == ID_NUMBER


def test_a_value_does_not_open_under_another_label_key_or_after_tampering() -> None:
    key = os.urandom(32)
    cipher = PersonalDataCipher(key)
    sealed = cipher.seal("citizen.id_number", ID_NUMBER)
    with pytest.raises(PersonalDataUnreadable):
        cipher.open("citizen.mobile", sealed)
    with pytest.raises(PersonalDataUnreadable):
        PersonalDataCipher(os.urandom(32)).open("citizen.id_number", sealed)
    # One bit of the ciphertext flipped (on the bytes: a base64 character can differ in padding bits only).
    prefix, payload = sealed.rsplit(":", 1)
    raw = bytearray(base64.urlsafe_b64decode(payload))
    raw[-1] ^= 1
    flipped = f"{prefix}:{base64.urlsafe_b64encode(bytes(raw)).decode()}"
    for broken in (flipped, "v1:" + cipher.key_id + ":", "v2:x:y", "garbage"):
        with pytest.raises(PersonalDataUnreadable):
            cipher.open("citizen.id_number", broken)


def test_previous_keys_open_old_values_after_a_rotation() -> None:
    old_key, new_key = os.urandom(32), os.urandom(32)
    sealed_before = PersonalDataCipher(old_key).seal("citizen.mobile", "13812345678")
    rotated = PersonalDataCipher(new_key, previous_keys=[old_key])
    assert rotated.open("citizen.mobile", sealed_before) == "13812345678"
    assert rotated.seal("citizen.mobile", "13812345678").split(":")[1] == rotated.key_id != sealed_before.split(":")[1]


def test_blind_indexes_are_stable_per_key_and_separate_per_label() -> None:
    key = os.urandom(32)
    cipher = PersonalDataCipher(key)
    index = cipher.blind_index("citizen.id_number", ID_NUMBER)
    assert index == PersonalDataCipher(key).blind_index("citizen.id_number", ID_NUMBER)
    assert index != cipher.blind_index("citizen.mobile", ID_NUMBER)
    assert index != PersonalDataCipher(os.urandom(32)).blind_index("citizen.id_number", ID_NUMBER)
    assert ID_NUMBER not in index


def test_the_master_key_must_be_32_bytes() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        PersonalDataCipher(b"short")
