"""Partial outcomes, correction during review and owed materials before the results go out."""

from datetime import datetime, timedelta, timezone

import pytest

from onething.domain.case import Case, CaseRuleError
from onething.domain.clock import tick
from onething.domain.states import CORRECTION, IllegalTransition, State, TaskState
from tests.support.builders import catalog, d, item, plain_calendar, thing
from tests.support.refusals import refused

CAL = plain_calendar(2026)
MONDAY = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai

# Like 企业开办: the licence first; then the seal, the tax and the housing-fund registrations side by
# side; the seal's filing needs the seal stage done.
OPENING = catalog(thing(
    items=[item("licence", promised=1), item("seal", department="police", promised=1),
           item("tax", promised=1), item("fund", promised=1, materials=(("lease", True),)),
           item("filing", department="police", promised=1)],
    stages=[{"code": "licence", "items": ["licence"]},
            {"code": "after-licence", "after": ["licence"], "items": ["seal", "tax", "fund"]},
            {"code": "filing", "after": ["after-licence"], "items": ["filing"]}],
)).things["opening"]
# Two first stages that need nothing of each other; "b2" needs "b".
FORKED = catalog(thing(
    items=[item("a"), item("b"), item("b2")],
    stages=[{"code": "a", "items": ["a"]}, {"code": "b", "items": ["b"]},
            {"code": "b2", "after": ["b"], "items": ["b2"]}],
)).things["opening"]


def in_review(thing_=OPENING, **accept) -> Case:
    case = Case(thing=thing_)
    case.submit(MONDAY, CAL)
    case.accept(MONDAY, CAL, **accept)
    case.events.clear()
    case.notices.clear()
    return case


def states(case: Case) -> dict[str, TaskState]:
    return {t.item: t.state for t in case.tasks}


def test_rejecting_the_licence_cancels_everything_that_needs_it_and_rejects_the_case():
    case = in_review()
    case.reject("licence", "名称与已登记企业重复")
    assert set(states(case).values()) == {TaskState.REJECTED, TaskState.CANCELLED}
    assert case.state == State.REJECTED
    assert "前序事项“事项licence”未通过" in case.task("seal").note
    assert [e.action for e in case.events] == ["reject_item", *["cancel_item"] * 4, "reject"]
    assert case.notices == [("rejected", {"item": "licence", "reason": "名称与已登记企业重复",
                                          "cancelled": ["seal", "tax", "fund", "filing"], "goes_on": False})]


def test_a_minor_item_rejected_cancels_only_the_later_stage_and_the_case_ends_partly_approved():
    case = in_review()
    case.approve("licence", MONDAY, CAL, result_number="9133")
    case.reject("fund", "缴存比例不符合规定")
    # the filing waits for the whole stage the fund belongs to: it can never start
    assert states(case) == {"licence": TaskState.APPROVED, "seal": TaskState.IN_REVIEW, "tax": TaskState.IN_REVIEW,
                            "fund": TaskState.REJECTED, "filing": TaskState.CANCELLED}
    assert case.state == State.IN_REVIEW  # the seal and tax go on
    assert case.notices[-1] == ("rejected", {"item": "fund", "reason": "缴存比例不符合规定", "cancelled": ["filing"],
                                             "goes_on": True})
    case.approve("seal", MONDAY, CAL)
    assert case.state == State.IN_REVIEW
    case.approve("tax", MONDAY, CAL)
    assert case.state == State.PARTLY_APPROVED
    assert case.events[-1].action == "partly_approve" and "未通过：事项fund" in case.events[-1].note
    assert case.notices[-1] == ("partly_approved", {"approved": ["licence", "seal", "tax"], "rejected": ["fund"]})
    case.results_ready()
    case.hand_over("collect")
    assert case.state == State.CLOSED


def test_independent_stages_go_on_and_the_last_decision_settles_the_outcome():
    case = in_review(FORKED)
    case.reject("a", "不符合条件")
    assert states(case) == {"a": TaskState.REJECTED, "b": TaskState.IN_REVIEW, "b2": TaskState.WAITING}
    case.approve("b", MONDAY, CAL)
    assert case.task("b2").state == TaskState.IN_REVIEW
    case.approve("b2", MONDAY, CAL)
    assert case.state == State.PARTLY_APPROVED

    other = in_review(FORKED)
    other.reject("b", "不符合条件")
    assert states(other) == {"a": TaskState.IN_REVIEW, "b": TaskState.REJECTED, "b2": TaskState.CANCELLED}
    other.reject("a", "也不符合")
    assert other.state == State.REJECTED and other.events[-1].note == "也不符合"


def test_a_partly_approved_case_is_rated_once_its_results_are_out():
    case = in_review(FORKED)
    case.reject("a", "不符合条件")
    case.approve("b", MONDAY, CAL)
    case.approve("b2", MONDAY, CAL)
    with refused(CaseRuleError, "出结果后"):
        case.evaluate(5, MONDAY.date(), CAL)
    case.results_ready()
    assert case.evaluate(4, MONDAY.date(), CAL) is None


