"""Joint approval through HTTP: a comprehensive window takes the case in once, two departments check it in
parallel, a third after both approved; one case number, one promised day, one citizen view."""

from __future__ import annotations

import pytest

from tests.conftest import StartServer
from tests.miniprogram_api.case_factories import GOOD, upload_ok
from tests.server.cases.joint_factories import (
    ECONOMY,
    FIRE,
    MARKET,
    citizen_case,
    joint_scene,
    step_path,
    step_states,
    steps_by_id,
    taken_in,
)
from tests.server.cases.staff_factories import china_morning, passed_case, publish_guide, submitted_case


@pytest.mark.asyncio
async def test_two_parallel_steps_then_a_serial_one_from_the_window_to_delivery(start_server: StartServer) -> None:
    scene = await joint_scene(start_server)
    server, clock, guide, window, officers = scene.server, scene.clock, scene.guide, scene.window, scene.officers
    token, case_id = await citizen_case(server, guide)
    base = f"/staff/v1/cases/{case_id}"

    # --- one window, one pre-review, one acceptance, one promised day for the whole case
    accepted = await taken_in(window, guide, case_id)
    assert (accepted["state"], accepted["department_id"]) == ("accepted", MARKET)
    assert accepted["acceptance"]["unit"] == "区市场监管局"
    assert accepted["acceptance"]["promised_on"] == "2026-11-30"
    assert step_states(accepted) == {"licence": "waiting", "fire": "waiting", "filing": "waiting"}

    pushed = await window.post(f"{base}/joint/push")
    assert pushed.status == 200, pushed.body
    assert pushed.json["state"] == "in_process"
    assert step_states(pushed.json) == {"licence": "running", "fire": "running", "filing": "waiting"}
    assert pushed.json["joint"]["holding_department_ids"] == [MARKET, FIRE]
    assert {k: steps_by_id(pushed.json)["licence"][k] for k in ("due_on", "started_at")} == {
        "due_on": "2026-11-19", "started_at": "2026-11-16T01:00:00+00:00"}
    assert pushed.json["history"][-1]["data"]["started"] == ["licence", "fire"]

    # --- the serial step cannot start before both parallel steps approve
    filing = step_path(case_id, "filing", "approve")
    early = await officers[ECONOMY].post(filing, json={})
    assert (early.status, early.error_code) == (409, "step_not_running")
    clock.advance(hours=3)
    first = await officers[MARKET].post(step_path(case_id, "licence", "approve"), json={
        "opinion": "符合许可条件", "result_name": "食品经营许可证", "result_no": "JY15116020001234"})
    assert first.status == 200, first.body
    assert step_states(first.json) == {"licence": "approved", "fire": "running", "filing": "waiting"}
    assert (await officers[ECONOMY].post(filing, json={})).error_code == "step_not_running"
    clock.set(china_morning(2026, 11, 18))
    second = await officers[FIRE].post(step_path(case_id, "fire", "approve"), json={"opinion": "消防合格"})
    assert step_states(second.json) == {"licence": "approved", "fire": "approved", "filing": "running"}
    assert steps_by_id(second.json)["filing"]["started_at"] == "2026-11-18T01:00:00+00:00"
    assert steps_by_id(second.json)["filing"]["due_on"] == "2026-11-20"
    assert second.json["joint"]["holding_department_ids"] == [ECONOMY]

    # --- the later step reads the earlier decisions and the materials, nothing uploaded again
    detail = (await officers[ECONOMY].get(base)).json
    decisions = {step["id"]: step["decision"] for step in detail["joint"]["steps"]}
    licence = decisions["licence"]
    assert (licence["result_name"], licence["result_no"], licence["opinion"]) == (
        "食品经营许可证", "JY15116020001234", "符合许可条件")
    assert decisions["fire"]["opinion"] == "消防合格"
    assert [len(m["pages"]) for m in detail["materials"]] == [1, 1]

    # --- the last approval approves the case (recorded as the system's); the window delivers
    done = await officers[ECONOMY].post(filing, json={"opinion": "予以备案"})
    assert done.status == 200, done.body
    assert done.json["state"] == "approved"
    assert done.json["decision"] | {"at": None} == {
        "result": "approved", "result_name": "食品经营许可证", "licence_no": "JY15116020001234", "valid_until": None,
        "reason": None, "at": None, "by": {"kind": "system", "id": "joint_approval", "name": "joint_approval"}}
    assert done.json["due_on"] is None
    history = [(e["action"], e["from"], e["to"], e["data"].get("step_id")) for e in done.json["history"]]
    assert history == [
        ("submit", "draft", "submitted", None), ("pass_pre_review", "submitted", "pre_review_passed", None),
        ("accept", "pre_review_passed", "accepted", None), ("joint_push", "accepted", "in_process", None),
        ("step_approve", "in_process", "in_process", "licence"), ("step_approve", "in_process", "in_process", "fire"),
        ("step_approve", "in_process", "in_process", "filing"), ("joint_approve", "in_process", "approved", None)]
    assert [e["actor"]["name"] for e in done.json["history"][4:7]] == [
        "officer-d-market", "officer-d-fire", "officer-11511301008778183n"]
    delivered = await window.post(f"{base}/deliver", json={"method": "pickup"})
    assert (delivered.status, delivered.json["state"]) == (200, "delivered")

    # --- the citizen: one case, the steps with their departments, a message for every step change
    mine = (await server.get(f"/mp/v1/cases/{case_id}", token=token)).json
    assert mine["number"] == accepted["number"]
    assert [(s["id"], s["department"]["name"], s["state_label"]) for s in mine["joint"]["steps"]] == [
        ("licence", "区市场监管局", "已通过"), ("fire", "区消防救援大队", "已通过"), ("filing", "区经信局", "已通过")]
    assert mine["joint"]["lead_department"]["name"] == "区市场监管局"
    assert mine["joint"]["domain"] == {"id": "business_registration", "name": "商事登记"}
    labels = [(e["label"], e["actor"]) for e in mine["timeline"] if e["action"] == "step_approve"]
    assert labels == [("部门环节通过：许可审查", "区市场监管局窗口工作人员"),
                      ("部门环节通过：消防审验", "区消防救援大队窗口工作人员"),
                      ("部门环节通过：项目备案", "区经信局窗口工作人员")]
    progress = (await server.get(f"/mp/v1/cases/{case_id}/progress", token=token)).json
    # The progress page's timeline names each step's department too, as the case detail does.
    assert [(e["label"], e["actor"]) for e in progress["timeline"] if e["action"] == "step_approve"] == labels
    assert [m["kind"] for m in progress["messages"]] == [
        "submitted", "pre_review_passed", "accepted", "joint_progress", "joint_progress", "joint_progress",
        "joint_progress", "approved", "delivered"]


