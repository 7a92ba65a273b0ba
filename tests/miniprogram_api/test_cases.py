"""/mp/v1/cases: drafts, form, my cases, detail, submit (idempotent), resubmit, withdraw, privacy."""

from __future__ import annotations

import re

import pytest

from server.cases.repository import get_case
from server.cases.states import Action
from tests.miniprogram_api.case_factories import (
    GOOD,
    HOUSEHOLD,
    ID_CARD,
    PHOTO,
    citizen,
    draft,
    live_guide,
    officer_acts,
    other_citizen,
    pages_path,
    request_supplement,
    upload,
    upload_ok,
)
from tests.miniprogram_api.factories import wechat_login
from tests.server.open.factories import register_app
from tests.support.server import TestServer

JPEG = (GOOD / "hopper.jpg").read_bytes()
OTHER_JPEG = (GOOD / "flower.jpg").read_bytes()


async def complete_draft(server: TestServer, token: str, guide_id: str) -> dict:
    case = await draft(server, token, guide_id)
    await upload_ok(server, token, case["id"], ID_CARD, JPEG)
    await upload_ok(server, token, case["id"], PHOTO, OTHER_JPEG)
    return case


@pytest.mark.asyncio
async def test_a_draft_needs_real_name_and_a_live_guide(server: TestServer) -> None:
    guide_id = await live_guide(server.deps)
    anonymous = await wechat_login(server, "nobody")
    refused = await server.post("/mp/v1/cases", json={"guide_id": guide_id}, token=anonymous)
    assert (refused.status, refused.error_code) == (403, "real_name_required")
    token = await citizen(server)
    missing = await server.post("/mp/v1/cases", json={"guide_id": "no-such-guide"}, token=token)
    assert (missing.status, missing.error_code) == (404, "guide_not_live")
    unauthenticated = await server.post("/mp/v1/cases", json={"guide_id": guide_id})
    assert unauthenticated.status == 401


@pytest.mark.asyncio
async def test_a_draft_snapshots_the_guide_and_the_applicant(server: TestServer) -> None:
    guide_id = await live_guide(server.deps)
    token = await citizen(server)
    case = await draft(server, token, guide_id, form={"address": "广安区"})
    assert re.fullmatch(r"YW\d{8}\d{5}", case["number"])
    assert (case["state"], case["state_label"]) == ("draft", "草稿")
    assert case["applicant"] == {"name": "张三丰", "id_masked": "1101**********002X", "kind": "natural"}
    assert case["channel"] == "wechat"
    assert case["form"] == {"address": "广安区"}
    assert case["department"]["name"] == "区经信局"
    assert [(slot["slot_id"], slot["name"], slot["requirement"], slot["changeable"]) for slot in case["materials"]] == [
        (ID_CARD, "居民身份证", "required", True), (HOUSEHOLD, "户口簿", "conditional", True),
        (PHOTO, "申请人照片", "required", True)]
    assert case["clocks"]["pre_review"]["started_on"] is None
    assert case["timeline"] == []
    second = await draft(server, token, guide_id)
    assert second["number"] != case["number"]
    stored = await server.deps.db.cases.find_one({"_id": case["id"]})
    assert stored["applicant"]["citizen_id"]
    assert stored["guide"]["id"] == guide_id


@pytest.mark.asyncio
async def test_the_form_is_bounded_and_only_editable_before_submission(server: TestServer) -> None:
    guide_id = await live_guide(server.deps)
    token = await citizen(server)
    case = await complete_draft(server, token, guide_id)
    path = f"/mp/v1/cases/{case['id']}/form"
    current = (await server.get(f"/mp/v1/cases/{case['id']}", token=token)).json
    saved = await server.request("PUT", path, json={"form": {"name": "张三丰", "children": 2},
                                                    "version": current["version"]}, token=token)
    assert saved.status == 200
    assert saved.json["form"] == {"name": "张三丰", "children": 2}
    stale = await server.request("PUT", path, json={"form": {}, "version": current["version"]}, token=token)
    assert (stale.status, stale.error_code) == (409, "case_changed")
    too_big = await server.request("PUT", path, json={"form": {"notes": "字" * 30_000}}, token=token)
    assert (too_big.status, too_big.error_code) == (413, "form_too_large")
    not_object = await server.request("PUT", path, json={"form": ["a"]}, token=token)
    assert not_object.status == 422
    assert (await server.post(f"/mp/v1/cases/{case['id']}/submit", token=token)).status == 200
    locked = await server.request("PUT", path, json={"form": {}}, token=token)
    assert (locked.status, locked.error_code) == (409, "form_locked")


