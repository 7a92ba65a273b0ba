"""The editorial API of guides through real HTTP: the issue's "done when" list and the rules around it."""

from datetime import timedelta

import pytest

from cms.content import repository as repo
from cms.content.schedule import JOB_NAME
from cms.guides.service import import_guide
from server.actor import Actor
from server.clock import FrozenClock
from server.worker.runner import run_due_jobs
from tests.cms.factories import create_catalog, guide_content, material
from tests.support.staff import signed_in_staff

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def staff(server):
    await create_catalog(server.deps)
    editor = await signed_in_staff(server, "editor1", roles=("editor",))
    reviewer = await signed_in_staff(server, "reviewer1", roles=("reviewer",))
    return editor, reviewer


async def create(editor, **overrides) -> dict:
    response = await editor.post("/staff/v1/guides", json={"content": guide_content(**overrides), "note": "新建"})
    assert response.status == 201, response.body
    return response.json


async def published(editor, reviewer, **overrides) -> dict:
    guide = await create(editor, **overrides)
    response = await reviewer.post(f"/staff/v1/guides/{guide['id']}/publish", json={"base_version": guide["version"]})
    assert response.status == 200, response.body
    return response.json


@pytest.mark.asyncio
async def test_editor_submits_reviewer_publishes_mini_program_serves(server) -> None:
    editor, reviewer = await staff(server)
    guide = await create(editor)
    path = f"/staff/v1/guides/{guide['id']}"
    assert guide["state"] == "draft"
    assert guide["draft"]["content"]["materials"][0]["id"] == "m1"
    assert (await server.get(f"/mp/v1/guides/{guide['id']}")).error_code == "guide_not_live"

    submitted = await editor.post(f"{path}/submit", json={"comment": "请审核"})
    assert submitted.status == 200
    assert submitted.json["state"] == "in_review"
    refused = await editor.post(f"{path}/publish", json={})
    assert refused.status == 403
    assert refused.error_code == "role_required"
    done = await reviewer.post(f"{path}/publish", json={"base_version": submitted.json["version"]})
    assert done.status == 200
    assert done.json["state"] == "published"
    assert done.json["is_live"]
    assert done.json["live"]["revision"]["number"] == 1
    assert done.json["review"]["action"] == "publish"
    assert done.json["review"]["by"]["name"] == "reviewer1"

    delivered = await server.get(f"/mp/v1/guides/{guide['id']}")
    assert delivered.status == 200
    assert delivered.json["name"] == "企业投资项目备案"
    assert delivered.json["department"] == {"id": "11511301008778183N", "name": "区经信局"}
    assert delivered.json["conditions"] == "<p><strong>符合条件</strong>的企业投资项目</p>\n"
    assert [m["id"] for m in delivered.json["materials"]] == ["m1", "m2"]


@pytest.mark.asyncio
async def test_an_editor_who_is_also_reviewer_publishes_own_draft(server) -> None:
    await create_catalog(server.deps)
    both = await signed_in_staff(server, "both1", roles=("editor", "reviewer"))
    guide = await create(both)
    response = await both.post(f"/staff/v1/guides/{guide['id']}/publish", json={"base_version": guide["version"]})
    assert response.status == 200
    assert response.json["is_live"]


@pytest.mark.asyncio
async def test_editing_the_draft_leaves_the_live_version_unchanged(server) -> None:
    editor, reviewer = await staff(server)
    live = await published(editor, reviewer)
    saved = await editor.request("PUT", f"/staff/v1/guides/{live['id']}", json={
        "base_version": live["version"], "content": guide_content(name="企业投资项目备案（修订）")})
    assert saved.status == 200
    assert saved.json["state"] == "draft"
    assert saved.json["has_unpublished_changes"]
    assert saved.json["draft"]["content"]["name"] == "企业投资项目备案（修订）"
    assert saved.json["live"]["revision"]["content"]["name"] == "企业投资项目备案"
    assert (await server.get(f"/mp/v1/guides/{live['id']}")).json["name"] == "企业投资项目备案"
    listed = await server.get("/mp/v1/guides")
    assert [g["name"] for g in listed.json["items"]] == ["企业投资项目备案"]


