"""/staff/v1/calendar: the holiday calendar deadlines are counted with, and the banner for missing years.

The ``chinesecalendar`` package covers years up to its release; for later years an administrator enters
the State Council's notice here. Until then such a year counts Monday–Friday, and the console shows a
banner from ``/staff/v1/calendar/status``.
"""

from __future__ import annotations

from server.actor import Actor
from server.calendar.service import InvalidCalendarYear, calendar_status, publish_year, year_view
from server.http.api import DATETIME, Route, Schema, array, boolean, endpoint, integer, nullable, obj, string
from server.http.base import BaseHandler
from server.settings import Settings
from server.staff.principal import StaffPrincipal
from server.staff.roles import Role

_TAGS = ["calendar"]

DAY: Schema = obj({"date": string(format="date", pattern=r"^\d{4}-\d{2}-\d{2}$"), "working": boolean(),
                   "name": string(maxLength=100)}, required=["date", "working"])
YEAR: Schema = obj({
    "year": integer(), "covered": boolean(description="False: no data, counted Monday–Friday."),
    "source": nullable(string(enum=["chinesecalendar", "admin"])),
    "updated_by": nullable(obj({"kind": string(), "id": string(), "name": string()}, additional=True)),
    "updated_at": nullable(DATETIME),
    "days": array(obj({"date": string(format="date"), "working": boolean(), "name": string()},
                      required=["date", "working", "name"]),
                  description="Exceptions to Monday–Friday: holidays (working false) and make-up working days."),
}, required=["year", "covered", "source", "updated_by", "updated_at", "days"])
STATUS: Schema = obj({
    "today": string(format="date"), "covered_years": array(integer()),
    "missing_years": array(integer(), description="Years a deadline may soon fall in without holiday data: "
                                                 "show a banner until an admin enters them."),
}, required=["today", "covered_years", "missing_years"])


def _year(text: str) -> int:
    if not text.isdigit() or len(text) != 4:
        raise InvalidCalendarYear("年份无效", year=text[:10])
    return int(text)


class CalendarStatusHandler(BaseHandler):
    @endpoint("Years without holiday data (console banner)", tags=_TAGS, auth="staff", responses={200: STATUS})
    async def get(self) -> None:
        self.write_json(await calendar_status(self.deps.db, self.deps.calendar, self.deps.clock))


class CalendarYearHandler(BaseHandler):
    @endpoint("One year's holidays and make-up working days", tags=_TAGS, auth="staff", responses={200: YEAR},
              errors=(422,))
    async def get(self, year: str) -> None:
        self.write_json(await year_view(self.deps.db, _year(year)))

    @endpoint("Replace one year's holidays and make-up working days (the State Council's notice)", tags=_TAGS,
              auth="staff", roles=(Role.ADMIN.value,),
              request=obj({"days": array(DAY, maxItems=366)}, required=["days"]),
              responses={200: YEAR},
              description="Every date must be in that year and appear once (422 invalid_calendar_year). Data "
                          "entered here is never overwritten by the package's data.")
    async def put(self, year: str) -> None:
        staff: StaffPrincipal = self.principal
        actor = Actor("staff", staff.user_id, staff.display_name)
        self.write_json(await publish_year(self.deps.db, self.deps.calendar, self.deps.clock, actor, _year(year),
                                           self.body["days"]))


def routes(settings: Settings) -> list[Route]:
    # The literal path first: Tornado tries routes in order and {year} would match "status".
    return [
        Route("/staff/v1/calendar/status", CalendarStatusHandler),
        Route("/staff/v1/calendar/{year}", CalendarYearHandler),
    ]
