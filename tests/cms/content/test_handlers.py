"""The staff endpoints every content type shares, through real HTTP (notices stand in for any type): what a
reviewer's approval covers, and how a schedule survives the other editorial actions."""

from datetime import timedelta
from typing import Any

import pytest

from cms.content.schedule import JOB_NAME
from server.clock import FrozenClock
from server.worker.runner import run_due_jobs
from tests.cms.factories import create_catalog, notice_content
from tests.support.server import TestServer
from tests.support.staff import StaffBrowser, signed_in_staff

# Console sessions that outlive the clock jumps to the scheduled times.
LONG_SESSIONS = {"staff_session_idle_seconds": 7 * 86400, "staff_session_max_seconds": 7 * 86400}


async def staff(server: TestServer) -> tuple[StaffBrowser, StaffBrowser]:
    await create_catalog(server.deps)
    editor = await signed_in_staff(server, "editor1", roles=("editor",))
    reviewer = await signed_in_staff(server, "reviewer1", roles=("reviewer", "supervisor"))
    return editor, reviewer


async def created_notice(editor: StaffBrowser, title: str) -> dict[str, Any]:
    response = await editor.post("/staff/v1/notices", json={"content": notice_content(title=title)})
    assert response.status == 201, response.body
    return dict(response.json)


async def ok(response_awaitable: Any) -> dict[str, Any]:
    response = await response_awaitable
    assert response.status == 200, response.body
    return dict(response.json)


async def schedule_publish(reviewer: StaffBrowser, path: str, when: Any, version: int) -> dict[str, Any]:
    return await ok(reviewer.request("PUT", f"{path}/schedule", json={
        "publish_at": when.isoformat(), "unpublish_at": None, "base_version": version}))


async def audit_details(reviewer: StaffBrowser, item_id: str, action: str) -> dict[str, Any]:
    entries = (await reviewer.get(f"/staff/v1/audit?object={item_id}")).json["items"]
    return dict(next(entry for entry in entries if entry["action"] == action)["details"])


@pytest.mark.asyncio
async def test_rejecting_a_scheduled_draft_cancels_its_publish(start_server) -> None:
    clock = FrozenClock()
    server = await start_server(clock=clock, **LONG_SESSIONS)
    editor, reviewer = await staff(server)
    notice = await created_notice(editor, "错误的收费标准")
    path = f"/staff/v1/notices/{notice['id']}"
    when = clock.now() + timedelta(hours=1)
    scheduled = await schedule_publish(reviewer, path, when, notice["version"])
    submitted = await ok(editor.post(f"{path}/submit", json={"base_version": scheduled["version"]}))
    rejected = await ok(reviewer.post(f"{path}/reject", json={"comment": "收费标准有误，不能发布",
                                                              "base_version": submitted["version"]}))
    assert rejected["state"] == "rejected"
    assert rejected["schedule"] == {"publish_at": None, "publish_revision_id": None, "unpublish_at": None}
    assert (await audit_details(reviewer, notice["id"], "reject"))["cancelled_publish_at"] == when.isoformat()

    # Rejecting a later draft leaves the publish of the revision the reviewer approved by scheduling it.
    approved = await created_notice(editor, "已审核")
    approved_path = f"/staff/v1/notices/{approved['id']}"
    kept = await schedule_publish(reviewer, approved_path, when, approved["version"])
    saved = await ok(editor.request("PUT", approved_path, json={"base_version": kept["version"],
                                                                "content": notice_content(title="未审核的修改")}))
    submitted = await ok(editor.post(f"{approved_path}/submit", json={"base_version": saved["version"]}))
    rejected = await ok(reviewer.post(f"{approved_path}/reject", json={"comment": "修改不对",
                                                                       "base_version": submitted["version"]}))
    assert rejected["schedule"]["publish_revision_id"] == approved["draft"]["id"]

    clock.advance(hours=1)
    await run_due_jobs(server.deps, "test", only=JOB_NAME, force=True)
    after = await ok(reviewer.get(path))
    assert (after["state"], after["is_live"]) == ("rejected", False)
    assert (await server.get(f"/mp/v1/notices/{notice['id']}")).status == 404
    assert (await server.get(f"/mp/v1/notices/{approved['id']}")).json["title"] == "已审核"


