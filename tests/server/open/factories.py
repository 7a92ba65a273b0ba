"""Plain factories for open-API tests: apps registered by an admin, and signed requests."""

from __future__ import annotations

import secrets
import urllib.parse
from dataclasses import dataclass
from typing import Any

from server import jsonutil
from server.open.signing import sign, string_to_sign
from tests.support.server import Response, TestServer
from tests.support.staff import signed_in_staff


@dataclass(frozen=True)
class App:
    app_id: str
    secret: str


async def register_app(server: TestServer, *scopes: str, rate_limit: int = 600, name: str = "第三方应用") -> App:
    admin = await signed_in_staff(server, f"admin{secrets.token_hex(3)}", roles=["admin"], departments=[])
    response = await admin.post("/staff/v1/open-apps", json={"name": name, "scopes": list(scopes),
                                                             "rate_limit_per_minute": rate_limit})
    assert response.status == 201, response.body
    return App(response.json["app_id"], response.json["secret"])


def signed_headers(server: TestServer, app: App, method: str, path: str, query: dict[str, str], body: bytes, *,
                   timestamp: int | None = None, nonce: str | None = None, secret: str | None = None
                   ) -> dict[str, str]:
    stamp = str(int(server.deps.clock.timestamp()) if timestamp is None else timestamp)
    nonce = nonce or secrets.token_hex(8)
    text = string_to_sign(method, path, list(query.items()), body, stamp, nonce)
    return {"X-App-Id": app.app_id, "X-Timestamp": stamp, "X-Nonce": nonce,
            "X-Signature": sign(secret or app.secret, text)}


async def call(server: TestServer, app: App, method: str, path: str, *, query: dict[str, str] | None = None,
               json: Any = None, **signing: Any) -> Response:
    query = query or {}
    body = jsonutil.dumps(json) if json is not None else b""
    headers = signed_headers(server, app, method, path, query, body, **signing)
    if json is not None:
        headers["Content-Type"] = "application/json"
    target = f"{path}?{urllib.parse.urlencode(query)}" if query else path
    return await server.request(method, target, body=body if method in ("POST", "PUT") else None, headers=headers)
