"""Supervision grades: the rules file, how an item goes 预警 → 黄牌 → 红牌, the day the sweep next
looks at a case, and what each change counts towards the figures."""

from __future__ import annotations

from datetime import datetime

import pytest
import yaml

from onething.domain.case import Case, Event
from onething.domain.clock import tick
from onething.domain.due_work import first_day_within, next_check
from onething.domain.facts import facts_of
from onething.domain.grades import DEFAULT_RULES, Grade, GradeRulesInvalid, build_grade_rules, task_grade, worst
from onething.domain.states import State
from onething.services.reference import data_dir, load_grade_rules
from tests.support.builders import catalog, d, item, plain_calendar, thing

CAL = plain_calendar(2026)
SHIPPED = yaml.safe_load((data_dir() / "supervision.yaml").read_text(encoding="utf-8"))


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T10:00:00+08:00")


def accepted(*items: dict, stages=None) -> Case:
    """Accepted on Monday 2026-03-02: by default the licence is promised in 3 working days (due
    Thursday 03-05, legal limit 20 days: 03-30), then the seal."""
    case = Case(thing=catalog(thing(items=list(items), stages=stages) if items else thing()).things["opening"])
    case.submit(at("2026-03-02"), CAL)
    case.accept(at("2026-03-02"), CAL)
    case.events.clear()
    return case


def errors(raw) -> str:
    with pytest.raises(GradeRulesInvalid) as caught:
        build_grade_rules(raw, "supervision.yaml")
    assert str(caught.value).startswith("supervision.yaml: ")
    return "\n".join(caught.value.errors)


# -- the rules file -----------------------------------------------------------------------------

def test_the_shipped_rules_load_with_their_chinese_names():
    rules = load_grade_rules()
    assert [rules.name(g) for g in (Grade.WARNING, Grade.YELLOW, Grade.RED)] == ["预警", "黄牌", "红牌"]
    assert rules.red_after_yellow_days == 5 and rules.satisfied_scores == {3, 4, 5}
    assert rules.dissatisfied_scores == {1, 2}


@pytest.mark.parametrize("change, said", [
    ({"red_after_yellow_days": 0}, "red_after_yellow_days: must be a whole number of working days from 1 to 60"),
    ({"red_after_yellow_days": True}, "red_after_yellow_days"),
    ({"grades": SHIPPED["grades"][:2]}, "grades: missing red"),
    ({"grades": [*SHIPPED["grades"][:2], {"code": "red", "name": "红牌", "rank": 1}]}, "grades[2] red: rank must be 3"),
    ({"grades": [*SHIPPED["grades"], {"code": "orange", "name": "橙牌", "rank": 4}]},
     "grades[3] orange: code must be one of warning, yellow, red"),
    ({"grades": [{**SHIPPED["grades"][0], "name": " "}, *SHIPPED["grades"][1:]]}, "grades[0] warning: name is required"),
    ({"dissatisfied_scores": [2, 3]}, "dissatisfied_scores: [3] are also satisfied_scores"),
    ({"satisfied_scores": [6]}, "satisfied_scores: must be a non-empty list of scores from 1 to 5"),
    ({"colour": "red"}, "unknown keys colour"),
])
def test_a_broken_rules_file_is_refused_naming_the_entry(change, said):
    assert said in errors({**SHIPPED, **change})


def test_a_rules_file_that_is_no_mapping_or_missing_stops_startup_naming_the_file(tmp_path):
    assert "must be a mapping" in errors(["grades"])
    path = tmp_path / "supervision.yaml"
    path.write_text("red_after_yellow_days: [\n", encoding="utf-8")
    with pytest.raises(GradeRulesInvalid, match="supervision.yaml"):
        load_grade_rules(path)
    with pytest.raises(GradeRulesInvalid, match="missing"):
        load_grade_rules(tmp_path / "absent.yaml")


# -- grades from flags --------------------------------------------------------------------------

