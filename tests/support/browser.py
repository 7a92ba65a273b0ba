"""Driving the staff console in Chromium with Playwright's async API, in the test server's own loop.

The test server runs in the test's event loop, so the sync Playwright API (which blocks the loop) would
deadlock: everything here is async. Chromium is Debian's (/usr/bin/chromium); ``playwright install``
downloads browsers and must never be run. Without the flags below Chromium stalls on this closed
network (QUIC probes, component updates, sync).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, ConsoleMessage, Page, async_playwright, expect

from tests.support.server import TestServer
from tests.support.staff import STAFF_PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
VIEWPORT = {"width": 1280, "height": 800}
# Short enough that a broken page fails fast, long enough for a busy 2-core machine.
DEFAULT_TIMEOUT_MS = 15_000

SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "var" / "test-screenshots"


def require_chromium() -> None:
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: the console's browser tests need it "
                    "(apt-get install -y chromium fonts-wqy-microhei; never `playwright install`)",
                    pytrace=False)


@asynccontextmanager
async def launch_chromium() -> AsyncIterator[Browser]:
    require_chromium()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                                   args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


@dataclass
class PageErrors:
    """Script errors and console errors of a page; a console page must produce none."""

    errors: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        # A 401/409/4xx answer is logged by Chromium as a failed resource load: that is the API
        # working as designed, the page shows the message itself.
        if message.type == "error" and "Failed to load resource" not in message.text:
            self.errors.append(f"console: {message.text}")

    def on_page_error(self, error: Exception) -> None:
        self.errors.append(f"pageerror: {error}")


@asynccontextmanager
async def open_page(browser: Browser, *, width: int = VIEWPORT["width"],
                    height: int = VIEWPORT["height"]) -> AsyncIterator[tuple[Page, PageErrors]]:
    """A fresh browser context (own cookies) and page; fails on script errors when closed."""
    context: BrowserContext = await browser.new_context(viewport={"width": width, "height": height},
                                                        locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = await context.new_page()
    errors = PageErrors()
    page.on("console", errors.on_console)
    page.on("pageerror", errors.on_page_error)
    try:
        yield page, errors
    finally:
        await context.close()
    assert not errors.errors, "the console logged errors:\n" + "\n".join(errors.errors)


async def screenshot(page: Page, name: str, *, full_page: bool = False) -> Path:
    """Save a PNG of the viewport (or the whole page) as ``<SCREENSHOT_DIR>/<name>.png``.

    The CI log names the folder. Full-page shots draw the sticky header and action bar mid-page.
    """
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    await page.screenshot(path=str(path), full_page=full_page)
    return path


async def open_console(page: Page, server: TestServer, hash_path: str = "") -> None:
    await page.goto(f"{server.url}/console/{'#/' + hash_path if hash_path else ''}")


async def fill_login(page: Page, username: str, password: str = STAFF_PASSWORD) -> None:
    """Fill the login form and send it (after any earlier attempt has been answered)."""
    await expect(page.locator("#login-submit")).to_be_enabled()
    await page.locator("#login-username").fill(username)
    await page.locator("#login-password").fill(password)
    await page.locator("#login-submit").click()


async def sign_in(page: Page, server: TestServer, username: str, password: str = STAFF_PASSWORD,
                  hash_path: str = "") -> None:
    """Sign in through the real login form, then wait until the header shows the user."""
    await open_console(page, server, hash_path)
    await page.locator("#login-username").wait_for()
    await fill_login(page, username, password)
    await page.locator("#user-box").wait_for(state="visible")
    await page.locator("#login-username").wait_for(state="detached")


async def sign_out(page: Page) -> None:
    await page.locator("#logout").click()
    await page.locator("#login-username").wait_for()
