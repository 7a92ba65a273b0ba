"""Supervision report and CSV export: counts, overdue cases, handling time, scope by role, masked data."""

from __future__ import annotations

import codecs
import csv
import io
from typing import Any

import pytest

from server.actor import Actor
from server.cases.reports import EXPORT_COLUMNS
from server.cases.states import Action
from server.cases.workflow import transition
from server.clock import FrozenClock
from tests.conftest import StartServer
from tests.server.cases.joint_factories import ECONOMY, FIRE, MARKET, joint_scene, step_path, taken_in
from tests.server.cases.staff_factories import (
    DEPARTMENT_ID,
    LONG_SESSIONS,
    OTHER_DEPARTMENT_ID,
    china_morning,
    officer,
    passed_case,
    prepare,
    publish_guide,
    submitted_case,
)
from tests.support.server import TestServer
from tests.support.staff import StaffBrowser, signed_in_staff

SUMMARY = "/staff/v1/supervision/summary"
EXPORT = "/staff/v1/supervision/cases.csv"
OTHER_OFFICER = Actor("staff", "u-other", "窗口乙")


async def scenario(start_server: StartServer) -> tuple[TestServer, StaffBrowser, StaffBrowser, dict[str, Any]]:
    """Three cases submitted Monday 16 November 2026, looked at on Wednesday 25 November:
    one still waiting for pre-review (due 23 November: overdue), one approved on 18 November, and one in
    another department waiting for the citizen's supplement (its clock stopped, so never overdue)."""
    clock = FrozenClock(china_morning(2026, 11, 16))
    server = await start_server(clock=clock, **LONG_SESSIONS)
    await prepare(server)
    guide = await publish_guide(server)
    other_guide = await publish_guide(server, department_id=OTHER_DEPARTMENT_ID, name="学校设立审批")
    window = await officer(server, "window")
    supervisor = await signed_in_staff(server, "watcher", roles=["supervisor"])

    waiting = await submitted_case(server, guide, applicant_name="李小龙")
    approved = await passed_case(server, window, guide)
    assert (await window.post(f"/staff/v1/cases/{approved['id']}/accept")).status == 200
    elsewhere = await submitted_case(server, other_guide)
    await transition(server.deps, elsewhere, Action.REQUEST_SUPPLEMENT, OTHER_OFFICER, as_role="officer",
                     reason="请补正营业执照")
    clock.set(china_morning(2026, 11, 18))
    decided = await window.post(f"/staff/v1/cases/{approved['id']}/approve", json={"result_name": "备案证明"})
    assert decided.status == 200, decided.body
    clock.set(china_morning(2026, 11, 25))
    return server, window, supervisor, {"waiting": waiting, "approved": approved, "elsewhere": elsewhere}


def counts(summary: dict[str, Any]) -> dict[str, int]:
    return {row["state"]: row["count"] for row in summary["by_state"] if row["count"]}


def rows_of(body: bytes) -> list[list[str]]:
    assert body.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.mark.asyncio
async def test_supervisor_sees_every_department_overdue_cases_and_handling_time(start_server: StartServer) -> None:
    _, _, supervisor, cases = await scenario(start_server)
    response = await supervisor.get(SUMMARY)
    assert response.status == 200, response.body
    summary = response.json
    assert summary["today"] == "2026-11-25"
    assert summary["scope"] == {"departments": None, "date_from": None, "date_to": None}
    assert summary["total"] == 3
    assert counts(summary) == {"submitted": 1, "approved": 1, "supplement_requested": 1}
    by_department = {row["department_id"]: row for row in summary["by_department"]}
    assert by_department[DEPARTMENT_ID]["department_name"] == "区经信局"
    assert {k: (v["total"], v["open"], v["overdue"], v["by_state"]) for k, v in by_department.items()} == {
        DEPARTMENT_ID: (2, 2, 1, {"submitted": 1, "approved": 1}),
        OTHER_DEPARTMENT_ID: (1, 1, 0, {"supplement_requested": 1}),
    }
    assert summary["overdue"]["total"] == 1
    [late] = summary["overdue"]["items"]
    assert (late["id"], late["number"], late["due_on"], late["state_label"]) == (
        cases["waiting"]["_id"], cases["waiting"]["number"], "2026-11-23", "待预审")
    assert late["working_days_overdue"] == 2  # 24 and 25 November
    assert late["applicant"] == "李*龙"
    # Submitted Monday 09:00, approved Wednesday 09:00: two working days, 48 hours.
    assert summary["handling_time"] == {"decided": 1, "average_working_days": 2.0, "average_hours": 48.0}


@pytest.mark.asyncio
async def test_an_officer_sees_only_own_departments_and_the_date_range_filters(start_server: StartServer) -> None:
    _, window, supervisor, _ = await scenario(start_server)
    summary = (await window.get(SUMMARY)).json
    assert summary["scope"]["departments"] == [DEPARTMENT_ID]
    assert summary["total"] == 2
    assert [row["department_id"] for row in summary["by_department"]] == [DEPARTMENT_ID]

    # The supplement case was created on 16 November too: nothing was created from the 17th on.
    later = (await supervisor.get(f"{SUMMARY}?date_from=2026-11-17")).json
    assert later["total"] == 0
    assert later["handling_time"]["average_hours"] is None
    same_day = (await supervisor.get(f"{SUMMARY}?date_from=2026-11-16&date_to=2026-11-16")).json
    assert same_day["total"] == 3

    reversed_range = await supervisor.get(f"{SUMMARY}?date_from=2026-11-20&date_to=2026-11-10")
    assert (reversed_range.status, reversed_range.error_code) == (422, "invalid_report_range")
    impossible = await supervisor.get(f"{EXPORT}?date_from=2026-13-01")
    assert (impossible.status, impossible.error_code) == (422, "invalid_report_range")


