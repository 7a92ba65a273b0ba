"""Citizen-facing HTTP API shared by the WeChat and Alipay mini-programs."""