@pytest.mark.asyncio
async def test_a_stale_save_gets_409(server) -> None:
    editor, _ = await staff(server)
    other = await signed_in_staff(server, "editor2", roles=("editor",))
    guide = await create(editor)
    path = f"/staff/v1/guides/{guide['id']}"
    first = await editor.request("PUT", path, json={"base_version": guide["version"],
                                                    "content": guide_content(summary="甲")})
    assert first.status == 200
    second = await other.request("PUT", path, json={"base_version": guide["version"],
                                                    "content": guide_content(summary="乙")})
    assert second.status == 409
    assert second.error_code == "stale_revision"
    assert second.json["error"]["current_version"] == first.json["version"]
    assert (await editor.get(path)).json["draft"]["content"]["summary"] == "甲"


@pytest.mark.asyncio
async def test_reviewer_sends_back_with_comments(server) -> None:
    editor, reviewer = await staff(server)
    guide = await create(editor)
    path = f"/staff/v1/guides/{guide['id']}"
    await editor.post(f"{path}/submit", json={})
    assert (await reviewer.post(f"{path}/reject", json={})).status == 422
    rejected = await reviewer.post(f"{path}/reject", json={"comment": "缺少收费依据"})
    assert rejected.status == 200
    assert rejected.json["state"] == "rejected"
    assert rejected.json["review"]["comment"] == "缺少收费依据"
    assert rejected.json["review"]["action"] == "reject"
    assert (await reviewer.post(f"{path}/reject", json={"comment": "再退"})).error_code == "invalid_transition"
    assert (await editor.post(f"{path}/reject", json={"comment": "x"})).status == 403


@pytest.mark.asyncio
async def test_revisions_field_level_diff_and_rollback(server) -> None:
    editor, reviewer = await staff(server)
    live = await published(editor, reviewer)
    path = f"/staff/v1/guides/{live['id']}"
    materials = live["draft"]["content"]["materials"]
    edited = await editor.request("PUT", path, json={"base_version": live["version"], "note": "改材料", "content":
                                                     guide_content(visits_required=1, materials=[
                                                         {**materials[0], "copies": 2}, material("委托书")])})
    assert edited.status == 200
    revisions = (await editor.get(f"{path}/revisions")).json["items"]
    assert [(r["number"], r["note"]) for r in revisions] == [(2, "改材料"), (1, "新建")]
    first_id = revisions[1]["id"]
    snapshot = await editor.get(f"{path}/revisions/{first_id}")
    assert snapshot.status == 200
    assert snapshot.json["content"]["visits_required"] == 0

    diff = await editor.get(f"{path}/diff?from={first_id}&to={revisions[0]['id']}")
    assert diff.status == 200
    assert [(c["path"], c["change"], c["before"], c["after"]) for c in diff.json["changes"]] == [
        ("visits_required", "changed", 0, 1),
        ("materials[id=m1].copies", "changed", 0, 2),
        ("materials[id=m2]", "removed", materials[1], None),
        ("materials[id=m3]", "added", None, {**material("委托书"), "id": "m3", "accepts_e_licence": False,
                                               "accepts_reuse": False}),
    ]
    assert (await editor.get(f"{path}/diff?from=live&to=draft")).json["changes"] == diff.json["changes"]
    assert (await editor.get(f"{path}/diff?from={first_id}")).status == 400

    rolled = await editor.post(f"{path}/rollback", json={"revision_id": first_id,
                                                          "base_version": edited.json["version"]})
    assert rolled.status == 200
    assert rolled.json["draft"]["number"] == 3
    assert rolled.json["draft"]["origin"] == "rollback"
    assert rolled.json["draft"]["rolled_back_from"] == first_id
    assert rolled.json["draft"]["content"] == snapshot.json["content"]
    assert rolled.json["state"] == "draft"
    assert rolled.json["live"]["revision"]["id"] == first_id
    assert (await editor.get(f"{path}/diff?from=live&to=draft")).json["changes"] == []
    missing = await editor.get(f"{path}/revisions/000000000000000000000000")
    assert missing.status == 404
    assert missing.error_code == "revision_not_found"


