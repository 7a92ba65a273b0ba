"""Files a joint step issues: added by its department while it runs, read by the later steps and the window,
never left behind in the store."""

from __future__ import annotations

from typing import Any

import pytest

from server.cases import joint_files
from server.cases.file_journal_repo import JOURNAL
from server.cases.joint_files import MAX_STEP_FILES
from server.cases.orphan_files import sweep_orphaned_files
from tests.conftest import StartServer
from tests.miniprogram_api.case_factories import download, stored_keys
from tests.server.cases.joint_factories import (
    ECONOMY,
    FIRE,
    MARKET,
    JointScene,
    citizen_case,
    joint_scene,
    step_path,
    steps_by_id,
    taken_in,
)
from tests.support.outages import database_lost, store_deletes_fail
from tests.support.staff import StaffBrowser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")


async def pushed_case(scene: JointScene) -> str:
    _, case_id = await citizen_case(scene.server, scene.guide)
    await taken_in(scene.window, scene.guide, case_id)
    pushed = await scene.window.post(f"/staff/v1/cases/{case_id}/joint/push")
    assert pushed.status == 200, pushed.body
    return case_id


async def add_file(officer: StaffBrowser, case_id: str, step_id: str, name: str, body: bytes) -> Any:
    return await officer.post(f"{step_path(case_id, step_id, 'files')}?filename={name}", body=body,
                              headers={"Content-Type": "application/octet-stream"})


def files_of(status: dict[str, Any], step_id: str) -> list[dict[str, Any]]:
    return list(steps_by_id(status)[step_id]["files"])


async def case_keys(scene: JointScene, case_id: str) -> list[str]:
    return await stored_keys(scene.server.deps, f"cases/{case_id}/joint/")


@pytest.mark.asyncio
async def test_a_steps_licence_scan_reaches_the_later_step_and_the_window(start_server: StartServer) -> None:
    scene = await joint_scene(start_server)
    officers = scene.officers
    case_id = await pushed_case(scene)

    added = await add_file(officers[MARKET], case_id, "licence", "食品经营许可证.pdf", PDF)
    assert added.status == 201, added.body
    (licence,) = files_of(added.json, "licence")
    assert (licence["name"], licence["content_type"], licence["size"]) == ("食品经营许可证.pdf", "application/pdf",
                                                                          len(PDF))
    assert licence["by"]["kind"] == "staff"
    assert "key" not in licence
    approved = await officers[MARKET].post(step_path(case_id, "licence", "approve"), json={
        "opinion": "符合许可条件", "result_name": "食品经营许可证", "result_no": "JY1"})
    assert approved.status == 200, approved.body
    await officers[FIRE].post(step_path(case_id, "fire", "approve"), json={})

    # The filing step and the window read it without asking anyone for it again.
    for reader in (officers[ECONOMY], scene.window):
        detail = (await reader.get(f"/staff/v1/cases/{case_id}")).json
        assert [file["id"] for file in files_of(detail, "licence")] == [licence["id"]]
        link = await reader.get(f"{step_path(case_id, 'licence', 'files')}/{licence['id']}")
        assert link.status == 200, link.body
        assert link.json["name"] == "食品经营许可证.pdf"
        assert await download(link.json["url"]) == PDF
    # A decided step's files stay as they were decided.
    late = await add_file(officers[MARKET], case_id, "licence", "补充.pdf", PDF)
    assert (late.status, late.error_code) == (409, "step_not_running")
    removed = await officers[MARKET].request("DELETE", f"{step_path(case_id, 'licence', 'files')}/{licence['id']}")
    assert (removed.status, removed.error_code) == (409, "step_not_running")
    assert len(await case_keys(scene, case_id)) == 1


