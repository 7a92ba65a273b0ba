"""Retry delays after temporary failures, for progress messages and webhook deliveries alike."""

from __future__ import annotations

from datetime import timedelta

from server.settings import Settings


def retry_delay(settings: Settings, attempts: int) -> timedelta:
    """Doubling from ``message_retry_base_seconds`` after the first attempt, capped."""
    seconds = min(settings.message_retry_base_seconds * 2 ** max(attempts - 1, 0), settings.message_retry_max_seconds)
    return timedelta(seconds=seconds)
