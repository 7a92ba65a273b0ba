"""How many drafts a citizen may hold (MAX_OPEN_DRAFTS), and abandoned drafts ending with their pages
(DRAFT_KEPT_DAYS, the expire_drafts job); withdrawing a draft releases its pages the same way."""

from __future__ import annotations

from typing import Any

import pytest

from server.cases import repository
from server.cases.draft_expiry import JOB_NAME, expire_drafts
from server.cases.file_journal_repo import JOURNAL
from server.cases.states import Action
from server.settings import Settings
from server.worker.registry import registered_jobs
from tests.conftest import StartServer
from tests.miniprogram_api.case_factories import (
    ID_CARD,
    PHOTO,
    citizen,
    draft,
    live_guide,
    officer_acts,
    other_citizen,
    set_verdicts,
    stored_keys,
    upload_ok,
)
from tests.support.server import TestServer, frozen_clock
from tests.uploads.intake.factories import encode, sharp_picture
from uploads.my_materials import material_id, remember_accepted_materials

# The citizen's session outlives the months these tests skip.
LONG_SESSION = 400 * 24 * 3600


def picture(seed: int) -> bytes:
    return encode(sharp_picture((1200, 900), seed=seed), "JPEG", quality=95)


async def submitted_case(server: TestServer, token: str, guide_id: str) -> dict[str, Any]:
    case = await draft(server, token, guide_id)
    await upload_ok(server, token, case["id"], ID_CARD, picture(11))
    await upload_ok(server, token, case["id"], PHOTO, picture(12))
    submitted = await server.post(f"/mp/v1/cases/{case['id']}/submit", token=token)
    assert submitted.status == 200, submitted.body
    return case


async def keys_of(server: TestServer, case_id: str) -> list[str]:
    return await stored_keys(server.deps, f"cases/{case_id}/")


async def state_of(server: TestServer, case_id: str) -> str:
    case = await repository.get_case(server.deps.db, case_id)
    assert case is not None
    return str(case["state"])


async def withdraw(server: TestServer, token: str, case_id: str) -> None:
    response = await server.post(f"/mp/v1/cases/{case_id}/withdraw", json={}, token=token)
    assert response.status == 200, response.body


@pytest.mark.asyncio
async def test_a_citizen_holds_at_most_max_open_drafts(server: TestServer) -> None:
    guide_id = await live_guide(server.deps)
    token = await citizen(server)
    await submitted_case(server, token, guide_id)  # a submitted case is no draft: it does not count
    drafts = [await draft(server, token, guide_id) for _ in range(10)]  # the 10th is still fine

    refused = await server.post("/mp/v1/cases", json={"guide_id": guide_id}, token=token)
    assert refused.status == 409
    error = refused.json["error"]
    assert (error["code"], error["max_drafts"]) == ("too_many_drafts", 10)
    assert "提交或撤回" in error["message"]
    # The cap is the citizen's own.
    await draft(server, token=await other_citizen(server), guide_id=guide_id)

    await withdraw(server, token, drafts[3]["id"])
    await draft(server, token, guide_id)
    assert (await server.post("/mp/v1/cases", json={"guide_id": guide_id}, token=token)).status == 409


@pytest.mark.asyncio
async def test_the_cap_follows_the_setting(start_server: StartServer) -> None:
    server = await start_server(max_open_drafts=1)
    guide_id = await live_guide(server.deps)
    token = await citizen(server)
    await draft(server, token, guide_id)
    refused = await server.post("/mp/v1/cases", json={"guide_id": guide_id}, token=token)
    assert (refused.status, refused.json["error"]["max_drafts"]) == (409, 1)


def test_ten_drafts_kept_for_ninety_days_by_default() -> None:
    assert (Settings.from_env({}).max_open_drafts, Settings.from_env({}).draft_kept_days) == (10, 90)


