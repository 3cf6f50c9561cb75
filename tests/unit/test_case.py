from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings, strategies as st

from onething.domain.case import Case, CaseRuleError
from onething.domain.clock import tick
from onething.domain.states import BEFORE_ACCEPTANCE, WITH_RESULTS, FINAL, IllegalTransition, State, TaskState
from tests.support.builders import catalog, d, item, plain_calendar, thing
from tests.support.refusals import refused

CAL = plain_calendar(2026)
MONDAY = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai
OPENING = catalog().things["opening"]


def new_case(**kwargs) -> Case:
    case = Case(thing=OPENING, **kwargs)
    case.submit(MONDAY, CAL)
    return case


def test_acceptance_starts_the_first_stage_only_with_its_own_deadline():
    case = new_case()
    case.accept(MONDAY, CAL)
    assert case.state == State.IN_REVIEW
    licence, seal = case.task("licence"), case.task("seal")
    assert (licence.state, licence.due_on) == (TaskState.IN_REVIEW, d("2026-03-05"))  # 3 working days
    assert seal.state == TaskState.WAITING and seal.due_on is None
    assert [e.action for e in case.events] == ["submit", "accept", "start_review"]


def test_approving_the_last_item_of_a_stage_starts_the_next_and_all_approve_the_case():
    case = new_case()
    case.accept(MONDAY, CAL)
    case.approve("licence", MONDAY + timedelta(days=1), CAL, result_number="91330000MA00000000")
    seal = case.task("seal")
    assert seal.state == TaskState.IN_REVIEW and seal.started_on == d("2026-03-03")
    case.approve("seal", MONDAY + timedelta(days=2), CAL)
    assert case.state == State.APPROVED


def test_a_seal_cannot_be_engraved_before_the_licence_exists():
    case = new_case()
    case.accept(MONDAY, CAL)
    with refused(CaseRuleError, "不在审批中"):
        case.approve("seal", MONDAY, CAL)


def test_correction_carries_the_complete_list_and_restarts_the_intake_clock():
    case = new_case()
    with pytest.raises(CaseRuleError):
        case.return_for_correction(["", "  "])
    case.return_for_correction(["章程未签字", "租赁合同缺第2页"])
    assert case.state == State.RETURNED and case.problems == ["章程未签字", "租赁合同缺第2页"]
    assert case.notices[-1] == ("returned", {"problems": ["章程未签字", "租赁合同缺第2页"]})
    case.resubmit(MONDAY + timedelta(days=7), CAL)
    assert case.intake_due_on == d("2026-03-16") and case.problems == []


def test_no_intake_decision_in_five_working_days_counts_as_accepted():
    case = new_case()
    assert case.intake_due_on == d("2026-03-09")
    assert not tick(case, MONDAY + timedelta(days=7), CAL)  # Monday 03-09: still in time
    assert tick(case, MONDAY + timedelta(days=8), CAL)
    assert case.state == State.IN_REVIEW and "视为受理" in case.events[1].note


def test_an_excluded_period_moves_the_deadline_by_its_working_days():
    case = new_case()
    case.accept(MONDAY, CAL)
    case.pause("licence", "inspection", d("2026-03-03"), "现场核查经营场所")
    with pytest.raises(CaseRuleError):
        case.approve("licence", MONDAY, CAL)
    case.resume("licence", d("2026-03-06"), CAL)  # 3 working days paused
    assert case.task("licence").due_on == d("2026-03-10")
    assert "顺延至2026-03-10" in case.events[-1].note


def test_deferred_materials_overdue_suspend_the_case_until_they_arrive():
    case = new_case()
    case.accept(MONDAY, CAL, owed={"lease": d("2026-03-04")})
    tick(case, datetime(2026, 3, 3, 2, tzinfo=timezone.utc), CAL)
    assert case.notices[-1][0] == "owed_due"
    tick(case, datetime(2026, 3, 5, 2, tzinfo=timezone.utc), CAL)
    assert case.suspended_since == d("2026-03-05") and case.task("licence").state == TaskState.PAUSED
    case.receive_owed("lease", d("2026-03-09"), CAL)
    licence = case.task("licence")
    assert licence.state == TaskState.IN_REVIEW and licence.due_on == d("2026-03-07") + timedelta(days=2)


def test_only_deferrable_materials_may_be_owed_and_never_by_the_blacklisted():
    with refused(CaseRuleError, "不属于可容缺"):
        new_case().accept(MONDAY, CAL, owed={"id-card": d("2026-03-10")})
    with refused(CaseRuleError, "黑名单"):
        new_case(blacklisted=True).accept(MONDAY, CAL, owed={"lease": d("2026-03-10")})


