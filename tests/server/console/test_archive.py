"""归档 in the workbench, in Chromium: an officer archives a delivered case, sees its electronic archive and
checks it; after a stored page is altered, the check says which file no longer matches."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import expect

from tests.miniprogram_api.case_factories import stored_keys
from tests.server.cases.staff_factories import (
    delivered_case,
    officer,
    publish_guide,
    started_on_monday,
)
from tests.server.console.conftest import OpenPage, StartConsoleServer
from tests.support.browser import sign_in

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def _one(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def test_an_officer_archives_a_delivered_case_and_the_check_finds_an_altered_page(
        start_console_server: StartConsoleServer, new_page: OpenPage) -> None:
    server = await started_on_monday(start_console_server)
    alice = await officer(server, "alice")
    case = await delivered_case(server, alice, await publish_guide(server))

    page = await new_page()
    await sign_in(page, server, "alice", hash_path=f"workbench/{case['id']}")
    await page.locator("#action-archive").click()
    await expect(page.locator("#case-state")).to_have_text("已归档")
    record = page.locator("#archive-record")
    await expect(record).to_contain_text("电子档案 2 个文件")
    await page.locator("#action-archive-check").click()
    await expect(page.locator("#archive-check")).to_have_text("档案完好")

    altered = next(key for key in await stored_keys(server.deps, "cases/") if not key.endswith(".thumb.jpg"))
    await server.deps.store.put(altered, _one(b"%PDF-1.4 altered"), max_bytes=1024)
    await page.locator("#action-archive-check").click()
    await expect(page.locator("#archive-check")).to_have_text(f"档案受损：{altered}（已改变）")
