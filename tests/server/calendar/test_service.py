from __future__ import annotations

from datetime import date

import pytest

from server.actor import Actor
from server.calendar import repository
from server.calendar.service import CalendarCache, InvalidCalendarYear, seed_from_package, set_year
from tests.support.server import TestServer

ADMIN = Actor("staff", "u1", "管理员")


@pytest.mark.asyncio
async def test_seeding_is_idempotent_and_never_overwrites_admin_years(server: TestServer) -> None:
    db, clock = server.deps.db, server.deps.clock
    first = await seed_from_package(db, clock)
    assert 2026 in first
    assert await seed_from_package(db, clock) == []
    await set_year(db, clock, ADMIN, 2026, [{"date": "2026-11-23", "working": False, "name": "测试假日"}])
    await seed_from_package(db, clock)
    days = await repository.year_days(db, 2026)
    assert [d["_id"] for d in days] == ["2026-11-23"]
    assert (await repository.covered_years(db))[2026]["source"] == "admin"


@pytest.mark.asyncio
async def test_an_admin_year_extends_the_calendar_for_every_process(server: TestServer) -> None:
    db, clock = server.deps.db, server.deps.clock
    await seed_from_package(db, clock)
    cache_a, cache_b = CalendarCache(db), CalendarCache(db)
    before = await cache_b.get()
    assert 2027 not in before.covered_years
    # 2027: 1 January (Friday) off, Saturday 9 January worked (made-up data for the test).
    await set_year(db, clock, ADMIN, 2027, [{"date": "2027-01-01", "working": False, "name": "元旦"},
                                            {"date": "2027-01-09", "working": True, "name": "调休上班"}])
    cache_b._checked = 0.0  # the next get() looks at the version now instead of within 2 seconds
    after = await cache_b.get()
    assert 2027 in after.covered_years
    assert after.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert after.is_working_day(date(2027, 1, 9))
    assert (await cache_a.get()).is_working_day(date(2027, 1, 9))


@pytest.mark.asyncio
@pytest.mark.parametrize("days", [
    [{"date": "2028-01-01", "working": False}],
    [{"date": "2027-13-01", "working": False}],
    [{"date": "2027-01-01", "working": False}, {"date": "2027-01-01", "working": True}],
])
async def test_bad_years_are_refused_whole(server: TestServer, days: list[dict[str, object]]) -> None:
    with pytest.raises(InvalidCalendarYear):
        await set_year(server.deps.db, server.deps.clock, ADMIN, 2027, days)
    assert 2027 not in await repository.covered_years(server.deps.db)
