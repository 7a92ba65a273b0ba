"""What the citizen is told, in one table: which case actions produce which message, and its wording.

Every kind goes out through the one "办件进度通知" template of each channel (a progress template is what
government mini-programs get approved); the kind decides the status line and the remark.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, NamedTuple

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

class Wording(NamedTuple):
    line: str  # the in-app timeline's title
    # The template's status field, a WeChat "phrase": at most five Chinese characters and nothing else (a
    # longer value gets the whole message refused, errcode 47003).
    phrase: str
    # The remark when the message carries nothing more specific (a reason, a waybill, an amount).
    remark: str = "点击查看办件详情"


WORDING: dict[MessageKind, Wording] = {
    MessageKind.SUBMITTED: Wording("已提交，等待预审", "已提交", "等待窗口预审，点击查看详情"),
    MessageKind.SUPPLEMENT_REQUESTED: Wording("需要补正材料", "需补正材料"),
    MessageKind.PRE_REVIEW_PASSED: Wording("预审通过", "预审通过"),
    MessageKind.ACCEPTED: Wording("已受理", "已受理"),
    MessageKind.NOT_ACCEPTED: Wording("不予受理", "不予受理"),
    MessageKind.APPROVED: Wording("准予办理", "准予办理"),
    MessageKind.DENIED: Wording("不予办理", "不予办理"),
    MessageKind.FEE_DUE: Wording("待缴费", "待缴费"),
    MessageKind.PAID: Wording("已缴费", "已缴费"),
    MessageKind.DELIVERED: Wording("结果已送达", "结果已送达"),
    MessageKind.OVERDUE_WARNING: Wording("办理即将超期", "即将超期", "办理即将超期，点击查看详情"),
    MessageKind.JOINT_PROGRESS: Wording("部门联办进度", "联办中"),
    MessageKind.DRAFT_EXPIRED: Wording("草稿已过期撤回", "草稿已撤回", "草稿长期未更新已撤回"),
}
STATUS_LINES: dict[MessageKind, str] = {kind: wording.line for kind, wording in WORDING.items()}

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
    return WORDING[kind].remark


def template_fields(kind: MessageKind, message: Mapping[str, Any]) -> dict[str, str]:
    """The progress template's fields: case number, service name, status, remark, time."""
    data = message.get("data") or {}
    return {
        "character_string1": str(message["case_number"]),
        "thing2": str(message.get("guide_name") or "")[:_THING_MAX],
        "phrase3": WORDING[kind].phrase,
        "thing4": _remark(kind, data)[:_THING_MAX],
        "time5": str(message.get("queued_at_text") or ""),
    }
