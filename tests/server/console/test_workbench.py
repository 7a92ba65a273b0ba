"""预审工作台 in Chromium: an officer claims a submitted case, looks at a material in the viewer, rejects
one material, sends the one supplement notice; the citizen resubmits; the officer passes pre-review."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import Page, expect

from server.calendar.service import seed_from_package
from tests.cms.factories import DEPARTMENT_ID
from tests.miniprogram_api.case_factories import GOOD, ID_CARD, PHOTO, citizen, draft, live_guide, upload_ok
from tests.server.console.conftest import OpenPage, StartConsoleServer
from tests.server.console.workbench_steps import open_slot
from tests.support.browser import screenshot, sign_in
from tests.support.server import TestServer
from tests.support.staff import create_staff, login_browser

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def submitted_by_citizen(server: TestServer) -> tuple[str, dict[str, Any]]:
    """(citizen token, case) of a case submitted through the mini-program API with two photographed pages."""
    await seed_from_package(server.deps.db, server.deps.clock)
    server.deps.calendar.expire()
    guide_id = await live_guide(server.deps)
    token = await citizen(server)
    case = await draft(server, token, guide_id)
    await upload_ok(server, token, case["id"], ID_CARD, (GOOD / "hopper.jpg").read_bytes())
    await upload_ok(server, token, case["id"], PHOTO, (GOOD / "flower.jpg").read_bytes())
    submitted = await server.post(f"/mp/v1/cases/{case['id']}/submit", token=token)
    assert submitted.status == 200, submitted.body
    return token, dict(submitted.json)


async def test_officer_rejects_one_material_and_passes_the_resubmitted_case(start_console_server: StartConsoleServer,
                                                                            page: Page) -> None:
    server = await start_console_server()
    token, case = await submitted_by_citizen(server)
    await create_staff(server, "officer1", roles=["officer"], departments=[DEPARTMENT_ID])

    await sign_in(page, server, "officer1", hash_path="workbench")
    row = page.locator(".queue-row", has_text=case["number"])
    await expect(row).to_be_visible()
    await expect(row).to_contain_text("张*丰")  # masked in the queue
    await row.locator("[data-action=claim]").click()
    await expect(row.locator(".claim-mine")).to_have_text("我已领取")
    await screenshot(page, "20-workbench-queue")

    await row.locator("a.case-link").click()
    await expect(page.locator("#case-number")).to_have_text(case["number"])
    await expect(page.locator("#applicant-id")).to_have_text("1101**********002X")
    await open_slot(page, ID_CARD)
    image = page.locator("#viewer-image")
    await expect(image).to_be_visible()
    assert await image.evaluate("img => img.complete && img.naturalWidth > 0")
    await page.locator("#viewer-rotate").click()
    await expect(image).to_have_attribute("data-rotation", "90")
    fitted = float(await image.get_attribute("data-zoom") or 0)
    await page.locator("#viewer-zoom-in").click()
    assert float(await image.get_attribute("data-zoom") or 0) > fitted
    await screenshot(page, "21-case-viewer")
    await page.locator("#verdict-ok").click()
    await expect(page.locator(f"#slot-list [data-slot={ID_CARD}] .verdict-ok")).to_be_visible()

    await open_slot(page, PHOTO)
    await page.locator("#verdict-problem").click()  # no reason yet: refused on the page
    await expect(page.locator("#verdict-reason")).to_have_class("invalid")
    await page.locator("#verdict-reason").fill("照片模糊")
    await page.locator("#verdict-problem").click()
    await expect(page.locator(f"#slot-list [data-slot={PHOTO}] .verdict-problem")).to_be_visible()

    await page.locator("#action-supplement").click()
    notice = page.locator("#supplement-dialog")
    await expect(notice).to_contain_text("申请人照片")
    await notice.locator(f"textarea[data-slot={PHOTO}]").fill("照片模糊，请在白色背景下重新拍摄")
    await page.locator("#supplement-note").fill("如有疑问请致电 12345")
    await page.evaluate("window.scrollTo(0, 0)")
    await screenshot(page, "22-supplement-notice")
    await page.locator("dialog [data-role=ok]").click()
    await expect(page.locator("#case-state")).to_have_text("待补正")
    await expect(page.locator("#supplement-record")).to_contain_text("照片模糊，请在白色背景下重新拍摄")

    seen = (await server.get(f"/mp/v1/cases/{case['id']}", token=token)).json
    assert seen["state"] == "supplement_requested"
    assert [(i["slot_id"], i["reason"]) for i in seen["supplement"]["items"]] == [
        (PHOTO, "照片模糊，请在白色背景下重新拍摄")]
    assert seen["supplement"]["note"] == "如有疑问请致电 12345"

    await upload_ok(server, token, case["id"], PHOTO, (GOOD / "hopper.png").read_bytes())
    resubmitted = await server.post(f"/mp/v1/cases/{case['id']}/resubmit", token=token)
    assert resubmitted.status == 200, resubmitted.body

    await page.locator("#action-refresh").click()
    await expect(page.locator("#case-state")).to_have_text("待预审")
    await page.locator("#action-claim").click()
    await expect(page.locator("#case-claim")).to_contain_text("我已领取")
    await open_slot(page, PHOTO)
    await expect(page.locator("#viewer-count")).to_have_text("第 1 / 2 页")
    await page.locator("#viewer-next").click()
    await expect(page.locator("#viewer-count")).to_have_text("第 2 / 2 页")
    await page.locator("#verdict-ok").click()
    await expect(page.locator(f"#slot-list [data-slot={PHOTO}] .verdict-ok")).to_be_visible()
    await page.locator("#action-pass").click()
    await page.locator("#originals-check").select_option("by_mail")
    await page.locator("dialog [data-role=ok]").click()
    await expect(page.locator("#case-state")).to_have_text("预审通过")
    await expect(page.locator("#action-accept")).to_be_visible()
    await page.evaluate("window.scrollTo(0, 0)")
    await screenshot(page, "23-case-passed")

    final = (await server.get(f"/mp/v1/cases/{case['id']}", token=token)).json
    assert final["state"] == "pre_review_passed"


async def test_at_1024_wide_a_server_refusal_is_shown_as_its_message(start_console_server: StartConsoleServer,
                                                                     new_page: OpenPage) -> None:
    server = await start_console_server()
    _, case = await submitted_by_citizen(server)
    await create_staff(server, "officer2", roles=["officer"], departments=[DEPARTMENT_ID])
    await create_staff(server, "officer3", roles=["officer"], departments=[DEPARTMENT_ID])
    page = await new_page(width=1024)
    await sign_in(page, server, "officer2", hash_path=f"workbench/{case['id']}")
    await expect(page.locator("#case-number")).to_have_text(case["number"])
    await expect(page.locator("#viewer-image")).to_be_visible()
    # Usable at 1024 wide: nothing pushes the page sideways, the viewer and the actions are on screen.
    assert await page.evaluate("document.documentElement.scrollWidth") <= 1024
    assert (await page.locator("#viewer-rotate").bounding_box() or {"x": 2000})["x"] < 1024
    await screenshot(page, "25-case-1024-wide")

    # A colleague claims it meanwhile: claiming now answers 409 naming the holder, shown in the banner.
    colleague = await login_browser(server, "officer3")
    claimed = await colleague.post(f"/staff/v1/cases/{case['id']}/claim")
    assert claimed.status == 200, claimed.body
    await page.locator("#action-claim").click()
    await expect(page.locator("#banner")).to_contain_text("该办件正由officer3预审")

    await page.goto(f"{server.url}/console/#/workbench/no-such-case")
    await expect(page.locator("#banner")).to_contain_text("办件不存在")
