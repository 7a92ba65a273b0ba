"""After pre-review, through HTTP: acceptance, refusal, steps, special procedures, decisions, delivery."""

from __future__ import annotations

import pytest

from server.clock import FrozenClock
from tests.conftest import StartServer
from tests.server.cases.staff_factories import (
    china_morning,
    officer,
    passed_case,
    publish_guide,
    started_on_monday,
    submitted_case,
)
from tests.support.server import TestServer


async def started(start_server: StartServer) -> TestServer:
    return await started_on_monday(start_server)


@pytest.mark.asyncio
async def test_acceptance_issues_a_numbered_notice_and_the_promised_day(start_server: StartServer) -> None:
    server = await started(start_server)
    guide = await publish_guide(server, promised_days=10)
    alice = await officer(server, "alice")
    first, second = await passed_case(server, alice, guide), await passed_case(server, alice, guide)

    accepted = await alice.post(f"/staff/v1/cases/{first['id']}/accept")
    assert accepted.status == 200, accepted.body
    acceptance = accepted.json["acceptance"]
    # Monday 16 Nov + 10 working days.
    assert acceptance | {"at": None} == {
        "accepted": True, "unit": "区经信局", "officer": "alice", "at": None,
        "document_no": "受字〔2026〕第00001号", "promised_on": "2026-11-30", "reason": None,
        "deemed_accepted_on": None}
    assert accepted.json["due_on"] == "2026-11-30"
    assert accepted.json["history"][-1]["data"] == {"document_no": "受字〔2026〕第00001号", "promised_on": "2026-11-30",
                                                    "deemed_accepted_on": None}

    again = await alice.post(f"/staff/v1/cases/{first['id']}/accept")
    assert (again.status, again.error_code, again.json["error"]["state"]) == (409, "illegal_transition", "accepted")
    # A refused attempt draws no number: the next acceptance is number 2.
    numbered = (await alice.post(f"/staff/v1/cases/{second['id']}/accept")).json["acceptance"]
    assert numbered["document_no"] == "受字〔2026〕第00002号"


@pytest.mark.asyncio
async def test_not_accepting_needs_a_reason_and_during_pre_review_the_claim(start_server: StartServer) -> None:
    server = await started(start_server)
    guide = await publish_guide(server)
    case = await submitted_case(server, guide)
    alice = await officer(server, "alice")
    path = f"/staff/v1/cases/{case['_id']}/not-accept"

    assert (await alice.post(path, json={"reason": "不属于本部门职权"})).error_code == "claim_required"
    await alice.post(f"/staff/v1/cases/{case['_id']}/claim")
    assert (await alice.post(path, json={"reason": "   "})).status == 422
    refused = await alice.post(path, json={"reason": "不属于本部门职权"})
    assert refused.status == 200, refused.body
    assert refused.json["state"] == "not_accepted"
    assert refused.json["acceptance"]["accepted"] is False
    assert refused.json["acceptance"]["document_no"] == "不受字〔2026〕第00001号"
    assert refused.json["acceptance"]["reason"] == "不属于本部门职权"
    assert refused.json["due_on"] is None
    entry = refused.json["history"][-1]
    assert (entry["from"], entry["to"], entry["reason"]) == ("submitted", "not_accepted", "不属于本部门职权")