@pytest.mark.asyncio
async def test_submit_needs_every_required_material(server: TestServer) -> None:
    guide_id = await live_guide(server.deps)
    token = await citizen(server)
    case = await draft(server, token, guide_id)
    await upload_ok(server, token, case["id"], ID_CARD, JPEG)
    refused = await server.post(f"/mp/v1/cases/{case['id']}/submit", token=token)
    assert (refused.status, refused.error_code) == (422, "materials_missing")
    assert refused.json["error"]["slots"] == [PHOTO]
    assert "申请人照片" in refused.json["error"]["message"]
    await upload_ok(server, token, case["id"], PHOTO, OTHER_JPEG)
    submitted = await server.post(f"/mp/v1/cases/{case['id']}/submit", token=token)
    assert submitted.status == 200, submitted.body
    assert (submitted.json["state"], submitted.json["state_label"]) == ("submitted", "待预审")
    assert submitted.json["submitted_at"] is not None
    assert submitted.json["due_on"] is not None


@pytest.mark.asyncio
async def test_submit_with_an_idempotency_key_replays_the_first_answer(server: TestServer) -> None:
    guide_id = await live_guide(server.deps)
    token = await citizen(server)
    case = await complete_draft(server, token, guide_id)
    path = f"/mp/v1/cases/{case['id']}/submit"
    first = await server.post(path, token=token, headers={"Idempotency-Key": "tap-1"})
    assert first.status == 200
    await officer_acts(server.deps, case["id"], Action.PASS_PRE_REVIEW)
    again = await server.post(path, token=token, headers={"Idempotency-Key": "tap-1"})
    assert (again.status, again.json) == (200, first.json)
    other_key = await server.post(path, token=token, headers={"Idempotency-Key": "tap-2"})
    assert (other_key.status, other_key.error_code) == (409, "illegal_transition")
    no_key = await server.post(path, token=token)
    assert (no_key.status, no_key.error_code) == (409, "illegal_transition")
    reused = await server.post(f"/mp/v1/cases/{case['id']}/withdraw", json={}, token=token,
                               headers={"Idempotency-Key": "tap-1"})
    assert (reused.status, reused.error_code) == (422, "idempotency_key_reused")
    bad = await server.post(path, token=token, headers={"Idempotency-Key": "a b"})
    assert (bad.status, bad.error_code) == (400, "invalid_idempotency_key")
    history = (await server.get(f"/mp/v1/cases/{case['id']}", token=token)).json["timeline"]
    assert [entry["action"] for entry in history] == ["submit", "pass_pre_review"]


@pytest.mark.asyncio
async def test_a_refused_submit_does_not_use_up_its_key(server: TestServer) -> None:
    guide_id = await live_guide(server.deps)
    token = await citizen(server)
    case = await draft(server, token, guide_id)
    path = f"/mp/v1/cases/{case['id']}/submit"
    refused = await server.post(path, token=token, headers={"Idempotency-Key": "k"})
    assert refused.error_code == "materials_missing"
    await upload_ok(server, token, case["id"], ID_CARD, JPEG)
    await upload_ok(server, token, case["id"], PHOTO, OTHER_JPEG)
    assert (await server.post(path, token=token, headers={"Idempotency-Key": "k"})).status == 200


@pytest.mark.asyncio
async def test_another_citizens_case_does_not_exist_for_me(server: TestServer) -> None:
    guide_id = await live_guide(server.deps)
    alice = await citizen(server)
    bob = await other_citizen(server)
    case = await complete_draft(server, alice, guide_id)
    page = (await server.get(f"/mp/v1/cases/{case['id']}", token=alice)).json["materials"][0]["pages"][0]
    attempts = [
        await server.get(f"/mp/v1/cases/{case['id']}", token=bob),
        await server.request("PUT", f"/mp/v1/cases/{case['id']}/form", json={"form": {}}, token=bob),
        await upload(server, bob, case["id"], ID_CARD, OTHER_JPEG),
        await server.request("DELETE", f"{pages_path(case['id'], ID_CARD)}/{page['id']}", token=bob),
        await server.post(f"/mp/v1/cases/{case['id']}/submit", token=bob),
        await server.post(f"/mp/v1/cases/{case['id']}/withdraw", json={}, token=bob),
        await server.post(f"/mp/v1/cases/{case['id']}/materials/{ID_CARD}/reuse", json={"material_id": "x"},
                          token=bob),
    ]
    assert [(r.status, r.error_code) for r in attempts] == [(404, "case_not_found")] * 6 + [(404, "material_not_found")]
    missing = await server.get("/mp/v1/cases/no-such-case", token=alice)
    assert (missing.status, missing.error_code) == (404, "case_not_found")
    assert (await server.get("/mp/v1/cases", token=bob)).json["total"] == 0
    mine = await server.get(f"/mp/v1/cases/{case['id']}", token=alice)
    assert mine.status == 200
    assert mine.json["state"] == "draft"


