"""/mp/v1/notices: pinned first, newest first, category filter, publish windows, conditional requests."""

from datetime import timedelta

import pytest

from cms.content import service
from cms.content.schedule import JOB_NAME
from cms.notices.spec import SPEC
from server.clock import FrozenClock
from server.worker.runner import run_due_jobs
from tests.cms.factories import editor, notice_content, reviewer


async def publish(deps, clock, **content) -> str:
    created = await service.create(deps, SPEC, editor(), notice_content(**content))
    await service.publish(deps, SPEC, reviewer(), created.item.id)
    clock.advance(minutes=1)
    return created.item.id


@pytest.mark.asyncio
async def test_pinned_first_then_newest_and_category_filter(start_server) -> None:
    clock = FrozenClock()
    server = await start_server(clock=clock)
    deps = server.deps
    await publish(deps, clock, title="旧通知")
    await publish(deps, clock, title="置顶公告", category="announcement", pinned=True)
    await publish(deps, clock, title="新通知")
    listed = await server.get("/mp/v1/notices")
    assert [n["title"] for n in listed.json["items"]] == ["置顶公告", "新通知", "旧通知"]
    assert listed.json["items"][0]["pinned"] is True
    assert listed.json["items"][0]["department"] is None
    filtered = await server.get("/mp/v1/notices?category=announcement")
    assert [n["title"] for n in filtered.json["items"]] == ["置顶公告"]
    bad = await server.get("/mp/v1/notices?category=rumour")
    assert bad.status == 400
    assert bad.json["error"]["parameter"] == "category"
    assert (await server.get("/mp/v1/notices", headers={"If-None-Match": listed.headers["ETag"]})).status == 304


@pytest.mark.asyncio
async def test_publish_window_with_no_request(start_server) -> None:
    clock = FrozenClock()
    server = await start_server(clock=clock)
    deps = server.deps
    created = await service.create(deps, SPEC, editor(), notice_content(title="节假日安排"))
    opens, closes = clock.now() + timedelta(days=1), clock.now() + timedelta(days=3)
    await service.schedule(deps, SPEC, reviewer(), created.item.id, publish_at=opens, unpublish_at=closes)
    path = f"/mp/v1/notices/{created.item.id}"
    assert (await server.get(path)).error_code == "notice_not_live"

    clock.advance(days=1)
    await run_due_jobs(deps, "test", only=JOB_NAME, force=True)
    shown = await server.get(path)
    assert shown.status == 200
    assert shown.json["expires_at"] == closes.isoformat()
    assert shown.json["body"] == "<p>各位办事群众：<br>\n春节期间<strong>网上办理</strong>不停歇。</p>\n"

    clock.advance(days=2)
    await run_due_jobs(deps, "test", only=JOB_NAME, force=True)
    assert (await server.get(path)).status == 404
    assert (await server.get("/mp/v1/notices")).json["items"] == []