@pytest.mark.asyncio
async def test_steps_special_procedure_approval_delivery_and_archive(start_server: StartServer) -> None:
    server = await started(start_server)
    clock = server.clock
    assert isinstance(clock, FrozenClock)
    guide = await publish_guide(server, promised_days=10)
    alice = await officer(server, "alice")
    case = await passed_case(server, alice, guide)
    base = f"/staff/v1/cases/{case['id']}"
    await alice.post(f"{base}/accept")
    assert (await alice.post(f"{base}/steps", json={"name": "审查", "action": "pass"})).error_code == \
        "illegal_transition"
    started_at = (await alice.post(f"{base}/start")).json["history"][-1]["at"]

    clock.advance(hours=2)
    step = await alice.post(f"{base}/steps", json={"name": "审查", "action": "pass", "opinion": "材料齐全"})
    assert step.status == 200, step.body
    clock.advance(hours=1)
    steps = (await alice.post(f"{base}/steps", json={"name": "核查", "action": "return",
                                                     "opinion": "补充现场照片"})).json["steps"]
    assert [(s["seq"], s["name"], s["action"], s["opinion"], s["handler"]["name"]) for s in steps] == [
        (1, "审查", "pass", "材料齐全", "alice"), (2, "核查", "return", "补充现场照片", "alice")]
    assert steps[0]["started_at"] == started_at
    assert steps[1]["started_at"] == steps[0]["ended_at"]
    assert (await alice.post(f"{base}/steps", json={"name": "审查", "action": "approve"})).status == 422

    # Expert review from Tuesday 17 to Friday 20 November: 3 working days (18, 19, 20) do not count.
    clock.set(china_morning(2026, 11, 17))
    suspended = await alice.post(f"{base}/suspend", json={"kind": "expert_review", "reason": "需专家评审"})
    assert (suspended.json["state"], suspended.json["clock_stopped"], suspended.json["due_on"]) == (
        "suspended", True, "2026-11-30")
    assert (await alice.post(f"{base}/steps", json={"name": "审查", "action": "pass"})).status == 409
    clock.set(china_morning(2026, 11, 20))
    resumed = (await alice.post(f"{base}/resume")).json
    assert (resumed["state"], resumed["clock_stopped"], resumed["due_on"]) == ("in_process", False, "2026-12-03")
    procedure = resumed["special_procedures"][0]
    assert (procedure["kind"], procedure["reason"], procedure["ended_by"]["name"]) == ("expert_review", "需专家评审",
                                                                                       "alice")
    assert resumed["acceptance"]["promised_on"] == "2026-11-30"  # the notice's promise is history

    invalid = await alice.post(f"{base}/approve", json={"result_name": "备案证明", "valid_until": "2031-02-30"})
    assert invalid.error_code == "invalid_valid_until"
    approved = await alice.post(f"{base}/approve", json={"result_name": "企业投资项目备案证明",
                                                         "licence_no": "川投资备〔2026〕0001号",
                                                         "valid_until": "2028-11-19"})
    assert approved.status == 200, approved.body
    decision = approved.json["decision"]
    assert (decision["result"], decision["licence_no"], decision["valid_until"]) == (
        "approved", "川投资备〔2026〕0001号", "2028-11-19")
    assert approved.json["due_on"] is None

    no_waybill = await alice.post(f"{base}/deliver", json={"method": "express", "carrier": "EMS"})
    assert (no_waybill.status, no_waybill.error_code) == (422, "waybill_required")
    delivered = await alice.post(f"{base}/deliver", json={"method": "express", "waybill_no": "1180000000001",
                                                          "carrier": "EMS"})
    assert delivered.json["delivery"] | {"at": None, "by": None} == {
        "method": "express", "waybill_no": "1180000000001", "carrier": "EMS", "at": None, "by": None}
    archived = (await alice.post(f"{base}/archive")).json
    assert archived["state"] == "archived"
    assert [e["action"] for e in archived["history"]] == [
        "submit", "pass_pre_review", "accept", "start_processing", "record_step", "record_step", "suspend",
        "resume", "approve", "deliver", "archive"]
    assert (await alice.post(f"{base}/deny", json={"reason": "晚了"})).json["error"]["state"] == "archived"


@pytest.mark.asyncio
async def test_a_denied_case_is_not_delivered(start_server: StartServer) -> None:
    server = await started(start_server)
    alice = await officer(server, "alice")
    case = await passed_case(server, alice, await publish_guide(server))
    base = f"/staff/v1/cases/{case['id']}"
    await alice.post(f"{base}/accept")
    assert (await alice.post(f"{base}/deny", json={})).status == 422
    denied = (await alice.post(f"{base}/deny", json={"reason": "不符合备案条件"})).json
    assert (denied["state"], denied["decision"]["result"], denied["decision"]["reason"]) == (
        "denied", "denied", "不符合备案条件")
    refused = await alice.post(f"{base}/deliver", json={"method": "pickup"})
    assert (refused.status, refused.error_code, refused.json["error"]["state"]) == (409, "illegal_transition",
                                                                                     "denied")
    assert (await alice.post(f"{base}/archive")).json["state"] == "archived"
