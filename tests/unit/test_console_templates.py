"""Every console page template renders in strict mode with what its handler gives it."""

from __future__ import annotations

from datetime import date, datetime, timezone
from importlib import resources
from pathlib import Path

import pytest
from multidict import MultiDict, MultiDictProxy

from onething.domain.corrections import compose
from onething.domain.overturns import BASES
from onething.domain.shipment import CARRIERS
from onething.domain.states import EXCLUDED_PERIODS
from onething.services.console_queues import intake_countdown
from onething.services.staff import StaffSession
from onething.templating import make_environment
from tests.support.builders import plain_calendar
from tests.support.console_rest_templates import CASES as MANAGERS_SUPERVISORS_ADMINS
from tests.support.console_sup_templates import CASES as SUPERVISION

FOLDER = Path(str(resources.files("onething.templates"))) / "console"
TEMPLATES = sorted(p.name for p in FOLDER.glob("*.j2"))
CLERK = {"me": StaffSession(1, "clerk-li", "clerk", None, None), "role_name": "综合窗口", "department_name": "",
         "nav": [{"title": "待受理", "href": "/staff/intake"}], "csrf": "t" * 64, "path": "/staff/intake"}
TASK = {"id": 7, "name": "营业执照", "department_name": "县市场监督管理局", "state": "in_review", "state_name": "审查中",
        "pause": None, "due_on": "2026-03-05", "legal_due_on": "2026-03-30", "warned": True, "overdue": False,
        "legal_overdue": False, "extension": None}
CASE = {
    "id": 3, "number": "YS20260302-0001", "thing": "business-opening", "thing_name": "企业开办", "state": "submitted",
    "state_name": "已提交，待受理", "submitted_at": "2026-03-02T02:00:00+00:00", "intake_due_on": "2026-03-09",
    "expected_completion_on": None, "credit": {"blacklisted": False},
    "form_rows": [{"path": "legal_rep_id_number", "title": "法定代表人身份证号", "value": "110***********4573",
                   "personal": True}],
    "materials": [{"name": "公司章程", "filename": "章程.pdf", "intact": True, "content_type": "application/pdf",
                   "preview_url": "/objects/a?sig=1", "download_url": "/objects/a?sig=2"}],
    "owed_shown": [{"name": "参保职工花名册", "due_on": "2026-03-20", "received": False}], "tasks": [TASK],
    "sentences": [{"at": "2026-03-02T02:00:00+00:00", "actor": "citizen:1", "text": "提交了申请"}],
    "required": [{"code": "charter", "name": "公司章程", "deferrable": False},
                 {"code": "roster", "name": "参保职工花名册", "deferrable": True}],
    "fields": [{"path": "company_name", "title": "企业名称"}],
}
TYPED = MultiDictProxy(MultiDict([("owed", "roster"), ("note", "原件已核")]))
PAGE = {**CLERK, "case": CASE, "refusal": "请为每项容缺材料填写承诺补交日期。", "which": "accept", "typed": TYPED, "done": "",
        "carriers": CARRIERS, "pauses": EXCLUDED_PERIODS, "bases": BASES, "task": None, "preview": None,
        "revealed": None}
