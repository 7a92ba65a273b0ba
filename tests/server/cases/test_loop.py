"""The whole loop through HTTP, from a citizen's draft to a delivered result, on a frozen clock.

Submitted on Tuesday 29 September 2026, just before the National Day holiday (1–7 October, with Saturday
10 October worked): the 5-working-day pre-review deadline skips the holiday; the supplement round and
later an expert review stop the clocks, and each deadline moves by exactly the working days stopped.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from server.cases.supervision import flag_case_warnings
from server.clock import FrozenClock
from tests.cms.factories import OTHER_DEPARTMENT_ID
from tests.conftest import StartServer
from tests.miniprogram_api.case_factories import GOOD, citizen, draft, other_citizen, upload_ok
from tests.server.cases.staff_factories import (
    LONG_SESSIONS,
    china_morning,
    officer,
    prepare,
    publish_guide,
    verdict,
)
from tests.support.server import TestServer


def at(day: datetime) -> str:
    return day.isoformat()


async def history(browser: Any, case_id: str) -> list[tuple[Any, ...]]:
    detail = (await browser.get(f"/staff/v1/cases/{case_id}")).json
    return [(e["action"], e["from"], e["to"], e["actor"]["name"], e["reason"], e["at"]) for e in detail["history"]]


@pytest.mark.asyncio
async def test_from_draft_to_delivered_with_a_supplement_round_and_stopped_clocks(start_server: StartServer) -> None:
    clock = FrozenClock(china_morning(2026, 9, 29))
    server: TestServer = await start_server(clock=clock, **LONG_SESSIONS)
    await prepare(server)
    guide = await publish_guide(server, promised_days=10)
    form_slot, licence_slot = (m["id"] for m in guide["materials"][:2])
    alice = await officer(server, "alice")
    bob = await officer(server, "bob")
    outsider = await officer(server, "olga", departments=(OTHER_DEPARTMENT_ID,))

    # --- the citizen applies and submits on Tuesday 29 September
    token = await citizen(server, "applicant")
    case_id = (await draft(server, token, guide["id"], form={"项目名称": "光伏项目"}))["id"]
    await upload_ok(server, token, case_id, form_slot, (GOOD / "hopper.jpg").read_bytes())
    await upload_ok(server, token, case_id, licence_slot, (GOOD / "flower.jpg").read_bytes())
    submitted = await server.post(f"/mp/v1/cases/{case_id}/submit", token=token,
                                  headers={"Idempotency-Key": "submit-1"})
    assert submitted.status == 200, submitted.body
    # 30 September, then 8, 9, 10 (make-up Saturday) and 12 October.
    assert submitted.json["due_on"] == "2026-10-12"
    submitted_at = clock.now()

    # Nobody else sees it: another department's officer, another citizen.
    base = f"/staff/v1/cases/{case_id}"
    for method, path in [("GET", base), ("POST", f"{base}/claim"), ("POST", f"{base}/accept")]:
        assert (await outsider.request(method, path)).status == 404
    assert (await server.get(f"/mp/v1/cases/{case_id}", token=await other_citizen(server))).status == 404
    queue = (await alice.get("/staff/v1/cases")).json
    assert [(item["id"], item["due_on"]) for item in queue["items"]] == [(case_id, "2026-10-12")]

    # --- Wednesday 30 September: pre-review finds a problem; one notice; the clock stops
    clock.set(china_morning(2026, 9, 30))
    assert (await alice.post(f"{base}/claim")).status == 200
    taken = await bob.post(f"{base}/claim")
    assert (taken.status, taken.error_code, taken.json["error"]["holder"]) == (409, "case_claimed", "alice")
    assert (await verdict(bob, case_id, form_slot, "ok")).error_code == "case_claimed"
    detail = (await alice.get(base)).json
    assert detail["applicant"]["id_number"] == "11010519491231002X"
    assert all(len(m["pages"]) == 1 for m in detail["materials"][:2])
    assert (await verdict(alice, case_id, form_slot, "ok")).status == 200
    assert (await verdict(alice, case_id, licence_slot, "problem", "营业执照照片模糊，无法辨认")).status == 200
    notice = await alice.post(f"{base}/supplement", json={"note": "请于十个工作日内补正"})
    assert notice.status == 200, notice.body
    assert notice.json["supplement"]["items"] == [
        {"slot_id": licence_slot, "name": "营业执照", "reason": "营业执照照片模糊，无法辨认"}]
    assert notice.json["clock_stopped"] is True
    supplement_at = clock.now()

    # --- the holiday passes; the citizen supplements on Friday 9 October
    clock.set(china_morning(2026, 10, 9))
    mine = (await server.get(f"/mp/v1/cases/{case_id}", token=token)).json
    assert mine["supplement"]["items"][0]["reason"] == "营业执照照片模糊，无法辨认"
    await upload_ok(server, token, case_id, licence_slot, (GOOD / "hopper_orientation_6.jpg").read_bytes())
    resubmitted = await server.post(f"/mp/v1/cases/{case_id}/resubmit", token=token,
                                    headers={"Idempotency-Key": "resubmit-1"})
    assert resubmitted.status == 200, resubmitted.body
    # Stopped 30 Sep → 9 Oct: 2 working days (8 and 9 October), so 12 October becomes 14 October.
    assert resubmitted.json["due_on"] == "2026-10-14"
    resubmitted_at = clock.now()

    # --- Monday 12 October: re-review, pass, accept
    clock.set(china_morning(2026, 10, 12))
    assert (await alice.post(f"{base}/claim")).status == 200
    reviewed = (await alice.get(base)).json
    # The supplemented material's pages changed, so its verdict is gone: it needs a new look.
    assert [(m["verdict"], m["verdict_by"]) for m in reviewed["materials"][:2]] == [
        ("ok", {"kind": "staff", "id": reviewed["materials"][0]["verdict_by"]["id"], "name": "alice"}), (None, None)]
    assert len(reviewed["materials"][1]["pages"]) == 2
    gaps = await alice.post(f"{base}/pass", json={"originals_check": "by_mail"})
    assert (gaps.error_code, gaps.json["error"]["unreviewed"]) == ("pre_review_incomplete", [licence_slot])
    assert (await verdict(alice, case_id, licence_slot, "ok")).status == 200
    assert (await alice.post(f"{base}/pass", json={"originals_check": "by_mail"})).status == 200
    accepted = (await alice.post(f"{base}/accept")).json
    # 10 working days from 12 October: 13–16, 19–23, 26 October.
    assert (accepted["acceptance"]["promised_on"], accepted["due_on"]) == ("2026-10-26", "2026-10-26")
    assert accepted["acceptance"]["document_no"] == "受字〔2026〕第00001号"

    # --- processing with an expert review from Tuesday 13 to Friday 16 October (3 working days stopped)
    assert (await alice.post(f"{base}/start")).status == 200
    assert (await alice.post(f"{base}/steps", json={"name": "审查", "action": "pass", "opinion": "同意"})).status \
        == 200
    clock.set(china_morning(2026, 10, 13))
    suspended = (await alice.post(f"{base}/suspend", json={"kind": "expert_review", "reason": "组织专家评审"})).json
    assert (suspended["state"], suspended["clock_stopped"]) == ("suspended", True)
    clock.set(china_morning(2026, 10, 16))
    resumed = (await alice.post(f"{base}/resume")).json
    assert (resumed["due_on"], resumed["clock_stopped"]) == ("2026-10-29", False)

    # --- supervision: 预警 two working days before, 黄牌 on the day, 红牌 after; once each
    for day, expected in [(26, []), (27, ["warning"]), (28, ["warning"]), (29, ["warning", "yellow"]),
                          (30, ["warning", "yellow", "red"])]:
        clock.set(china_morning(2026, 10, day))
        await flag_case_warnings(server.deps)
        await flag_case_warnings(server.deps)
        flagged = [e for e in (await alice.get(base)).json["history"] if e["action"] == "flag_warning"]
        assert [e["data"]["level"] for e in flagged] == expected, day
    assert [item["id"] for item in (await alice.get("/staff/v1/cases?state=in_process&warning=red")).json["items"]] \
        == [case_id]

    # --- Friday 30 October: approve (late) and deliver by express
    approved = (await alice.post(f"{base}/approve", json={"result_name": "企业投资项目备案证明",
                                                          "licence_no": "川投资备〔2026〕0099号"})).json
    assert approved["decision"]["licence_no"] == "川投资备〔2026〕0099号"
    assert (await alice.post(f"{base}/deliver", json={"method": "express"})).error_code == "waybill_required"
    delivered = (await alice.post(f"{base}/deliver", json={"method": "express", "waybill_no": "SF1234567890",
                                                           "carrier": "顺丰速运"})).json
    assert delivered["state"] == "delivered"
    assert delivered["delivery"]["waybill_no"] == "SF1234567890"
    assert (await server.get(f"/mp/v1/cases/{case_id}", token=token)).json["state"] == "delivered"

    # --- the record: who, when, from, to, why
    assert await history(alice, case_id) == [
        ("submit", "draft", "submitted", "张三丰", None, at(submitted_at)),
        ("request_supplement", "submitted", "supplement_requested", "alice",
         "请补正以下材料：\n1. 营业执照：营业执照照片模糊，无法辨认\n请于十个工作日内补正", at(supplement_at)),
        ("resubmit", "supplement_requested", "submitted", "张三丰", None, at(resubmitted_at)),
        ("pass_pre_review", "submitted", "pre_review_passed", "alice", None, at(china_morning(2026, 10, 12))),
        ("accept", "pre_review_passed", "accepted", "alice", None, at(china_morning(2026, 10, 12))),
        ("start_processing", "accepted", "in_process", "alice", None, at(china_morning(2026, 10, 12))),
        ("record_step", "in_process", "in_process", "alice", "同意", at(china_morning(2026, 10, 12))),
        ("suspend", "in_process", "suspended", "alice", "组织专家评审", at(china_morning(2026, 10, 13))),
        ("resume", "suspended", "in_process", "alice", None, at(china_morning(2026, 10, 16))),
        ("flag_warning", "in_process", "in_process", "flag_case_warnings", "预警", at(china_morning(2026, 10, 27))),
        ("flag_warning", "in_process", "in_process", "flag_case_warnings", "黄牌", at(china_morning(2026, 10, 29))),
        ("flag_warning", "in_process", "in_process", "flag_case_warnings", "红牌", at(china_morning(2026, 10, 30))),
        ("approve", "in_process", "approved", "alice", None, at(china_morning(2026, 10, 30))),
        ("deliver", "approved", "delivered", "alice", None, at(china_morning(2026, 10, 30))),
    ]