def test_warned_then_overdue_then_tacit_approval_where_the_item_allows_it():
    tacit = catalog(thing(items=[item("licence", tacit=True, promised=2), item("seal")])).things["opening"]
    case = Case(thing=tacit)
    case.submit(MONDAY, CAL)
    case.accept(MONDAY, CAL)
    tick(case, MONDAY + timedelta(days=1), CAL)
    assert not case.task("licence").warned  # a quarter of 2 days, rounded down: warned on the last day
    tick(case, MONDAY + timedelta(days=2), CAL)
    assert case.task("licence").warned
    tick(case, MONDAY + timedelta(days=3), CAL)  # past 03-04
    assert case.task("licence").state == TaskState.APPROVED and "超时默许" in case.task("licence").note
    assert not tick(case, MONDAY + timedelta(days=3), CAL)  # idempotent


def test_illegal_moves_are_refused_with_the_state_named():
    case = Case(thing=OPENING)
    with pytest.raises(IllegalTransition, match="cannot accept a case that is draft"):
        case.accept(MONDAY, CAL)


ACTIONS = st.sampled_from(["submit", "withdraw", "accept", "return", "refuse", "resubmit", "approve", "reject",
                           "pause", "resume", "tick", "results_ready", "collect", "close", "owed",
                           "return_item", "resubmit_item", "waive"])


def attempt(case: Case, action: str, item: str, day: int) -> None:
    now = MONDAY + timedelta(days=day)
    today = now.date()
    moves = {
        "submit": lambda: case.submit(now, CAL), "withdraw": lambda: case.withdraw(),
        "accept": lambda: case.accept(now, CAL, owed={"lease": today + timedelta(days=2)}),
        "return": lambda: case.return_for_correction(["缺材料"]), "refuse": lambda: case.refuse("不符合条件"),
        "resubmit": lambda: case.resubmit(now, CAL), "approve": lambda: case.approve(item, now, CAL),
        "reject": lambda: case.reject(item, "不符合条件"), "pause": lambda: case.pause(item, "hearing", today),
        "resume": lambda: case.resume(item, today, CAL), "tick": lambda: tick(case, now, CAL),
        "results_ready": lambda: case.results_ready(), "collect": lambda: case.hand_over("collect"),
        "close": lambda: case.close(), "owed": lambda: case.receive_owed("lease", today, CAL),
        "return_item": lambda: case.return_item(item, ["缺签字"], today),
        "resubmit_item": lambda: case.resubmit_item(item, today, CAL),
        "waive": lambda: case.waive_owed("lease", "staff:zhao", "已核验", today, CAL),
    }
    try:
        moves[action]()
    except (IllegalTransition, CaseRuleError):
        pass


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(ACTIONS, st.sampled_from(["licence", "seal"])), max_size=30))
def test_no_sequence_of_actions_reaches_an_illegal_state(steps):
    case = Case(thing=OPENING)
    for day, (action, item_code) in enumerate(steps):
        states_before = case.state
        attempt(case, action, item_code, day)
        assert case.state == states_before or case.events, "a state change always leaves an event"
        if states_before in FINAL:
            assert case.state == states_before, "final states are final"
        if case.state in BEFORE_ACCEPTANCE:
            assert case.tasks == []
        if case.state in WITH_RESULTS or (case.state == State.CLOSED and case.tasks and
                                          all(t.state != TaskState.REJECTED for t in case.tasks)):
            assert any(t.state == TaskState.APPROVED for t in case.tasks)
            if not any(t.state == TaskState.REJECTED for t in case.tasks):
                assert all(t.state == TaskState.APPROVED for t in case.tasks)
        if case.state == State.IN_REVIEW:
            assert any(t.state != TaskState.APPROVED for t in case.tasks)
            assert not (case.task("seal").state != TaskState.WAITING and case.task("licence").state != TaskState.APPROVED)
        if case.state == State.REJECTED:
            assert any(t.state == TaskState.REJECTED for t in case.tasks)
            assert not any(t.open for t in case.tasks)
            assert not any(t.state == TaskState.APPROVED for t in case.tasks)
        if case.state == State.PARTLY_APPROVED:
            assert {TaskState.APPROVED, TaskState.REJECTED} <= {t.state for t in case.tasks}
            assert not any(t.open or t.state == TaskState.WAITING for t in case.tasks)
        if case.state in (State.RESULTS_READY, State.COLLECTED):
            assert not case.outstanding_owed(), "no results go out while a material is owed"
        for earlier, later in zip(case.events, case.events[1:]):
            assert later.from_state == earlier.to_state, "the trail has no gaps"
