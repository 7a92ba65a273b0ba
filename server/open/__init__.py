"""The open API (/open/v1) for third-party apps: signed requests, scopes, rate limits, webhooks."""
