"""视为受理 in the workbench, in Chromium: a case passed after its 5-working-day pre-review limit shows, on
its acceptance record, the day it counts as accepted from; a case passed in time shows nothing of it."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from server.clock import FrozenClock
from tests.server.cases.staff_factories import (
    china_morning,
    officer,
    passed_case,
    publish_guide,
    required_slots,
    started_on_monday,
    submitted_case,
    verdict,
)
from tests.server.console.conftest import OpenPage, StartConsoleServer
from tests.support.browser import sign_in

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_the_acceptance_record_names_the_deemed_acceptance_day(
        start_console_server: StartConsoleServer, new_page: OpenPage) -> None:
    server = await started_on_monday(start_console_server)
    clock = server.clock
    assert isinstance(clock, FrozenClock)
    alice = await officer(server, "alice")
    guide = await publish_guide(server)
    late = await submitted_case(server, guide)  # Monday 16 November: pre-review due Monday 23
    in_time = await passed_case(server, alice, guide)
    assert (await alice.post(f"/staff/v1/cases/{in_time['id']}/accept")).status == 200
    clock.set(china_morning(2026, 11, 27))
    base = f"/staff/v1/cases/{late['_id']}"
    assert (await alice.post(f"{base}/claim")).status == 200
    for slot_id in required_slots(guide):
        assert (await verdict(alice, late["_id"], slot_id, "ok")).status == 200
    assert (await alice.post(f"{base}/pass", json={"originals_check": "by_mail"})).status == 200
    assert (await alice.post(f"{base}/accept")).status == 200

    page = await new_page()
    await sign_in(page, server, "alice", hash_path=f"workbench/{late['_id']}")
    await expect(page.locator("#case-state")).to_have_text("已受理")
    record = page.locator(".case-records .record", has_text="受字")
    await expect(record).to_contain_text("承诺办结")
    await expect(page.locator("#deemed-acceptance")).to_have_text(" · 预审逾期，视为自 2026/11/16 起受理")

    await page.goto(page.url.split("#")[0] + f"#/workbench/{in_time['id']}")
    await expect(page.locator(".case-records .record", has_text="受字")).to_contain_text("承诺办结")
    await expect(page.locator("#deemed-acceptance")).to_have_count(0)