@pytest.mark.asyncio
async def test_the_citizen_sees_which_department_holds_the_case_now(start_server: StartServer) -> None:
    scene = await joint_scene(start_server)
    server, guide, window, officers = scene.server, scene.guide, scene.window, scene.officers
    token, case_id = await citizen_case(server, guide)
    await taken_in(window, guide, case_id)
    await window.post(f"/staff/v1/cases/{case_id}/joint/push")
    await officers[MARKET].post(step_path(case_id, "licence", "approve"), json={})

    mine = (await server.get(f"/mp/v1/cases/{case_id}", token=token)).json
    assert mine["joint"]["held_by"] == [{"id": FIRE, "name": "区消防救援大队"}]
    assert [s["state"] for s in mine["joint"]["steps"]] == ["approved", "running", "waiting"]
    assert mine["clocks"]["completion"]["due_on"] == "2026-11-30"
    case = await server.deps.db.cases.find_one({"_id": case_id})
    assert case is not None
    remarks = [entry["data"]["progress"] for entry in case["outbox"] if entry["kind"] == "joint_progress"]
    assert remarks == ["已转区市场监管局、区消防救援大队办理", "区市场监管局「许可审查」已通过"]


@pytest.mark.asyncio
async def test_a_denial_in_a_parallel_step_denies_the_case_and_cancels_the_rest(start_server: StartServer) -> None:
    scene = await joint_scene(start_server)
    server, guide, window, officers = scene.server, scene.guide, scene.window, scene.officers
    case = await submitted_case(server, guide)
    base = f"/staff/v1/cases/{case['_id']}"
    await taken_in(window, guide, case["_id"])
    await window.post(f"{base}/joint/push")

    assert (await officers[FIRE].post(step_path(case["_id"], "fire", "deny"), json={"reason": " "})).status == 422
    denied = await officers[FIRE].post(step_path(case["_id"], "fire", "deny"), json={"reason": "疏散通道不符合要求"})
    assert denied.status == 200, denied.body
    assert (denied.json["state"], denied.json["decision"]["result"], denied.json["decision"]["reason"]) == (
        "denied", "denied", "疏散通道不符合要求")
    assert step_states(denied.json) == {"licence": "cancelled", "fire": "denied", "filing": "cancelled"}
    assert denied.json["joint"]["holding_department_ids"] == []
    assert (denied.json["due_on"], denied.json["warning_level"]) == (None, "none")
    entry = denied.json["history"][-1]
    assert (entry["action"], entry["to"], entry["reason"], entry["data"]["step_id"], entry["data"]["cancelled"]) == (
        "step_deny", "denied", "疏散通道不符合要求", "fire", ["licence", "filing"])

    late = await officers[MARKET].post(step_path(case["_id"], "licence", "approve"), json={})
    assert (late.status, late.error_code) == (409, "step_not_running")
    assert (await window.post(f"{base}/deliver", json={"method": "pickup"})).error_code == "illegal_transition"
    stored = await server.deps.db.cases.find_one({"_id": case["_id"]})
    assert stored is not None
    assert [(e["kind"], e["data"].get("reason")) for e in stored["outbox"]][-1] == ("denied", "疏散通道不符合要求")