@pytest.mark.asyncio
async def test_scheduled_unpublish_happens_on_time_with_no_request(start_server) -> None:
    clock = FrozenClock()
    server = await start_server(clock=clock)
    editor, reviewer = await staff(server)
    live = await published(editor, reviewer)
    when = clock.now() + timedelta(hours=3)
    scheduled = await reviewer.request("PUT", f"/staff/v1/guides/{live['id']}/schedule",
                                       json={"publish_at": None, "unpublish_at": when.isoformat(),
                                             "base_version": live["version"]})
    assert scheduled.status == 200
    assert scheduled.json["schedule"]["unpublish_at"] == when.isoformat()
    first = await server.get(f"/mp/v1/guides/{live['id']}")
    assert first.status == 200

    clock.advance(hours=2, minutes=59)
    await run_due_jobs(server.deps, "test", only=JOB_NAME, force=True)
    assert (await server.get(f"/mp/v1/guides/{live['id']}")).status == 200
    clock.advance(minutes=1)
    await run_due_jobs(server.deps, "test", only=JOB_NAME, force=True)  # the worker, no HTTP request
    gone = await server.get(f"/mp/v1/guides/{live['id']}", headers={"If-None-Match": first.headers["ETag"]})
    assert gone.status == 404
    assert gone.error_code == "guide_not_live"
    assert (await server.get("/mp/v1/guides")).json["total"] == 0


@pytest.mark.asyncio
async def test_schedule_needs_a_reviewer_and_valid_times(server) -> None:
    editor, reviewer = await staff(server)
    guide = await create(editor)
    path = f"/staff/v1/guides/{guide['id']}/schedule"
    soon = (server.clock.now() + timedelta(days=30)).replace(microsecond=0)
    body = {"publish_at": soon.isoformat(), "unpublish_at": None, "base_version": guide["version"]}
    assert (await editor.request("PUT", path, json=body)).status == 403
    bad = await reviewer.request("PUT", path, json={**body, "publish_at": "next tuesday"})
    assert bad.status == 422
    assert bad.error_code == "schedule_invalid"
    naive = await reviewer.request("PUT", path, json={**body, "publish_at": soon.replace(tzinfo=None).isoformat()})
    assert naive.error_code == "schedule_invalid"
    ok = await reviewer.request("PUT", path, json=body)
    assert ok.status == 200
    assert ok.json["schedule"]["publish_revision_id"] == guide["draft"]["id"]


