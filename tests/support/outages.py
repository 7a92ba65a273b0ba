"""Outages for tests of what a failure leaves behind: the object store refusing deletes, the database lost."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.server import TestServer


def store_deletes_fail(server: TestServer, monkeypatch: pytest.MonkeyPatch) -> None:
    async def refuse(key: str) -> None:
        raise OSError("object store unreachable")

    monkeypatch.setattr(server.deps.store, "delete", refuse)


def database_lost(target: object, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """``target.name`` (a repository function) raises as a dropped connection would."""
    async def lost(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("database connection lost")

    monkeypatch.setattr(target, name, lost)
