"""Importing a year's official schedule counts every open deadline again."""

from datetime import datetime, timezone

from onething.domain.calendar import WorkCalendar, YearSchedule
from onething.domain.case import Case
from onething.domain.reschedule import reschedule
from onething.domain.schedule import expected_completion
from onething.domain.states import TaskState
from tests.support.builders import catalog, d, item, thing

OPENING = catalog(thing(items=[item("licence", promised=1), item("seal", department="police", promised=1)])
                  ).things["opening"]
THURSDAY = datetime(2027, 2, 4, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai, before 春节 2027
TODAY = THURSDAY.date()
SPRING = frozenset(d(f"2027-02-{n:02d}") for n in range(5, 9))  # 除夕 to 初三, as the rule fixes it
PROVISIONAL = WorkCalendar((YearSchedule(2027, SPRING, frozenset(), provisional=True),))
# the notice then gives a longer break (to 02-11) and a make-up Saturday
OFFICIAL = WorkCalendar((YearSchedule(2027, SPRING | {d("2027-02-09"), d("2027-02-10"), d("2027-02-11")},
                                      frozenset({d("2027-02-20")})),))


def accepted_case() -> Case:
    case = Case(thing=OPENING)
    case.submit(THURSDAY, PROVISIONAL)
    case.accept(THURSDAY, PROVISIONAL)
    case.expected_on = expected_completion(case, THURSDAY.date(), PROVISIONAL)  # as the save stores it
    case.events.clear(), case.notices.clear()
    return case


def test_open_deadlines_move_with_an_event_each_and_one_notice_to_the_applicant():
    case = accepted_case()
    assert case.task("licence").due_on == d("2027-02-09")  # 1 working day after Thursday, over 春节
    assert reschedule(case, OFFICIAL, "2027年放假安排已公布", TODAY) is True
    assert case.task("licence").due_on == d("2027-02-12")
    assert case.task("seal").due_on is None  # not started: nothing was promised for it yet
    assert [(e.action, e.item) for e in case.events] == [("deadline_moved", "licence")] * 2
    notes = [e.note for e in case.events]
    assert "办理期限由2027-02-09调整为2027-02-12（2027年放假安排已公布）" in notes
    assert any(n.startswith("法定期限由2027-03-") for n in notes)  # the legal limit moves by the same rule
    # the seal stage, not started, follows one working day after the licence: 02-15 instead of 02-10
    assert case.notices == [("deadline_moved", {"before": "2027-02-10", "after": "2027-02-15",
                                                "why": "2027年放假安排已公布", "provisional": False,
                                                "intake": False})]


def test_nothing_moves_twice_and_an_unchanged_calendar_changes_nothing():
    case = accepted_case()
    assert reschedule(case, PROVISIONAL, "同一安排", TODAY) is False
    assert case.events == [] and case.notices == []
    reschedule(case, OFFICIAL, "公布", TODAY)
    case.events.clear(), case.notices.clear()
    assert reschedule(case, OFFICIAL, "公布", TODAY) is False and case.events == []


def test_the_intake_deadline_moves_from_the_day_of_submission():
    case = Case(thing=OPENING)
    case.submit(THURSDAY, PROVISIONAL)
    assert case.intake_due_on == d("2027-02-15")  # 02-09, 10, 11, 12, 15
    assert case.notices == [("received", {"intake_due_on": "2027-02-15", "provisional": True})]
    case.events.clear()
    case.notices.clear()
    reschedule(case, OFFICIAL, "公布", TODAY)
    assert case.intake_due_on == d("2027-02-18")  # 02-12, 15, 16, 17, 18
    assert case.notices[0][1]["intake"] is True


def test_a_paused_item_keeps_its_paused_days_and_a_flag_raised_too_early_is_lowered():
    case = accepted_case()
    licence = case.task("licence")
    licence.paused_days, licence.warned, licence.overdue = 2, True, True
    licence.state = TaskState.PAUSED
    reschedule(case, OFFICIAL, "公布", TODAY)
    assert licence.due_on == d("2027-02-16")  # 1 + 2 working days after 02-04 over the official calendar
    assert (licence.warned, licence.overdue) == (False, False)


def test_the_applicant_is_told_when_only_the_stages_not_yet_started_move():
    wednesday = datetime(2027, 2, 3, 2, 0, tzinfo=timezone.utc)
    case = Case(thing=OPENING)
    case.submit(wednesday, PROVISIONAL)
    case.accept(wednesday, PROVISIONAL)
    case.expected_on = expected_completion(case, wednesday.date(), PROVISIONAL)
    assert (case.task("licence").due_on, case.expected_on) == (d("2027-02-04"), d("2027-02-09"))
    case.events.clear(), case.notices.clear()
    assert reschedule(case, OFFICIAL, "公布", wednesday.date()) is True  # saved, though no open date moved
    assert case.task("licence").due_on == d("2027-02-04")
    assert case.notices[0][1]["before"] == "2027-02-09" and case.notices[0][1]["after"] == "2027-02-12"
