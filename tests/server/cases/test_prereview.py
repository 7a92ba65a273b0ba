"""Pre-review through HTTP: the queue, claims, verdicts, one supplement notice, the pass, signed pages."""

from __future__ import annotations

import asyncio

import pytest
import tornado.httpclient

from server.cases import repository
from server.cases.model import new_case, new_case_id
from server.cases.supervision import flag_case_warnings
from server.clock import FrozenClock
from tests.cms.factories import OTHER_DEPARTMENT_ID
from tests.conftest import StartServer
from tests.server.cases.staff_factories import (
    LONG_SESSIONS,
    china_morning,
    officer,
    prepare,
    publish_guide,
    real_name_citizen,
    required_slots,
    submitted_case,
    verdict,
)
from tests.support.server import TestServer
from uploads.my_materials import my_materials

ID_NUMBER = "11010519491231002X"


async def started(start_server: StartServer) -> TestServer:
    server = await start_server(clock=FrozenClock(china_morning(2026, 11, 16)), **LONG_SESSIONS)
    await prepare(server)
    return server


@pytest.mark.asyncio
async def test_the_queue_shows_own_departments_by_deadline_and_filters(start_server: StartServer) -> None:
    server = await started(start_server)
    clock = server.clock
    assert isinstance(clock, FrozenClock)
    guide = await publish_guide(server)
    other_guide = await publish_guide(server, name="另一事项")
    foreign_guide = await publish_guide(server, department_id=OTHER_DEPARTMENT_ID, name="他部门事项")
    later = await submitted_case(server, guide)
    clock.set(china_morning(2026, 11, 13))  # submitted earlier: due earlier
    earlier = await submitted_case(server, other_guide)
    await submitted_case(server, foreign_guide)
    clock.set(china_morning(2026, 11, 16))
    alice = await officer(server, "alice")

    queue = (await alice.get("/staff/v1/cases")).json
    assert [item["id"] for item in queue["items"]] == [earlier["_id"], later["_id"]]
    assert queue["total"] == 2
    assert [item["due_on"] for item in queue["items"]] == ["2026-11-20", "2026-11-23"]
    first = queue["items"][0]
    assert first["applicant"] == {"name": "张*丰", "id_number": "1101**********002X", "mobile": None}
    assert first["joint"] is False
    assert first["state"] == "submitted"
    assert first["warning_level"] == "none"

    by_item = (await alice.get(f"/staff/v1/cases?guide_id={guide['id']}")).json
    assert [item["id"] for item in by_item["items"]] == [later["_id"]]
    assert (await alice.get("/staff/v1/cases?state=accepted")).json["total"] == 0
    # 18 Nov: the earlier case has 2 working days left (预警), the later one 3; the flag job keeps the
    # stored level current.
    clock.set(china_morning(2026, 11, 18))
    await flag_case_warnings(server.deps)
    warned = (await alice.get("/staff/v1/cases?warning=warning,yellow,red")).json
    assert [item["id"] for item in warned["items"]] == [earlier["_id"]]
    assert warned["items"][0]["warning_label"] == "预警"

    outsider = await officer(server, "olga", departments=(OTHER_DEPARTMENT_ID,))
    assert (await outsider.get("/staff/v1/cases")).json["total"] == 1
    editor = await officer(server, "eddie", roles=("editor",), departments=())
    assert (await editor.get("/staff/v1/cases")).status == 403


@pytest.mark.asyncio
async def test_claims_are_exclusive_expire_and_extend(start_server: StartServer) -> None:
    server = await started(start_server)
    clock = server.clock
    assert isinstance(clock, FrozenClock)
    case = await submitted_case(server, await publish_guide(server))
    alice, bob = await officer(server, "alice"), await officer(server, "bob")
    path = f"/staff/v1/cases/{case['_id']}/claim"

    first = await alice.post(path)
    assert first.status == 200
    assert first.json["name"] == "alice"
    refused = await bob.post(path)
    assert refused.status == 409
    assert refused.error_code == "case_claimed"
    assert refused.json["error"]["holder"] == "alice"
    assert (await bob.request("DELETE", path)).error_code == "case_claimed"

    clock.advance(minutes=10)
    extended = await alice.post(path)
    assert extended.json["until"] > first.json["until"]
    detail = await bob.get(f"/staff/v1/cases/{case['_id']}")
    assert detail.json["claim"]["name"] == "alice"

    clock.advance(minutes=16)  # alice's claim has expired: bob takes it over
    assert (await bob.post(path)).status == 200
    assert (await alice.post(path)).error_code == "case_claimed"
    assert (await bob.request("DELETE", path)).status == 204
    assert (await bob.request("DELETE", path)).status == 204  # idempotent
    assert (await alice.post(path)).status == 200


