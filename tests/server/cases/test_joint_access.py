"""Who sees and does what in a joint case: the window of its domain takes it in, the lead department sees
it whole and may push it, each department acts on its own steps, everyone else gets 404."""

from __future__ import annotations

import pytest

from server.cases.supervision import flag_case_warnings
from tests.conftest import StartServer
from tests.server.cases.joint_factories import (
    ECONOMY,
    FIRE,
    MARKET,
    UNINVOLVED,
    joint_scene,
    publish_joint_guide,
    started,
    step_path,
    steps_by_id,
    taken_in,
    window_officer,
)
from tests.server.cases.staff_factories import china_morning, submitted_case
from tests.support.staff import StaffBrowser


async def queue_ids(browser: StaffBrowser, state: str | None = None) -> list[str]:
    response = await browser.get("/staff/v1/cases" + (f"?state={state}" if state else ""))
    assert response.status == 200, response.body
    return [item["id"] for item in response.json["items"]]


@pytest.mark.asyncio
async def test_each_part_of_a_joint_case_belongs_to_its_window_or_department(start_server: StartServer) -> None:
    scene = await joint_scene(start_server)
    server, guide, window, officers = scene.server, scene.guide, scene.window, scene.officers
    other_window = await window_officer(server, "window-wang", domains=("livelihood",))
    case = await submitted_case(server, guide)
    case_id, base = case["_id"], f"/staff/v1/cases/{case['_id']}"

    # --- intake: the window of the domain's queue, and only the window may pre-review it
    assert await queue_ids(window) == [case_id]
    assert [item["joint"] for item in (await window.get("/staff/v1/cases")).json["items"]] == [True]
    assert await queue_ids(officers[MARKET]) == []
    assert (await officers[MARKET].get(base)).status == 200  # the lead department sees it whole
    claimed = await officers[MARKET].post(f"{base}/claim")
    assert (claimed.status, claimed.error_code) == (403, "joint_part_not_allowed")
    assert (await other_window.get(base)).error_code == "case_not_found"
    assert (await other_window.post(f"{base}/claim")).status == 404
    assert await queue_ids(other_window) == []
    await taken_in(window, guide, case_id)

    # --- the push: the window or the lead department, not a participating department
    refused = await officers[FIRE].post(f"{base}/joint/push")
    assert (refused.status, refused.error_code) == (403, "joint_part_not_allowed")
    pushed = await officers[MARKET].post(f"{base}/joint/push")
    assert pushed.status == 200, pushed.body
    assert pushed.json["history"][-1]["actor"]["name"] == "officer-d-market"

    # --- departments: their own steps only; queues list the cases whose step of theirs runs
    assert await queue_ids(officers[FIRE], "in_process") == [case_id]
    assert await queue_ids(officers[MARKET], "in_process") == [case_id]
    assert await queue_ids(officers[ECONOMY], "in_process") == []
    assert await queue_ids(window, "in_process") == [case_id]
    assert (await officers[ECONOMY].get(base)).status == 200  # a later step may read ahead
    foreign = await officers[MARKET].post(step_path(case_id, "fire", "approve"), json={})
    assert (foreign.status, foreign.error_code) == (403, "joint_part_not_allowed")
    assert (await window.post(step_path(case_id, "fire", "approve"), json={})).status == 403  # a role matter
    missing = await officers[FIRE].post(step_path(case_id, "nope", "approve"), json={})
    assert (missing.status, missing.error_code) == (404, "joint_step_not_found")
    await officers[MARKET].post(step_path(case_id, "licence", "approve"), json={})
    await officers[FIRE].post(step_path(case_id, "fire", "approve"), json={})
    assert await queue_ids(officers[ECONOMY], "in_process") == [case_id]
    assert await queue_ids(officers[FIRE], "in_process") == []

    # --- an uninvolved department can neither read nor act
    outsider = officers[UNINVOLVED]
    assert (await outsider.get(base)).error_code == "case_not_found"
    assert (await outsider.get(f"{base}/materials/{guide['materials'][0]['id']}")).status == 404
    assert (await outsider.post(step_path(case_id, "filing", "approve"), json={})).error_code == "case_not_found"
    assert (await outsider.post(f"{base}/joint/push")).error_code == "case_not_found"
    assert await queue_ids(outsider, "in_process") == []
    assert await queue_ids(outsider) == []


@pytest.mark.asyncio
async def test_supervision_flags_a_step_nearing_its_deadline(start_server: StartServer) -> None:
    server, clock = await started(start_server)
    guide = await publish_joint_guide(server, promised_days=20)
    window = await window_officer(server, "window-li")
    case = await submitted_case(server, guide)
    await taken_in(window, guide, case["_id"])
    await window.post(f"/staff/v1/cases/{case['_id']}/joint/push")  # Monday 16: the steps are due Thursday 19

    clock.set(china_morning(2026, 11, 17))
    await flag_case_warnings(server.deps)
    await flag_case_warnings(server.deps)  # idempotent
    status = (await window.get(f"/staff/v1/cases/{case['_id']}")).json
    flags = [e for e in status["history"] if e["action"] == "flag_warning"]
    assert [(e["data"]["level"], e["data"]["due_on"]) for e in flags] == [("warning", "2026-11-19")]
    assert (status["warning_level"], status["due_on"]) == ("warning", "2026-11-19")
    assert {s["id"]: s["warning_level"] for s in steps_by_id(status).values()} == {
        "licence": "warning", "fire": "warning", "filing": "none"}
    assert status["clocks"]["completion"]["due_on"] == "2026-12-14"
