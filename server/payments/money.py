"""Amounts: integer fen inside, yuan text such as 12.34 only at the providers' edges."""

from __future__ import annotations


def yuan_to_fen(text: str) -> int:
    """'12.34' -> 1234 without floats; the providers write at most two decimals."""
    whole, _, cents = text.strip().partition(".")
    if not whole.lstrip("-").isdigit() or (cents and (not cents.isdigit() or len(cents) > 2)):
        raise ValueError(f"not an amount in yuan: {text!r}")
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole)) * 100 + int((cents or "0").ljust(2, "0")))


def fen_to_yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"
