"""My materials (我的材料): accepted materials become reusable in later applications, by reference."""

from __future__ import annotations

from typing import Any

import pytest

from server.cases import repository
from server.cases.file_journal_repo import JOURNAL, note_file_objects
from server.cases.orphan_files import ORPHAN_GRACE, sweep_orphaned_files
from server.cases.states import Action
from tests.cms.factories import material
from tests.conftest import StartServer
from tests.miniprogram_api.case_factories import (
    GOOD,
    ID_CARD,
    OFFICER,
    PHOTO,
    citizen,
    download,
    draft,
    live_guide,
    officer_acts,
    other_citizen,
    pages_path,
    set_verdicts,
    stored_keys,
    upload_ok,
)
from tests.support.server import TestServer, frozen_clock
from uploads.materials import page_keys
from uploads.my_materials import material_key, remember_accepted_materials

ID_JPEG = (GOOD / "flower.jpg").read_bytes()
PHOTO_JPEG = (GOOD / "iptc.jpg").read_bytes()


async def accepted_case(server: TestServer, token: str, guide_id: str) -> dict[str, Any]:
    """A case whose materials pre-review judged ok, passed and remembered (as the staff side does)."""
    case = await draft(server, token, guide_id)
    await upload_ok(server, token, case["id"], ID_CARD, ID_JPEG)
    await upload_ok(server, token, case["id"], PHOTO, PHOTO_JPEG)
    assert (await server.post(f"/mp/v1/cases/{case['id']}/submit", token=token)).status == 200
    await set_verdicts(server.deps, case["id"], "ok")
    passed = await officer_acts(server.deps, case["id"], Action.PASS_PRE_REVIEW)
    await remember_accepted_materials(server.deps, passed)
    await remember_accepted_materials(server.deps, passed)  # idempotent
    return passed


async def second_guide(server: TestServer) -> str:
    """Another item asking for the same ID card (named slightly differently) and for other things."""
    return await live_guide(server.deps, code="c-second", name="结婚登记", materials=[
        material(" 居民身份证　", accepts_reuse=True),
        material("结婚证", accepts_reuse=True, requirement="conditional"), material("申请人照片")])


async def my_materials(server: TestServer, token: str) -> list[dict[str, Any]]:
    response = await server.get("/mp/v1/me/materials", token=token)
    assert response.status == 200
    return list(response.json["items"])


def test_material_names_compare_without_width_case_spaces_or_punctuation() -> None:
    assert material_key("居民身份证（正反面）") == material_key(" 居民身份证 (正反面) ") == "居民身份证正反面"
    assert material_key("ID Card") == material_key("ｉｄ　ｃａｒｄ")
    assert material_key("户口簿") != material_key("居民身份证")


@pytest.mark.asyncio
async def test_only_materials_judged_ok_become_mine(server: TestServer) -> None:
    token = await citizen(server)
    guide_id = await live_guide(server.deps)
    case = await draft(server, token, guide_id)
    await upload_ok(server, token, case["id"], ID_CARD, ID_JPEG)
    await upload_ok(server, token, case["id"], PHOTO, PHOTO_JPEG)
    await server.post(f"/mp/v1/cases/{case['id']}/submit", token=token)
    stored = await repository.get_case(server.deps.db, case["id"])
    assert stored is not None
    stored["materials"][ID_CARD]["verdict"] = "ok"
    stored["materials"][PHOTO]["verdict"] = "problem"
    stored["version"] += 1
    assert await repository.replace_case(server.deps.db, stored, expected_version=stored["version"] - 1)
    await remember_accepted_materials(server.deps, stored)
    assert [item["name"] for item in await my_materials(server, token)] == ["居民身份证"]