def test_an_items_grade_is_its_gravest_flag_and_a_case_carries_the_worst():
    assert task_grade(False, False, False, False) is Grade.NONE
    assert task_grade(True, False, False, False) is Grade.WARNING
    assert task_grade(True, True, False, False) is Grade.YELLOW
    assert task_grade(True, True, False, True) is Grade.RED and task_grade(False, False, True, False) is Grade.RED
    assert worst([Grade.WARNING, Grade.RED, Grade.YELLOW]) is Grade.RED and worst([]) is Grade.NONE
    assert [g.code for g in Grade] == ["none", "warning", "yellow", "red"]


def test_an_item_is_warned_on_its_last_day_yellow_after_it_and_red_after_five_yellow_working_days():
    case = accepted()
    licence = case.task("licence")
    seen = {}
    for day in ("2026-03-04", "2026-03-05", "2026-03-06", "2026-03-11", "2026-03-12", "2026-03-31"):
        tick(case, at(day), CAL)
        seen[day] = task_grade(licence.warned, licence.overdue, licence.legal_overdue, licence.red_card)
        case.events.clear()
    assert seen == {"2026-03-04": Grade.NONE, "2026-03-05": Grade.WARNING, "2026-03-06": Grade.YELLOW,
                    "2026-03-11": Grade.YELLOW, "2026-03-12": Grade.RED, "2026-03-31": Grade.RED}
    assert licence.red_card and licence.legal_overdue  # the legal limit passed too, on 03-31


def test_the_yellow_to_red_threshold_is_the_rules_and_one_red_card_is_counted_per_item():
    case = accepted()
    rules = build_grade_rules({**SHIPPED, "red_after_yellow_days": 1})
    tick(case, at("2026-03-06"), CAL, rules)
    assert case.task("licence").overdue and case.task("licence").red_card  # 03-06 is 1 working day after 03-05
    assert [e.action for e in case.events] == ["overdue", "red_card"]
    case.events.clear()
    tick(case, at("2026-03-31"), CAL, rules)
    assert [e.action for e in case.events] == ["legal_overdue"]
    facts = facts_of(case.events, thing="opening", lead_department="market", tasks={t.item: t for t in case.tasks},
                     window="staff:w1", actor="system", system=True, today=d("2026-03-31"), calendar=CAL, rules=rules)
    assert facts == []  # already red: passing the legal limit is no second red card


def test_a_tacitly_approvable_item_is_approved_the_day_after_its_promise_not_carded():
    case = accepted(item("filing", promised=2, tacit=True), stages=[{"code": "one", "name": "备案", "items": ["filing"]}])
    assert next_check(case, d("2026-03-02"), CAL, DEFAULT_RULES, ticked=False) == d("2026-03-04")  # warned on its day
    tick(case, at("2026-03-05"), CAL)
    assert case.task("filing").state.value == "approved" and not case.task("filing").overdue


# -- when the sweep next looks --------------------------------------------------------------------

def test_the_next_check_is_the_first_day_a_rule_can_act():
    case = accepted()
    assert next_check(case, d("2026-03-02"), CAL, DEFAULT_RULES, ticked=False) == d("2026-03-05")  # warning
    tick(case, at("2026-03-05"), CAL)
    assert next_check(case, d("2026-03-05"), CAL, DEFAULT_RULES, ticked=True) == d("2026-03-06")  # yellow
    tick(case, at("2026-03-06"), CAL)
    assert next_check(case, d("2026-03-06"), CAL, DEFAULT_RULES, ticked=True) == d("2026-03-12")  # red


def test_a_case_submitted_on_friday_is_next_checked_after_its_intake_limit():
    case = Case(thing=catalog(thing()).things["opening"])
    case.submit(at("2026-03-06"), CAL)
    assert case.intake_due_on == d("2026-03-13")
    assert next_check(case, d("2026-03-06"), CAL, DEFAULT_RULES, ticked=False) == d("2026-03-14")