QUEUE = {"total": 120, "page": 2, "pages": 3, "previous": 1, "next": 3}
PREVIEW = {"problems": ["材料“公司章程”：未签字"], "text": "1. 材料“公司章程”：未签字"}
CASES = {
    "base.html.j2": [(CLERK, ["综合窗口", "clerk-li", "退出登录", 'nonce="', "htmx-2.0.11.min.js"])],
    "sign_in.html.j2": [({"next": "/staff/", "error": "用户名或密码不正确。", "username": "li", "csrf": "x", "path": "/"},
                         ['for="username"', "用户名或密码不正确", 'value="li"'])],
    "home.html.j2": [({**CLERK, "role_name": "项目服务经理"}, ["项目服务经理"])],
    "error.html.j2": [({**CLERK, "message": "未找到。", "not_found": True}, ["未找到该页面", "返回工作台"])],
    "intake.html.j2": [({**CLERK, "today": date(2026, 3, 2), "queue": {**QUEUE, "items": [
        {**CASE, "days_left": 0, "urgency": "overdue"}, {**CASE, "days_left": -2, "urgency": "legal"}]}},
        ["今日到期", "已超期 2 个工作日（视为受理）", "第 2 / 3 页", "?page=3", "2026-03-02 10:00"])],
    "countdown.html.j2": [({"case": {"days_left": 3, "urgency": "ok"}}, ["剩 3 个工作日"])],
    "pager.html.j2": [({"queue": QUEUE}, ["共 120 件", "上一页", "下一页"])],
    "case.html.j2": [(PAGE, ["YS20260302-0001", "请为每项容缺材料填写承诺补交日期", "原件已核", 'value="roster" checked',
                             "110***********4573", "<iframe", "2026-03-02 10:00 · 提交了申请", "参保职工花名册（2026-03-20 前"]),
                     ({**PAGE, "me": StaffSession(2, "wang", "reviewer", "market", None), "task": TASK, "which": "",
                       "case": {**CASE, "state": "in_review"}}, ["审批通过", "上传电子证照", "预警", "暂停计时"])],
    "case_form.html.j2": [({**PAGE, "revealed": {"field": "legal_rep_id_number", "value": "110101199003074573"}},
                           ["110101199003074573", "已记录查看"])],
    "case_materials.html.j2": [(PAGE, ["公司章程", "下载"])],
    "case_intake.html.j2": [({**PAGE, "refused": lambda name: ""}, ["容缺受理", "退回补正", "不予受理"])],
    "case_after.html.j2": [({**PAGE, "refused": lambda name: "", "case": {**CASE, "state": "results_ready"}},
                            ["申请人已当面领取", "中国邮政EMS", "运单号"])],
    "case_overturn.html.j2": [
        ({**PAGE, "refused": lambda name: "", "case": {**CASE, "state": "refused", "timeline": []}},
         ["记录撤销决定", '<option value="">整件的不予受理决定</option>', "行政诉讼", 'action="/staff/cases/3/overturn"']),
        ({**PAGE, "refused": lambda name: "", "case": {**CASE, "state": "partly_approved", "timeline": [], "tasks": [
            {**TASK, "state": "rejected", "item": "business-licence"}]}},
         ['<option value="business-licence">事项《', "的不予许可决定"]),
        ({**PAGE, "refused": lambda name: "", "case": {**CASE, "state": "in_review", "timeline": []}}, []),
    ],
    "problems_preview.html.j2": [({"preview": PREVIEW}, ["1. 材料“公司章程”：未签字"])],
    "task_actions.html.j2": [({**PAGE, "refused": lambda name: "", "task": {**TASK, "state": "paused",
                                                                           "pause": "现场核查"}}, ["恢复计时"])],
    "tasks.html.j2": [({**CLERK, "queue": {**QUEUE, "items": [{**TASK, "number": "YS1", "badge": "legal"}]}},
                       ["红牌", "YS1"])],
    "receipt.html.j2": [({**CLERK, "case": CASE, "qr_image": "data:image/svg+xml;base64,AA", "qr_missing": "",
                          "today": datetime(2026, 3, 2, 2, tzinfo=timezone.utc)},
                         ["受理回执", "2026-03-02 10:00", "data:image/svg+xml"])],
}

CASES.update(MANAGERS_SUPERVISORS_ADMINS)
CASES.update(SUPERVISION)


def test_every_console_template_has_cases_here():
    assert set(TEMPLATES) == set(CASES), "add rendering cases for each new console template"


@pytest.mark.parametrize("template, context, expected", [(t, c, e) for t, cases in CASES.items() for c, e in cases])
def test_each_console_template_renders(template, context, expected):
    html = make_environment().get_template(f"console/{template}").render(**context)
    for fragment in expected:
        assert fragment in html


def test_the_problem_list_names_what_each_problem_is_about():
    problems = compose([("公司章程", " 未签字 "), ("租赁合同", "")], [("企业名称", "")], "请补充照片\n\n  经营范围不规范 ")
    assert problems == ["材料“公司章程”：未签字", "材料“租赁合同”：不符合要求，请重新提交", "表单“企业名称”：填写有误，请核对后修改",
                        "请补充照片", "经营范围不规范"]


def test_the_intake_countdown_counts_working_days_to_the_section_32_deadline():
    calendar = plain_calendar(2026)  # weekends off
    friday = date(2026, 3, 6)
    assert intake_countdown(calendar, date(2026, 3, 2), friday) == {"days_left": 4, "urgency": "ok"}
    assert intake_countdown(calendar, date(2026, 3, 5), friday) == {"days_left": 1, "urgency": "warned"}
    assert intake_countdown(calendar, friday, friday) == {"days_left": 0, "urgency": "overdue"}
    assert intake_countdown(calendar, date(2026, 3, 10), friday) == {"days_left": -2, "urgency": "legal"}


def test_an_overturn_already_recorded_is_no_longer_offered():
    recorded = [{"action": "overturn", "item": None}, {"action": "overturn", "item": "business-licence"}]
    case = {**CASE, "state": "refused", "timeline": recorded,
            "tasks": [{**TASK, "state": "rejected", "item": "business-licence"}]}
    html = make_environment().get_template("console/case_overturn.html.j2").render(**{**PAGE, "refused": lambda name: "", "case": case})
    assert "记录撤销决定" not in html