@pytest.mark.asyncio
async def test_an_accepted_material_is_attached_to_a_new_case_by_reference(server: TestServer) -> None:
    token = await citizen(server)
    first = await accepted_case(server, token, await live_guide(server.deps))
    mine = await my_materials(server, token)
    assert sorted(item["name"] for item in mine) == ["居民身份证", "申请人照片"]
    id_card = next(item for item in mine if item["name"] == "居民身份证")
    assert id_card["case_number"] == first["number"]
    assert id_card["guide"]["name"] == "出生登记"
    original_url = id_card["pages"][0]["url"]
    keys_before = await stored_keys(server.deps)

    second = await draft(server, token, await second_guide(server))
    path = f"/mp/v1/cases/{second['id']}/materials/{ID_CARD}/reuse"
    reused = await server.post(path, json={"material_id": id_card["id"]}, token=token)
    assert reused.status == 200, reused.body
    assert reused.json["added"] == 1
    page = reused.json["slot"]["pages"][0]
    assert (page["source"], reused.json["slot"]["source"]) == ("reuse", "reuse")
    assert page["sha256"] == id_card["pages"][0]["sha256"]
    assert await download(page["url"]) == await download(original_url)
    assert await stored_keys(server.deps) == keys_before  # references, not copies
    again = await server.post(path, json={"material_id": id_card["id"]}, token=token)
    assert (again.status, again.json["added"], len(again.json["slot"]["pages"])) == (200, 0, 1)

    await upload_ok(server, token, second["id"], PHOTO, PHOTO_JPEG)
    submitted = await server.post(f"/mp/v1/cases/{second['id']}/submit", token=token)
    assert submitted.status == 200, submitted.body


@pytest.mark.asyncio
async def test_reuse_needs_a_slot_that_allows_it_for_the_same_material(server: TestServer) -> None:
    token = await citizen(server)
    await accepted_case(server, token, await live_guide(server.deps))
    mine = {item["name"]: item["id"] for item in await my_materials(server, token)}
    second = await draft(server, token, await second_guide(server))

    async def reuse(slot_id: str, material_id: str) -> tuple[int, str | None]:
        response = await server.post(f"/mp/v1/cases/{second['id']}/materials/{slot_id}/reuse",
                                     json={"material_id": material_id}, token=token)
        return response.status, response.error_code

    assert await reuse(PHOTO, mine["申请人照片"]) == (422, "reuse_not_allowed")
    assert await reuse("m2", mine["居民身份证"]) == (422, "material_kind_mismatch")
    assert await reuse(ID_CARD, "no-such-material") == (404, "material_not_found")
    assert await reuse("m9", mine["居民身份证"]) == (404, "material_slot_not_found")
    bob = await other_citizen(server)
    assert await my_materials(server, bob) == []
    bobs_case = await draft(server, bob, await second_guide(server))
    stolen = await server.post(f"/mp/v1/cases/{bobs_case['id']}/materials/{ID_CARD}/reuse",
                               json={"material_id": mine["居民身份证"]}, token=bob)
    assert (stolen.status, stolen.error_code) == (404, "material_not_found")


@pytest.mark.asyncio
async def test_removing_a_reused_page_keeps_the_original(server: TestServer) -> None:
    token = await citizen(server)
    await accepted_case(server, token, await live_guide(server.deps))
    id_card = next(item for item in await my_materials(server, token) if item["name"] == "居民身份证")
    second = await draft(server, token, await second_guide(server))
    reused = await server.post(f"/mp/v1/cases/{second['id']}/materials/{ID_CARD}/reuse",
                               json={"material_id": id_card["id"]}, token=token)
    page_id = reused.json["slot"]["pages"][0]["id"]
    keys = await stored_keys(server.deps)
    removed = await server.request("DELETE", f"{pages_path(second['id'], ID_CARD)}/{page_id}", token=token)
    assert removed.status == 204
    assert await stored_keys(server.deps) == keys
    assert await download(id_card["pages"][0]["url"])


async def returned_for(server: TestServer, case_id: str, slot_id: str) -> None:
    """What a joint step's return leaves (joint.return_step): in process, then back for a supplement of ``slot_id``."""
    await officer_acts(server.deps, case_id, Action.ACCEPT)
    await officer_acts(server.deps, case_id, Action.START_PROCESSING)
    notice = {"round": 1, "items": [{"slot_id": slot_id, "name": "居民身份证", "reason": "复印件不清晰"}],
              "note": None, "requested_at": server.deps.clock.now(), "requested_by": OFFICER.to_doc()}
    returned = await officer_acts(server.deps, case_id, Action.STEP_RETURN, reason="请补正",
                                  changes={"supplement": notice})
    assert returned["state"] == "supplement_requested"


