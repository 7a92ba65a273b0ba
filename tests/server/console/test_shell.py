"""The console shell: served with a strict CSP, login through the form, logout, role-based menu."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.support.browser import fill_login, open_console, screenshot, sign_in, sign_out
from tests.support.server import TestServer
from tests.support.staff import create_staff

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_console_is_served_with_a_strict_content_security_policy(console_server: TestServer) -> None:
    redirect = await console_server.get("/console")
    assert redirect.status == 302
    assert redirect.headers["Location"] == "/console/"
    index = await console_server.get("/console/")
    assert index.status == 200
    assert b'<script type="module" src="/console/static/js/main.js">' in index.body
    policy = index.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    script = await console_server.get("/console/static/js/main.js")
    assert script.status == 200
    assert script.headers["Content-Type"].startswith("text/javascript")
    assert (await console_server.get("/console/static/js/../../handlers.py")).status in (403, 404)
    assert (await console_server.get("/console/static/js/pages/no-such-page.js")).status == 404
    again = await console_server.get("/console/static/js/main.js", headers={"If-None-Match": script.headers["Etag"]})
    assert again.status == 304
    openapi = (await console_server.get("/openapi.json")).json
    assert not [path for path in openapi["paths"] if path.startswith("/console")]


async def test_login_shows_user_and_menu_and_logout_returns_to_login(console_server: TestServer,
                                                                     page: Page) -> None:
    await create_staff(console_server, "editor1", roles=["editor"])
    await open_console(page, console_server)
    await expect(page.locator("#login-username")).to_be_visible()
    await screenshot(page, "01-login")
    await fill_login(page, "editor1", "wrong-password-1")
    await expect(page.locator("#login-message")).to_have_text("用户名或密码错误")
    await fill_login(page, "editor1")
    await expect(page.locator("#user-name")).to_have_text("editor1")
    await expect(page.locator("#user-roles")).to_have_text("内容编辑")
    await expect(page.locator("#nav a[data-page=guides]")).to_be_visible()
    await sign_out(page)
    await expect(page.locator("#user-box")).to_be_hidden()
    await sign_in(page, console_server, "editor1")
