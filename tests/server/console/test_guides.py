"""Guides in the console: an editor writes and submits a guide, a reviewer publishes it, citizens see it."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from cms.content import service
from cms.guides.spec import SPEC
from tests.cms.factories import DEPARTMENT_ID, OTHER_DEPARTMENT_ID, THEME_ID, create_catalog, editor, guide_content
from tests.support.browser import screenshot, sign_in, sign_out
from tests.support.server import TestServer
from tests.support.staff import create_staff

pytestmark = pytest.mark.asyncio(loop_scope="module")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
GUIDE_NAME = "个体工商户设立登记"


def field(page: Page, path: str, tag: str = "input"):
    return page.locator(f'[data-field="{path}"] {tag}').first


async def confirm(page: Page) -> None:
    await page.locator("dialog .btn-primary").click()
    await expect(page.locator("dialog")).to_have_count(0)


async def test_editor_writes_and_submits_reviewer_publishes_mini_program_serves(console_server: TestServer,
                                                                                page: Page) -> None:
    await create_catalog(console_server.deps)
    await create_staff(console_server, "editor1", roles=["editor"])
    await create_staff(console_server, "reviewer1", roles=["reviewer"])

    await sign_in(page, console_server, "editor1")
    await expect(page.locator("h1")).to_have_text("办事指南")
    await page.locator("#new-item").click()
    await field(page, "name").fill(GUIDE_NAME)
    await field(page, "aliases").fill("营业执照、办执照")
    await field(page, "implementation_code").fill("511A0138000000-511602000000-000-1-00")
    await field(page, "item_type", "select").select_option("01")
    await field(page, "level", "select").select_option("4")
    await field(page, "department_id", "select").select_option(DEPARTMENT_ID)
    await page.locator('[data-field="service_objects"] input[value="1"]').check()
    await field(page, "handling_type", "select").select_option("2")
    await field(page, "online_depth", "select").select_option("3")
    await field(page, "legal_time_limit").fill("20")
    await field(page, "promised_time_limit").fill("5")
    await field(page, "promised_time_limit", "select").select_option("working_days")
    await page.locator('[data-field="materials"] .list-add').click()
    await field(page, "materials.name").fill("个体工商户登记申请书")
    await page.locator('[data-field="materials"] .list-add').click()
    await page.locator('[data-field="materials.name"] input').nth(1).fill("经营者身份证明")
    await page.locator("#save").click()
    await expect(page.locator("#editor-title")).to_have_text(GUIDE_NAME)
    guide_id = page.url.split("#/guides/")[1]
    await expect(page.locator('[data-field="materials"] .badge').first).to_have_text("编号 m1")

    # Reorder and upload a blank form, then save again.
    await page.locator('[data-field="materials"] .list-row-head').nth(1).get_by_role("button", name="上移").click()
    await page.locator('[data-field="materials.blank_form"] input[type=file]').first.set_input_files(
        {"name": "身份证明样表.pdf", "mimeType": "application/pdf", "buffer": PDF})
    blank_form = page.locator('[data-field="materials.blank_form"] .file-name').first
    await expect(blank_form).to_contain_text("身份证明样表.pdf")
    await page.locator("#save-note").fill("补充材料")
    await page.locator("#save").click()
    await expect(page.locator(".toast-ok").last).to_have_text("已保存")
    await screenshot(page, "03b-guide-materials")
    await page.evaluate("window.scrollTo(0, 0)")
    await screenshot(page, "03-guide-editor")

    await page.locator("#submit").click()
    await page.locator("dialog input").fill("请审核")
    await confirm(page)
    await expect(page.locator(".badge-in_review").first).to_have_text("待审核")
    await expect(page.locator("#submit")).to_have_count(0)
    await expect(page.locator("#publish")).to_have_count(0)  # editors cannot publish
    await sign_out(page)

    await sign_in(page, console_server, "reviewer1", hash_path=f"guides/{guide_id}")
    await expect(page.locator("#review-note")).to_contain_text("请审核")
    await expect(page.locator("#save")).to_have_count(0)  # reviewers do not edit
    await page.locator("#publish").click()
    await confirm(page)
    await expect(page.locator("#live-badge")).to_have_text("已上线")
    await expect(page.locator(".badge-published").first).to_have_text("已发布")

    delivered = await console_server.get(f"/mp/v1/guides/{guide_id}")
    assert delivered.status == 200
    assert delivered.json["name"] == GUIDE_NAME
    assert delivered.json["promised_time_limit"]["value"] == 5
    assert [m["name"] for m in delivered.json["materials"]] == ["经营者身份证明", "个体工商户登记申请书"]
    assert delivered.json["materials"][0]["blank_form"]["name"] == "身份证明样表.pdf"

    await page.locator("#nav a[data-page=guides]").click()
    await expect(page.locator(".table tbody tr")).to_have_count(1)
    await expect(page.locator(".table tbody tr").first).to_contain_text(GUIDE_NAME)
    await screenshot(page, "02-guide-list")


async def test_the_list_narrows_to_a_department_and_a_theme_kept_in_the_url(console_server: TestServer,
                                                                           page: Page) -> None:
    await create_catalog(console_server.deps)
    await create_staff(console_server, "editor1", roles=["editor"])
    for code, name, department, themes in (("g-1", "企业投资项目备案", DEPARTMENT_ID, []),
                                           ("g-2", "学生资助申请", OTHER_DEPARTMENT_ID, []),
                                           ("g-3", "出生医学证明", OTHER_DEPARTMENT_ID, [THEME_ID])):
        await service.create(console_server.deps, SPEC, editor(), guide_content(
            code=code, name=name, department_id=department, themes=themes))

    await sign_in(page, console_server, "editor1")
    rows = page.locator(".table tbody tr")
    await expect(rows).to_have_count(3)
    await page.locator("#list-department").select_option(label="区教科体局")
    await expect(rows).to_have_count(2)
    assert f"department={OTHER_DEPARTMENT_ID}" in page.url
    await page.locator("#list-theme").select_option(label="生育收养")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("出生医学证明")

    await page.reload()
    await expect(page.locator("#list-department")).to_have_value(OTHER_DEPARTMENT_ID)
    await expect(page.locator("#list-theme")).to_have_value(THEME_ID)
    await expect(rows).to_have_count(1)
    await page.locator("#list-theme").select_option("")
    await expect(rows).to_have_count(2)
