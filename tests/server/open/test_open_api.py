from __future__ import annotations

from datetime import UTC, datetime

import pytest

from server.clock import FrozenClock
from tests.conftest import StartServer
from tests.miniprogram_api.case_factories import until
from tests.miniprogram_api.factories import VALID_ID
from tests.server.cases.staff_factories import prepare, publish_guide, real_name_citizen, submitted_case
from tests.server.open.factories import call, register_app, signed_headers
from tests.support.server import TestServer


async def a_case(server: TestServer, user: str = "alice") -> dict[str, object]:
    _, citizen_id = await real_name_citizen(server, user)
    await prepare(server)
    guide = await publish_guide(server, name="企业投资项目备案")
    return await submitted_case(server, guide, citizen_id=citizen_id)


@pytest.mark.asyncio
async def test_each_refusal_has_its_own_code(start_server: StartServer) -> None:
    server = await start_server()
    app = await register_app(server, "guides", "case_progress")
    other = await register_app(server, "case_progress")
    case = await a_case(server)
    await server.deps.db.cases.update_one({"_id": case["_id"]}, {"$set": {"open_app_id": other.app_id}})
    path = f"/open/v1/cases/{case['number']}/progress"

    codes = {
        "wrong signature": (await call(server, app, "GET", "/open/v1/notices", secret="not-the-secret")).error_code,
        "old timestamp": (await call(server, app, "GET", path,
                                     timestamp=int(server.deps.clock.timestamp()) - 301)).error_code,
        "missing scope": (await call(server, app, "GET", "/open/v1/notices")).error_code,
        "another app's case": (await call(server, app, "GET", path)).error_code,
        "no signature": (await server.get(path)).error_code,
    }
    first = await call(server, app, "GET", "/open/v1/guides/nope", nonce="n-once-0001")
    assert first.status == 404
    codes["reused nonce"] = (await call(server, app, "GET", "/open/v1/guides/nope", nonce="n-once-0001")).error_code
    assert codes == {"wrong signature": "open_signature_invalid", "old timestamp": "open_timestamp_expired",
                     "missing scope": "open_scope_missing", "another app's case": "open_case_not_found",
                     "no signature": "open_signature_missing", "reused nonce": "open_nonce_reused"}
    # A tampered query is a wrong signature too.
    response = await call(server, app, "GET", path, query={"name": "张三丰", "id_last6": "31002X"})
    assert response.status == 200
    assert response.json["number"] == case["number"]
    headers = signed_headers(server, app, "GET", path, {"name": "张三丰", "id_last6": "31002X"}, b"")
    tampered = await server.request("GET", f"{path}?name=%E6%9D%8E%E5%9B%9B&id_last6=31002X", headers=headers)
    assert tampered.error_code == "open_signature_invalid"


@pytest.mark.asyncio
async def test_case_progress_needs_the_applicants_verification_unless_the_app_submitted_it(
        start_server: StartServer) -> None:
    server = await start_server()
    app = await register_app(server, "case_progress")
    case = await a_case(server)
    path = f"/open/v1/cases/{case['number']}/progress"
    assert (await call(server, app, "GET", path)).error_code == "open_case_not_found"
    wrong = await call(server, app, "GET", path, query={"name": "张三丰", "id_last6": "000000"})
    assert wrong.error_code == "open_case_not_found"
    verified = await call(server, app, "GET", path, query={"name": "张三丰", "id_last6": VALID_ID[-6:].lower()})
    assert verified.status == 200, verified.body
    assert verified.json["state"] == "submitted"
    assert [entry["action"] for entry in verified.json["timeline"]] == ["submit"]
    await server.deps.db.cases.update_one({"_id": case["_id"]}, {"$set": {"open_app_id": app.app_id}})
    assert (await call(server, app, "GET", path)).status == 200
    assert (await call(server, app, "GET", "/open/v1/cases/YW0000/progress")).error_code == "open_case_not_found"


@pytest.mark.asyncio
async def test_guides_and_notices_within_scope(start_server: StartServer) -> None:
    server = await start_server()
    app = await register_app(server, "guides", "notices")
    await prepare(server)
    guide = await publish_guide(server, name="企业投资项目备案")
    detail = await call(server, app, "GET", f"/open/v1/guides/{guide['id']}")
    assert detail.status == 200, detail.body
    assert detail.json["name"] == "企业投资项目备案"
    notices = await call(server, app, "GET", "/open/v1/notices")
    assert notices.status == 200
    assert notices.json["total"] == 0

    async def found() -> bool:
        response = await call(server, app, "GET", "/open/v1/search", query={"q": "投资项目备案"})
        return response.status == 200 and guide["id"] in [item["id"] for item in response.json["items"]]

    assert await until(found, seconds=10)


@pytest.mark.asyncio
async def test_rate_limit_answers_429_with_retry_after(start_server: StartServer) -> None:
    # Frozen early in a minute: with the real clock the calls could straddle a window and all pass.
    clock = FrozenClock(datetime.now(UTC).replace(second=5, microsecond=0))
    server = await start_server(clock=clock)
    app = await register_app(server, "notices", rate_limit=3)
    statuses = [(await call(server, app, "GET", "/open/v1/notices")).status for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = await call(server, app, "GET", "/open/v1/notices")
    assert limited.error_code == "open_rate_limited"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert int(limited.headers["Retry-After"]) == 55
    # Another app has its own budget.
    other = await register_app(server, "notices", rate_limit=3)
    assert (await call(server, other, "GET", "/open/v1/notices")).status == 200
    # The next minute brings a fresh budget.
    clock.advance(seconds=60)
    assert (await call(server, app, "GET", "/open/v1/notices")).status == 200


@pytest.mark.asyncio
async def test_only_admins_register_apps(start_server: StartServer) -> None:
    from tests.support.staff import signed_in_staff

    server = await start_server()
    editor = await signed_in_staff(server, "eddie", roles=["editor"])
    refused = await editor.post("/staff/v1/open-apps", json={"name": "x", "scopes": ["guides"],
                                                             "rate_limit_per_minute": 10})
    assert refused.status == 403
    app = await register_app(server, "guides")
    admin = await signed_in_staff(server, "root", roles=["admin"])
    listed = (await admin.get("/staff/v1/open-apps")).json["items"]
    assert [item["app_id"] for item in listed] == [app.app_id]
    assert "secret" not in listed[0]
    stored = await server.deps.db.open_apps.find_one({"_id": app.app_id})
    assert stored is not None
    assert app.secret not in str(stored)  # sealed, not stored as given


@pytest.mark.asyncio
async def test_odd_signature_headers_are_refused_not_a_server_error(start_server: StartServer) -> None:
    server = await start_server()
    app = await register_app(server, "notices")
    good = signed_headers(server, app, "GET", "/open/v1/notices", {}, b"")
    superscript = await server.request("GET", "/open/v1/notices", headers={**good, "X-Timestamp": "²"})
    assert (superscript.status, superscript.error_code) == (401, "open_timestamp_expired")
    latin = await server.request("GET", "/open/v1/notices", headers={**good, "X-Signature": "é" * 64})
    assert (latin.status, latin.error_code) == (401, "open_signature_invalid")
