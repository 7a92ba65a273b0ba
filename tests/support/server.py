"""A real server on a free port with its own database, and a JSON client that checks the OpenAPI doc."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tornado.httpclient
import tornado.httpserver
import tornado.testing
from jsonschema import Draft202012Validator

from server import jsonutil
from server.app import make_app
from server.clock import Clock, FrozenClock, SystemClock
from server.http.api import Route
from server.runtime import Runtime, open_runtime
from server.settings import Settings
from server.web import make_http_server


def make_settings(var_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "var_dir": var_dir,
        "mongo_db": f"t_{uuid.uuid4().hex[:12]}",
        # Cheap password hashing keeps tests fast; production defaults are tested in their own test.
        "password_time_cost": 1,
        "password_memory_kib": 8 * 1024,
        # MongoDB expires records by the real date, tests by their frozen clock (often days in the past):
        # the server's own expiry checks are what tests exercise, so the TTL monitor must not race them.
        "expired_records_kept_seconds": 20 * 365 * 86400,
        # Test receivers listen on 127.0.0.1; the refusal of such URLs has its own test.
        "webhook_private_addresses": True,
    }
    values.update(overrides)
    return Settings(**values)


@dataclass
class Response:
    status: int
    headers: tornado.httputil.HTTPHeaders
    body: bytes

    @property
    def json(self) -> Any:
        return jsonutil.loads(self.body)

    @property
    def error_code(self) -> str | None:
        try:
            return str(self.json["error"]["code"])
        except (ValueError, KeyError, TypeError):
            return None


@dataclass
class TestServer:
    __test__ = False  # not a pytest test class

    url: str
    runtime: Runtime
    http_server: tornado.httpserver.HTTPServer
    clock: Clock
    check_schemas: bool = True
    cookies: dict[str, str] = field(default_factory=dict)

    @property
    def deps(self) -> Any:
        return self.runtime.deps

    @property
    def runtime_app_openapi(self) -> dict[str, Any]:
        return self.http_server.request_callback.settings["openapi"]  # type: ignore[union-attr]

    @property
    def settings(self) -> Settings:
        return self.runtime.deps.settings

    async def request(self, method: str, path: str, *, json: Any = None, body: bytes | None = None,
                      headers: dict[str, str] | None = None, token: str | None = None,
                      follow_redirects: bool = False, request_timeout: float = 30) -> Response:
        all_headers = dict(headers or {})
        if json is not None:
            body = jsonutil.dumps(json)
            all_headers.setdefault("Content-Type", "application/json")
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        if self.cookies:
            all_headers.setdefault("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if body is None and method in ("POST", "PUT", "PATCH"):
            body = b""
        request = tornado.httpclient.HTTPRequest(
            self.url + path, method=method, body=body, headers=all_headers,
            follow_redirects=follow_redirects, request_timeout=request_timeout, allow_nonstandard_methods=True)
        client = tornado.httpclient.AsyncHTTPClient()
        raw = await client.fetch(request, raise_error=False)
        if raw.code == 599:
            raise ConnectionError(f"{method} {path}: {raw.error}")
        response = Response(raw.code, raw.headers, raw.body or b"")
        if self.check_schemas:
            check_response_schema(self, method, path, response)
        return response

    async def get(self, path: str, **kwargs: Any) -> Response:
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> Response:
        return await self.request("POST", path, **kwargs)

    async def stop(self) -> None:
        self.http_server.stop()
        await self.http_server.close_all_connections()
        db_name = self.settings.mongo_db
        try:
            await self.runtime.deps.mongo.drop_database(db_name)
        except Exception:  # noqa: S110 (a dead test database must not fail teardown)
            pass
        await self.runtime.close()


async def start_test_server(mongo_url: str, var_dir: Path, *, clock: Clock | None = None,
                            extra_routes: Sequence[Route] = (), **overrides: Any) -> TestServer:
    sock, port = tornado.testing.bind_unused_port()
    settings = make_settings(var_dir, port=port, **overrides)
    runtime = await open_runtime(settings, clock=clock or SystemClock(), mongo_url=mongo_url)
    app = make_app(runtime.deps, extra_routes=extra_routes)
    http_server = make_http_server(app, settings)
    http_server.add_sockets([sock])
    return TestServer(url=f"http://127.0.0.1:{port}", runtime=runtime, http_server=http_server,
                      clock=runtime.deps.clock)


def frozen_clock() -> FrozenClock:
    return FrozenClock()


# -------------------------------------------------------------------------------- schema checking
def check_response_schema(server: TestServer, method: str, path: str, response: Response) -> None:
    """Every JSON answer must match what /openapi.json documents for that route, method and status."""
    if not response.headers.get("Content-Type", "").startswith("application/json"):
        return
    document = server.runtime_app_openapi
    template = _match_template(document, path.split("?")[0])
    if template is None:
        return
    operation = document["paths"][template].get(method.lower())
    if operation is None:
        return
    documented = operation["responses"].get(str(response.status))
    assert documented is not None, f"{method} {template} answered {response.status}, which is not documented"
    schema = documented.get("content", {}).get("application/json", {}).get("schema")
    if schema is None:
        return
    resolved = _resolve(schema, document)
    errors = list(Draft202012Validator(resolved).iter_errors(response.json))
    assert not errors, f"{method} {template} {response.status} breaks its schema: {errors[0].message}"


def _match_template(document: dict[str, Any], path: str) -> str | None:
    parts = path.rstrip("/").split("/")
    # Literal segments win over parameters, as in the router (/guides/search before /guides/{id}).
    for template in sorted(document["paths"], key=lambda t: t.count("{")):
        tparts = template.rstrip("/").split("/")
        if len(tparts) == len(parts) and all(t.startswith("{") or t == p for t, p in zip(tparts, parts,
                                                                                            strict=True)):
            return template
    return None


def _resolve(schema: Any, document: dict[str, Any]) -> Any:
    if isinstance(schema, dict):
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            return _resolve(document["components"]["schemas"][name], document)
        return {k: _resolve(v, document) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_resolve(v, document) for v in schema]
    return schema