@pytest.mark.asyncio
async def test_csv_export_opens_in_excel_and_masks_personal_data(start_server: StartServer) -> None:
    _, window, supervisor, cases = await scenario(start_server)
    response = await supervisor.get(EXPORT)
    assert response.status == 200, response.body
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = rows_of(response.body)
    assert tuple(rows[0]) == EXPORT_COLUMNS
    by_number = {row[0]: dict(zip(EXPORT_COLUMNS, row, strict=True)) for row in rows[1:]}
    assert len(by_number) == 3
    waiting = by_number[cases["waiting"]["number"]]
    assert (waiting["状态"], waiting["预警级别"], waiting["办结期限"], waiting["部门"]) == (
        "待预审", "红牌", "2026-11-23", "区经信局")
    assert (waiting["申请人"], waiting["证件号码"], waiting["提交时间"]) == ("李*龙", "1101**********002X",
                                                                  "2026-11-16 09:00")
    approved = by_number[cases["approved"]["number"]]
    assert (approved["状态"], approved["办结时间"], approved["办理用时（工作日）"], approved["办理用时（小时）"]) == (
        "准予办理", "2026-11-18 09:00", "2", "48.0")
    assert by_number[cases["elsewhere"]["number"]]["预警级别"] == "正常"  # its clock is stopped
    assert "张三丰" not in response.body.decode("utf-8-sig")

    own = rows_of((await window.get(EXPORT)).body)
    assert sorted(row[0] for row in own[1:]) == sorted([cases["waiting"]["number"], cases["approved"]["number"]])
    empty = rows_of((await supervisor.get(f"{EXPORT}?date_from=2026-11-17")).body)
    assert empty == [list(EXPORT_COLUMNS)]


@pytest.mark.asyncio
async def test_only_supervisors_and_officers_read_reports(start_server: StartServer) -> None:
    server = await start_server()
    editor = await signed_in_staff(server, "writer", roles=["editor"])
    for path in (SUMMARY, EXPORT):
        assert (await editor.get(path)).status == 403
        assert (await server.get(path)).status == 401


async def joint_scenario(start_server: StartServer) -> tuple[StaffBrowser, dict[str, dict[str, Any]]]:
    """Joint cases pushed Monday 16 November 2026, looked at on Wednesday 25 November: one approved by its
    steps on the 18th, one denied by a step on the 18th, one whose first steps (due the 19th) still run
    while its own clock (20 working days) is far from its deadline."""
    scene = await joint_scene(start_server, promised_days=20)
    server, clock, guide, window, officers = scene.server, scene.clock, scene.guide, scene.window, scene.officers
    supervisor = await signed_in_staff(server, "watcher", roles=["supervisor"])
    cases = {}
    for name in ("approved", "denied", "late_step"):
        case = await submitted_case(server, guide)
        await taken_in(window, guide, case["_id"])
        assert (await window.post(f"/staff/v1/cases/{case['_id']}/joint/push")).status == 200
        cases[name] = case
    for department, step_id in ((MARKET, "licence"), (FIRE, "fire")):
        assert (await officers[department].post(step_path(cases["approved"]["_id"], step_id, "approve"),
                                                json={})).status == 200
    clock.set(china_morning(2026, 11, 18))
    approved = await officers[ECONOMY].post(step_path(cases["approved"]["_id"], "filing", "approve"), json={})
    assert approved.json["state"] == "approved"
    denied = await officers[FIRE].post(step_path(cases["denied"]["_id"], "fire", "deny"), json={"reason": "不合格"})
    assert denied.json["state"] == "denied"
    clock.set(china_morning(2026, 11, 25))
    return supervisor, cases


async def exported(supervisor: StaffBrowser) -> dict[str, dict[str, str]]:
    rows = rows_of((await supervisor.get(EXPORT)).body)
    return {row[0]: dict(zip(EXPORT_COLUMNS, row, strict=True)) for row in rows[1:]}


@pytest.mark.asyncio
async def test_joint_cases_decided_by_their_steps_count_as_decided(start_server: StartServer) -> None:
    supervisor, cases = await joint_scenario(start_server)
    summary = (await supervisor.get(SUMMARY)).json
    # Submitted Monday 09:00, decided Wednesday 09:00: two working days, 48 hours each.
    assert summary["handling_time"] == {"decided": 2, "average_working_days": 2.0, "average_hours": 48.0}
    by_number = await exported(supervisor)
    for name, state in (("approved", "准予办理"), ("denied", "不予办理")):
        row = by_number[cases[name]["number"]]
        assert (row["状态"], row["办结时间"], row["办理用时（工作日）"], row["办理用时（小时）"]) == (
            state, "2026-11-18 09:00", "2", "48.0"), name


@pytest.mark.asyncio
async def test_the_csv_warning_level_counts_joint_step_clocks(start_server: StartServer) -> None:
    supervisor, cases = await joint_scenario(start_server)
    late = (await exported(supervisor))[cases["late_step"]["number"]]
    # The case's own clock is due 14 December; its running steps were due 19 November.
    assert (late["状态"], late["预警级别"], late["办结期限"]) == ("办理中", "红牌", "2026-11-19")
