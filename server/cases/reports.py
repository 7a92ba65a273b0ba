"""Supervision reports (电子监察): counts by state and department, overdue cases, handling time, CSV export.

Scope: a supervisor sees every department; an officer without the supervisor role sees the departments
on the account. An optional date range selects cases by the China date they were created (applied for).

Handling time runs from submission to the decision (准予 / 不予 / 不予受理): in working days as the legal
clocks count them (from the day after submission, holidays and make-up days respected) and in natural
hours. The decision, not delivery, is what the time limits are about, so that is where it stops.
"""

from __future__ import annotations

import codecs
import copy
import csv
import io
from collections.abc import AsyncGenerator
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from cms.catalog_lists.service import DEPARTMENTS, names
from server.calendar.working_days import WorkingCalendar
from server.cases import report_repository as repo
from server.cases.states import STATE_LABELS, Action, State
from server.cases.supervision import SUPERVISED_STATES
from server.cases.timers import WARNING_LABELS, WarningLevel
from server.cases.workflow import refresh_supervision
from server.clock import CHINA_TIME, china_date
from server.errors import Unprocessable
from server.identity.names import mask_person_name
from server.staff.principal import StaffPrincipal
from server.staff.roles import Role

if TYPE_CHECKING:
    from server.deps import Deps

OVERDUE_LIST_LIMIT = 100
_PAGE = 500
# States reached through a decision (an archived case keeps its decision in its history).
DECIDED_STATES: list[str] = [s.value for s in (State.APPROVED, State.DENIED, State.NOT_ACCEPTED, State.DELIVERED,
                                               State.ARCHIVED)]
# A joint case is decided by its steps: the system's approval after the last one, or a step's denial.
DECISION_ACTIONS = frozenset({Action.APPROVE.value, Action.DENY.value, Action.NOT_ACCEPT.value,
                              Action.JOINT_APPROVE.value, Action.STEP_DENY.value})
REPORT_STATES: list[State] = [s for s in State if s is not State.DRAFT]
# A spreadsheet runs a cell that starts like a formula; such text is exported with a leading quote.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EXPORT_COLUMNS = ("办件编号", "事项名称", "部门", "状态", "申请人", "证件号码", "提交时间", "办结期限", "预警级别",
                  "办结时间", "办理用时（工作日）", "办理用时（小时）")


class InvalidReportRange(Unprocessable):
    code = "invalid_report_range"
    default_message = "起止日期无效"


def report_departments(staff: StaffPrincipal) -> list[str] | None:
    """None (every department) for a supervisor; otherwise the officer's own departments."""
    if Role.SUPERVISOR in staff.roles:
        return None
    return list(staff.departments)


def created_range(date_from: str | None, date_to: str | None) -> repo.Created:
    """China dates [from, to] (both included) as a created_at range; either end may be open."""
    try:
        start = date.fromisoformat(date_from) if date_from else None
        end = date.fromisoformat(date_to) if date_to else None
    except ValueError:
        raise InvalidReportRange() from None
    if start is not None and end is not None and end < start:
        raise InvalidReportRange("结束日期早于开始日期", date_from=date_from, date_to=date_to)
    return (_china_midnight(start) if start else None,
            _china_midnight(end + timedelta(days=1)) if end else None)


def _china_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=CHINA_TIME)


