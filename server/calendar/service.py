"""The calendar every process uses: seeded from chinesecalendar, extended by admins, cached in memory."""

from __future__ import annotations

import logging
import time
from datetime import date, timedelta
from typing import Any

import chinese_calendar

from server.actor import Actor
from server.calendar import repository
from server.calendar.working_days import WorkingCalendar
from server.cases import repository as case_repository
from server.clock import Clock, china_date
from server.errors import Unprocessable

log = logging.getLogger("yiwang.calendar")

_HOLIDAY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "Mid-autumn Festival": "中秋节", "National Day": "国庆节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}
# Older years matter only for cases long closed; seeding from here keeps start-up quick.
_FIRST_SEEDED_YEAR = 2020
_RELOAD_CHECK_SECONDS = 2.0


class InvalidCalendarYear(Unprocessable):
    code = "invalid_calendar_year"


def package_years() -> range:
    last = _FIRST_SEEDED_YEAR
    while True:
        try:
            chinese_calendar.is_workday(date(last + 1, 1, 1))
        except NotImplementedError:
            return range(_FIRST_SEEDED_YEAR, last + 1)
        last += 1


def exceptions_from_package(year: int) -> list[dict[str, Any]]:
    days = []
    day = date(year, 1, 1)
    while day.year == year:
        working = chinese_calendar.is_workday(day)
        if working != (day.weekday() < 5):
            _, name = chinese_calendar.get_holiday_detail(day)
            days.append({"date": day.isoformat(), "working": working,
                         "name": _HOLIDAY_NAMES.get(name or "", name or ("调休上班" if working else "休息"))})
        day += timedelta(days=1)
    return days


async def seed_from_package(db: repository.Db, clock: Clock) -> list[int]:
    """Insert the years the package covers and the database lacks (admin edits are never overwritten)."""
    seeded = []
    for year in package_years():
        if await repository.insert_year_if_absent(db, year, exceptions_from_package(year), source="chinesecalendar",
                                                  now=clock.now()):
            seeded.append(year)
    return seeded


async def set_year(db: repository.Db, clock: Clock, actor: Actor, year: int, days: list[dict[str, Any]]) -> None:
    """An admin publishes a year's holidays and make-up working days (the State Council's notice)."""
    if not 2000 <= year <= 2100:
        raise InvalidCalendarYear("年份超出范围", year=year)
    seen: set[str] = set()
    for entry in days:
        try:
            day = date.fromisoformat(entry["date"])
        except ValueError:
            raise InvalidCalendarYear(f"日期无效: {entry['date']}", year=year) from None
        if day.year != year:
            raise InvalidCalendarYear(f"{entry['date']} 不属于 {year} 年", year=year)
        if entry["date"] in seen:
            raise InvalidCalendarYear(f"{entry['date']} 重复", year=year)
        seen.add(entry["date"])
    await repository.replace_year(db, year, days, source="admin", by=actor.to_doc(), now=clock.now())


async def year_view(db: repository.Db, year: int) -> dict[str, Any]:
    """A year's holidays and make-up working days as the console edits them; ``covered`` False if none."""
    if not 2000 <= year <= 2100:
        raise InvalidCalendarYear("年份超出范围", year=year)
    meta = (await repository.covered_years(db)).get(year)
    days = [{"date": d["_id"], "working": bool(d["working"]), "name": d.get("name", "")}
            for d in await repository.year_days(db, year)]
    return {"year": year, "covered": meta is not None, "source": (meta or {}).get("source"),
            "updated_by": (meta or {}).get("updated_by"), "updated_at": (meta or {}).get("updated_at"),
            "days": days}


async def publish_year(db: repository.Db, cache: CalendarCache, clock: Clock, actor: Actor, year: int,
                       days: list[dict[str, Any]]) -> dict[str, Any]:
    """``set_year``, then this process counts with the new data at once (others within seconds)."""
    await set_year(db, clock, actor, year, days)
    cache.expire()
    return await year_view(db, year)


async def _latest_deadline(db: repository.Db) -> date | None:
    latest = await case_repository.latest_deadline(db)
    return date.fromisoformat(latest) if latest else None


async def calendar_status(db: repository.Db, cache: CalendarCache, clock: Clock) -> dict[str, Any]:
    """For the console banner: the years deadlines fall in, or may soon, that have no holiday data."""
    today = china_date(clock.now())
    return {"today": today.isoformat(), "covered_years": sorted(await repository.covered_years(db)),
            "missing_years": await cache.missing_years(today, await _latest_deadline(db))}


async def prepare_calendar(db: repository.Db, cache: CalendarCache, clock: Clock) -> list[int]:
    """At process start: seed what the package covers, and warn loudly about years without data."""
    seeded = await seed_from_package(db, clock)
    cache.expire()
    if seeded:
        log.info("holiday calendar seeded from chinesecalendar for %s", ", ".join(map(str, seeded)))
    missing = await cache.missing_years(china_date(clock.now()), await _latest_deadline(db))
    for year in missing:
        log.warning("NO HOLIDAY DATA FOR %s: deadlines in %s are counted Monday–Friday until an admin enters the "
                    "State Council's holiday notice (console: 节假日日历, PUT /staff/v1/calendar/%s).",
                    year, year, year)
    return missing


class CalendarCache:
    """One WorkingCalendar per process, reloaded when any process changes the calendar."""

    def __init__(self, db: repository.Db) -> None:
        self._db = db
        self._calendar: WorkingCalendar | None = None
        self._version = -1
        self._checked = 0.0
        self._warned: set[int] = set()

    async def get(self) -> WorkingCalendar:
        now = time.monotonic()
        if self._calendar is None or now - self._checked > _RELOAD_CHECK_SECONDS:
            self._checked = now
            version = await repository.current_version(self._db)
            if self._calendar is None or version != self._version:
                years = await repository.covered_years(self._db)
                self._calendar = WorkingCalendar(await repository.all_exceptions(self._db), frozenset(years))
                self._version = version
        return self._calendar

    def expire(self) -> None:
        """Look at the calendar version on the next ``get`` instead of within seconds."""
        self._checked = 0.0

    def warn_about_fallbacks(self, calendar: WorkingCalendar) -> None:
        for year in sorted(calendar.fallback_years_used - self._warned):
            self._warned.add(year)
            log.warning("NO HOLIDAY DATA FOR %s: working days of %s are counted Monday–Friday. An admin must enter "
                        "the State Council's holiday notice for %s (console: 节假日日历).", year, year, year)

    async def missing_years(self, today: date, latest_deadline: date | None = None) -> list[int]:
        """Years without data that a deadline falls in (every year up to ``latest_deadline``, the latest of
        the running clocks) or may soon (a case accepted in the next 60 days): the console shows a banner."""
        calendar = await self.get()
        through = max(today + timedelta(days=60), latest_deadline or today)
        return calendar.uncovered(range(today.year, through.year + 1))