@pytest.mark.asyncio
async def test_attachments_are_checked_by_bytes_and_delivered_by_signed_link(start_server) -> None:
    server = await start_server(max_upload_bytes=64 * 1024)
    editor, reviewer = await staff(server)
    guide = await create(editor)
    path = f"/staff/v1/guides/{guide['id']}"
    uploaded = await editor.post(f"{path}/attachments?filename=申请表.pdf", body=PDF,
                                 headers={"Content-Type": "application/octet-stream"})
    assert uploaded.status == 201, uploaded.body
    ref = uploaded.json
    assert ref["content_type"] == "application/pdf"
    assert ref["size"] == len(PDF)
    assert ref["name"] == "申请表.pdf"

    html = await editor.post(f"{path}/attachments?filename=form.pdf", body=b"<html><script></script></html>")
    assert html.status == 415
    assert html.error_code == "unsupported_file_type"
    big = await editor.post(f"{path}/attachments?filename=big.pdf", body=b"%PDF-" + b"0" * 70 * 1024)
    assert big.status == 413
    assert (await editor.post(f"{path}/attachments", body=PDF)).status == 400
    assert (await reviewer.post(f"{path}/attachments?filename=a.pdf", body=PDF)).status == 403

    forged = await editor.request("PUT", path, json={"base_version": guide["version"], "content": guide_content(
        materials=[material("申请表", blank_form={"key": "cms/guide/other/x.pdf", "name": "x.pdf"})])})
    assert forged.status == 422
    assert forged.json["error"]["fields"][0]["code"] == "unknown_file"
    lying = {**ref, "content_type": "text/html", "size": 1}
    saved = await editor.request("PUT", path, json={"base_version": guide["version"], "content": guide_content(
        materials=[material("申请表", blank_form=lying)])})
    assert saved.status == 200
    assert saved.json["draft"]["content"]["materials"][0]["blank_form"] == ref
    await reviewer.post(f"{path}/publish", json={"base_version": saved.json["version"]})

    delivered = (await server.get(f"/mp/v1/guides/{guide['id']}")).json
    form = delivered["materials"][0]["blank_form"]
    assert set(form) == {"name", "content_type", "size", "url"}
    download = await server.get(form["url"].removeprefix(server.settings.base_url))
    assert download.status == 200
    assert download.body == PDF


@pytest.mark.asyncio
async def test_staff_list_filters_and_reading_rights(server) -> None:
    editor, reviewer = await staff(server)
    await published(editor, reviewer, name="出生登记", code="code-1")
    await create(editor, name="营业执照办理", code="code-2")
    listed = await editor.get("/staff/v1/guides?q=营业")
    assert [g["title"] for g in listed.json["items"]] == ["营业执照办理"]
    assert (await editor.get("/staff/v1/guides?live=true")).json["total"] == 1
    assert [g["key"] for g in (await editor.get("/staff/v1/guides?live=false")).json["items"]] == ["code-2"]
    assert [g["key"] for g in (await reviewer.get("/staff/v1/guides?key=code-1")).json["items"]] == ["code-1"]
    assert (await editor.get("/staff/v1/guides?state=published")).json["items"][0]["key"] == "code-1"
    bad = await editor.get("/staff/v1/guides?state=lost")
    assert bad.status == 400
    assert bad.json["error"]["parameter"] == "state"
    officer = await signed_in_staff(server, "officer1", roles=("officer",), departments=("083372204",))
    assert (await officer.get("/staff/v1/guides")).status == 403
    assert (await server.get("/staff/v1/guides")).status == 401


@pytest.mark.asyncio
async def test_schema_endpoint_gives_the_editable_fields_and_is_not_taken_for_an_id(server) -> None:
    editor, _ = await staff(server)
    response = await editor.get("/staff/v1/guides/schema")
    assert response.status == 200
    schema = response.json["schema"]
    assert response.json["kind"] == "guide"
    assert {"name", "materials", "promised_time_limit", "fees"} <= set(schema["properties"])
    assert schema["properties"]["materials"]["items"]["properties"]["name"]["minLength"] == 1
    assert response.json["enum_labels"]["item_type"]["01"] == "行政许可"
    assert response.json["enum_labels"]["materials.medium"]["paper"] == "纸质"
    assert (await server.get("/staff/v1/guides/schema")).error_code == "session_missing"


