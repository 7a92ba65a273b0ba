"""电子监察 in Chromium: counts, the overdue case in red, average handling time, the CSV download; and the
officer's queue coloured by warning level."""

from __future__ import annotations

import codecs
import csv
import io

import pytest
from playwright.async_api import Page, expect

from server.cases.supervision import flag_case_warnings
from server.clock import FrozenClock
from tests.server.cases.staff_factories import (
    LONG_SESSIONS,
    china_morning,
    officer,
    passed_case,
    prepare,
    publish_guide,
    submitted_case,
)
from tests.server.console.conftest import StartConsoleServer
from tests.support.browser import screenshot, sign_in, sign_out
from tests.support.staff import create_staff

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_supervisor_sees_counts_overdue_cases_and_downloads_csv(start_console_server: StartConsoleServer,
                                                                      page: Page) -> None:
    clock = FrozenClock(china_morning(2026, 11, 16))  # Monday
    server = await start_console_server(clock=clock, **LONG_SESSIONS)
    await prepare(server)
    guide = await publish_guide(server)
    window = await officer(server, "window1")
    late = await submitted_case(server, guide, applicant_name="李小龙")  # pre-review due Monday 23 November
    decided = await passed_case(server, window, guide)
    assert (await window.post(f"/staff/v1/cases/{decided['id']}/accept")).status == 200
    clock.set(china_morning(2026, 11, 18))
    approved = await window.post(f"/staff/v1/cases/{decided['id']}/approve", json={"result_name": "备案证明"})
    assert approved.status == 200, approved.body
    clock.set(china_morning(2026, 11, 20))
    near = await submitted_case(server, guide, applicant_name="王五")  # due Friday 27 November
    clock.set(china_morning(2026, 11, 25))
    await flag_case_warnings(server.deps)
    await create_staff(server, "watcher", roles=["supervisor"])

    await sign_in(page, server, "watcher", hash_path="supervision")
    await expect(page.locator("#stat-total")).to_have_text("3")
    await expect(page.locator("#stat-overdue")).to_have_text("1")
    await expect(page.locator("#stat-days")).to_have_text("2")
    await expect(page.locator("#stat-hours")).to_have_text("48")
    overdue = page.locator(".overdue-row")
    await expect(overdue).to_have_count(1)
    await expect(overdue).to_contain_text(late["number"])
    await expect(overdue).to_contain_text("李*龙")
    await expect(page.locator(".department-row")).to_contain_text("区经信局")
    await screenshot(page, "30-supervision")

    async with page.expect_download() as downloading:
        await page.locator("#report-export").click()
    download = await downloading.value
    path = await download.path()
    data = path.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["办件编号", "事项名称", "部门", "状态"]
    assert sorted(row[0] for row in rows[1:]) == sorted([late["number"], decided["number"], near["number"]])

    # A range that selects nothing: the page says so, and a reversed range shows the server's message.
    await page.locator("#report-from").fill("2026-11-21")
    await page.locator("#report-apply").click()
    await expect(page.locator("#stat-total")).to_have_text("0")
    await page.locator("#report-to").fill("2026-11-01")
    await page.locator("#report-apply").click()
    await expect(page.locator("#report .load-error")).to_have_text("结束日期早于开始日期")

    # The window officer's queue shows the overdue case first, in red, and the near one as 预警.
    await sign_out(page)
    await sign_in(page, server, "window1", hash_path="workbench")
    rows_in_queue = page.locator(".queue-row")
    await expect(rows_in_queue).to_have_count(2)
    await expect(rows_in_queue.nth(0)).to_have_class("clickable queue-row warn-red")
    await expect(rows_in_queue.nth(0)).to_contain_text("红牌")
    await expect(rows_in_queue.nth(1)).to_contain_text(near["number"])
    await expect(rows_in_queue.nth(1)).to_contain_text("预警")
    await screenshot(page, "24-workbench-queue-warnings")