@pytest.mark.asyncio
async def test_my_cases_are_paginated_newest_first(server: TestServer) -> None:
    guide_id = await live_guide(server.deps)
    token = await citizen(server)
    numbers = [(await draft(server, token, guide_id))["number"] for _ in range(3)]
    first = await server.get("/mp/v1/cases?limit=2", token=token)
    second = await server.get("/mp/v1/cases?limit=2&offset=2", token=token)
    assert first.json["total"] == 3
    listed = [item["number"] for item in first.json["items"] + second.json["items"]]
    assert sorted(listed) == sorted(numbers)
    assert len(set(listed)) == 3
    assert all("url" not in str(item) for item in first.json["items"])


@pytest.mark.asyncio
async def test_supplement_notice_opens_only_its_slots_then_resubmit(server: TestServer) -> None:
    guide_id = await live_guide(server.deps)
    token = await citizen(server)
    case = await complete_draft(server, token, guide_id)
    assert (await server.post(f"/mp/v1/cases/{case['id']}/submit", token=token)).status == 200
    locked = await upload(server, token, case["id"], PHOTO, (GOOD / "iptc.jpg").read_bytes())
    assert (locked.status, locked.error_code) == (409, "materials_locked")
    await request_supplement(server.deps, case["id"], [PHOTO])
    detail = (await server.get(f"/mp/v1/cases/{case['id']}", token=token)).json
    assert detail["state"] == "supplement_requested"
    assert detail["supplement"]["items"][0]["slot_id"] == PHOTO
    assert detail["clocks"]["pre_review"]["stopped"] is True
    assert {slot["slot_id"]: slot["changeable"] for slot in detail["materials"]} == {
        ID_CARD: False, HOUSEHOLD: False, PHOTO: True}
    outside = await upload(server, token, case["id"], ID_CARD, (GOOD / "iptc.jpg").read_bytes())
    assert (outside.status, outside.error_code) == (409, "materials_locked")
    await upload_ok(server, token, case["id"], PHOTO, (GOOD / "iptc.jpg").read_bytes())
    resubmitted = await server.post(f"/mp/v1/cases/{case['id']}/resubmit", token=token,
                                    headers={"Idempotency-Key": "again"})
    assert resubmitted.status == 200
    assert resubmitted.json["state"] == "submitted"
    detail = (await server.get(f"/mp/v1/cases/{case['id']}", token=token)).json
    assert detail["supplement"] is None
    assert [(e["action"], e["actor"], e["reason"]) for e in detail["timeline"]] == [
        ("submit", "申请人", None), ("request_supplement", "区经信局窗口工作人员", "请补正"),
        ("resubmit", "申请人", None)]
    assert "王小二" not in str(detail)


@pytest.mark.asyncio
async def test_withdraw_before_a_decision_only(server: TestServer) -> None:
    guide_id = await live_guide(server.deps)
    token = await citizen(server)
    case = await complete_draft(server, token, guide_id)
    await server.post(f"/mp/v1/cases/{case['id']}/submit", token=token)
    withdrawn = await server.post(f"/mp/v1/cases/{case['id']}/withdraw", json={"reason": "材料准备有误"}, token=token)
    assert withdrawn.status == 200
    assert withdrawn.json["state"] == "withdrawn"
    detail = (await server.get(f"/mp/v1/cases/{case['id']}", token=token)).json
    assert detail["timeline"][-1]["reason"] == "材料准备有误"
    decided = await complete_draft(server, token, guide_id)
    await server.post(f"/mp/v1/cases/{decided['id']}/submit", token=token)
    for action in (Action.PASS_PRE_REVIEW, Action.ACCEPT):
        await officer_acts(server.deps, decided["id"], action)
    await officer_acts(server.deps, decided["id"], Action.DENY, reason="不符合条件")
    late = await server.post(f"/mp/v1/cases/{decided['id']}/withdraw", json={}, token=token)
    assert (late.status, late.error_code) == (409, "illegal_transition")


@pytest.mark.asyncio
async def test_a_case_started_from_a_platform_belongs_to_it(server: TestServer) -> None:
    guide_id = await live_guide(server.deps)
    token = await citizen(server)
    platform = await register_app(server, "case_progress")
    case = await draft(server, token, guide_id, via_app=platform.app_id)
    stored = await get_case(server.deps.db, case["id"])
    assert stored is not None
    assert stored["open_app_id"] == platform.app_id
    plain = await draft(server, token, guide_id)
    stored = await get_case(server.deps.db, plain["id"])
    assert stored is not None
    assert stored["open_app_id"] is None
    # Only a registered app allowed case progress hears of cases.
    search_only = await register_app(server, "guides")
    for via_app in ("ya-no-such-app", search_only.app_id):
        refused = await server.post("/mp/v1/cases", json={"guide_id": guide_id, "via_app": via_app}, token=token)
        assert (refused.status, refused.error_code) == (422, "unknown_platform"), via_app