@pytest.mark.asyncio
async def test_a_published_guide_keeps_its_implementation_code(server) -> None:
    editor, reviewer = await staff(server)
    live = await published(editor, reviewer, code="CODE-X", name="指南A")
    path = f"/staff/v1/guides/{live['id']}"
    changed = await editor.request("PUT", path, json={"base_version": live["version"],
                                                      "content": guide_content(code="CODE-Y", name="指南A")})
    assert changed.status == 422
    assert [(f["path"], f["code"]) for f in changed.json["error"]["fields"]] == [
        ("/implementation_code", "implementation_code_fixed")]
    assert (await editor.get(path)).json["version"] == live["version"]

    # A re-import of the catalogue finds the live guide by its code: no second guide with the same code.
    outcome = await import_guide(server.deps, Actor.system("import"),
                                 guide_content(code="CODE-X", name="指南A（导入）"), publish=True)
    assert (outcome.status, outcome.guide_id) == ("updated", live["id"])
    listed = (await editor.get("/staff/v1/guides?key=CODE-X")).json
    assert [(g["id"], g["title"], g["is_live"]) for g in listed["items"]] == [(live["id"], "指南A（导入）", True)]

    # Taken offline, the code stays the guide's: cases and the catalogue may still name it.
    offline = await reviewer.post(f"{path}/unpublish", json={"base_version": outcome.version})
    assert offline.status == 200
    again = await editor.request("PUT", path, json={"base_version": offline.json["version"],
                                                    "content": guide_content(code="CODE-Y", name="指南A")})
    assert again.status == 422


@pytest.mark.asyncio
async def test_an_unpublished_guide_can_correct_its_code_until_a_publish_is_scheduled(server) -> None:
    editor, reviewer = await staff(server)
    guide = await create(editor, code="TYPO-1")
    path = f"/staff/v1/guides/{guide['id']}"
    fixed = await editor.request("PUT", path, json={"base_version": guide["version"],
                                                    "content": guide_content(code="CODE-1")})
    assert fixed.status == 200, fixed.body
    assert fixed.json["key"] == "CODE-1"
    soon = (server.clock.now() + timedelta(days=1)).isoformat()
    scheduled = await reviewer.request("PUT", f"{path}/schedule", json={
        "publish_at": soon, "unpublish_at": None, "base_version": fixed.json["version"]})
    assert scheduled.status == 200, scheduled.body
    refused = await editor.request("PUT", path, json={"base_version": scheduled.json["version"],
                                                      "content": guide_content(code="CODE-2")})
    assert refused.status == 422
    assert refused.json["error"]["fields"][0]["code"] == "implementation_code_fixed"


@pytest.mark.asyncio
async def test_a_draft_whose_code_drifted_from_the_live_one_may_go_back_to_it(server) -> None:
    editor, reviewer = await staff(server)
    live = await published(editor, reviewer, code="CODE-X")
    # As saved before codes were fixed: the draft's code differs from the live revision's.
    drifted = await repo.update_item(server.deps.db, live["id"], live["version"], {"key": "CODE-Y"})
    assert drifted is not None
    path = f"/staff/v1/guides/{live['id']}"
    other = await editor.request("PUT", path, json={"base_version": drifted.version,
                                                    "content": guide_content(code="CODE-Z")})
    assert other.status == 422
    back = await editor.request("PUT", path, json={"base_version": drifted.version,
                                                   "content": guide_content(code="CODE-X")})
    assert back.status == 200, back.body
    assert back.json["key"] == "CODE-X"


@pytest.mark.asyncio
@pytest.mark.parametrize("amount_fen", [2**63, 10**10 + 1])
async def test_a_fee_above_one_hundred_million_yuan_is_a_field_problem(server, amount_fen: int) -> None:
    editor, _reviewer = await staff(server)
    fees = {"charged": True, "items": [{"name": "工本费", "amount_fen": amount_fen}]}
    refused = await editor.post("/staff/v1/guides", json={"content": guide_content(fees=fees)})
    assert refused.status == 422, refused.body
    assert refused.error_code == "validation_failed"
    assert refused.json["error"]["fields"][0]["path"] == "/content/fees/items/0/amount_fen"
    guide = await create(editor, fees={"charged": True, "items": [{"name": "工本费", "amount_fen": 10**10}]})
    saved = await editor.request("PUT", f"/staff/v1/guides/{guide['id']}", json={
        "base_version": guide["version"], "content": guide_content(fees=fees)})
    assert saved.status == 422, saved.body
    assert saved.json["error"]["fields"][0]["path"] == "/content/fees/items/0/amount_fen"
