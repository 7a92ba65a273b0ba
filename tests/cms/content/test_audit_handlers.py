"""/staff/v1/audit: every editorial action, queryable by object, user and time."""

from datetime import timedelta
from urllib.parse import quote

import pytest

from server.clock import FrozenClock
from tests.cms.factories import create_catalog, guide_content, notice_content
from tests.support.staff import create_staff, login_browser


@pytest.mark.asyncio
async def test_audit_by_object_user_and_time(start_server) -> None:
    clock = FrozenClock()
    server = await start_server(clock=clock)
    await create_catalog(server.deps)
    editor_user = await create_staff(server, "editor1", roles=("editor",))
    reviewer_user = await create_staff(server, "reviewer1", roles=("reviewer", "supervisor"))
    editor, reviewer = await login_browser(server, "editor1"), await login_browser(server, "reviewer1")

    start = clock.now()
    guide = (await editor.post("/staff/v1/guides", json={"content": guide_content()})).json
    notice = (await editor.post("/staff/v1/notices", json={"content": notice_content()})).json
    clock.advance(minutes=10)
    submitted = (await editor.post(f"/staff/v1/guides/{guide['id']}/submit", json={})).json
    await reviewer.post(f"/staff/v1/guides/{guide['id']}/publish",
                        json={"comment": "同意", "base_version": submitted["version"]})

    by_object = (await reviewer.get(f"/staff/v1/audit?object={guide['id']}")).json
    assert [e["action"] for e in by_object["items"]] == ["publish", "submit", "create"]
    publish = by_object["items"][0]
    assert publish["actor"] == {"kind": "staff", "id": reviewer_user.id, "name": "reviewer1"}
    assert (publish["from_state"], publish["to_state"], publish["comment"]) == ("in_review", "published", "同意")
    assert publish["object_kind"] == "guide"
    assert publish["revision_id"] == guide["draft"]["id"]

    by_user = (await reviewer.get(f"/staff/v1/audit?user={editor_user.id}")).json
    assert {(e["object_id"], e["action"]) for e in by_user["items"]} == {
        (guide["id"], "create"), (notice["id"], "create"), (guide["id"], "submit")}

    since = quote((start + timedelta(minutes=5)).isoformat())
    recent = (await reviewer.get(f"/staff/v1/audit?since={since}")).json
    assert [e["action"] for e in recent["items"]] == ["publish", "submit"]
    until = quote((start + timedelta(minutes=5)).isoformat())
    early = (await reviewer.get(f"/staff/v1/audit?until={until}&user={editor_user.id}&limit=1")).json
    assert early["total"] == 2
    assert len(early["items"]) == 1

    bad = await reviewer.get("/staff/v1/audit?since=yesterday")
    assert bad.status == 400
    assert bad.json["error"]["parameter"] == "since"
    naive = await reviewer.get("/staff/v1/audit?until=2026-01-01T00:00:00")
    assert naive.status == 400
    assert naive.json["error"]["parameter"] == "until"
    officer = await create_staff(server, "officer1", roles=("officer",), departments=("083372204",))
    assert officer.username == "officer1"
    assert (await (await login_browser(server, "officer1")).get("/staff/v1/audit")).status == 403
