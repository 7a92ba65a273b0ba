"""What the citizen is told, in one table: which case actions produce which message, and its wording.

Every kind goes out through the one "办件进度通知" template of each channel (a progress template is what
government mini-programs get approved); the kind decides the status line and the remark.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from server.cases.states import Action


class MessageKind(StrEnum):
    SUBMITTED = "submitted"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    PRE_REVIEW_PASSED = "pre_review_passed"
    ACCEPTED = "accepted"
    NOT_ACCEPTED = "not_accepted"
    APPROVED = "approved"
    DENIED = "denied"
    FEE_DUE = "fee_due"
    PAID = "paid"
    DELIVERED = "delivered"
    OVERDUE_WARNING = "overdue_warning"
    JOINT_PROGRESS = "joint_progress"
    DRAFT_EXPIRED = "draft_expired"


# The transitions the citizen hears about. Fee due and paid come from the payments side through
# ``server.cases.workflow.queue_message``; steps, suspensions and archiving stay internal.
ACTION_MESSAGES: dict[Action, MessageKind] = {
    Action.SUBMIT: MessageKind.SUBMITTED,
    Action.RESUBMIT: MessageKind.SUBMITTED,
    Action.REQUEST_SUPPLEMENT: MessageKind.SUPPLEMENT_REQUESTED,
    Action.PASS_PRE_REVIEW: MessageKind.PRE_REVIEW_PASSED,
    Action.ACCEPT: MessageKind.ACCEPTED,
    Action.NOT_ACCEPT: MessageKind.NOT_ACCEPTED,
    Action.APPROVE: MessageKind.APPROVED,
    Action.DENY: MessageKind.DENIED,
    Action.DELIVER: MessageKind.DELIVERED,
    Action.FLAG_WARNING: MessageKind.OVERDUE_WARNING,
    # Joint cases: every step change is news (which department holds the case now).
    Action.JOINT_PUSH: MessageKind.JOINT_PROGRESS,
    Action.STEP_APPROVE: MessageKind.JOINT_PROGRESS,
    Action.STEP_DENY: MessageKind.DENIED,
    Action.STEP_RETURN: MessageKind.SUPPLEMENT_REQUESTED,
    Action.JOINT_RESUBMIT: MessageKind.JOINT_PROGRESS,
    Action.JOINT_APPROVE: MessageKind.APPROVED,
    # The citizen may have meant to come back: say the draft and its photos are gone.
    Action.EXPIRE_DRAFT: MessageKind.DRAFT_EXPIRED,
}

STATUS_LINES: dict[MessageKind, str] = {
    MessageKind.SUBMITTED: "已提交，等待预审",
    MessageKind.SUPPLEMENT_REQUESTED: "需要补正材料",
    MessageKind.PRE_REVIEW_PASSED: "预审通过",
    MessageKind.ACCEPTED: "已受理",
    MessageKind.NOT_ACCEPTED: "不予受理",
    MessageKind.APPROVED: "准予办理",
    MessageKind.DENIED: "不予办理",
    MessageKind.FEE_DUE: "待缴费",
    MessageKind.PAID: "已缴费",
    MessageKind.DELIVERED: "结果已送达",
    MessageKind.OVERDUE_WARNING: "办理即将超期",
    MessageKind.JOINT_PROGRESS: "部门联办进度",
    MessageKind.DRAFT_EXPIRED: "草稿已过期撤回",
}

# The template's status field is a WeChat "phrase": at most five Chinese characters, nothing else (a
# longer value gets the whole message refused, errcode 47003). The in-app timeline keeps STATUS_LINES.
PHRASES: dict[MessageKind, str] = {
    MessageKind.SUBMITTED: "已提交",
    MessageKind.SUPPLEMENT_REQUESTED: "需补正材料",
    MessageKind.PRE_REVIEW_PASSED: "预审通过",
    MessageKind.ACCEPTED: "已受理",
    MessageKind.NOT_ACCEPTED: "不予受理",
    MessageKind.APPROVED: "准予办理",
    MessageKind.DENIED: "不予办理",
    MessageKind.FEE_DUE: "待缴费",
    MessageKind.PAID: "已缴费",
    MessageKind.DELIVERED: "结果已送达",
    MessageKind.OVERDUE_WARNING: "即将超期",
    MessageKind.JOINT_PROGRESS: "联办中",
    MessageKind.DRAFT_EXPIRED: "草稿已撤回",
}

# What the remark says when the kind has nothing more specific: the rest of the status line.
_DEFAULT_REMARKS: dict[MessageKind, str] = {
    MessageKind.SUBMITTED: "等待窗口预审，点击查看详情",
    MessageKind.OVERDUE_WARNING: "办理即将超期，点击查看详情",
    MessageKind.DRAFT_EXPIRED: "草稿长期未更新已撤回",
}

# WeChat "thing" values are at most 20 characters.
_THING_MAX = 20


def _remark(kind: MessageKind, data: Mapping[str, Any]) -> str:
    if kind is MessageKind.DELIVERED and data.get("waybill_no"):
        return f"{data.get('carrier') or '快递'}运单号{data['waybill_no']}"
    if kind is MessageKind.FEE_DUE and data.get("amount_fen") is not None:
        return f"应缴{int(data['amount_fen']) / 100:.2f}元"
    if kind is MessageKind.JOINT_PROGRESS and data.get("progress"):
        return str(data["progress"])
    reason = data.get("reason")
    if kind in (MessageKind.SUPPLEMENT_REQUESTED, MessageKind.NOT_ACCEPTED, MessageKind.DENIED,
                MessageKind.DRAFT_EXPIRED) and reason:
        return str(reason)
    return _DEFAULT_REMARKS.get(kind, "点击查看办件详情")


def template_fields(kind: MessageKind, message: Mapping[str, Any]) -> dict[str, str]:
    """The progress template's fields: case number, service name, status, remark, time."""
    data = message.get("data") or {}
    return {
        "character_string1": str(message["case_number"]),
        "thing2": str(message.get("guide_name") or "")[:_THING_MAX],
        "phrase3": PHRASES[kind],
        "thing4": _remark(kind, data)[:_THING_MAX],
        "time5": str(message.get("queued_at_text") or ""),
    }
