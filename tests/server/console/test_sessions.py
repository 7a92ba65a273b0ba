"""Login failures, lockout and session expiry as the console shows them."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from server.clock import FrozenClock
from tests.conftest import StartServer
from tests.support.browser import fill_login, open_console, sign_in
from tests.support.staff import create_staff

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_wrong_password_then_lockout_message_with_remaining_time(start_console_server: StartServer,
                                                                       page: Page) -> None:
    server = await start_console_server(staff_login_max_failures=2, staff_lockout_seconds=600)
    await create_staff(server, "clerk1", roles=["editor"])
    await open_console(page, server)
    await fill_login(page, "clerk1", "not-the-password")
    await expect(page.locator("#login-message")).to_have_text("用户名或密码错误")
    await fill_login(page, "clerk1", "still-not-it")
    await expect(page.locator("#login-message")).to_have_text("用户名或密码错误")
    await fill_login(page, "clerk1")  # the right password, but the account is locked now
    await expect(page.locator("#login-message")).to_contain_text("账号已临时锁定")
    await expect(page.locator("#login-message")).to_contain_text("约 10 分钟后可再试")
    await expect(page.locator("#user-box")).to_be_hidden()


async def test_expired_session_shows_login_and_returns_to_the_page(start_console_server: StartServer,
                                                                   page: Page) -> None:
    clock = FrozenClock()
    server = await start_console_server(clock=clock)
    await create_staff(server, "editor1", roles=["editor"])
    await sign_in(page, server, "editor1", hash_path="notices")
    await expect(page.locator(".table td.empty")).to_have_text("没有符合条件的通知公告")

    clock.advance(seconds=server.settings.staff_session_idle_seconds + 60)
    await page.locator("#nav a[data-page=search-care]").click()
    await expect(page.locator("#login-expired")).to_have_text("登录已过期，请重新登录")
    assert "next=search-care" in page.url
    await fill_login(page, "editor1")
    await expect(page.locator("h1")).to_have_text("搜索维护")
    assert page.url.endswith("#/search-care")


async def test_idle_page_shows_the_expiry_without_a_click(start_console_server: StartServer, page: Page) -> None:
    clock = FrozenClock()
    server = await start_console_server(clock=clock)
    await create_staff(server, "editor1", roles=["editor"])
    await page.clock.install()
    await sign_in(page, server, "editor1", hash_path="guides")
    await expect(page.locator(".table td.empty")).to_be_visible()

    idle = server.settings.staff_session_idle_seconds
    clock.advance(seconds=idle + 60)
    await page.clock.fast_forward((idle + 10) * 1000)
    await expect(page.locator("#login-expired")).to_have_text("登录已过期，请重新登录")
    assert "next=guides" in page.url
