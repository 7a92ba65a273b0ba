"""Signing staff into the console in tests: create accounts and keep one browser-like session each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

from server.staff import accounts
from server.staff.models import StaffUser
from server.staff.sessions import COOKIE_NAME, CSRF_HEADER
from tests.support.server import Response, TestServer

STAFF_PASSWORD = "correct-horse-42"
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def set_cookies(response: Response) -> dict[str, Any]:
    """The cookies a response sets, parsed (``morsel["httponly"]``, ``morsel["samesite"]``, ...)."""
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.get_list("Set-Cookie"):
        jar.load(header)
    return dict(jar)


@dataclass
class StaffBrowser:
    """One console session: sends its cookie on every request and its CSRF token on unsafe ones."""

    server: TestServer
    cookie: str
    csrf_token: str

    async def request(self, method: str, path: str, *, csrf: str | None = None,
                      headers: dict[str, str] | None = None, **kwargs: Any) -> Response:
        sent = {"Cookie": f"{COOKIE_NAME}={self.cookie}", **(headers or {})}
        if method in UNSAFE_METHODS:
            sent.setdefault(CSRF_HEADER, self.csrf_token if csrf is None else csrf)
        return await self.server.request(method, path, headers=sent, **kwargs)

    async def get(self, path: str, **kwargs: Any) -> Response:
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> Response:
        return await self.request("POST", path, **kwargs)

    async def patch(self, path: str, **kwargs: Any) -> Response:
        return await self.request("PATCH", path, **kwargs)


async def create_staff(server: TestServer, username: str, *, roles: Sequence[str] = ("editor",),
                       departments: Sequence[str] = (), password: str = STAFF_PASSWORD) -> StaffUser:
    return await accounts.create_user(server.deps, username=username, password=password, roles=roles,
                                      departments=departments)


async def login(server: TestServer, username: str, password: str = STAFF_PASSWORD) -> Response:
    return await server.post("/staff/v1/auth/login", json={"username": username, "password": password})


async def login_browser(server: TestServer, username: str, password: str = STAFF_PASSWORD) -> StaffBrowser:
    response = await login(server, username, password)
    assert response.status == 200, response.body
    return StaffBrowser(server, set_cookies(response)[COOKIE_NAME].value, response.json["csrf_token"])


async def signed_in_staff(server: TestServer, username: str, *, roles: Sequence[str] = ("editor",),
                          departments: Sequence[str] = ()) -> StaffBrowser:
    await create_staff(server, username, roles=roles, departments=departments)
    return await login_browser(server, username)