@pytest.mark.asyncio
async def test_unpublishing_cancels_a_pending_scheduled_publish(start_server) -> None:
    clock = FrozenClock()
    server = await start_server(clock=clock, **LONG_SESSIONS)
    editor, reviewer = await staff(server)
    notice = await created_notice(editor, "旧版")
    path = f"/staff/v1/notices/{notice['id']}"
    live = await ok(reviewer.post(f"{path}/publish", json={"base_version": notice["version"]}))
    saved = await ok(editor.request("PUT", path, json={"base_version": live["version"],
                                                       "content": notice_content(title="新版")}))
    when = clock.now() + timedelta(days=1)
    scheduled = await schedule_publish(reviewer, path, when, saved["version"])
    offline = await ok(reviewer.post(f"{path}/unpublish", json={"comment": "事项已取消，立即下线",
                                                                "base_version": scheduled["version"]}))
    assert offline["is_live"] is False
    assert offline["schedule"]["publish_at"] is None
    details = await audit_details(reviewer, notice["id"], "unpublish")
    assert details["cancelled_publish_at"] == when.isoformat()
    assert details["cancelled_publish_revision"] == saved["draft"]["id"]

    clock.advance(days=1)
    await run_due_jobs(server.deps, "test", only=JOB_NAME, force=True)
    assert (await ok(reviewer.get(path)))["is_live"] is False
    assert (await server.get(f"/mp/v1/notices/{notice['id']}")).status == 404


@pytest.mark.asyncio
async def test_publish_and_schedule_approve_only_the_version_the_reviewer_saw(start_server) -> None:
    clock = FrozenClock()
    server = await start_server(clock=clock, **LONG_SESSIONS)
    editor, reviewer = await staff(server)
    notice = await created_notice(editor, "已审核的标题")
    path = f"/staff/v1/notices/{notice['id']}"
    submitted = await ok(editor.post(f"{path}/submit", json={}))
    seen = await ok(reviewer.get(path))
    await ok(editor.request("PUT", path, json={"base_version": submitted["version"],
                                               "content": notice_content(title="未经审核的标题")}))

    unnamed = await reviewer.post(f"{path}/publish", json={"comment": "同意"})
    assert unnamed.status == 422
    assert unnamed.error_code == "validation_failed"
    unnamed_schedule = await reviewer.request("PUT", f"{path}/schedule", json={
        "publish_at": (clock.now() + timedelta(hours=1)).isoformat(), "unpublish_at": None})
    assert unnamed_schedule.status == 422
    stale = await reviewer.post(f"{path}/publish", json={"base_version": seen["version"]})
    assert stale.status == 409
    assert stale.error_code == "stale_revision"
    assert stale.json["error"]["current_version"] == seen["version"] + 1
    stale_schedule = await reviewer.request("PUT", f"{path}/schedule", json={
        "publish_at": (clock.now() + timedelta(hours=1)).isoformat(), "unpublish_at": None,
        "base_version": seen["version"]})
    assert stale_schedule.error_code == "stale_revision"

    after = await ok(reviewer.get(path))
    assert (after["is_live"], after["schedule"]["publish_at"]) == (False, None)
    assert (await server.get(f"/mp/v1/notices/{notice['id']}")).status == 404


@pytest.mark.asyncio
@pytest.mark.parametrize("moment", [
    "9999-12-31T23:00:00-05:00",  # year 10000 in UTC: cannot even be stored
    "9999-12-31T20:00:00+00:00",  # after the "not scheduled" sentinel: would never be carried out
    "2032-11-24T09:00:00+00:00",  # a typo'd year, six years ahead
])
async def test_schedule_times_beyond_five_years_are_refused(start_server, moment: str) -> None:
    clock = FrozenClock()  # 2026-11-23 09:00 UTC
    server = await start_server(clock=clock, **LONG_SESSIONS)
    editor, reviewer = await staff(server)
    notice = await created_notice(editor, "定时通知")
    path = f"/staff/v1/notices/{notice['id']}/schedule"
    for field in ("publish_at", "unpublish_at"):
        other = "2027-01-01T00:00:00+00:00" if field == "unpublish_at" else None
        body = {"publish_at": other, "unpublish_at": None, field: moment, "base_version": notice["version"]}
        refused = await reviewer.request("PUT", path, json=body)
        assert refused.status == 422, refused.body
        assert refused.error_code == "schedule_invalid"
        assert refused.json["error"]["field"] == field
    within = await reviewer.request("PUT", path, json={"publish_at": "2031-11-01T00:00:00+08:00", "unpublish_at": None,
                                                       "base_version": notice["version"]})
    assert within.status == 200, within.body
    assert within.json["schedule"]["publish_at"] == "2031-10-31T16:00:00+00:00"
