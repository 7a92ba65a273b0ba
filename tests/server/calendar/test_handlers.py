"""/staff/v1/calendar: reading a year, an admin entering a later year, the banner of missing years."""

from __future__ import annotations

import logging
from datetime import date

import pytest

from server.calendar.service import prepare_calendar
from server.clock import FrozenClock
from tests.conftest import StartServer
from tests.server.cases.joint_factories import publish_joint_guide, window_officer
from tests.server.cases.joint_factories import started as joint_started
from tests.server.cases.joint_factories import taken_in as joint_taken_in
from tests.server.cases.staff_factories import (
    LONG_SESSIONS,
    china_morning,
    officer,
    passed_case,
    prepare,
    publish_guide,
    submitted_case,
)
from tests.support.server import TestServer
from tests.support.staff import StaffBrowser, signed_in_staff

# Made-up 2027 data for the test: New Year on Friday 1 January, Saturday 9 January worked.
YEAR_2027 = [{"date": "2027-01-01", "working": False, "name": "元旦"},
             {"date": "2027-01-09", "working": True, "name": "调休上班"}]


async def started(start_server: StartServer) -> TestServer:
    server = await start_server(clock=FrozenClock(china_morning(2026, 11, 23)))
    await prepare_calendar(server.deps.db, server.deps.calendar, server.deps.clock)
    return server


@pytest.mark.asyncio
async def test_start_up_seeds_the_package_years_and_warns_about_missing_ones(
        start_server: StartServer, caplog: pytest.LogCaptureFixture) -> None:
    server = await start_server(clock=FrozenClock(china_morning(2026, 11, 23)))
    with caplog.at_level(logging.WARNING, logger="yiwang.calendar"):
        missing = await prepare_calendar(server.deps.db, server.deps.calendar, server.deps.clock)
    assert missing == [2027]  # 60 days ahead reaches into 2027
    assert "NO HOLIDAY DATA FOR 2027" in caplog.text
    calendar = await server.deps.calendar.get()
    assert not calendar.is_working_day(date(2026, 10, 1))
    assert calendar.is_working_day(date(2026, 10, 10))  # make-up Saturday


@pytest.mark.asyncio
async def test_reading_years_and_the_status_banner(start_server: StartServer) -> None:
    server = await started(start_server)
    officer = await signed_in_staff(server, "alice", roles=["officer"], departments=["dept-1"])

    status = (await officer.get("/staff/v1/calendar/status")).json
    assert status["today"] == "2026-11-23"
    assert status["missing_years"] == [2027]
    assert 2026 in status["covered_years"]

    year = (await officer.get("/staff/v1/calendar/2026")).json
    assert (year["covered"], year["source"]) == (True, "chinesecalendar")
    national_day = {d["date"]: d for d in year["days"] if d["date"].startswith("2026-10")}
    assert national_day["2026-10-01"] == {"date": "2026-10-01", "working": False, "name": "国庆节"}
    assert national_day["2026-10-10"]["working"] is True
    assert (await officer.get("/staff/v1/calendar/2027")).json | {"days": []} == {
        "year": 2027, "covered": False, "source": None, "updated_by": None, "updated_at": None, "days": []}
    assert (await officer.get("/staff/v1/calendar/abc")).error_code == "invalid_calendar_year"
    assert (await server.get("/staff/v1/calendar/status")).status == 401


@pytest.mark.asyncio
async def test_an_admin_enters_a_later_year_and_deadlines_use_it_at_once(start_server: StartServer) -> None:
    server = await started(start_server)
    admin = await signed_in_staff(server, "root", roles=["admin"])
    officer = await signed_in_staff(server, "alice", roles=["officer"], departments=["dept-1"])

    refused = await officer.request("PUT", "/staff/v1/calendar/2027", json={"days": YEAR_2027})
    assert refused.status == 403
    wrong_year = await admin.request("PUT", "/staff/v1/calendar/2027",
                                     json={"days": [{"date": "2028-01-01", "working": False}]})
    assert (wrong_year.status, wrong_year.error_code) == (422, "invalid_calendar_year")

    saved = await admin.request("PUT", "/staff/v1/calendar/2027", json={"days": YEAR_2027})
    assert saved.status == 200, saved.body
    assert (saved.json["covered"], saved.json["source"], saved.json["updated_by"]["name"]) == (True, "admin", "root")
    assert saved.json["days"] == YEAR_2027
    assert (await officer.get("/staff/v1/calendar/status")).json["missing_years"] == []
    calendar = await server.deps.calendar.get()
    assert calendar.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert calendar.is_working_day(date(2027, 1, 9))


async def missing_years(browser: StaffBrowser) -> list[int]:
    response = await browser.get("/staff/v1/calendar/status")
    assert response.status == 200, response.body
    return list(response.json["missing_years"])


@pytest.mark.asyncio
async def test_the_banner_names_the_year_a_running_deadline_falls_in(
        start_server: StartServer, caplog: pytest.LogCaptureFixture) -> None:
    # Tuesday 15 September 2026: 60 days ahead is still 2026, but a 90-working-day clock runs into 2027.
    server = await start_server(clock=FrozenClock(china_morning(2026, 9, 15)), **LONG_SESSIONS)
    await prepare(server)
    window = await officer(server, "window")
    assert await missing_years(window) == []

    case = await passed_case(server, window, await publish_guide(server, promised_days=90))
    accepted = await window.post(f"/staff/v1/cases/{case['id']}/accept")
    assert accepted.status == 200, accepted.body
    assert accepted.json["due_on"].startswith("2027-")
    assert await missing_years(window) == [2027]
    with caplog.at_level(logging.WARNING, logger="yiwang.calendar"):
        assert await prepare_calendar(server.deps.db, server.deps.calendar, server.deps.clock) == [2027]
    assert "NO HOLIDAY DATA FOR 2027" in caplog.text

    # A case stored before the latest deadline was kept: its nearest deadline stands in.
    await server.deps.db.cases.update_one({"_id": case["id"]}, {"$unset": {"last_due_on": ""}})
    assert await missing_years(window) == [2027]

    decided = await window.post(f"/staff/v1/cases/{case['id']}/approve", json={"result_name": "备案证明"})
    assert decided.status == 200, decided.body
    assert await missing_years(window) == []  # no clock runs into 2027 any more


@pytest.mark.asyncio
async def test_the_banner_counts_a_joint_case_clock_beyond_its_steps(start_server: StartServer) -> None:
    server, _ = await joint_started(start_server, day=15, month=9)
    guide = await publish_joint_guide(server, promised_days=90)
    window = await window_officer(server, "window-li")
    case = await submitted_case(server, guide)
    await joint_taken_in(window, guide, case["_id"])
    pushed = await window.post(f"/staff/v1/cases/{case['_id']}/joint/push")
    assert pushed.status == 200, pushed.body
    # The running steps are due this week; the case itself in 2027.
    assert pushed.json["due_on"] == "2026-09-18"
    detail = (await window.get(f"/staff/v1/cases/{case['_id']}")).json
    assert detail["clocks"]["completion"]["due_on"].startswith("2027-")
    assert await missing_years(window) == [2027]
