"""Fixtures of the console's browser tests: one Chromium per test module, a page per test.

Test modules here run every test in the module's event loop (the shared browser lives there):
start each module with ``pytestmark = pytest.mark.asyncio(loop_scope="module")`` and use the
``console_server`` fixture (a test server in that same loop) rather than ``server``/``start_server``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest_asyncio
from playwright.async_api import Browser, Page

from tests.support.browser import SCREENSHOT_DIR, launch_chromium, open_page
from tests.support.server import TestServer, start_test_server

StartConsoleServer = Callable[..., Awaitable[TestServer]]
OpenPage = Callable[..., Awaitable[Page]]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    # Files are overwritten by name, never wiped: parallel runs on one checkout must not delete each other's.
    if SCREENSHOT_DIR.is_dir() and any(SCREENSHOT_DIR.glob("*.png")):
        terminalreporter.write_line(f"console screenshots: {SCREENSHOT_DIR}")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with launch_chromium() as launched:
        yield launched


@pytest_asyncio.fixture(loop_scope="module")
async def start_console_server(mongo_url: str, tmp_path: Path) -> AsyncIterator[StartConsoleServer]:
    """Like ``start_server`` but in the module's loop: ``await start_console_server(clock=FrozenClock())``."""
    started: list[TestServer] = []

    async def start(**overrides: Any) -> TestServer:
        server = await start_test_server(mongo_url, tmp_path / f"srv{len(started)}", **overrides)
        started.append(server)
        return server

    yield start
    for server in reversed(started):
        await server.stop()


@pytest_asyncio.fixture(loop_scope="module")
async def console_server(start_console_server: StartConsoleServer) -> TestServer:
    return await start_console_server()


@pytest_asyncio.fixture(loop_scope="module")
async def new_page(browser: Browser) -> AsyncIterator[OpenPage]:
    """Open pages with their own cookies: ``page = await new_page()`` or ``await new_page(width=1024)``.

    Every page is closed after the test, which fails if the page logged a script or console error.
    """
    async with AsyncExitStack() as stack:
        async def open_one(**size: int) -> Page:
            page, _ = await stack.enter_async_context(open_page(browser, **size))
            return page

        yield open_one


@pytest_asyncio.fixture(loop_scope="module")
async def page(new_page: OpenPage) -> Page:
    return await new_page()