@pytest.mark.asyncio
async def test_a_supplement_from_a_step_stops_every_clock_until_resubmission(start_server: StartServer) -> None:
    scene = await joint_scene(start_server)
    server, clock, guide, window, officers = scene.server, scene.clock, scene.guide, scene.window, scene.officers
    plan_slot = guide["materials"][1]["id"]
    token, case_id = await citizen_case(server, guide)
    base = f"/staff/v1/cases/{case_id}"
    await taken_in(window, guide, case_id)
    await window.post(f"{base}/joint/push")  # Monday 16: both parallel steps due Thursday 19, the case Monday 30

    clock.set(china_morning(2026, 11, 17))
    returned = await officers[FIRE].post(step_path(case_id, "fire", "return"), json={
        "reason": "请补充材料", "items": [{"slot_id": plan_slot, "reason": "平面图未标注消防通道"}]})
    assert returned.status == 200, returned.body
    assert (returned.json["state"], returned.json["clock_stopped"]) == ("supplement_requested", True)
    assert {s["id"]: s["clock_stopped"] for s in returned.json["joint"]["steps"]} == {
        "licence": True, "fire": True, "filing": False}
    assert returned.json["supplement"]["items"] == [
        {"slot_id": plan_slot, "name": "场所平面图", "reason": "平面图未标注消防通道"}]
    assert returned.json["history"][-1]["data"]["stopped"] == ["licence", "fire"]
    # Nobody acts on a step while the citizen supplements.
    assert (await officers[MARKET].post(step_path(case_id, "licence", "approve"), json={})).error_code == \
        "illegal_transition"

    mine = (await server.get(f"/mp/v1/cases/{case_id}", token=token)).json
    assert mine["supplement"]["items"][0]["reason"] == "平面图未标注消防通道"
    assert [s["changeable"] for s in mine["materials"]] == [False, True]
    await upload_ok(server, token, case_id, plan_slot, (GOOD / "hopper.jpg").read_bytes())

    clock.set(china_morning(2026, 11, 20))  # 18, 19 and 20 November do not count
    resubmitted = await server.post(f"/mp/v1/cases/{case_id}/resubmit", token=token)
    assert resubmitted.status == 200, resubmitted.body
    assert resubmitted.json["state"] == "in_process"
    status = (await officers[MARKET].get(base)).json
    assert status["clock_stopped"] is False
    assert {s["id"]: (s["state"], s["due_on"], s["stopped_days"], s["clock_stopped"])
            for s in status["joint"]["steps"]} == {
        "licence": ("running", "2026-11-24", 3, False), "fire": ("running", "2026-11-24", 3, False),
        "filing": ("waiting", None, 0, False)}
    assert status["clocks"]["completion"]["due_on"] == "2026-12-03"
    assert status["joint"]["returned"] is None
    assert status["history"][-1]["action"] == "joint_resubmit"
    assert status["history"][-1]["data"]["resumed"] == ["licence", "fire"]
    again = await officers[FIRE].post(step_path(case_id, "fire", "approve"), json={"opinion": "补正后合格"})
    assert step_states(again.json) == {"licence": "running", "fire": "approved", "filing": "waiting"}


@pytest.mark.asyncio
async def test_single_department_actions_do_not_apply_to_a_joint_case(start_server: StartServer) -> None:
    scene = await joint_scene(start_server)
    server, guide, window, officers = scene.server, scene.guide, scene.window, scene.officers
    case = await submitted_case(server, guide)
    base = f"/staff/v1/cases/{case['_id']}"
    await taken_in(window, guide, case["_id"])
    for path, body in ((f"{base}/start", None), (f"{base}/approve", {"result_name": "许可证"}),
                       (f"{base}/deny", {"reason": "不符合"})):
        refused = await officers[MARKET].post(path, json=body)
        assert (refused.status, refused.error_code) == (409, "joint_case_steps"), path

    plain_guide_case = await passed_case(server, officers[ECONOMY], await publish_guide(server))
    not_joint = await officers[ECONOMY].post(f"/staff/v1/cases/{plain_guide_case['id']}/joint/push")
    assert (not_joint.status, not_joint.error_code) == (409, "not_a_joint_case")
