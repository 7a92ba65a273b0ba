"""The shape of a case document, made in one place.

A case snapshots what it needs of the guide at creation (material slots, time limits, department), so
later edits of the guide never change what an application was judged against.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from server.cases.joint_model import critical_path_days, new_joint, queue_keys
from server.cases.states import Clock, State
from server.cases.timers import Timer
from server.settings import Settings


def new_case_id() -> str:
    return uuid.uuid4().hex


def case_number(day: str, sequence: int) -> str:
    """Human-readable and unique: YW + date in China + a daily sequence, e.g. YW2026112300042."""
    return f"YW{day}{sequence:05d}"


def guide_snapshot(guide: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": guide["id"],
        "name": guide["name"],
        "implementation_code": guide.get("implementation_code"),
        "item_type": guide.get("item_type"),
        "handling_mode": guide.get("handling_mode"),
        "promised_time_limit": guide.get("promised_time_limit"),
        "legal_time_limit": guide.get("legal_time_limit"),
        "fees": guide.get("fees") or {"charged": False, "items": []},
        "result_name": (guide.get("result") or {}).get("name"),
        "joint_process": guide.get("joint_process"),
        "materials": [
            {key: material.get(key) for key in ("id", "name", "requirement", "condition", "originals", "copies",
                                                "accepts_e_licence", "accepts_reuse", "format_notes")}
            for material in guide.get("materials", [])
        ],
    }


def completion_timer(guide: dict[str, Any]) -> Timer:
    fallback = critical_path_days(guide.get("joint_process") or {}) or 20
    limit = (guide.get("promised_time_limit") or guide.get("legal_time_limit")
             or {"value": fallback, "unit": "working_days"})
    return Timer(limit=int(limit["value"]), unit=str(limit["unit"]))


def new_case(*, case_id: str, number: str, guide: dict[str, Any], applicant: dict[str, Any], channel: str,
             form: dict[str, Any], now: datetime, open_app_id: str | None = None,
             pre_review_days: int = Settings.pre_review_limit_working_days,
             identity_id: str | None = None) -> dict[str, Any]:
    """``identity_id``: the citizen's account (WeChat openid, Alipay user) that made the case, which its
    messages go to; ``open_app_id``: the third-party platform the case was submitted through (it gets webhooks);
    ``pre_review_days``: the PRE_REVIEW_LIMIT_WORKING_DAYS setting (Administrative Licensing Law art. 32(4)),
    fixed on the case so a later change of the setting never moves its deadline."""
    joint = new_joint(guide.get("joint_process"))
    case: dict[str, Any] = {
        "_id": case_id,
        "number": number,
        "state": State.DRAFT.value,
        "version": 1,
        "guide": guide_snapshot(guide),
        # A joint case belongs to its lead department; the steps' departments are in ``joint``.
        "department_id": joint["lead_department_id"] if joint else guide.get("department_id"),
        "joint": joint,
        "applicant": applicant,
        "channel": channel,
        "identity_id": identity_id,
        "open_app_id": open_app_id,
        "form": form,
        # slot id -> {"source": upload|reuse|e_licence|paper, "files": [...], "verdict": None|ok|problem, ...}
        "materials": {},
        "clocks": {
            Clock.PRE_REVIEW.value: Timer(pre_review_days, "working_days").to_doc(),
            Clock.COMPLETION.value: completion_timer(guide).to_doc(),
        },
        "warning_level": "none",
        "due_on": None,
        "clock_stopped": False,
        "claim": None,
        "supplement": None,
        "originals_check": None,
        "acceptance": None,
        "steps": [],
        "special_procedures": [],
        "warning_flag": None,
        "decision": None,
        "delivery": None,
        "history": [],
        "uploaded_bytes": 0,
        "created_at": now,
        "updated_at": now,
    }
    case["queue_keys"] = queue_keys(case)
    return case
