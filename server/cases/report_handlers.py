"""/staff/v1/supervision: the supervision report and its CSV export (电子监察).

Supervisors see every department; officers see the departments on their account.
"""

from __future__ import annotations

import contextlib

import tornado.iostream

from server.cases.reports import export_csv, export_file_name, supervision_summary
from server.cases.states import State
from server.cases.timers import WarningLevel
from server.clock import china_date
from server.http.api import Route, Schema, array, endpoint, integer, nullable, number_schema, obj, string
from server.http.base import BaseHandler
from server.objects.base import content_disposition
from server.settings import Settings
from server.staff.principal import StaffPrincipal
from server.staff.roles import Role

_TAGS = ["supervision"]
REPORT_ROLES = (Role.SUPERVISOR.value, Role.OFFICER.value)
_DATE = string(format="date", pattern=r"^\d{4}-\d{2}-\d{2}$")
RANGE_QUERY: dict[str, Schema] = {
    "date_from": string(pattern=r"^\d{4}-\d{2}-\d{2}$", description="First China date cases were created on"),
    "date_to": string(pattern=r"^\d{4}-\d{2}-\d{2}$", description="Last China date (included)"),
}
_STATE = string(enum=[s.value for s in State])
_COUNT = integer(minimum=0)

SUMMARY: Schema = obj({
    "today": _DATE,
    "scope": obj({"departments": nullable(array(string())), "date_from": nullable(_DATE),
                  "date_to": nullable(_DATE)}, required=["departments", "date_from", "date_to"],
                 description="departments null: every department (supervisor)."),
    "total": _COUNT,
    "by_state": array(obj({"state": _STATE, "label": string(), "count": _COUNT},
                          required=["state", "label", "count"])),
    "by_department": array(obj({
        "department_id": nullable(string()), "department_name": string(), "total": _COUNT,
        "open": _COUNT, "overdue": _COUNT,
        "by_state": {"type": "object", "additionalProperties": _COUNT,
                     "description": "state -> number of cases (states that have cases)"},
    }, required=["department_id", "department_name", "total", "open", "overdue", "by_state"])),
    "by_warning": array(obj({"level": string(enum=[w.value for w in WarningLevel]), "label": string(),
                             "count": _COUNT}, required=["level", "label", "count"]),
                        description="Open cases with a legal clock, by the warning level last derived."),
    "overdue": obj({
        "total": _COUNT,
        "items": array(obj({
            "id": string(), "number": string(), "guide_name": string(), "department_id": nullable(string()),
            "department_name": string(), "state": _STATE, "state_label": string(), "due_on": _DATE,
            "working_days_overdue": integer(), "applicant": string(description="masked name"),
        }, required=["id", "number", "guide_name", "department_id", "department_name", "state", "state_label",
                     "due_on", "working_days_overdue", "applicant"]),
                       description="Longest overdue first, at most 100."),
    }, required=["total", "items"], description="Open cases whose running clock's deadline has passed."),
    "handling_time": obj({
        "decided": _COUNT,
        "average_working_days": nullable(number_schema(minimum=0)),
        "average_hours": nullable(number_schema(minimum=0)),
    }, required=["decided", "average_working_days", "average_hours"],
        description="Submission to decision (准予/不予/不予受理), in working days and natural hours."),
}, required=["today", "scope", "total", "by_state", "by_department", "by_warning", "overdue", "handling_time"])


class ReportHandler(BaseHandler):
    @property
    def staff(self) -> StaffPrincipal:
        principal: StaffPrincipal = self.principal
        return principal


class SummaryHandler(ReportHandler):
    @endpoint("Supervision report: counts by state and department, overdue cases, average handling time",
              tags=_TAGS, auth="staff", roles=REPORT_ROLES, query=RANGE_QUERY, responses={200: SUMMARY},
              errors=(422,),
              description="Supervisors see every department, officers their own. date_from/date_to select "
                          "cases by the China date they were created (422 invalid_report_range).")
    async def get(self) -> None:
        self.write_json(await supervision_summary(self.deps, self.staff, date_from=self.query.get("date_from"),
                                                  date_to=self.query.get("date_to")))


class ExportHandler(ReportHandler):
    @endpoint("Cases as CSV (UTF-8 with BOM, opens in Excel); personal data masked", tags=_TAGS, auth="staff",
              roles=REPORT_ROLES, query=RANGE_QUERY, responses={200: string()}, response_content_type="text/csv",
              errors=(422,),
              description="Columns: 办件编号, 事项名称, 部门, 状态, 申请人 (masked), 证件号码 (masked), 提交时间, "
                          "办结期限, 预警级别, 办结时间, 办理用时（工作日）, 办理用时（小时）. Streamed page by page.")
    async def get(self) -> None:
        chunks = export_csv(self.deps, self.staff, date_from=self.query.get("date_from"),
                            date_to=self.query.get("date_to"))
        self.set_header("Content-Type", "text/csv; charset=utf-8")
        self.set_header("Content-Disposition", content_disposition(export_file_name(china_date(self.deps.clock.now()))))
        try:
            async with contextlib.aclosing(chunks):
                async for chunk in chunks:
                    self.write(chunk)
                    await self.flush()
        except tornado.iostream.StreamClosedError:
            return  # the browser cancelled the download
        self.finish()


def routes(settings: Settings) -> list[Route]:
    return [
        Route("/staff/v1/supervision/summary", SummaryHandler),
        Route("/staff/v1/supervision/cases.csv", ExportHandler),
    ]
