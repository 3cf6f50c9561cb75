"""The states of a case (办件) and of its review tasks, and the moves allowed between them."""

from __future__ import annotations

from enum import StrEnum

from .refusals import Refused


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"  # 补正: back with the complete list of problems
    REFUSED = "refused"  # 不予受理
    ACCEPTED = "accepted"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    PARTLY_APPROVED = "partly_approved"  # every item decided: some approved, some rejected
    REJECTED = "rejected"
    RESULTS_READY = "results_ready"
    DELIVERED = "delivered"
    COLLECTED = "collected"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


class TaskState(StrEnum):
    WAITING = "waiting"  # its stage has not started
    IN_REVIEW = "in_review"
    PAUSED = "paused"  # clock stopped: excluded period or waiting on the applicant
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"  # not decided: the case ended, or an item it needs was rejected


TRANSITIONS: dict[tuple[State, str], State] = {
    (State.DRAFT, "submit"): State.SUBMITTED,
    (State.DRAFT, "withdraw"): State.WITHDRAWN,
    (State.SUBMITTED, "withdraw"): State.WITHDRAWN,
    (State.RETURNED, "withdraw"): State.WITHDRAWN,
    (State.SUBMITTED, "accept"): State.ACCEPTED,
    (State.SUBMITTED, "return"): State.RETURNED,
    (State.SUBMITTED, "refuse"): State.REFUSED,
    (State.RETURNED, "resubmit"): State.SUBMITTED,
    (State.ACCEPTED, "start_review"): State.IN_REVIEW,
    (State.IN_REVIEW, "approve"): State.APPROVED,
    (State.IN_REVIEW, "partly_approve"): State.PARTLY_APPROVED,
    (State.IN_REVIEW, "reject"): State.REJECTED,
    (State.APPROVED, "results_ready"): State.RESULTS_READY,
    (State.PARTLY_APPROVED, "results_ready"): State.RESULTS_READY,
    (State.RESULTS_READY, "deliver"): State.DELIVERED,
    (State.RESULTS_READY, "collect"): State.COLLECTED,
    (State.DELIVERED, "close"): State.CLOSED,
    (State.COLLECTED, "close"): State.CLOSED,
    (State.REJECTED, "close"): State.CLOSED,
}

FINAL = frozenset({State.CLOSED, State.WITHDRAWN, State.REFUSED})
BEFORE_ACCEPTANCE = frozenset({State.DRAFT, State.SUBMITTED, State.RETURNED, State.REFUSED, State.WITHDRAWN})
# Every item decided, results not yet out: owed deferred materials may still arrive (or be waived).
DECIDED = frozenset({State.APPROVED, State.PARTLY_APPROVED})
# Cases with results to hand over: every item approved, or some (partly approved, 部分办结).
WITH_RESULTS = frozenset({*DECIDED, State.RESULTS_READY, State.DELIVERED, State.COLLECTED})

# What a citizen reads for each state.
STATE_NAMES = {
    State.DRAFT: "草稿", State.SUBMITTED: "已提交，待受理", State.RETURNED: "退回补正",
    State.REFUSED: "不予受理", State.ACCEPTED: "已受理", State.IN_REVIEW: "审批中",
    State.APPROVED: "已办结（全部通过）", State.PARTLY_APPROVED: "部分办结（部分事项未通过）",
    State.REJECTED: "审批未通过", State.RESULTS_READY: "待领取/待寄送",
    State.DELIVERED: "已送达", State.COLLECTED: "已领取", State.CLOSED: "已结束", State.WITHDRAWN: "已撤回",
}
TASK_STATE_NAMES = {
    TaskState.WAITING: "等待前序环节", TaskState.IN_REVIEW: "审批中", TaskState.PAUSED: "暂停计时",
    TaskState.APPROVED: "已通过", TaskState.REJECTED: "未通过", TaskState.CANCELLED: "已终止",
}
# 行政许可法 §45: periods that do not count towards the limit, opened and closed by a reviewer.
EXCLUDED_PERIODS = {
    "hearing": "听证", "inspection": "现场核查", "testing": "检验检测", "expert_review": "专家评审",
}
APPLICANT_WAIT = "applicant"  # waiting on owed deferred materials
CORRECTION = "correction"  # 审查中补正: a reviewer returned the item, waiting on the applicant's resubmission
# Periods only the applicant ends (never resumed by a reviewer): their time does not count either.
APPLICANT_PAUSES = frozenset({APPLICANT_WAIT, CORRECTION})
PAUSE_NAMES = {**EXCLUDED_PERIODS, APPLICANT_WAIT: "等待补交容缺材料", CORRECTION: "退回补正，等待申请人补正"}


class IllegalTransition(Refused):
    """The case is not in a state that allows the action: someone else moved it on, or a stale page."""

    status = 409

    def __init__(self, state: State, action: str):
        super().__init__("illegal_transition", details={"state": state.value, "action": action,
                                                        "state_name": STATE_NAMES[state]})
        self.state, self.action = state, action

    def __str__(self) -> str:  # for logs and tests; people read the catalogue's entry
        return f"cannot {self.action} a case that is {self.state.value}"


def next_state(state: State, action: str) -> State:
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise IllegalTransition(state, action) from None
