"""A joint case is approved with its last step, never after it: the two are one write, so a failed write
leaves the step running (the officer tries again) and never a case whose steps are all approved but which
is not. Cases left that way by the former two-write approval are completed on a retry or by the job."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from server.cases import repository
from server.cases.joint import SYSTEM
from server.cases.joint_model import StepState, end_step, find_step
from server.cases.states import Action
from server.cases.supervision import flag_case_warnings
from server.cases.workflow import record_change, transition
from server.clock import china_date
from tests.conftest import StartServer
from tests.server.cases.joint_factories import ECONOMY, FIRE, MARKET, JointScene, joint_scene, step_path, taken_in
from tests.server.cases.staff_factories import china_morning, submitted_case
from tests.support.staff import StaffBrowser


async def at_last_step(scene: JointScene) -> str:
    """A joint case pushed on Monday 16 November 2026 whose parallel steps approved: only 项目备案 runs."""
    case = await submitted_case(scene.server, scene.guide)
    await taken_in(scene.window, scene.guide, case["_id"])
    assert (await scene.window.post(f"/staff/v1/cases/{case['_id']}/joint/push")).status == 200
    for department, step_id in ((MARKET, "licence"), (FIRE, "fire")):
        approved = await scene.officers[department].post(step_path(case["_id"], step_id, "approve"), json={})
        assert approved.status == 200, approved.body
    return str(case["_id"])


async def stored(scene: JointScene, case_id: str) -> dict[str, Any]:
    case = await repository.get_case(scene.server.deps.db, case_id)
    assert case is not None
    return case


def states_of(case: dict[str, Any]) -> tuple[str, dict[str, str]]:
    return case["state"], {step["id"]: step["state"] for step in case["joint"]["steps"]}


def races_every_approval(scene: JointScene, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Whenever a write would approve a case, another change of that case (a fee order, the warning job)
    is stored first, so that write loses the version race. Returns the versions the racer wrote."""
    replace_case = repository.replace_case
    raced: list[int] = []

    async def racing(db: Any, case: dict[str, Any], *, expected_version: int) -> bool:
        if case["state"] == "approved":
            current = await repository.get_case(db, case["_id"])
            assert current is not None
            other = copy.deepcopy(current)
            other["remark"] = f"concurrent change {len(raced) + 1}"
            monkeypatch.setattr(repository, "replace_case", replace_case)
            try:
                raced.append((await record_change(scene.server.deps, current, other))["version"])
            finally:
                monkeypatch.setattr(repository, "replace_case", racing)
        return await replace_case(db, case, expected_version=expected_version)

    monkeypatch.setattr(repository, "replace_case", racing)
    return raced


async def approve_filing(economy: StaffBrowser, case_id: str) -> Any:
    return await economy.post(step_path(case_id, "filing", "approve"), json={"opinion": "予以备案"})


@pytest.mark.asyncio
async def test_the_last_step_and_the_case_are_approved_in_one_write(start_server: StartServer) -> None:
    scene = await joint_scene(start_server)
    case_id = await at_last_step(scene)
    before = await stored(scene, case_id)

    done = await approve_filing(scene.officers[ECONOMY], case_id)
    assert done.status == 200, done.body
    after = await stored(scene, case_id)
    assert states_of(after) == ("approved", {"licence": "approved", "fire": "approved", "filing": "approved"})
    assert after["version"] == before["version"] + 1
    last_two = after["history"][-2:]
    assert [(e["action"], e["from"], e["to"], e["actor"]["name"]) for e in last_two] == [
        ("step_approve", "in_process", "in_process", "officer-11511301008778183n"),
        ("joint_approve", "in_process", "approved", "joint_approval")]
    assert last_two[0]["at"] == last_two[1]["at"]
    assert [e["seq"] for e in after["history"]] == list(range(1, len(after["history"]) + 1))
    # Each message points at its own history entry.
    assert [(m["kind"], m["history_seq"]) for m in after["outbox"][-2:]] == [
        ("joint_progress", len(after["history"]) - 1), ("approved", len(after["history"]))]
    assert (after["due_on"], after["clocks"]["completion"]["finished_on"]) == (None, "2026-11-16")