@pytest.mark.asyncio
async def test_only_the_steps_department_adds_and_only_known_types_are_kept(start_server: StartServer) -> None:
    scene = await joint_scene(start_server)
    officers = scene.officers
    case_id = await pushed_case(scene)

    other = await add_file(officers[FIRE], case_id, "licence", "a.pdf", PDF)
    assert (other.status, other.error_code) == (403, "joint_part_not_allowed")
    waiting = await add_file(officers[ECONOMY], case_id, "filing", "a.pdf", PDF)
    assert (waiting.status, waiting.error_code) == (409, "step_not_running")
    unknown = await add_file(officers[MARKET], case_id, "nope", "a.pdf", PDF)
    assert (unknown.status, unknown.error_code) == (404, "joint_step_not_found")
    script = await add_file(officers[MARKET], case_id, "licence", "a.pdf", b"<html><script>alert(1)</script>")
    assert (script.status, script.error_code) == (415, "unsupported_file_type")
    empty = await add_file(officers[MARKET], case_id, "licence", "a.pdf", b"")
    assert (empty.status, empty.error_code) == (400, "empty_file")
    assert await case_keys(scene, case_id) == []
    assert [entry async for entry in scene.server.deps.db[JOURNAL].find({})] == []

    picture = await add_file(officers[MARKET], case_id, "licence", "现场照片.png", PNG)
    assert picture.status == 201, picture.body
    assert files_of(picture.json, "licence")[0]["content_type"] == "image/png"


@pytest.mark.asyncio
async def test_a_removed_file_leaves_the_step_and_the_store(start_server: StartServer) -> None:
    scene = await joint_scene(start_server)
    market = scene.officers[MARKET]
    case_id = await pushed_case(scene)
    first = files_of((await add_file(market, case_id, "licence", "a.pdf", PDF)).json, "licence")[0]
    kept = files_of((await add_file(market, case_id, "licence", "b.pdf", PDF)).json, "licence")[1]
    assert len(await case_keys(scene, case_id)) == 2

    removed = await market.request("DELETE", f"{step_path(case_id, 'licence', 'files')}/{first['id']}")
    assert removed.status == 200, removed.body
    assert [file["id"] for file in files_of(removed.json, "licence")] == [kept["id"]]
    assert [key.rsplit("/", 1)[-1].split(".")[0] for key in await case_keys(scene, case_id)] == [kept["id"]]
    again = await market.request("DELETE", f"{step_path(case_id, 'licence', 'files')}/{first['id']}")
    assert (again.status, again.error_code) == (404, "step_file_not_found")
    gone = await market.get(f"{step_path(case_id, 'licence', 'files')}/{first['id']}")
    assert (gone.status, gone.error_code) == (404, "step_file_not_found")


@pytest.mark.asyncio
async def test_a_step_takes_a_bounded_number_of_files(start_server: StartServer) -> None:
    scene = await joint_scene(start_server)
    market = scene.officers[MARKET]
    case_id = await pushed_case(scene)
    for number in range(MAX_STEP_FILES):
        assert (await add_file(market, case_id, "licence", f"{number}.pdf", PDF)).status == 201
    over = await add_file(market, case_id, "licence", "over.pdf", PDF)
    assert (over.status, over.error_code) == (409, "too_many_step_files")
    assert len(await case_keys(scene, case_id)) == MAX_STEP_FILES


@pytest.mark.asyncio
async def test_a_step_file_cut_short_before_its_record_is_swept(start_server: StartServer,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    scene = await joint_scene(start_server)
    market = scene.officers[MARKET]
    case_id = await pushed_case(scene)
    recorded = files_of((await add_file(market, case_id, "licence", "a.pdf", PDF)).json, "licence")[0]
    database_lost(joint_files.repository, "replace_case", monkeypatch)
    store_deletes_fail(scene.server, monkeypatch)
    scene.server.check_schemas = False  # an unexpected failure answers an undocumented 500
    assert (await add_file(market, case_id, "licence", "b.pdf", PDF)).status == 500
    scene.server.check_schemas = True
    monkeypatch.undo()
    assert len(await case_keys(scene, case_id)) == 2

    scene.clock.advance(hours=2)
    assert await sweep_orphaned_files(scene.server.deps) == {"deleted_objects": 1, "recorded_files": 0,
                                                             "failed_files": 0}
    keys = await case_keys(scene, case_id)
    assert [key.rsplit("/", 1)[-1].split(".")[0] for key in keys] == [recorded["id"]]