def test_a_reviewer_returns_their_item_with_the_complete_list_and_only_its_clock_stops():
    case = in_review()
    case.approve("licence", MONDAY, CAL)  # stage two starts Monday 03-02, 1 working day: due 03-03
    with refused(CaseRuleError, "一次性列明"):
        case.return_item("tax", ["", " "], d("2026-03-02"))
    case.return_item("tax", ["财务负责人身份证复印件不清晰", "会计制度未勾选"], d("2026-03-02"))
    tax = case.task("tax")
    assert (tax.state, tax.pause_kind, tax.problems) == (TaskState.PAUSED, CORRECTION,
                                                         ["财务负责人身份证复印件不清晰", "会计制度未勾选"])
    assert case.notices[-1] == ("item_returned", {"item": "tax", "problems": tax.problems})
    # the others go on; no deadline rule touches the returned item
    case.approve("seal", MONDAY, CAL)
    tick(case, MONDAY + timedelta(days=2), CAL)  # past 03-03: the seal's neighbours would be overdue
    assert not case.task("tax").overdue and case.task("fund").overdue
    # only the applicant ends this pause
    with refused(CaseRuleError, "没有处于可由审批人员结束"):
        case.resume("tax", d("2026-03-05"), CAL)
    with refused(CaseRuleError, "暂停计时"):
        case.approve("tax", MONDAY, CAL)
    case.resubmit_item("tax", d("2026-03-05"), CAL)  # Thursday: 3 working days (03-03..03-05) waited
    assert (tax.state, tax.problems, tax.paused_days, tax.due_on) == (TaskState.IN_REVIEW, [], 3, d("2026-03-06"))
    assert "顺延至2026-03-06" in case.events[-1].note
    with refused(CaseRuleError, "没有退回补正"):
        case.resubmit_item("tax", d("2026-03-05"), CAL)


def test_an_item_returned_for_correction_cannot_be_resubmitted_before_it_is_returned_or_after_the_end():
    case = in_review()
    with refused(CaseRuleError, "没有退回补正"):
        case.resubmit_item("licence", d("2026-03-02"), CAL)
    case.reject("licence", "不符合")
    with pytest.raises(IllegalTransition):
        case.resubmit_item("licence", d("2026-03-02"), CAL)


def test_a_resubmission_while_the_case_is_suspended_keeps_the_clock_stopped():
    case = in_review(owed={"lease": d("2026-03-03")})
    case.return_item("licence", ["章程未签字"], d("2026-03-02"))
    tick(case, datetime(2026, 3, 4, 2, tzinfo=timezone.utc), CAL)  # the lease is overdue: suspended
    assert case.suspended_since == d("2026-03-04")
    case.resubmit_item("licence", d("2026-03-05"), CAL)
    assert case.task("licence").pause_kind == "applicant"
    case.receive_owed("lease", d("2026-03-06"), CAL)
    assert case.task("licence").state == TaskState.IN_REVIEW


def test_results_wait_for_every_owed_material_received_or_waived():
    case = in_review(FORKED)
    for code in ("a", "b", "b2"):
        case.approve(code, MONDAY, CAL)
    assert case.state == State.APPROVED
    case.results_ready()  # nothing owed: goes through

    owing = Case(thing=OPENING)
    owing.submit(MONDAY, CAL)
    owing.accept(MONDAY, CAL, owed={"lease": d("2026-03-20")})
    for code in ("licence", "seal", "tax", "fund", "filing"):
        owing.approve(code, MONDAY, CAL)
    with refused(CaseRuleError, "容缺材料尚未补齐：lease") as owed:
        owing.results_ready()
    assert owed.value.code == "owed_materials_outstanding" and owed.value.details == {"materials": ["lease"], "names": ["lease"]}
    with refused(CaseRuleError, "说明理由"):
        owing.waive_owed("lease", "staff:zhao", " ", d("2026-03-05"), CAL)
    owing.waive_owed("lease", "staff:zhao", "已通过部门共享核验租赁备案", d("2026-03-05"), CAL)
    [owed] = owing.owed
    assert (owed.waived_by, owed.waived_reason, owed.received) == ("staff:zhao", "已通过部门共享核验租赁备案", False)
    assert owing.events[-1].action == "owed_waived" and owing.notices[-1][0] == "owed_waived"
    with refused(CaseRuleError, "没有待补交"):
        owing.receive_owed("lease", d("2026-03-05"), CAL)
    owing.results_ready()
    assert owing.state == State.RESULTS_READY


def test_a_waived_material_neither_reminds_nor_suspends():
    case = in_review(owed={"lease": d("2026-03-04")})
    case.waive_owed("lease", "staff:zhao", "原件已在窗口核验", d("2026-03-02"), CAL)
    case.notices.clear()
    tick(case, datetime(2026, 3, 3, 2, tzinfo=timezone.utc), CAL)
    tick(case, datetime(2026, 3, 6, 2, tzinfo=timezone.utc), CAL)
    assert case.suspended_since is None and not any(kind in ("owed_due", "suspended") for kind, _ in case.notices)
