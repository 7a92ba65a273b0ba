"""Signing, verification and callback cryptography for WeChat Pay and Alipay: pure, no I/O, no clock."""