@pytest.mark.asyncio
async def test_verdicts_need_the_claim_and_a_reason_for_problems(start_server: StartServer) -> None:
    server = await started(start_server)
    guide = await publish_guide(server)
    case = await submitted_case(server, guide)
    first, second = required_slots(guide)
    alice, bob = await officer(server, "alice"), await officer(server, "bob")

    assert (await verdict(alice, case["_id"], first, "ok")).error_code == "claim_required"
    await alice.post(f"/staff/v1/cases/{case['_id']}/claim")
    assert (await verdict(bob, case["_id"], first, "ok")).error_code == "case_claimed"
    assert (await verdict(alice, case["_id"], first, "problem")).error_code == "reason_required"
    assert (await verdict(alice, case["_id"], first, "problem", "  ")).error_code == "reason_required"
    assert (await verdict(alice, case["_id"], "no-such-slot", "ok")).status == 404

    judged = await verdict(alice, case["_id"], second, "problem", "营业执照已过期")
    assert judged.status == 200
    stale = await alice.request("PUT", f"/staff/v1/cases/{case['_id']}/materials/{first}/verdict",
                                json={"verdict": "ok", "version": judged.json["version"] - 1})
    assert stale.status == 409
    assert stale.error_code == "case_changed"
    detail = (await alice.get(f"/staff/v1/cases/{case['_id']}")).json
    slot = next(m for m in detail["materials"] if m["slot_id"] == second)
    assert (slot["verdict"], slot["verdict_reason"], slot["verdict_by"]["name"]) == ("problem", "营业执照已过期",
                                                                                     "alice")


@pytest.mark.asyncio
async def test_one_supplement_notice_lists_every_problem_and_missing_material(start_server: StartServer) -> None:
    server = await started(start_server)
    guide = await publish_guide(server)
    form_slot, licence_slot = required_slots(guide)
    proxy_slot = guide["materials"][2]["id"]
    # The licence was never uploaded; the conditional power of attorney was, with a problem.
    case = await submitted_case(server, guide, pages={form_slot: 2, proxy_slot: 1})
    alice = await officer(server, "alice")
    await alice.post(f"/staff/v1/cases/{case['_id']}/claim")
    base = f"/staff/v1/cases/{case['_id']}"

    await verdict(alice, case["_id"], form_slot, "ok")
    assert (await alice.post(f"{base}/pass", json={"originals_check": "none"})).json["error"] == {
        "code": "pre_review_incomplete", "message": "材料尚未全部审核通过，不能通过预审", "unreviewed": [proxy_slot],
        "problems": [], "missing": [licence_slot]}
    await verdict(alice, case["_id"], proxy_slot, "problem", "未签名")

    response = await alice.post(f"{base}/supplement", json={"note": "请一次补齐"})
    assert response.status == 200
    after = response.json
    assert after["state"] == "supplement_requested"
    assert after["clock_stopped"] is True
    assert after["claim"] is None
    assert after["supplement"]["items"] == [
        {"slot_id": licence_slot, "name": "营业执照", "reason": "未提交该材料"},
        {"slot_id": proxy_slot, "name": "授权委托书", "reason": "未签名"},
    ]
    assert after["supplement"]["round"] == 1
    entry = after["history"][-1]
    assert (entry["action"], entry["from"], entry["to"], entry["actor"]["name"]) == (
        "request_supplement", "submitted", "supplement_requested", "alice")
    assert entry["reason"] == "请补正以下材料：\n1. 营业执照：未提交该材料\n2. 授权委托书：未签名\n请一次补齐"
    assert entry["data"]["items"] == after["supplement"]["items"]
    # Out of pre-review now: no claims, no verdicts, no second notice.
    assert (await alice.post(f"{base}/claim")).error_code == "not_in_pre_review"
    assert (await alice.post(f"{base}/supplement", json={})).error_code == "not_in_pre_review"


@pytest.mark.asyncio
async def test_a_supplement_without_problems_is_refused_and_a_clean_case_passes(start_server: StartServer) -> None:
    server = await started(start_server)
    guide = await publish_guide(server)
    case = await submitted_case(server, guide)
    alice = await officer(server, "alice")
    base = f"/staff/v1/cases/{case['_id']}"
    assert (await alice.post(f"{base}/pass", json={"originals_check": "none"})).error_code == "claim_required"
    await alice.post(f"{base}/claim")
    for slot_id in required_slots(guide):
        await verdict(alice, case["_id"], slot_id, "ok")
    refused = await alice.post(f"{base}/supplement", json={})
    assert refused.status == 422
    assert refused.error_code == "nothing_to_supplement"
    assert (await alice.post(f"{base}/pass", json={"originals_check": "sometimes"})).status == 422

    passed = await alice.post(f"{base}/pass", json={"originals_check": "one_visit"})
    assert passed.status == 200, passed.body
    assert passed.json["state"] == "pre_review_passed"
    assert passed.json["originals_check"] == "one_visit"
    assert passed.json["history"][-1]["data"] == {"originals_check": "one_visit"}
    assert passed.json["due_on"] is None  # pre-review clock finished, completion not started
    # The accepted materials become reusable by the applicant (我的材料).
    remembered, total = await my_materials(server.deps, case["applicant"]["citizen_id"], offset=0, limit=10)
    assert total == 2
    assert {m["slot_id"] for m in remembered} == set(required_slots(guide))


