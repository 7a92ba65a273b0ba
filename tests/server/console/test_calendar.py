"""节假日日历 in Chromium: a year without data is flagged; an administrator marks a holiday and a make-up
working day, saves, and the calendar (and the deadlines counted with it) keeps them."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from server.calendar.service import seed_from_package
from server.clock import FrozenClock
from tests.server.cases.staff_factories import china_morning
from tests.server.console.conftest import StartConsoleServer
from tests.support.browser import screenshot, sign_in
from tests.support.staff import create_staff, login_browser

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_admin_edits_a_year_the_package_does_not_cover(start_console_server: StartConsoleServer,
                                                             page: Page) -> None:
    server = await start_console_server(clock=FrozenClock(china_morning(2026, 12, 10)))
    await seed_from_package(server.deps.db, server.deps.clock)
    server.deps.calendar.expire()
    await create_staff(server, "root", roles=["admin"])

    await sign_in(page, server, "root", hash_path="calendar")
    await expect(page.locator("#banner")).to_contain_text("2027")  # no data yet: deadlines count Mon–Fri
    await expect(page.locator("#calendar-year")).to_have_value("2027")
    await expect(page.locator("#calendar-covered")).to_have_text("无数据（按周一至周五计算）")
    monday = page.locator("[data-date='2027-02-08']")
    saturday = page.locator("[data-date='2027-02-20']")
    await expect(monday).to_have_attribute("data-working", "true")
    await expect(saturday).to_have_attribute("data-working", "false")

    await page.locator("#calendar-name").fill("春节")
    await monday.click()
    await page.locator("#calendar-name").fill("")
    await saturday.click()
    await expect(page.locator("#calendar-changes")).to_have_text("未保存的更改 2 处")
    await screenshot(page, "40-calendar")
    await page.locator("#calendar-save").click()
    await page.locator("dialog .btn-primary").click()
    await expect(page.locator("#calendar-covered")).to_have_text("已有数据")

    await page.reload()
    await expect(page.locator("[data-date='2027-02-08']")).to_have_attribute("data-working", "false")
    await expect(page.locator("[data-date='2027-02-08']")).to_have_class("cal-day cal-holiday")
    await expect(page.locator("[data-date='2027-02-20']")).to_have_class("cal-day cal-makeup")
    await expect(page.locator("#calendar-info")).to_contain_text("管理员录入")

    staff = await login_browser(server, "root")
    year = (await staff.get("/staff/v1/calendar/2027")).json
    assert year["days"] == [{"date": "2027-02-08", "working": False, "name": "春节"},
                            {"date": "2027-02-20", "working": True, "name": "调休上班"}]
    calendar = await server.deps.calendar.get()
    assert calendar.add_working_days(china_morning(2027, 2, 5).date(), 1).isoformat() == "2027-02-09"


async def test_officers_see_the_calendar_but_cannot_change_it(start_console_server: StartConsoleServer,
                                                              page: Page) -> None:
    server = await start_console_server()
    await create_staff(server, "clerk", roles=["officer"], departments=["D1"])
    await sign_in(page, server, "clerk", hash_path="calendar/2026")
    await expect(page.locator("#calendar-grid [data-date='2026-10-01']")).to_be_disabled()
    await expect(page.locator("#calendar-save")).to_have_count(0)
