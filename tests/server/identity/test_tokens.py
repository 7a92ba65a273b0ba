from __future__ import annotations

import pytest

from server.identity.tokens import TokenExpired, TokenInvalid, TokenSigner, new_session_id


def test_an_issued_token_verifies_until_it_expires() -> None:
    signer = TokenSigner(b"k" * 32)
    session_id = new_session_id()
    token = signer.issue(session_id, 2_000)
    claims = signer.verify(token, now=1_999.5)
    assert (claims.session_id, claims.expires_at) == (session_id, 2_000)
    with pytest.raises(TokenExpired):
        signer.verify(token, now=2_000)


def test_tampered_or_foreign_tokens_are_invalid() -> None:
    signer = TokenSigner(b"k" * 32)
    token = signer.issue(new_session_id(), 2_000)
    prefix, session_id, expiry, signature = token.split(".")
    tampered = [
        f"{prefix}.{session_id}.3000.{signature}",
        f"{prefix}.{session_id}.0{expiry}.{signature}",
        f"{prefix}.{new_session_id()}.{expiry}.{signature}",
        TokenSigner(b"j" * 32).issue(session_id, 2_000),
        token + "=", "", "c1", token.replace("c1.", "c2.", 1),
    ]
    for bad in tampered:
        with pytest.raises(TokenInvalid):
            signer.verify(bad, now=1_000)