@pytest.mark.asyncio
async def test_the_detail_reveals_personal_data_and_signs_pages(start_server: StartServer) -> None:
    server = await started(start_server)
    clock = server.clock
    assert isinstance(clock, FrozenClock)
    _, citizen_id = await real_name_citizen(server, "detail-user", id_number=ID_NUMBER)
    guide = await publish_guide(server)
    form_slot = required_slots(guide)[0]
    case = await submitted_case(server, guide, citizen_id=citizen_id, pages={form_slot: 2,
                                                                           required_slots(guide)[1]: 1})
    alice = await officer(server, "alice")

    detail = (await alice.get(f"/staff/v1/cases/{case['_id']}")).json
    assert detail["applicant"] == {"name": "张三丰", "id_number": ID_NUMBER, "mobile": "13812345678"}
    assert detail["clocks"]["pre_review"]["due_on"] == "2026-11-23"
    assert detail["clocks"]["pre_review"]["days_left"] == 5
    pages = next(m for m in detail["materials"] if m["slot_id"] == form_slot)["pages"]
    assert [p["file_name"] for p in pages] == ["第1页.pdf", "第2页.pdf"]
    client = tornado.httpclient.AsyncHTTPClient()
    downloaded = await client.fetch(pages[0]["url"], raise_error=False)
    assert downloaded.code == 200
    assert downloaded.body.startswith(b"%PDF")
    # The key alone opens nothing; the link dies after its lifetime.
    unsigned = await client.fetch(pages[0]["url"].split("?")[0], raise_error=False)
    assert unsigned.code in (403, 404)
    clock.advance(seconds=server.settings.signed_url_ttl_seconds + 1)
    assert (await client.fetch(pages[0]["url"], raise_error=False)).code in (403, 410)
    fresh = (await alice.get(f"/staff/v1/cases/{case['_id']}/materials/{form_slot}")).json
    assert (await client.fetch(fresh["pages"][1]["url"], raise_error=False)).code == 200


@pytest.mark.asyncio
async def test_officers_of_another_department_get_404_everywhere(start_server: StartServer) -> None:
    server = await started(start_server)
    guide = await publish_guide(server)
    case = await submitted_case(server, guide)
    outsider = await officer(server, "olga", departments=(OTHER_DEPARTMENT_ID,))
    base = f"/staff/v1/cases/{case['_id']}"
    slot = required_slots(guide)[0]
    for method, path, body in [
        ("GET", base, None), ("GET", f"{base}/materials/{slot}", None), ("POST", f"{base}/claim", None),
        ("DELETE", f"{base}/claim", None), ("PUT", f"{base}/materials/{slot}/verdict", {"verdict": "ok"}),
        ("POST", f"{base}/supplement", {}), ("POST", f"{base}/pass", {"originals_check": "none"}),
        ("POST", f"{base}/not-accept", {"reason": "不符合条件"}), ("POST", f"{base}/accept", None),
    ]:
        response = await outsider.request(method, path, json=body)
        assert (response.status, response.error_code) == (404, "case_not_found"), (method, path)
    assert (await outsider.get("/staff/v1/cases/no-such-case")).error_code == "case_not_found"


@pytest.mark.asyncio
async def test_of_two_simultaneous_claims_exactly_one_wins(start_server: StartServer) -> None:
    server = await started(start_server)
    case = await submitted_case(server, await publish_guide(server))
    officers = [await officer(server, name) for name in ("alice", "bob", "carol")]
    answers = await asyncio.gather(*(o.post(f"/staff/v1/cases/{case['_id']}/claim") for o in officers))
    assert sorted(a.status for a in answers) == [200, 409, 409]
    winner = next(a.json["name"] for a in answers if a.status == 200)
    assert {a.json["error"]["holder"] for a in answers if a.status == 409} == {winner}


@pytest.mark.asyncio
async def test_drafts_are_nobodys_business_but_the_applicants(start_server: StartServer) -> None:
    server = await started(start_server)
    guide = await publish_guide(server)
    now = server.deps.clock.now()
    draft = new_case(case_id=new_case_id(), number="YW2026111699999", guide=guide, channel="wechat", form={},
                     applicant={"citizen_id": "c-x", "name": "李四", "id_masked": "4405**********0014",
                                "kind": "natural"}, now=now)
    await repository.insert_case(server.deps.db, draft)
    alice = await officer(server, "alice")
    assert (await alice.get(f"/staff/v1/cases/{draft['_id']}")).error_code == "case_not_found"
    assert (await alice.get("/staff/v1/cases?state=submitted,supplement_requested")).json["total"] == 0
    assert (await alice.get("/staff/v1/cases?state=draft")).status == 400