def test_a_case_nothing_can_happen_to_is_not_checked_and_a_days_work_waits_for_tomorrow():
    case = accepted()
    case.approve("licence", at("2026-03-03"), CAL)
    case.approve("seal", at("2026-03-03"), CAL)
    assert next_check(case, d("2026-03-03"), CAL, DEFAULT_RULES, ticked=True) is None
    late = accepted()
    assert next_check(late, d("2026-03-09"), CAL, DEFAULT_RULES, ticked=False) == d("2026-03-09")  # overdue now
    assert next_check(late, d("2026-03-09"), CAL, DEFAULT_RULES, ticked=True) == d("2026-03-10")


def test_the_first_day_within_a_number_of_working_days_skips_the_weekend():
    assert first_day_within(d("2026-03-09"), 0, CAL) == d("2026-03-09")  # the day itself
    assert first_day_within(d("2026-03-09"), 1, CAL) == d("2026-03-06")  # Friday: only Monday is left
    assert first_day_within(d("2026-03-09"), 2, CAL) == d("2026-03-05")
    assert CAL.working_days_between(d("2026-03-06"), d("2026-03-09")) == 1


# -- what a change counts -----------------------------------------------------------------------

def test_intake_counts_under_who_decided_and_a_bad_rating_under_the_lead_department_and_window():
    case = Case(thing=catalog(thing()).things["opening"])
    case.submit(at("2026-03-02"), CAL)
    case.return_for_correction(["章程未签字"])
    kw = dict(thing="opening", lead_department="market", tasks={}, today=d("2026-03-02"), calendar=CAL,
              rules=DEFAULT_RULES)
    counted = facts_of(case.events, window=None, actor="staff:w2", system=False, **kw)
    assert [(f.fact, f.department, f.window) for f in counted] == [("received", "market", ""),
                                                                   ("returned", "market", "staff:w2")]
    rated = [Event("evaluate", State.CLOSED, State.CLOSED, "2分（不满意）")]
    counted = facts_of(rated, window="staff:w1", actor="citizen:3", system=False, **kw)
    assert [(f.fact, f.department, f.window, f.bucket) for f in counted] == [
        ("rating", "market", "staff:w1", 2), ("dissatisfied", "market", "staff:w1", 0)]


def test_a_decision_counts_its_working_days_paused_days_left_out_and_whether_it_was_on_time():
    case = accepted()
    case.pause("licence", "inspection", d("2026-03-03"), "现场核查")
    case.resume("licence", d("2026-03-05"), CAL)  # two working days paused: due moves to 03-09
    case.events.clear()
    case.approve("licence", at("2026-03-09"), CAL)
    counted = facts_of(case.events, thing="opening", lead_department="market", tasks={t.item: t for t in case.tasks},
                       window="staff:w1", actor="staff:r1", system=False, today=d("2026-03-09"), calendar=CAL,
                       rules=DEFAULT_RULES)
    assert {(f.fact, f.bucket) for f in counted if f.item == "licence"} == {
        ("decided", 3), ("promised", 3), ("legal", 20), ("on_time", 0)}


def test_a_rejection_counts_as_decided_and_as_rejected_under_the_items_department_and_intake_window():
    case = accepted()
    case.events.clear()
    case.reject("licence", "经营范围含前置审批项目")
    counted = facts_of(case.events, thing="opening", lead_department="market", tasks={t.item: t for t in case.tasks},
                       window="staff:w1", actor="staff:r1", system=False, today=d("2026-03-04"), calendar=CAL,
                       rules=DEFAULT_RULES)
    rejected = [f for f in counted if f.fact == "rejected"]
    licence = next(t for t in case.tasks if t.item == "licence")
    assert [(f.department, f.window, f.item) for f in rejected] == [(licence.department, "staff:w1", "licence")]
    assert "decided" in {f.fact for f in counted}
