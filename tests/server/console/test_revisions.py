"""Editing conflicts, the revision diff and rollback in the guide editor; layout at 1024 px."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from playwright.async_api import Page, expect

from tests.cms.factories import create_catalog, guide_content, material
from tests.support.browser import screenshot, sign_in
from tests.support.server import TestServer
from tests.support.staff import StaffBrowser, create_staff, login_browser

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def editor_with_guide(server: TestServer, username: str = "editor1") -> tuple[StaffBrowser, dict[str, Any]]:
    await create_catalog(server.deps)
    await create_staff(server, username, roles=["editor"])
    editor = await login_browser(server, username)
    created = await editor.post("/staff/v1/guides", json={"content": guide_content(), "note": "新建"})
    assert created.status == 201, created.body
    return editor, created.json


async def save(editor: StaffBrowser, guide: dict[str, Any], note: str, **changes: Any) -> dict[str, Any]:
    content = {**guide["draft"]["content"], **changes}
    response = await editor.request("PUT", f"/staff/v1/guides/{guide['id']}",
                                    json={"base_version": guide["version"], "content": content, "note": note})
    assert response.status == 200, response.body
    return response.json


async def test_conflicting_save_is_explained_and_reload_shows_the_other_edit(console_server: TestServer,
                                                                             page: Page) -> None:
    editor, guide = await editor_with_guide(console_server)
    await sign_in(page, console_server, "editor1", hash_path=f"guides/{guide['id']}")
    name = page.locator('[data-field="name"] input')
    await expect(name).to_have_value("企业投资项目备案")

    await save(editor, guide, "别人的修改", name="企业投资项目备案（他人修改）")
    await name.fill("企业投资项目备案（我的修改）")
    await page.locator("#tab-history").click()  # unsaved changes: leaving asks first
    await page.locator("dialog .btn:not(.btn-primary)").click()
    await expect(name).to_have_value("企业投资项目备案（我的修改）")
    assert page.url.endswith(guide["id"])
    await page.locator("#save").click()
    banner = page.locator("#banner")
    await expect(banner).to_contain_text("内容已被他人修改")
    await screenshot(page, "05-guide-conflict")
    await banner.get_by_role("button", name="重新加载").click()
    await expect(name).to_have_value("企业投资项目备案（他人修改）")
    await expect(banner).to_be_hidden()


async def test_history_shows_a_readable_diff_and_rollback_makes_a_new_draft(console_server: TestServer,
                                                                            page: Page) -> None:
    editor, guide = await editor_with_guide(console_server)
    await save(editor, guide, "改名并加材料", name="企业投资项目备案登记",
               materials=[*guide["draft"]["content"]["materials"], material("项目说明书")])
    await sign_in(page, console_server, "editor1", hash_path=f"guides/{guide['id']}/history")
    diff = page.locator("#diff")
    await expect(diff).to_contain_text("修订 #1")
    name_row = diff.locator("tr", has_text="事项名称")
    await expect(name_row.locator("ins.diff-new")).to_have_text("登记")
    await expect(diff.locator("tr", has_text="材料清单").first).to_contain_text("项目说明书")
    await screenshot(page, "04-revision-diff")

    await page.locator('button[data-rollback="1"]').click()
    await page.locator("dialog .btn-primary").click()
    await expect(page.locator('[data-field="name"] input')).to_have_value("企业投资项目备案")
    await expect(page.locator(".editor-meta")).to_contain_text("草稿修订 #3")
    stored = await editor.get(f"/staff/v1/guides/{guide['id']}")
    assert stored.json["draft"]["origin"] == "rollback"
    assert [m["name"] for m in stored.json["draft"]["content"]["materials"]] == ["项目备案申请表", "营业执照"]


async def test_guide_list_and_editor_fit_a_1024_wide_window(console_server: TestServer,
                                                            new_page: Callable[..., Awaitable[Page]]) -> None:
    await editor_with_guide(console_server)
    page = await new_page(width=1024, height=768)
    await sign_in(page, console_server, "editor1")
    await expect(page.locator(".table tbody tr")).to_have_count(1)
    assert await overflow(page) == 0
    await page.locator(".table tbody tr").first.click()
    await expect(page.locator('[data-field="name"] input')).to_have_value("企业投资项目备案")
    assert await overflow(page) == 0
    await screenshot(page, "07-guide-editor-1024")
    await page.locator("#tab-history").click()
    await expect(page.locator("h2", has_text="修订列表")).to_be_visible()
    assert await overflow(page) == 0


async def overflow(page: Page) -> int:
    """Pixels the page is wider than the window (a horizontal scrollbar of the whole layout)."""
    return int(await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth"))
