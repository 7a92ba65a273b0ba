"""Key pairs for round-trip tests, generated once per test run (2048-bit generation is slow)."""

from __future__ import annotations

from functools import cache

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

from server.payments.signing.rsa_keys import generate_rsa_keypair, load_rsa_private_key, load_rsa_public_key


@cache
def rsa_keypair_pem(name: str) -> tuple[str, str]:
    return generate_rsa_keypair()


def rsa_keypair(name: str) -> tuple[RSAPrivateKey, RSAPublicKey]:
    private_pem, public_pem = rsa_keypair_pem(name)
    return load_rsa_private_key(private_pem), load_rsa_public_key(public_pem)