@pytest.mark.asyncio
async def test_withdrawing_a_draft_deletes_its_uploaded_pages(server: TestServer) -> None:
    guide_id = await live_guide(server.deps)
    token = await citizen(server)
    case = await draft(server, token, guide_id)
    await upload_ok(server, token, case["id"], PHOTO, picture(1))
    assert len(await keys_of(server, case["id"])) == 2  # the photo and its thumbnail

    await withdraw(server, token, case["id"])
    assert await keys_of(server, case["id"]) == []
    detail = (await server.get(f"/mp/v1/cases/{case['id']}", token=token)).json
    assert detail["state"] == "withdrawn"
    assert all(not material["pages"] for material in detail["materials"])
    assert await server.deps.db[JOURNAL].count_documents({}) == 0


@pytest.mark.asyncio
async def test_abandoned_drafts_expire_with_their_pages(start_server: StartServer) -> None:
    clock = frozen_clock()
    server = await start_server(clock=clock, citizen_token_ttl_seconds=LONG_SESSION)
    assert registered_jobs()[JOB_NAME].run is expire_drafts
    guide_id = await live_guide(server.deps)
    token = await citizen(server)
    old = await draft(server, token, guide_id)
    await upload_ok(server, token, old["id"], PHOTO, picture(1))
    submitted = await submitted_case(server, token, guide_id)
    submitted_keys = await keys_of(server, submitted["id"])
    clock.advance(days=89)
    recent = await draft(server, token, guide_id)
    await upload_ok(server, token, recent["id"], PHOTO, picture(2))
    clock.advance(days=1, seconds=1)  # the old draft is now 90 days and a second unchanged

    assert await expire_drafts(server.deps) == {"expired_drafts": 1, "changed_drafts": 0}
    assert await keys_of(server, old["id"]) == []
    assert await server.deps.db[JOURNAL].count_documents({}) == 0
    detail = (await server.get(f"/mp/v1/cases/{old['id']}", token=token)).json
    assert detail["state"] == "withdrawn"
    assert [entry["action"] for entry in detail["timeline"]][-1] == Action.EXPIRE_DRAFT.value
    # The citizen is told (a draft's only message: nothing before it was news).
    progress = (await server.get(f"/mp/v1/cases/{old['id']}/progress", token=token)).json
    assert [(m["kind"], m["title"]) for m in progress["messages"]] == [("draft_expired", "草稿已过期撤回")]
    assert (await state_of(server, recent["id"]), len(await keys_of(server, recent["id"]))) == ("draft", 2)
    assert await state_of(server, submitted["id"]) == "submitted"
    assert await keys_of(server, submitted["id"]) == submitted_keys

    assert await expire_drafts(server.deps) == {"expired_drafts": 0, "changed_drafts": 0}
    clock.advance(days=89)
    assert await expire_drafts(server.deps) == {"expired_drafts": 1, "changed_drafts": 0}
    assert await state_of(server, recent["id"]) == "withdrawn"
    assert await keys_of(server, recent["id"]) == []


@pytest.mark.asyncio
async def test_an_expiring_draft_leaves_the_objects_of_a_reused_material(start_server: StartServer) -> None:
    clock = frozen_clock()
    server = await start_server(clock=clock, citizen_token_ttl_seconds=LONG_SESSION)
    guide_id = await live_guide(server.deps)
    token = await citizen(server)
    accepted = await submitted_case(server, token, guide_id)
    await set_verdicts(server.deps, accepted["id"], "ok")
    await remember_accepted_materials(server.deps,
                                      await officer_acts(server.deps, accepted["id"], Action.PASS_PRE_REVIEW))
    accepted_keys = await keys_of(server, accepted["id"])
    later = await draft(server, token, guide_id)
    reused = await server.post(f"/mp/v1/cases/{later['id']}/materials/{ID_CARD}/reuse",
                               json={"material_id": material_id(accepted["id"], ID_CARD)}, token=token)
    assert reused.status == 200, reused.body
    await upload_ok(server, token, later["id"], PHOTO, picture(3))

    clock.advance(days=91)
    assert await expire_drafts(server.deps) == {"expired_drafts": 1, "changed_drafts": 0}
    assert await keys_of(server, later["id"]) == []
    assert await keys_of(server, accepted["id"]) == accepted_keys