@pytest.mark.asyncio
async def test_a_lost_race_on_the_approving_write_leaves_the_step_to_approve_again(
        start_server: StartServer, monkeypatch: pytest.MonkeyPatch) -> None:
    scene = await joint_scene(start_server)
    case_id = await at_last_step(scene)
    economy = scene.officers[ECONOMY]
    raced = races_every_approval(scene, monkeypatch)

    lost = await approve_filing(economy, case_id)
    assert (lost.status, lost.error_code) == (409, "case_changed")
    assert raced
    # Nothing half done: the step still runs and the case waits for it, not the other way round.
    left = await stored(scene, case_id)
    assert states_of(left) == ("in_process", {"licence": "approved", "fire": "approved", "filing": "running"})
    assert left["history"][-1]["action"] == "step_approve"
    assert left["history"][-1]["data"]["step_id"] == "fire"

    monkeypatch.undo()
    retried = await approve_filing(economy, case_id)
    assert retried.status == 200, retried.body
    final = await stored(scene, case_id)
    assert states_of(final)[0] == "approved"
    assert final["remark"] == f"concurrent change {len(raced)}"  # the racer's change is kept
    assert [e["action"] for e in final["history"]].count("joint_approve") == 1


@pytest.mark.asyncio
async def test_a_database_error_on_the_approving_write_leaves_the_step_to_approve_again(
        start_server: StartServer, monkeypatch: pytest.MonkeyPatch) -> None:
    scene = await joint_scene(start_server)
    case_id = await at_last_step(scene)
    replace_case = repository.replace_case

    async def lost_on_approval(db: Any, case: dict[str, Any], *, expected_version: int) -> bool:
        if case["state"] == "approved":
            raise ConnectionError("database connection lost")
        return await replace_case(db, case, expected_version=expected_version)

    monkeypatch.setattr(repository, "replace_case", lost_on_approval)
    scene.server.check_schemas = False  # an unexpected failure answers an undocumented 500
    failed = await approve_filing(scene.officers[ECONOMY], case_id)
    assert failed.status == 500
    scene.server.check_schemas = True
    monkeypatch.undo()
    assert states_of(await stored(scene, case_id))[1]["filing"] == "running"
    retried = await approve_filing(scene.officers[ECONOMY], case_id)
    assert (retried.status, retried.json["state"]) == (200, "approved")


async def left_half_approved(scene: JointScene, case_id: str) -> dict[str, Any]:
    """What the former approval stored when its second write failed: the last step approved, the case
    in process (the step approval's own transition, without the system's approval)."""
    case = await stored(scene, case_id)
    deps = scene.server.deps
    joint = copy.deepcopy(case["joint"])
    step = find_step(joint, "filing")
    assert step is not None
    now = deps.clock.now()
    end_step(step, StepState.APPROVED, now, china_date(now), await deps.calendar.get(),
             {"result": "approved", "opinion": None, "reason": None, "result_name": None, "result_no": None,
              "by": SYSTEM.to_doc(), "at": now})
    return await transition(deps, case, Action.STEP_APPROVE, SYSTEM, as_role="officer", changes={"joint": joint},
                            record={"step_id": "filing"})


@pytest.mark.asyncio
async def test_a_case_left_half_approved_is_approved_by_the_officers_retry(start_server: StartServer) -> None:
    scene = await joint_scene(start_server)
    case_id = await at_last_step(scene)
    await left_half_approved(scene, case_id)
    # Only the step's own department completes it.
    other = await scene.officers[FIRE].post(step_path(case_id, "filing", "approve"), json={})
    assert (other.status, other.error_code) == (403, "joint_part_not_allowed")
    assert (await stored(scene, case_id))["state"] == "in_process"

    retried = await approve_filing(scene.officers[ECONOMY], case_id)
    assert retried.status == 200, retried.body
    assert retried.json["state"] == "approved"
    assert retried.json["history"][-1]["action"] == "joint_approve"
    # Repeatable: once approved, a further retry changes nothing.
    again = await approve_filing(scene.officers[ECONOMY], case_id)
    assert (again.status, again.error_code) == (409, "step_not_running")
    assert [e["action"] for e in (await stored(scene, case_id))["history"]].count("joint_approve") == 1


@pytest.mark.asyncio
async def test_a_case_left_half_approved_is_approved_by_the_warning_job(start_server: StartServer) -> None:
    scene = await joint_scene(start_server)
    case_id = await at_last_step(scene)
    await left_half_approved(scene, case_id)

    scene.clock.set(china_morning(2026, 11, 26))  # the case clock (due 30 November) is near its deadline
    result = await flag_case_warnings(scene.server.deps)
    assert result is not None
    assert result["completed"] == 1
    case = await stored(scene, case_id)
    assert case["state"] == "approved"
    assert [e["action"] for e in case["history"]][-2:] == ["step_approve", "joint_approve"]
    again = await flag_case_warnings(scene.server.deps)
    assert again is not None
    assert again["completed"] == 0
