"""Clients of external services (WeChat, Alipay), each behind an interface with a live and a sandbox wiring."""
