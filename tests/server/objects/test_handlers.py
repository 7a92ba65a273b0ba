"""The app's signed-download route (filesystem backend only).

Expiry and tampering are tested here and not in the contract suite because moto's S3 server, which
plays MinIO in the tests, serves expired and tampered presigned URLs anyway (a real MinIO refuses them).
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest

from server.clock import FrozenClock
from server.objects.handlers import routes
from tests.conftest import StartServer
from tests.server.objects.helpers import chunks_of
from tests.support.server import TestServer, make_settings


async def stored_link(server: TestServer, key: str = "materials/1/scan.pdf", data: bytes = b"%PDF scan",
                      filename: str | None = None, expires_in: int = 300) -> str:
    """The path and query of a fresh signed link to ``key``."""
    await server.deps.store.put(key, chunks_of(data), max_bytes=len(data), content_type="application/pdf")
    url = await server.deps.store.signed_url(key, expires_in=expires_in, filename=filename)
    assert url.startswith(server.url + "/objects/")
    return url[len(server.url):]


def with_query(path: str, **changes: str | None) -> str:
    base, _, query = path.partition("?")
    params = dict(urllib.parse.parse_qsl(query))
    for name, value in changes.items():
        if value is None:
            params.pop(name, None)
        else:
            params[name] = value
    return f"{base}?{urllib.parse.urlencode(params)}"


@pytest.mark.asyncio
async def test_download_headers(server: TestServer) -> None:
    path = await stored_link(server, filename="申请表.pdf", expires_in=120)
    response = await server.get(path)
    assert response.status == 200
    assert response.body == b"%PDF scan"
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Length"] == "9"
    assert response.headers["Cache-Control"] in ("private, max-age=120", "private, max-age=119")
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    info = await server.deps.store.stat("materials/1/scan.pdf")
    assert response.headers["ETag"] == f'"{info.sha256}"'
    assert "filename*=UTF-8''%E7%94%B3%E8%AF%B7%E8%A1%A8.pdf" in response.headers["Content-Disposition"]


@pytest.mark.asyncio
async def test_head_answers_the_headers_without_the_body(server: TestServer) -> None:
    path = await stored_link(server, data=b"x" * 5000)
    response = await server.request("HEAD", path)
    assert response.status == 200
    assert response.body == b""
    assert response.headers["Content-Length"] == "5000"
    assert response.headers["Content-Type"] == "application/pdf"


@pytest.mark.asyncio
async def test_link_works_until_it_expires_then_is_gone(start_server: StartServer) -> None:
    clock = FrozenClock()
    server = await start_server(clock=clock)
    path = await stored_link(server, expires_in=60)
    clock.advance(seconds=59)
    fresh = await server.get(path)
    assert fresh.status == 200
    assert fresh.headers["Cache-Control"] == "private, max-age=1"
    clock.advance(seconds=1)
    expired = await server.get(path)
    assert expired.status == 410
    assert expired.error_code == "signed_url_expired"
    assert expired.headers["Cache-Control"] == "no-store"
    assert (await server.request("HEAD", path)).status == 410


@pytest.mark.asyncio
async def test_tampered_links_are_refused(server: TestServer) -> None:
    path = await stored_link(server, filename="a.pdf")
    await server.deps.store.put("materials/2/other.pdf", chunks_of(b"someone else's"), max_bytes=100)
    signature = dict(urllib.parse.parse_qsl(path.partition("?")[2]))["signature"]
    expires = dict(urllib.parse.parse_qsl(path.partition("?")[2]))["expires"]
    flipped = ("0" if signature[0] != "0" else "1") + signature[1:]
    tampered = [
        with_query(path, signature=flipped),
        with_query(path, signature=signature.upper()),
        with_query(path, signature="签名"),
        with_query(path, signature=None),
        with_query(path, expires=str(int(expires) + 3600)),
        with_query(path, expires="9" * 30),
        with_query(path, expires="soon"),
        with_query(path, expires=None),
        with_query(path, filename="b.exe"),
        with_query(path, filename=None),
        with_query(path.replace("materials/1/scan.pdf", "materials/2/other.pdf")),
        with_query(path.replace("materials/1/scan.pdf", "materials/1/../2/other.pdf")),
    ]
    for link in tampered:
        response = await server.get(link)
        assert (response.status, response.error_code) == (403, "signed_url_invalid"), link
    assert (await server.get(path)).status == 200


@pytest.mark.asyncio
async def test_link_to_a_deleted_object_is_not_found(server: TestServer) -> None:
    path = await stored_link(server)
    await server.deps.store.delete("materials/1/scan.pdf")
    response = await server.get(path)
    assert (response.status, response.error_code) == (404, "object_not_found")


@pytest.mark.asyncio
async def test_a_link_signed_by_another_server_is_refused(start_server: StartServer) -> None:
    first = await start_server(secret_key="a" * 40)
    second = await start_server(secret_key="b" * 40)
    path = await stored_link(first)
    await second.deps.store.put("materials/1/scan.pdf", chunks_of(b"%PDF scan"), max_bytes=100)
    assert (await first.get(path)).status == 200
    assert (await second.get(path)).status == 403


def test_no_download_route_when_minio_serves_the_links(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    assert [route.template for route in routes(settings)] == ["/objects/{key:path}"]
    assert routes(settings.replace(minio_endpoint="minio:9000")) == []
