"""RSA keys as the providers hand them out, and the one signature both use (SHA256withRSA, PKCS#1 v1.5).

WeChat Pay gives PKCS#8 PEM files and X.509 platform certificates; Alipay's console gives bare base64
(PKCS#1 or PKCS#8 private keys, SubjectPublicKeyInfo public keys). The loaders accept all of these, so
settings can hold whatever the merchant pasted.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

_PEM_MARKER = "-----BEGIN"


@dataclass(frozen=True, slots=True)
class CertificateKey:
    """The public key of an X.509 certificate and the serial number by which messages name it."""

    serial_no: str  # upper-case hex of the serial's bytes, as WeChat Pay writes it in Wechatpay-Serial
    public_key: RSAPublicKey
    not_valid_after: datetime


def load_rsa_private_key(text: str | bytes) -> RSAPrivateKey:
    """PEM (``RSA PRIVATE KEY`` = PKCS#1 or ``PRIVATE KEY`` = PKCS#8) or the same DER as bare base64."""
    data = _as_text(text)
    try:
        if _PEM_MARKER in data:
            key = serialization.load_pem_private_key(data.encode(), password=None)
        else:
            key = serialization.load_der_private_key(_bare_base64(data), password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise ValueError("not an unencrypted private key in PEM or base64 DER") from None
    if not isinstance(key, RSAPrivateKey):
        raise ValueError("not an RSA private key")
    return key


def load_rsa_public_key(text: str | bytes) -> RSAPublicKey:
    """PEM ``PUBLIC KEY`` (SubjectPublicKeyInfo), ``RSA PUBLIC KEY`` (PKCS#1), ``CERTIFICATE``, or bare base64."""
    data = _as_text(text)
    if "-----BEGIN CERTIFICATE" in data:
        return load_certificate_key(data).public_key
    try:
        if _PEM_MARKER in data:
            key = serialization.load_pem_public_key(data.encode())
        else:
            key = serialization.load_der_public_key(_bare_base64(data))
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise ValueError("not a public key in PEM or base64 DER") from None
    if not isinstance(key, RSAPublicKey):
        raise ValueError("not an RSA public key")
    return key


def load_certificate_key(pem: str | bytes) -> CertificateKey:
    try:
        certificate = x509.load_pem_x509_certificate(_as_text(pem).encode())
    except ValueError:
        raise ValueError("not a PEM X.509 certificate") from None
    key = certificate.public_key()
    if not isinstance(key, RSAPublicKey):
        raise ValueError("the certificate does not hold an RSA key")
    serial = certificate.serial_number
    serial_bytes = serial.to_bytes(max(1, (serial.bit_length() + 7) // 8), "big")
    return CertificateKey(serial_bytes.hex().upper(), key, certificate.not_valid_after_utc)


def generate_rsa_keypair(bits: int = 2048) -> tuple[str, str]:
    """A fresh key pair as (PKCS#8 private PEM, SubjectPublicKeyInfo public PEM), for the sandbox and tests."""
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private_pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private_pem.decode(), public_pem.decode()


def sha256_rsa_sign(private_key: RSAPrivateKey, data: bytes) -> str:
    """Base64 SHA256withRSA (PKCS#1 v1.5) signature. Deterministic: same key and data, same signature."""
    return base64.b64encode(private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())).decode("ascii")


def sha256_rsa_verify(public_key: RSAPublicKey, data: bytes, signature_b64: str) -> bool:
    try:
        signature = base64.b64decode(signature_b64, validate=True)
        public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def _as_text(value: str | bytes) -> str:
    return (value.decode("ascii", errors="replace") if isinstance(value, bytes) else value).strip()


def _bare_base64(data: str) -> bytes:
    try:
        return base64.b64decode("".join(data.split()), validate=True)
    except binascii.Error:
        raise ValueError("not base64") from None
