"""The case state machine, defined here and nowhere else.

draft → submitted (pre-review) ⇄ supplement_requested → pre_review_passed → accepted | not_accepted;
accepted → in_process (steps; suspended during special procedures) → approved | denied;
approved → delivered → archived. A citizen may withdraw before a decision. Each transition names who
may take it, whether a reason is required, and what it does to the legal clocks.

A joint case (联办件, see ``joint``) takes the same road to acceptance at the comprehensive window, is
pushed to its departments' steps (accepted → in_process), and then moves by step actions: a step's
approval (the case approves, by the system, when the last step has), a step's denial (the case is
denied), or a step's return for a supplement (supplement_requested, every clock stopped, until the
citizen resubmits straight back to the steps).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    PRE_REVIEW_PASSED = "pre_review_passed"
    ACCEPTED = "accepted"
    NOT_ACCEPTED = "not_accepted"
    IN_PROCESS = "in_process"
    SUSPENDED = "suspended"
    APPROVED = "approved"
    DENIED = "denied"
    DELIVERED = "delivered"
    ARCHIVED = "archived"
    WITHDRAWN = "withdrawn"


STATE_LABELS: dict[State, str] = {
    State.DRAFT: "草稿", State.SUBMITTED: "待预审", State.SUPPLEMENT_REQUESTED: "待补正",
    State.PRE_REVIEW_PASSED: "预审通过", State.ACCEPTED: "已受理", State.NOT_ACCEPTED: "不予受理",
    State.IN_PROCESS: "办理中", State.SUSPENDED: "特别程序中", State.APPROVED: "准予办理",
    State.DENIED: "不予办理", State.DELIVERED: "已送达", State.ARCHIVED: "已归档", State.WITHDRAWN: "已撤回",
}


class Action(StrEnum):
    SUBMIT = "submit"
    REQUEST_SUPPLEMENT = "request_supplement"
    RESUBMIT = "resubmit"
    PASS_PRE_REVIEW = "pass_pre_review"  # noqa: S105 (an action name, not a password)
    ACCEPT = "accept"
    NOT_ACCEPT = "not_accept"
    START_PROCESSING = "start_processing"
    RECORD_STEP = "record_step"
    SUSPEND = "suspend"
    RESUME = "resume"
    APPROVE = "approve"
    DENY = "deny"
    DELIVER = "deliver"
    ARCHIVE = "archive"
    WITHDRAW = "withdraw"
    EXPIRE_DRAFT = "expire_draft"
    FLAG_WARNING = "flag_warning"
    JOINT_PUSH = "joint_push"
    STEP_APPROVE = "step_approve"
    STEP_DENY = "step_deny"
    STEP_RETURN = "step_return"
    JOINT_RESUBMIT = "joint_resubmit"
    JOINT_APPROVE = "joint_approve"


class Clock(StrEnum):
    PRE_REVIEW = "pre_review"
    COMPLETION = "completion"


class ClockEffect(StrEnum):
    START = "start"
    STOP = "stop"
    RESUME = "resume"
    FINISH = "finish"


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[State]
    target: State | None  # None: the state does not change (a step, a warning)
    by: frozenset[str]  # "citizen", "officer", "system"
    needs_reason: bool = False
    clocks: tuple[tuple[Clock, ClockEffect], ...] = ()


def _t(action: Action, sources: set[State], target: State | None, by: set[str], *, reason: bool = False,
       clocks: tuple[tuple[Clock, ClockEffect], ...] = ()) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(by), reason, clocks)


BEFORE_DECISION = {State.DRAFT, State.SUBMITTED, State.SUPPLEMENT_REQUESTED, State.PRE_REVIEW_PASSED,
                   State.ACCEPTED, State.IN_PROCESS, State.SUSPENDED}
OPEN_STATES = BEFORE_DECISION | {State.APPROVED}
FINAL_STATES = {State.NOT_ACCEPTED, State.DENIED, State.DELIVERED, State.WITHDRAWN}

TRANSITIONS: dict[Action, Transition] = {t.action: t for t in (
    _t(Action.SUBMIT, {State.DRAFT}, State.SUBMITTED, {"citizen"},
       clocks=((Clock.PRE_REVIEW, ClockEffect.START),)),
    _t(Action.REQUEST_SUPPLEMENT, {State.SUBMITTED}, State.SUPPLEMENT_REQUESTED, {"officer"}, reason=True,
       clocks=((Clock.PRE_REVIEW, ClockEffect.STOP),)),
    _t(Action.RESUBMIT, {State.SUPPLEMENT_REQUESTED}, State.SUBMITTED, {"citizen"},
       clocks=((Clock.PRE_REVIEW, ClockEffect.RESUME),)),
    _t(Action.PASS_PRE_REVIEW, {State.SUBMITTED}, State.PRE_REVIEW_PASSED, {"officer"},
       clocks=((Clock.PRE_REVIEW, ClockEffect.FINISH),)),
    _t(Action.ACCEPT, {State.PRE_REVIEW_PASSED}, State.ACCEPTED, {"officer"},
       clocks=((Clock.COMPLETION, ClockEffect.START),)),
    _t(Action.NOT_ACCEPT, {State.PRE_REVIEW_PASSED, State.SUBMITTED}, State.NOT_ACCEPTED, {"officer"}, reason=True,
       clocks=((Clock.PRE_REVIEW, ClockEffect.FINISH),)),
    _t(Action.START_PROCESSING, {State.ACCEPTED}, State.IN_PROCESS, {"officer"}),
    _t(Action.RECORD_STEP, {State.IN_PROCESS}, None, {"officer"}),
    _t(Action.SUSPEND, {State.IN_PROCESS}, State.SUSPENDED, {"officer"}, reason=True,
       clocks=((Clock.COMPLETION, ClockEffect.STOP),)),
    _t(Action.RESUME, {State.SUSPENDED}, State.IN_PROCESS, {"officer"},
       clocks=((Clock.COMPLETION, ClockEffect.RESUME),)),
    _t(Action.APPROVE, {State.IN_PROCESS, State.ACCEPTED}, State.APPROVED, {"officer"},
       clocks=((Clock.COMPLETION, ClockEffect.FINISH),)),
    _t(Action.DENY, {State.IN_PROCESS, State.ACCEPTED}, State.DENIED, {"officer"}, reason=True,
       clocks=((Clock.COMPLETION, ClockEffect.FINISH),)),
    _t(Action.DELIVER, {State.APPROVED}, State.DELIVERED, {"officer"}),
    _t(Action.ARCHIVE, FINAL_STATES, State.ARCHIVED, {"officer", "system"}),
    _t(Action.WITHDRAW, BEFORE_DECISION, State.WITHDRAWN, {"citizen"},
       clocks=((Clock.PRE_REVIEW, ClockEffect.FINISH), (Clock.COMPLETION, ClockEffect.FINISH))),
    # A draft nobody touched for DRAFT_KEPT_DAYS (draft_expiry.py): it ends as if the citizen withdrew it.
    _t(Action.EXPIRE_DRAFT, {State.DRAFT}, State.WITHDRAWN, {"system"}, reason=True),
    _t(Action.FLAG_WARNING, OPEN_STATES, None, {"system"}),
    # Joint cases; the step clocks are the joint record's own and change with these (see ``joint``).
    _t(Action.JOINT_PUSH, {State.ACCEPTED}, State.IN_PROCESS, {"officer"}),
    _t(Action.STEP_APPROVE, {State.IN_PROCESS}, None, {"officer"}),
    _t(Action.STEP_DENY, {State.IN_PROCESS}, State.DENIED, {"officer"}, reason=True,
       clocks=((Clock.COMPLETION, ClockEffect.FINISH),)),
    _t(Action.STEP_RETURN, {State.IN_PROCESS}, State.SUPPLEMENT_REQUESTED, {"officer"}, reason=True,
       clocks=((Clock.COMPLETION, ClockEffect.STOP),)),
    _t(Action.JOINT_RESUBMIT, {State.SUPPLEMENT_REQUESTED}, State.IN_PROCESS, {"citizen"},
       clocks=((Clock.COMPLETION, ClockEffect.RESUME),)),
    _t(Action.JOINT_APPROVE, {State.IN_PROCESS}, State.APPROVED, {"system"},
       clocks=((Clock.COMPLETION, ClockEffect.FINISH),)),
)}