async def journal_entries(server: TestServer) -> list[dict[str, Any]]:
    return [entry async for entry in server.deps.db[JOURNAL].find({})]


@pytest.mark.asyncio
async def test_removing_a_remembered_page_from_its_own_case_keeps_its_objects(server: TestServer) -> None:
    token = await citizen(server)
    first = await accepted_case(server, token, await live_guide(server.deps))
    id_card = next(item for item in await my_materials(server, token) if item["name"] == "居民身份证")
    second = await draft(server, token, await second_guide(server))
    reused = await server.post(f"/mp/v1/cases/{second['id']}/materials/{ID_CARD}/reuse",
                               json={"material_id": id_card["id"]}, token=token)
    assert reused.status == 200, reused.body
    original = first["materials"][ID_CARD]["files"][0]
    content = await download(reused.json["slot"]["pages"][0]["url"])

    await returned_for(server, first["_id"], ID_CARD)
    removed = await server.request("DELETE", f"{pages_path(first['_id'], ID_CARD)}/{original['id']}", token=token)
    assert removed.status == 204, removed.body
    assert set(page_keys(original)) <= set(await stored_keys(server.deps))
    assert await journal_entries(server) == []  # nothing for the sweep to delete

    # The later case's page still downloads, and the material still attaches to a new application.
    detail = (await server.get(f"/mp/v1/cases/{second['id']}", token=token)).json
    reused_page = next(slot for slot in detail["materials"] if slot["slot_id"] == ID_CARD)["pages"][0]
    assert await download(reused_page["url"]) == content
    assert [item["id"] for item in await my_materials(server, token)].count(id_card["id"]) == 1
    third = await draft(server, token, await second_guide(server))
    again = await server.post(f"/mp/v1/cases/{third['id']}/materials/{ID_CARD}/reuse",
                              json={"material_id": id_card["id"]}, token=token)
    assert (again.status, again.json["added"]) == (200, 1)
    assert await download(again.json["slot"]["pages"][0]["url"]) == content


@pytest.mark.asyncio
async def test_a_supplement_page_nobody_else_points_at_is_deleted_with_its_removal(server: TestServer) -> None:
    token = await citizen(server)
    first = await accepted_case(server, token, await live_guide(server.deps))
    await returned_for(server, first["_id"], ID_CARD)
    keys = await stored_keys(server.deps)
    # Uploaded for the supplement, after the material was remembered: in no my-material, so its objects go.
    page = await upload_ok(server, token, first["_id"], ID_CARD, PHOTO_JPEG)
    assert len(await stored_keys(server.deps)) == len(keys) + 2
    removed = await server.request("DELETE", f"{pages_path(first['_id'], ID_CARD)}/{page['id']}", token=token)
    assert removed.status == 204, removed.body
    assert await stored_keys(server.deps) == keys
    assert await journal_entries(server) == []


@pytest.mark.asyncio
async def test_a_stale_journal_entry_cannot_sweep_away_remembered_objects(start_server: StartServer) -> None:
    clock = frozen_clock()
    server = await start_server(clock=clock)
    token = await citizen(server)
    first = await accepted_case(server, token, await live_guide(server.deps))
    original = first["materials"][ID_CARD]["files"][0]
    id_card = next(item for item in await my_materials(server, token) if item["name"] == "居民身份证")
    content = await download(id_card["pages"][0]["url"])
    # What an upload leaves in the journal when clearing its entry failed after the page was recorded.
    await note_file_objects(server.deps.db, original["id"], first["_id"], {"slot_id": ID_CARD},
                            page_keys(original), clock.now())
    await returned_for(server, first["_id"], ID_CARD)
    removed = await server.request("DELETE", f"{pages_path(first['_id'], ID_CARD)}/{original['id']}", token=token)
    assert removed.status == 204, removed.body

    clock.advance(seconds=ORPHAN_GRACE.total_seconds() * 2)
    assert await sweep_orphaned_files(server.deps) == {"deleted_objects": 0, "recorded_files": 0, "failed_files": 0}
    assert set(page_keys(original)) <= set(await stored_keys(server.deps))
    id_card = next(item for item in await my_materials(server, token) if item["name"] == "居民身份证")
    assert await download(id_card["pages"][0]["url"]) == content