def _at(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    return None


def submitted_at(case: dict[str, Any]) -> datetime | None:
    return next((_at(e["at"]) for e in case.get("history") or [] if e["action"] == Action.SUBMIT.value), None)


def decided_at(case: dict[str, Any]) -> datetime | None:
    return next((_at(e["at"]) for e in case.get("history") or [] if e["action"] in DECISION_ACTIONS), None)


def handling_time(case: dict[str, Any], calendar: WorkingCalendar) -> tuple[int, float] | None:
    """(working days, hours) from submission to decision; None while undecided."""
    start, end = submitted_at(case), decided_at(case)
    if start is None or end is None:
        return None
    days = calendar.working_days_between(china_date(start), china_date(end))
    return days, round((end - start).total_seconds() / 3600, 1)


def current_warning(case: dict[str, Any], today: date, calendar: WorkingCalendar, warn_days: int) -> WarningLevel:
    """The level as of today (the stored one is only as fresh as the last transition or warning-job run),
    a joint case's running step clocks included."""
    fresh = {"clocks": case["clocks"], "joint": copy.deepcopy(case.get("joint"))}
    refresh_supervision(fresh, today, calendar, warn_days)
    return WarningLevel(fresh["warning_level"])


def masked_name(case: dict[str, Any]) -> str:
    return mask_person_name(str((case.get("applicant") or {}).get("name") or ""))


async def _department_names(deps: Deps, ids: set[str | None]) -> dict[str, str]:
    return await names(deps, DEPARTMENTS, [i for i in ids if i])


def _overdue_item(case: dict[str, Any], today: date, calendar: WorkingCalendar,
                  department_names: dict[str, str]) -> dict[str, Any]:
    due = date.fromisoformat(case["due_on"])
    state = State(case["state"])
    department = case.get("department_id")
    return {
        "id": case["_id"], "number": case["number"], "guide_name": case["guide"]["name"],
        "department_id": department, "department_name": department_names.get(department or "", department or ""),
        "state": state.value, "state_label": STATE_LABELS[state], "due_on": case["due_on"],
        "working_days_overdue": calendar.working_days_between(due, today), "applicant": masked_name(case),
    }


async def _handling_stats(deps: Deps, departments: list[str] | None, created: repo.Created,
                          calendar: WorkingCalendar) -> dict[str, Any]:
    finished, total_days, total_hours = 0, 0, 0.0
    after = ""
    while True:
        page = await repo.decided_cases(deps.db, departments, created, DECIDED_STATES, after_number=after,
                                        limit=_PAGE)
        for case in page:
            spent = handling_time(case, calendar)
            if spent is not None:
                finished += 1
                total_days += spent[0]
                total_hours += spent[1]
        if len(page) < _PAGE:
            break
        after = page[-1]["number"]
    return {"decided": finished,
            "average_working_days": round(total_days / finished, 1) if finished else None,
            "average_hours": round(total_hours / finished, 1) if finished else None}


_OPEN_STATES = frozenset(SUPERVISED_STATES) | {State.PRE_REVIEW_PASSED.value, State.APPROVED.value}


def _department_rows(per_department: dict[str | None, dict[str, int]], overdue: dict[str | None, int],
                     department_names: dict[str, str]) -> list[dict[str, Any]]:
    """One row per department, busiest first."""
    rows = [{
        "department_id": department,
        "department_name": department_names.get(department or "", department or "（未指定部门）"),
        "total": sum(states.values()),
        "open": sum(n for s, n in states.items() if s in _OPEN_STATES),
        "overdue": overdue.get(department, 0),
        "by_state": dict(states),
    } for department, states in per_department.items()]
    return sorted(rows, key=lambda row: (-int(row["total"]), str(row["department_id"] or "")))


async def supervision_summary(deps: Deps, staff: StaffPrincipal, *, date_from: str | None = None,
                              date_to: str | None = None) -> dict[str, Any]:
    departments = report_departments(staff)
    created = created_range(date_from, date_to)
    calendar = await deps.calendar.get()
    today = china_date(deps.clock.now())

    rows = await repo.count_by_department_and_state(deps.db, departments, created)
    by_state = {state.value: 0 for state in REPORT_STATES}
    per_department: dict[str | None, dict[str, int]] = {d: {} for d in departments or []}
    for department, state, count in rows:
        by_state[state] = by_state.get(state, 0) + count
        states = per_department.setdefault(department, {})
        states[state] = states.get(state, 0) + count
    overdue, overdue_total = await repo.overdue_cases(deps.db, departments, created, SUPERVISED_STATES,
                                                      today.isoformat(), limit=OVERDUE_LIST_LIMIT)
    overdue_by_department = await repo.count_overdue_by_department(deps.db, departments, created,
                                                                   SUPERVISED_STATES, today.isoformat())
    department_names = await _department_names(
        deps, set(per_department) | {case.get("department_id") for case in overdue})
    warnings = await repo.count_by_warning(deps.db, departments, created, SUPERVISED_STATES)
    result = {
        "today": today.isoformat(),
        "scope": {"departments": departments, "date_from": date_from, "date_to": date_to},
        "total": sum(by_state.values()),
        "by_state": [{"state": s.value, "label": STATE_LABELS[s], "count": by_state.get(s.value, 0)}
                     for s in REPORT_STATES],
        "by_department": _department_rows(per_department, overdue_by_department, department_names),
        "by_warning": [{"level": level.value, "label": WARNING_LABELS[level], "count": warnings.get(level.value, 0)}
                       for level in WarningLevel],
        "overdue": {"total": overdue_total,
                    "items": [_overdue_item(case, today, calendar, department_names) for case in overdue]},
        "handling_time": await _handling_stats(deps, departments, created, calendar),
    }
    deps.calendar.warn_about_fallbacks(calendar)
    return result


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _china_time(moment: datetime | None) -> str:
    return moment.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M") if moment else ""


def export_row(case: dict[str, Any], today: date, calendar: WorkingCalendar, department_names: dict[str, str],
               warn_days: int) -> list[str]:
    state = State(case["state"])
    spent = handling_time(case, calendar)
    department = case.get("department_id") or ""
    applicant = case.get("applicant") or {}
    return [_cell(v) for v in (
        case["number"], case["guide"]["name"], department_names.get(department, department), STATE_LABELS[state],
        masked_name(case), applicant.get("id_masked"), _china_time(submitted_at(case)), case.get("due_on"),
        WARNING_LABELS[current_warning(case, today, calendar, warn_days)], _china_time(decided_at(case)),
        spent[0] if spent else None, spent[1] if spent else None)]


def _csv_line(values: list[str] | tuple[str, ...]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(values)
    return buffer.getvalue()


def export_csv(deps: Deps, staff: StaffPrincipal, *, date_from: str | None = None,
               date_to: str | None = None) -> AsyncGenerator[bytes, None]:
    """The cases in scope as CSV chunks: UTF-8 with a BOM (so Excel reads the Chinese), one page at a time.

    Personal data is masked as in lists: the applicant's name and the masked ID number, nothing more.
    The range is checked here, before anything is sent, so a bad range is still a JSON error.
    """
    return _export_chunks(deps, report_departments(staff), created_range(date_from, date_to))


async def _export_chunks(deps: Deps, departments: list[str] | None,
                         created: repo.Created) -> AsyncGenerator[bytes, None]:
    calendar = await deps.calendar.get()
    today = china_date(deps.clock.now())
    department_names: dict[str, str] = {}
    warn_days = deps.settings.case_warn_working_days
    yield codecs.BOM_UTF8 + _csv_line(EXPORT_COLUMNS).encode("utf-8")
    after = ""
    while True:
        page = await repo.export_page(deps.db, departments, created, after_number=after, limit=_PAGE)
        unknown = {case.get("department_id") for case in page} - set(department_names)
        if unknown:
            department_names.update(await _department_names(deps, unknown))
        yield "".join(_csv_line(export_row(case, today, calendar, department_names, warn_days))
                      for case in page).encode("utf-8")
        if len(page) < _PAGE:
            break
        after = page[-1]["number"]
    deps.calendar.warn_about_fallbacks(calendar)


def export_file_name(today: date) -> str:
    return f"办件监察-{today.isoformat()}.csv"
