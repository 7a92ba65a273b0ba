"""Notices go through the same editor and workflow; search care shows failed searches and adds synonyms."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from playwright.async_api import Page, expect

from tests.cms.factories import create_catalog, guide_content
from tests.support.browser import screenshot, sign_in, sign_out
from tests.support.server import TestServer
from tests.support.staff import create_staff, login_browser

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_notice_is_written_submitted_and_published(console_server: TestServer, page: Page) -> None:
    await create_catalog(console_server.deps)
    await create_staff(console_server, "editor1", roles=["editor"])
    await create_staff(console_server, "reviewer1", roles=["reviewer"])
    await sign_in(page, console_server, "editor1", hash_path="notices")
    await page.locator("#new-item").click()
    await page.locator('[data-field="title"] input').fill("关于元旦假期窗口安排的通知")
    await page.locator('[data-field="category"] select').select_option("notice")
    await page.locator('[data-field="body"] textarea').fill("元旦期间**暂停**窗口服务。")
    await expect(page.locator('[data-field="attachments"] input[type=file]')).to_be_disabled()
    await page.locator("#save").click()
    await expect(page.locator("#editor-title")).to_have_text("关于元旦假期窗口安排的通知")
    notice_id = page.url.split("#/notices/")[1]
    await expect(page.locator('[data-field="attachments"] input[type=file]')).to_be_enabled()
    await page.locator("#submit").click()
    await page.locator("dialog .btn-primary").click()
    await expect(page.locator(".badge-in_review").first).to_be_visible()
    await sign_out(page)

    await sign_in(page, console_server, "reviewer1", hash_path=f"notices/{notice_id}")
    await page.locator("#reject").click()
    await page.locator("dialog .btn-primary").click()  # a comment is required: the dialog stays
    await expect(page.locator("dialog .field-error")).to_be_visible()
    await page.locator("dialog textarea").fill("请补充附件")
    await page.locator("dialog .btn-primary").click()
    await expect(page.locator("#review-note")).to_contain_text("请补充附件")
    await page.locator("#publish").click()
    await page.locator("dialog .btn-primary").click()
    await expect(page.locator("#live-badge")).to_have_text("已上线")
    delivered = await console_server.get(f"/mp/v1/notices/{notice_id}")
    assert delivered.status == 200
    assert "<strong>暂停</strong>" in delivered.json["body"]
    await page.locator("#schedule-unpublish").fill("2030-01-02T08:30")
    await page.locator("#schedule-save").click()
    await expect(page.locator("#schedule-current")).to_contain_text("将于 2030/01/02 08:30 下线")
    reviewer = await login_browser(console_server, "reviewer1")
    stored = await reviewer.get(f"/staff/v1/notices/{notice_id}")
    assert stored.json["schedule"]["unpublish_at"] == "2030-01-02T00:30:00+00:00"  # entered as China time
    await page.locator("#nav a[data-page=notices]").click()
    await expect(page.locator(".table tbody tr").first).to_contain_text("关于元旦假期窗口安排的通知")
    # The category filter offers the server's labels and narrows the list.
    await page.locator("#list-category").select_option(label="政策解读")
    await expect(page.locator(".list-results")).to_contain_text("没有符合条件的")
    assert "category=policy" in page.url
    await page.locator("#list-category").select_option(label="通知")
    await expect(page.locator(".table tbody tr").first).to_contain_text("关于元旦假期窗口安排的通知")
    await screenshot(page, "06-notices")


async def test_search_care_lists_failed_searches_and_adds_a_synonym_and_an_alias(console_server: TestServer,
                                                                               page: Page) -> None:
    await create_catalog(console_server.deps)
    await create_staff(console_server, "editor1", roles=["editor"])
    editor = await login_browser(console_server, "editor1")
    created = await editor.post("/staff/v1/guides", json={"content": guide_content()})
    assert created.status == 201
    for query in ("上户口", "上户口", "企业投资项目备案"):
        assert (await console_server.get(f"/mp/v1/search?q={quote(query)}")).status == 200
    await console_server.deps.search.flush(console_server.deps)

    await sign_in(page, console_server, "editor1", hash_path="search-care")
    no_result = page.locator("#no-result-queries")
    await expect(no_result.locator("tbody tr").first).to_contain_text("上户口")
    await expect(page.locator("#top-queries tbody tr").first).to_contain_text("上户口")

    await no_result.locator('button[data-synonym="上户口"]').click()
    await page.locator("dialog input").fill("上户口、户口登记")
    await page.locator("dialog .btn-primary").click()
    await expect(page.locator("#synonym-groups")).to_contain_text("上户口、户口登记")
    await screenshot(page, "08-search-care", full_page=True)

    await no_result.locator('button[data-alias="上户口"]').click()
    await page.locator("#guide-pick-q").fill("项目备案")
    await page.locator("#guide-pick-search").click()
    await page.locator('#guide-pick-results input[type=radio]').first.check()
    await page.locator("dialog .btn-primary").click()
    await expect(page.locator("#banner")).to_contain_text("已把“上户口”加入“企业投资项目备案”的草稿别名")
    stored = await editor.get(f"/staff/v1/guides/{created.json['id']}")
    assert stored.json["draft"]["content"]["aliases"] == ["项目备案", "上户口"]
